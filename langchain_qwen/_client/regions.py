"""DashScope regions: names, aliases, hosts, and the one base-URL resolver.

API keys are region-specific, so the region is part of every error message about
authentication. The resolution order is, first match wins:

1. an explicit ``base_url`` argument,
2. ``DASHSCOPE_BASE_URL``, then ``DASHSCOPE_API_BASE`` (langchain-qwq's name),
3. ``workspace_id`` (argument or ``DASHSCOPE_WORKSPACE_ID``) -> the workspace host
   ``https://{ws}.{region}.maas.aliyuncs.com/compatible-mode/v1``,
4. ``region`` (argument, then ``DASHSCOPE_REGION``, default Singapore) -> shared host,
   or, with ``plan`` (argument, then ``DASHSCOPE_PLAN``), that billing plan's host:
   ``"coding"`` (Coding Plan: ``https://coding-intl.dashscope.aliyuncs.com/v1`` for
   Singapore, ``https://coding.dashscope.aliyuncs.com/v1`` for China) or ``"trial"``
   (``https://trial.{region}.maas.aliyuncs.com/compatible-mode/v1``).

A key works only with a base URL of its own billing plan (vendor "Base URL
Overview": otherwise 401): Coding Plan keys start with ``sk-sp-``.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from langchain_qwen._client.redact import redact_url

__all__ = [
    "CODING_KEY_PREFIX",
    "PLANS",
    "REGIONS",
    "RESPONSES_REGIONS",
    "Endpoint",
    "check_responses_region",
    "coding_plan_urls",
    "is_dashscope_host",
    "normalize_plan",
    "normalize_region",
    "plan_of_base_url",
    "region_of_base_url",
    "resolve_endpoint",
]


@dataclass(frozen=True)
class _Region:
    name: str
    aliases: tuple[str, ...]
    shared_host: str | None  # None: reachable through workspace hosts only
    workspace_region: str
    label: str


_REGION_TABLE: tuple[_Region, ...] = (
    _Region(
        "singapore",
        ("intl", "international", "sg", "ap-southeast-1"),
        "dashscope-intl.aliyuncs.com",
        "ap-southeast-1",
        "Singapore (international)",
    ),
    _Region(
        "us",
        ("virginia", "us-east-1"),
        "dashscope-us.aliyuncs.com",
        "us-east-1",
        "US (Virginia)",
    ),
    _Region(
        "china",
        ("beijing", "cn", "cn-beijing", "mainland"),
        "dashscope.aliyuncs.com",
        "cn-beijing",
        "China (Beijing)",
    ),
    _Region(
        "hongkong",
        ("hk", "cn-hongkong", "hong-kong"),
        "cn-hongkong.dashscope.aliyuncs.com",
        "cn-hongkong",
        "China (Hong Kong)",
    ),
    _Region("tokyo", ("ap-northeast-1", "japan"), None, "ap-northeast-1", "Tokyo"),
    _Region(
        "frankfurt", ("eu-central-1", "germany"), None, "eu-central-1", "Frankfurt"
    ),
)

REGIONS: dict[str, _Region] = {r.name: r for r in _REGION_TABLE}
"""Canonical region name -> region record."""

_ALIASES: dict[str, str] = {
    alias: r.name for r in _REGION_TABLE for alias in (r.name, *r.aliases)
}

_COMPAT_PATH = "/compatible-mode/v1"

PLANS: dict[str, str] = {
    "payg": "pay-as-you-go (shared and workspace hosts)",
    "coding": "Coding Plan (sk-sp- keys)",
    "trial": "trial domain (lower rate limits)",
}
"""Billing plans with hosts of their own: name -> label."""
_PLAN_ALIASES: dict[str, str] = {
    "payg": "payg",
    "pay-as-you-go": "payg",
    "coding": "coding",
    "coding-plan": "coding",
    "trial": "trial",
}
CODING_KEY_PREFIX = "sk-sp-"
"""Coding Plan (and Token Plan) keys start with this; pay-as-you-go keys with sk-."""
# Coding Plan hosts (OpenAI-compatible path /v1), per region that has one.
_CODING_HOSTS: dict[str, str] = {
    "singapore": "coding-intl.dashscope.aliyuncs.com",
    "china": "coding.dashscope.aliyuncs.com",
}
_CODING_PATH = "/v1"
_WORKSPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")
DEFAULT_REGION = "singapore"


@dataclass(frozen=True)
class Endpoint:
    """Where requests go and how that was decided."""

    base_url: str
    region: str | None  # canonical name, None for a custom base URL of unknown region
    source: str  # "base_url", "env:DASHSCOPE_BASE_URL", "workspace", "region", "plan"
    plan: str = "payg"  # "payg", "coding", "trial", or "token" (a Token Plan URL)


def _allowed() -> str:
    return ", ".join(
        f"{r.name} ({', '.join(r.aliases)})"
        + ("" if r.shared_host else " [workspace_id only]")
        for r in _REGION_TABLE
    )


def normalize_region(region: str) -> str:
    """Return the canonical region name for ``region`` or one of its aliases.

    Raises:
        ValueError: naming ``region`` and listing the valid names.
    """
    key = region.strip().lower().replace("_", "-")
    try:
        return _ALIASES[key]
    except KeyError:
        msg = f"Unknown region={region!r}. Valid regions (aliases): {_allowed()}."
        raise ValueError(msg) from None


def normalize_plan(plan: str) -> str:
    """Return the canonical plan name for ``plan`` or one of its aliases.

    Raises:
        ValueError: naming ``plan`` and listing the valid names.
    """
    key = plan.strip().lower().replace("_", "-") if isinstance(plan, str) else None
    if key in _PLAN_ALIASES:
        return _PLAN_ALIASES[key]
    allowed = ", ".join(f"{name!r} ({label})" for name, label in PLANS.items())
    msg = f"Invalid value for `plan`: {plan!r}. Allowed: {allowed}."
    raise ValueError(msg)


def _plan_endpoint(plan: str, region_name: str, workspace: str | None) -> Endpoint:
    if workspace:
        msg = (
            f"plan={plan!r} has hosts of its own: workspace_id (or "
            "DASHSCOPE_WORKSPACE_ID) applies to pay-as-you-go only; unset one of them."
        )
        raise ValueError(msg)
    if plan == "coding":
        host = _CODING_HOSTS.get(region_name)
        if host is None:
            msg = (
                f"plan='coding' has no host in region={region_name!r}; Coding Plan "
                f"hosts: {', '.join(f'{r} ({h})' for r, h in _CODING_HOSTS.items())}."
            )
            raise ValueError(msg)
        return Endpoint(f"https://{host}{_CODING_PATH}", region_name, "plan", plan)
    host = f"trial.{REGIONS[region_name].workspace_region}.maas.aliyuncs.com"
    return Endpoint(f"https://{host}{_COMPAT_PATH}", region_name, "plan", plan)


def resolve_endpoint(
    *,
    base_url: str | None = None,
    region: str | None = None,
    workspace_id: str | None = None,
    plan: str | None = None,
) -> Endpoint:
    """Resolve the compatible-mode base URL from arguments and environment.

    Raises:
        ValueError: naming ``base_url``, ``region``, ``workspace_id`` or ``plan``
            when invalid.
    """
    if region is not None and not isinstance(region, str):
        msg = f"Invalid value for `region`: {region!r}. Allowed: {_allowed()}."
        raise ValueError(msg)
    plan_name = normalize_plan(plan or os.environ.get("DASHSCOPE_PLAN") or "payg")
    if base_url:
        _check_url("base_url", base_url)
        return Endpoint(
            base_url.rstrip("/"),
            region_of_base_url(base_url),
            "base_url",
            plan_of_base_url(base_url),
        )
    for var in ("DASHSCOPE_BASE_URL", "DASHSCOPE_API_BASE"):
        if env_url := os.environ.get(var):
            _check_url(var, env_url)
            _warn_if_region_overridden(var, env_url, region)
            return Endpoint(
                env_url.rstrip("/"),
                region_of_base_url(env_url),
                f"env:{var}",
                plan_of_base_url(env_url),
            )
    region_name = normalize_region(
        region or os.environ.get("DASHSCOPE_REGION") or DEFAULT_REGION
    )
    record = REGIONS[region_name]
    workspace = workspace_id or os.environ.get("DASHSCOPE_WORKSPACE_ID")
    if plan_name != "payg":
        return _plan_endpoint(plan_name, region_name, workspace)
    if workspace:
        if not isinstance(workspace, str) or not _WORKSPACE.match(workspace):
            msg = (
                f"Invalid value for `workspace_id`: {workspace!r}. Allowed: the "
                "workspace id from the Model Studio console (letters, digits, '-')."
            )
            raise ValueError(msg)
        host = f"{workspace}.{record.workspace_region}.maas.aliyuncs.com"
        return Endpoint(f"https://{host}{_COMPAT_PATH}", region_name, "workspace")
    if record.shared_host is None:
        msg = (
            f"region={region_name!r} ({record.label}) is served only through "
            "workspace-dedicated hosts: pass workspace_id= (or set "
            "DASHSCOPE_WORKSPACE_ID), or choose one of: singapore, us, china, hongkong."
        )
        raise ValueError(msg)
    return Endpoint(
        f"https://{record.shared_host}{_COMPAT_PATH}", region_name, "region"
    )


def _warn_if_region_overridden(var: str, url: str, region: str | None) -> None:
    """The documented order lets the variable win; say so when region= disagrees."""
    if region is None:
        return
    wanted = normalize_region(region)
    if region_of_base_url(url) == wanted:
        return
    warnings.warn(
        f"{var} is set and wins over region={region!r}: requests go to "
        f"{redact_url(url)}. Unset {var}, or pass base_url= to say which.",
        UserWarning,
        stacklevel=4,
    )


def _check_url(name: str, url: Any) -> None:
    parsed = urlparse(url) if isinstance(url, str) else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.hostname:
        msg = (
            f"Invalid value for `{name}`: {_shown(url)}. Allowed: an http(s) URL "
            "such as https://dashscope-intl.aliyuncs.com/compatible-mode/v1."
        )
        raise ValueError(msg)


def _shown(value: Any) -> str:
    return repr(redact_url(value)) if isinstance(value, str) else repr(value)


def region_of_base_url(base_url: str) -> str | None:
    """Best-effort region of a DashScope URL; None for other servers."""
    host = (urlparse(base_url).hostname or "").lower()
    for region, coding_host in _CODING_HOSTS.items():
        if host == coding_host:
            return region
    for record in _REGION_TABLE:
        if record.shared_host and host == record.shared_host:
            return record.name
        if host.endswith(f".{record.workspace_region}.maas.aliyuncs.com"):
            return record.name
    return None


def coding_plan_urls() -> dict[str, str]:
    """Region -> Coding Plan base URL (OpenAI-compatible), for every region with one."""
    return {r: f"https://{h}{_CODING_PATH}" for r, h in _CODING_HOSTS.items()}


def plan_of_base_url(base_url: str) -> str:
    """The billing plan a DashScope URL belongs to (keys work only with their own).

    Returns:
        ``"coding"`` (Coding Plan hosts), ``"trial"`` (trial domain), ``"token"``
        (a Token Plan host: its name contains ``token-plan``) or ``"payg"``.
    """
    host = (urlparse(base_url).hostname or "").lower()
    if host in _CODING_HOSTS.values():
        return "coding"
    if host.startswith("trial.") and host.endswith(".maas.aliyuncs.com"):
        return "trial"
    if "token-plan" in host:
        return "token"
    return "payg"


def is_dashscope_host(base_url: str) -> bool:
    """True for Alibaba Cloud's own hosts (shared or workspace-dedicated)."""
    host = (urlparse(base_url).hostname or "").lower()
    return host.endswith((".aliyuncs.com", ".aliyun.com"))


def region_label(region: str | None) -> str:
    """Human label of a canonical region, for messages."""
    if region is None:
        return "a custom endpoint"
    return REGIONS[region].label


RESPONSES_REGIONS = ("singapore", "china", "us")
"""Regions whose shared host serves the Responses API (vendor pages, 2026)."""


def check_responses_region(region: str | None) -> None:
    """Refuse regions whose DashScope host has no Responses API."""
    if region is None or region in RESPONSES_REGIONS:
        return
    served = ", ".join(f"{r} ({region_label(r)})" for r in RESPONSES_REGIONS)
    msg = (
        f"use_responses_api: DashScope's Responses API is not available in "
        f"region={region!r} ({region_label(region)}). It is served in: {served}. "
        "Use Chat Completions there (use_responses_api=False, no built-in tools, "
        "no previous_response_id), or a key and region where it is served."
    )
    raise ValueError(msg)
