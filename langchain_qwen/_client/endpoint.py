"""Where a client's requests go and with which key: one resolution for every class.

ChatQwen, QwenEmbeddings and QwenRerank take the same settings (``base_url``,
``region``, ``workspace_id``, ``plan``, ``api_key`` and the ``DASHSCOPE_*``
variables) and resolve them here, in the order documented in ``regions``: an
empty key counts as none, a Coding Plan key (``sk-sp-``) picks the Coding Plan
hosts, a key that cannot work with the endpoint's plan is warned about (the key is
never named), a DashScope host without any key is refused before sending, and plain
``http://`` to a remote host is warned about.
"""

from __future__ import annotations

import ipaddress
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlparse

from pydantic import SecretStr

from langchain_qwen._client import http as _http
from langchain_qwen._client.redact import redact_url
from langchain_qwen._client.regions import (
    CODING_KEY_PREFIX,
    Endpoint,
    is_dashscope_host,
    region_label,
    resolve_endpoint,
)
from langchain_qwen._client.target import NO_KEY

__all__ = [
    "NO_KEY",
    "clean_key",
    "connection_secrets",
    "redacted_repr_args",
    "resolve_connection",
]

_KEY_FIELDS = ("api_key", "openai_api_key")


def _key_text(values: dict[str, Any], key_fields: Sequence[str]) -> str:
    """The API key a client is being built with (arguments, then the env)."""
    for name in key_fields:
        key = values.get(name)
        if isinstance(key, SecretStr):
            return key.get_secret_value().strip()
        if isinstance(key, str):
            return key.strip()
    return os.environ.get("DASHSCOPE_API_KEY", "").strip()


def _warn_key_plan_mismatch(key: str, plan: str, base_url: str, depth: int) -> None:
    """Warn (naming no key) when a key cannot work with the endpoint's plan."""
    if not key or not is_dashscope_host(base_url):
        return
    coding_key = key.startswith(CODING_KEY_PREFIX)
    if coding_key and plan != "coding":
        msg = (
            f"The API key is a Coding Plan key ({CODING_KEY_PREFIX}...), which only "
            f"the Coding Plan hosts accept, but base_url is {base_url}: set "
            "plan='coding' (or DASHSCOPE_PLAN=coding) instead of base_url/region."
        )
        warnings.warn(msg, stacklevel=depth + 1)
    elif plan == "coding" and not coding_key:
        msg = (
            f"{base_url} is a Coding Plan host: it accepts only Coding Plan keys "
            f"({CODING_KEY_PREFIX}...); a pay-as-you-go key gets a 401 there."
        )
        warnings.warn(msg, stacklevel=depth + 1)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_connection(
    values: dict[str, Any],
    *,
    key_fields: Sequence[str] = _KEY_FIELDS,
    depth: int = 4,
) -> Endpoint:
    """Resolve endpoint, region, plan and key of constructor ``values`` (in place).

    Sets ``values["base_url"]``, ``values["region"]`` and (when not pay-as-you-go)
    ``values["plan"]``; drops an empty key; puts ``NO_KEY`` in ``api_key`` for a
    self-hosted server when no key is given anywhere.

    Args:
        values: constructor keywords (``base_url``/``openai_api_base``, ``region``,
            ``workspace_id``, ``plan`` and the key fields).
        key_fields: the names the key may be given under.
        depth: stack level of the caller's caller, for warnings.

    Raises:
        ValueError: an invalid setting (named), or no key for a DashScope host.
    """
    for name in key_fields:
        key = values.get(name)
        secret = key.get_secret_value() if isinstance(key, SecretStr) else key
        if isinstance(secret, str) and not secret.strip():
            values.pop(name)  # an empty key is no key: say DASHSCOPE_API_KEY
    base_url = values.pop("base_url", None) or values.pop("openai_api_base", None)
    key_text = _key_text(values, key_fields)
    plan = values.get("plan")
    if (
        plan is None
        and not os.environ.get("DASHSCOPE_PLAN")
        and key_text.startswith(CODING_KEY_PREFIX)
    ):
        plan = "coding"  # a Coding Plan key works only on the Coding Plan hosts
    endpoint = resolve_endpoint(
        base_url=base_url,
        region=values.get("region"),
        workspace_id=values.get("workspace_id"),
        plan=plan,
    )
    values["base_url"] = endpoint.base_url
    values["region"] = endpoint.region
    if endpoint.plan != "payg":
        values["plan"] = endpoint.plan
    shown = redact_url(endpoint.base_url)
    _warn_key_plan_mismatch(key_text, endpoint.plan, shown, depth + 1)
    has_key = any(values.get(name) is not None for name in key_fields)
    if not has_key and not key_text:  # key_text is the environment's key then
        if is_dashscope_host(endpoint.base_url):
            msg = (
                "No DashScope API key: set the DASHSCOPE_API_KEY environment "
                "variable or pass api_key=. Keys are region-specific; this "
                f"endpoint is {region_label(endpoint.region)} "
                f"({shown})."
            )
            raise ValueError(msg)
        # Self-hosted servers often run without auth.
        values[key_fields[0]] = NO_KEY
    parsed = urlparse(endpoint.base_url)
    if parsed.scheme == "http" and not _is_loopback(parsed.hostname or ""):
        warnings.warn(
            f"base_url {shown!r} uses plain http:// to a non-loopback host: the "
            "API key would travel unencrypted. Use https://.",
            stacklevel=depth,
        )
    return endpoint


def clean_key(key: SecretStr) -> SecretStr:
    """The key without surrounding white space (warned about); control chars refused.

    Keys copied from env files and Kubernetes secrets often end in a newline, which
    no HTTP header can carry. Errors never echo the key.
    """
    value = key.get_secret_value()
    stripped = value.strip()
    if stripped != value:
        warnings.warn(
            "The API key has white space (a newline?) around it; it was removed. "
            "Check how the key is stored.",
            stacklevel=5,
        )
        key = SecretStr(stripped)
    _http.check_api_key(stripped)
    return key


def connection_secrets(base_url: str | None) -> dict[str, str]:
    """``lc_secrets`` of a client: constructor argument names -> secret ids.

    A base URL with user info (``https://user:password@proxy/...``) is a secret
    too: ``dumps`` writes a reference and ``load`` takes it from ``secrets_map``.
    """
    secrets = {
        "api_key": "DASHSCOPE_API_KEY",
        "openai_api_key": "DASHSCOPE_API_KEY",
        "dashscope_api_key": "DASHSCOPE_API_KEY",
    }
    if _http.split_user_info(base_url or "")[1] is not None:
        secrets["openai_api_base"] = "DASHSCOPE_BASE_URL"
    return secrets


def redacted_repr_args(
    pairs: Iterable[tuple[str | None, Any]],
) -> Iterator[tuple[str | None, Any]]:
    """A client's repr fields without a URL password or header values."""
    for name, value in pairs:
        if name == "openai_api_base" and isinstance(value, str):
            yield name, redact_url(value)
        elif name == "default_headers" and value:
            yield name, dict.fromkeys(value, "***")
        else:
            yield name, value
