"""``models_report``: the model profiles, and what each region's server lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_qwen._client.regions import (
    normalize_region,
)
from langchain_qwen._models.profiles import (
    all_models,
    get_model_profile,
    get_qwen_traits,
    models_in_region,
)
from langchain_qwen.cli._checks.probes import probe_all
from langchain_qwen.cli._checks.report import (
    DEFAULT_TIMEOUT,
    ModelRow,
    ModelsReport,
    Probe,
)
from langchain_qwen.cli._checks.targets import default_region_urls, resolve_target


def _row(name: str, listed: set[str] | None) -> ModelRow:
    profile: dict[str, Any] = dict(get_model_profile(name) or {})
    traits = get_qwen_traits(name)
    return ModelRow(
        name=name,
        context=profile.get("max_input_tokens"),
        max_output=profile.get("max_output_tokens"),
        tools=bool(profile.get("tool_calling")),
        structured_output=bool(profile.get("structured_output"))
        or traits["json_schema"],
        images=bool(profile.get("image_inputs") or profile.get("image_url_inputs")),
        reasoning=bool(profile.get("reasoning_output")),
        thinking=traits["thinking"],
        stream_only=traits["stream_only"],
        regions=traits["regions"],
        listed=None if listed is None else name.lower() in listed,
    )


# `models --region` also takes the Coding Plan lists: name -> region of its host.
_PLAN_LISTS: dict[str, str] = {
    "coding": "singapore",
    "coding-intl": "singapore",
    "coding-cn": "china",
}


def models_report(
    *,
    region: str | None = None,
    api_key: str | None = None,
    urls: Mapping[str, str] | None = None,
    remote: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> ModelsReport:
    """The model profiles known to the package, and what the server lists.

    Args:
        region: Keep only models offered in this region (aliases accepted), or on
            a Coding Plan host (``coding``/``coding-intl``, ``coding-cn``).
        api_key: A key; with one (and ``remote``), the region's ``GET /models``
            is fetched too: the configured endpoint when no region is given.
        urls: Region -> base URL (the testing hook).
        remote: Fetch the server's model list when a key is available.
        timeout: Seconds for the request.

    Returns:
        The report; ``error`` is set for an unknown region.
    """
    canonical: str | None = None
    if region:
        try:
            key = region.strip().lower()
            canonical = key if key in _PLAN_LISTS else normalize_region(region)
            names = models_in_region(canonical)
        except ValueError as exc:
            return ModelsReport(region=region, rows=[], error=str(exc))
    else:
        names = all_models()
    probe: Probe | None = None
    if remote and api_key:
        # A Coding Plan list is checked against that plan's host of its region.
        plan = "coding" if canonical in _PLAN_LISTS else None
        geo = _PLAN_LISTS.get(canonical or "", canonical)
        table = dict(urls) if urls is not None else default_region_urls(plan)
        try:
            endpoint = resolve_target(region=geo, urls=table, plan=plan)
        except ValueError as exc:
            return ModelsReport(
                region=canonical, rows=[_row(n, None) for n in names], error=str(exc)
            )
        probe = probe_all(
            [(endpoint.region, endpoint.base_url)], api_key.strip(), timeout=timeout
        )[0]
    listed_models = probe.models if probe is not None else None
    listed = {m.lower() for m in listed_models} if listed_models is not None else None
    rows = [_row(n, listed) for n in names]
    unprofiled = (
        sorted(m for m in listed_models if get_model_profile(m) is None)
        if listed_models is not None
        else []
    )
    error = None
    if probe is not None and probe.models is None:
        error = f"GET {probe.url}/models: " + (
            f"HTTP {probe.status_code} {probe.code or ''} {probe.detail}".strip()
            if probe.status_code
            else probe.detail
        )
    return ModelsReport(
        region=canonical, rows=rows, probe=probe, unprofiled=unprofiled, error=error
    )
