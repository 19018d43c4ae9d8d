"""Model profiles and DashScope-specific traits for Qwen models.

The data lives in `langchain_qwen.data._profiles` (sources are named there). This
module resolves model names against it:

* `get_model_profile` returns langchain-core's `ModelProfile` for a model.
* `get_qwen_traits` returns the DashScope behaviour `ModelProfile` has no key
  for: thinking mode, stream-only, `json_schema`, `n` > 1 and regions.
* `models_in_region` and `all_models` list the models covered.

Names are matched case-insensitively. A name without an entry of its own is
resolved to its family entry when it is a dated snapshot
(`qwen3-max-2025-09-23`, `qwen-plus-2025-12-01-us`), or ends in `-latest` or
`-preview`.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Literal, cast

from langchain_core.language_models import ModelProfile
from typing_extensions import TypedDict

from langchain_qwen._regions import normalize_region
from langchain_qwen.data._profiles import _PROFILES, _QWEN_TRAITS, _SNAPSHOT_FLOORS

__all__ = [
    "MODEL_REGIONS",
    "QwenTraits",
    "ThinkingMode",
    "all_models",
    "get_model_profile",
    "get_qwen_traits",
    "models_in_region",
]

ThinkingMode = Literal["hybrid", "hybrid_default_on", "always", "never"]
"""How a model thinks.

* "hybrid": `enable_thinking` switches thinking on; off by default.
* "hybrid_default_on": `enable_thinking` switch, on by default (open-source Qwen3).
* "always": thinking only; `enable_thinking=False` is rejected.
* "never": no thinking.
"""

MODEL_REGIONS: tuple[str, ...] = ("singapore", "us", "china", "hongkong")
"""Regions with a shared endpoint and a model list on the vendor page."""

_GLOBAL = "global"

_DATED_SNAPSHOT = re.compile(
    r"^(?P<family>.+?)-(?P<date>\d{4}-\d{2}-\d{2})(?P<suffix>-[a-z]+)?$"
)
_ALIAS_SUFFIXES: tuple[str, ...] = ("-latest", "-preview")


class QwenTraits(TypedDict):
    """DashScope behaviour of a Qwen model that `ModelProfile` does not cover."""

    thinking: ThinkingMode
    """Thinking mode; see `ThinkingMode`."""

    stream_only: bool
    """Whether the model answers only streaming requests (QwQ, QVQ, Omni)."""

    json_schema: bool
    """Whether strict `json_schema` response_format is accepted."""

    supports_n: bool
    """Whether `n` > 1 is accepted (never together with tools)."""

    regions: tuple[str, ...]
    """Regions whose shared endpoint offers the model, in `MODEL_REGIONS` order."""

    global_deployment: bool
    """Whether the model is also listed for the Global deployment mode."""


def _default_traits() -> QwenTraits:
    """Traits assumed for a model without data: a current commercial model."""
    return QwenTraits(
        thinking="hybrid",
        stream_only=False,
        json_schema=False,
        supports_n=False,
        regions=MODEL_REGIONS,
        global_deployment=False,
    )


def _traits_from_data(raw: dict[str, Any]) -> QwenTraits:
    """Build a fresh `QwenTraits` from one `_QWEN_TRAITS` entry."""
    return QwenTraits(
        thinking=cast(ThinkingMode, raw["thinking"]),
        stream_only=bool(raw["stream_only"]),
        json_schema=bool(raw["json_schema"]),
        supports_n=bool(raw["supports_n"]),
        regions=tuple(raw["regions"]),
        global_deployment=bool(raw["global_deployment"]),
    )


def _resolve(model: str) -> tuple[str, str | None] | None:
    """Find the data entry for a model name.

    Args:
        model: Model name as passed to the API, e.g. `"qwen-plus-2025-09-11"`.

    Returns:
        `(entry key, snapshot date)` where the date is set only when a dated
        snapshot was resolved to its family entry; `None` for unknown models.
    """
    key = model.strip().lower()
    if key in _PROFILES:
        return key, None
    match = _DATED_SNAPSHOT.match(key)
    if match is not None:
        family = match["family"] + (match["suffix"] or "")
        if family in _PROFILES:
            return family, match["date"]
        return None
    for suffix in _ALIAS_SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in _PROFILES:
            return key[: -len(suffix)], None
    return None


def _snapshot_listed(family: str, date: str, region: str) -> bool:
    """Whether `region` lists `family` snapshots from a date on `date` or before."""
    floor = _SNAPSHOT_FLOORS.get(region, {}).get(family)
    return floor is not None and date >= floor


def get_model_profile(model: str) -> ModelProfile | None:
    """Return the profile of a Qwen model.

    Args:
        model: Model name, e.g. `"qwen-plus"` or `"qwen3-max-2025-09-23"`.
            A dated snapshot, `-latest` or `-preview` name without an entry of
            its own gets its family's profile.

    Returns:
        A new `ModelProfile` dict (safe to modify), or `None` for an unknown
        model.
    """
    resolved = _resolve(model)
    if resolved is None:
        return None
    return cast(ModelProfile, copy.deepcopy(_PROFILES[resolved[0]]))


def get_qwen_traits(model: str) -> QwenTraits:
    """Return the DashScope traits of a Qwen model.

    A dated snapshot without an entry of its own gets its family's traits, with
    regions taken from the vendor page's "<snapshot> and later" entries when the
    family has any.

    Args:
        model: Model name, e.g. `"qwq-plus"`.

    Returns:
        A new `QwenTraits` dict. Unknown models get defaults: thinking
        "hybrid", not stream-only, no `json_schema`, no `n` > 1, all regions.
    """
    resolved = _resolve(model)
    if resolved is None:
        return _default_traits()
    key, date = resolved
    traits = _traits_from_data(_QWEN_TRAITS[key])
    if date is not None and any(key in floors for floors in _SNAPSHOT_FLOORS.values()):
        traits["regions"] = tuple(
            region for region in MODEL_REGIONS if _snapshot_listed(key, date, region)
        )
        traits["global_deployment"] = _snapshot_listed(key, date, _GLOBAL)
    return traits


def models_in_region(region: str) -> list[str]:
    """List the models a region's shared endpoint offers.

    Args:
        region: `"singapore"`, `"us"`, `"china"` or `"hongkong"`, or an alias
            accepted by the region setting (`"intl"`, `"beijing"`, `"hk"`, ...).
            `"global"` lists the models of the Global deployment mode.

    Returns:
        Sorted model names with data in this package; snapshots the vendor
        covers with "and later" but that have no entry here are not included.

    Raises:
        ValueError: For an unknown region, or one without a model list
            (Tokyo and Frankfurt, reached through workspace hosts only).
    """
    if region.strip().lower() == _GLOBAL:
        return sorted(
            name for name, raw in _QWEN_TRAITS.items() if raw["global_deployment"]
        )
    name = normalize_region(region)
    if name not in MODEL_REGIONS:
        msg = (
            f"No model list is known for region={region!r}; "
            f"known: {', '.join(MODEL_REGIONS)} (and 'global')."
        )
        raise ValueError(msg)
    return sorted(m for m, raw in _QWEN_TRAITS.items() if name in raw["regions"])


def all_models() -> list[str]:
    """List every model name with an entry of its own.

    Returns:
        Sorted model names.
    """
    return sorted(_PROFILES)
