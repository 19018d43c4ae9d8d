"""Which base URLs to probe (the region table, its testing hook) and env commands."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence

from langchain_qwen._client.regions import (
    REGIONS,
    Endpoint,
    coding_plan_urls,
    normalize_region,
    resolve_endpoint,
)
from langchain_qwen._models.profiles import (
    MODEL_REGIONS,
)

REGION_URLS_ENV = "LANGCHAIN_QWEN_REGION_URLS"
"""Testing hook: JSON object region -> base URL that replaces the probed regions."""

_COMPAT_PATH = "/compatible-mode/v1"


def default_region_urls(plan: str | None = None) -> dict[str, str]:
    """The base URL of every region to probe: shared hosts, or a plan's own hosts.

    Args:
        plan: ``"coding"`` probes the Coding Plan hosts (the only ones that accept
            ``sk-sp-`` keys); anything else the shared compatible-mode hosts.
    """
    if plan == "coding":
        return coding_plan_urls()
    out: dict[str, str] = {}
    for name in MODEL_REGIONS:
        host = REGIONS[name].shared_host
        if host:
            out[name] = f"https://{host}{_COMPAT_PATH}"
    return out


def region_urls(
    pairs: Sequence[str] = (), environ: Mapping[str, str] | None = None
) -> tuple[dict[str, str], bool]:
    """The region -> base URL table to probe, and whether it was overridden.

    Args:
        pairs: ``REGION=URL`` strings (the CLI's ``--region-url``).
        environ: Environment to read ``LANGCHAIN_QWEN_REGION_URLS`` from.

    Returns:
        ``(table, overridden)``. With overrides, the table holds only the regions
        named (env first, then ``pairs``), so nothing else is contacted.

    Raises:
        ValueError: On malformed JSON or pairs, or an unknown region name.
    """
    env = os.environ if environ is None else environ
    table: dict[str, str] = {}
    raw = env.get(REGION_URLS_ENV, "").strip()
    if raw:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            msg = f"{REGION_URLS_ENV} is not valid JSON: {exc}"
            raise ValueError(msg) from None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            msg = f"{REGION_URLS_ENV} must be a JSON object of region -> base URL"
            raise ValueError(msg)
        for name, url in data.items():
            table[normalize_region(name)] = url.rstrip("/")
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep or not name.strip() or not url.strip():
            msg = f"--region-url expects REGION=URL, got {pair!r}"
            raise ValueError(msg)
        table[normalize_region(name)] = url.strip().rstrip("/")
    if table:
        return table, True
    return default_region_urls(), False


def resolve_target(
    *,
    region: str | None = None,
    base_url: str | None = None,
    urls: Mapping[str, str] | None = None,
    plan: str | None = None,
) -> Endpoint:
    """The endpoint ChatQwen would use, with the region table applied.

    Same order as ChatQwen: ``base_url``, ``DASHSCOPE_BASE_URL`` /
    ``DASHSCOPE_API_BASE``, workspace host, then region. A region's URL comes
    from ``urls`` when it names that region (the testing hook).

    Raises:
        ValueError: For an unknown region, or Tokyo/Frankfurt without a workspace.
    """
    endpoint = resolve_endpoint(base_url=base_url, region=region, plan=plan)
    if endpoint.source in ("region", "plan") and urls and endpoint.region:
        url = urls.get(endpoint.region)
        if url:
            return Endpoint(url, endpoint.region, endpoint.source, endpoint.plan)
    return endpoint


def set_env_command(name: str, value: str) -> str:
    """The shell command that sets an environment variable (POSIX or PowerShell)."""
    if os.name == "nt":
        return f'$env:{name} = "{value}"'
    return f"export {name}={value}"


def unset_env_command(name: str) -> str:
    if os.name == "nt":
        return f"Remove-Item Env:{name}"
    return f"unset {name}"
