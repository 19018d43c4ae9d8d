"""DashScope regions: names, aliases, hosts, and the one base-URL resolver.

API keys are region-specific, so the region is part of every error message about
authentication. The resolution order is, first match wins:

1. an explicit ``base_url`` argument,
2. ``DASHSCOPE_BASE_URL``, then ``DASHSCOPE_API_BASE`` (langchain-qwq's name),
3. ``workspace_id`` (argument or ``DASHSCOPE_WORKSPACE_ID``) -> the workspace host
   ``https://{ws}.{region}.maas.aliyuncs.com/compatible-mode/v1``,
4. ``region`` (argument, then ``DASHSCOPE_REGION``, default Singapore) -> shared host.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

__all__ = [
    "REGIONS",
    "Endpoint",
    "is_dashscope_host",
    "normalize_region",
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
_WORKSPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")
DEFAULT_REGION = "singapore"


@dataclass(frozen=True)
class Endpoint:
    """Where requests go and how that was decided."""

    base_url: str
    region: str | None  # canonical name, None for a custom base URL of unknown region
    source: str  # "base_url", "env:DASHSCOPE_BASE_URL", "workspace", "region", ...


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


def resolve_endpoint(
    *,
    base_url: str | None = None,
    region: str | None = None,
    workspace_id: str | None = None,
) -> Endpoint:
    """Resolve the compatible-mode base URL from arguments and environment.

    Raises:
        ValueError: naming ``base_url``, ``region`` or ``workspace_id`` when invalid.
    """
    if region is not None and not isinstance(region, str):
        msg = f"Invalid value for `region`: {region!r}. Allowed: {_allowed()}."
        raise ValueError(msg)
    if base_url:
        _check_url("base_url", base_url)
        return Endpoint(base_url.rstrip("/"), region_of_base_url(base_url), "base_url")
    for var in ("DASHSCOPE_BASE_URL", "DASHSCOPE_API_BASE"):
        if env_url := os.environ.get(var):
            _check_url(var, env_url)
            return Endpoint(
                env_url.rstrip("/"), region_of_base_url(env_url), f"env:{var}"
            )
    region_name = normalize_region(
        region or os.environ.get("DASHSCOPE_REGION") or DEFAULT_REGION
    )
    record = REGIONS[region_name]
    workspace = workspace_id or os.environ.get("DASHSCOPE_WORKSPACE_ID")
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


def _check_url(name: str, url: Any) -> None:
    parsed = urlparse(url) if isinstance(url, str) else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.hostname:
        msg = (
            f"Invalid value for `{name}`: {url!r}. Allowed: an http(s) URL such as "
            "https://dashscope-intl.aliyuncs.com/compatible-mode/v1."
        )
        raise ValueError(msg)


def region_of_base_url(base_url: str) -> str | None:
    """Best-effort region of a DashScope URL; None for other servers."""
    host = (urlparse(base_url).hostname or "").lower()
    for record in _REGION_TABLE:
        if record.shared_host and host == record.shared_host:
            return record.name
        if host.endswith(f".{record.workspace_region}.maas.aliyuncs.com"):
            return record.name
    return None


def is_dashscope_host(base_url: str) -> bool:
    """True for Alibaba Cloud's own hosts (shared or workspace-dedicated)."""
    host = (urlparse(base_url).hostname or "").lower()
    return host.endswith((".aliyuncs.com", ".aliyun.com"))


def region_label(region: str | None) -> str:
    """Human label of a canonical region, for messages."""
    if region is None:
        return "a custom endpoint"
    return REGIONS[region].label
