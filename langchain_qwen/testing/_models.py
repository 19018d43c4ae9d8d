"""The emulator's model catalogue and the per-model facts its rules depend on.

The facts are the emulator's own (it imports nothing from the client): model lists
from its copy of the catalogue, thinking and stream-only rules written from the
vendor's pages. `tests/unit_tests/test_catalogue_agreement.py` checks that they agree
with the client's catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from langchain_qwen.testing._catalogue import MODELS_BY_REGION


def dedupe(ids: Iterable[str]) -> list[str]:
    """Keep the first occurrence of each id, preserving order."""
    seen: set[str] = set()
    out: list[str] = []
    for model in ids:
        if model not in seen:
            seen.add(model)
            out.append(model)
    return out


# Model ids per region and Coding Plan host come from the emulator's own copy of the
# catalogue (`_catalogue.py`, written by `make profiles` next to the client's data);
# a unit test checks that the two copies agree.
DEFAULT_MODELS: tuple[str, ...] = tuple(
    dedupe(m for ids in MODELS_BY_REGION.values() for m in ids)
)
"""Every model the emulator serves on an endpoint without a catalogue region name."""

_KNOWN = frozenset(DEFAULT_MODELS)

# DashScope's Qwen naming (a series, then tier/variant/size/mode/suffix tokens): a
# name that follows it but is in no list is taken for a model newer than the
# catalogue and served; anything else (a typo such as "qwen-plsu") gets the 404.
_QWEN_NAME = re.compile(
    r"^(?:qwen|qwq|qvq)(?:\d+(?:\.\d+)?)?"
    r"(?:-(?:max|plus|flash|turbo|long|lite|vl|omni|coder|math|mt|next|ocr|asr"
    r"|character|ja|doc|deep|research|livetranslate|realtime|instruct|thinking"
    r"|latest|preview|us|a?\d+(?:\.\d+)?b|1m|\d{4}|\d{4}-\d{2}-\d{2}))+$"
)
# A dated snapshot, `-latest` or `-preview` name -> its family.
_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}(?=-us$|$)|-(?:latest|preview)$")

# Open-source hybrid Qwen3 checkpoints ("qwen3-8b", "qwen3-235b-a22b", "qwen3.5-27b")
# think unless told not to; the commercial ones do not.
_OPEN_SOURCE_HYBRID = re.compile(
    r"^qwen3(?:\.\d+)?-\d+(?:\.\d+)?b(?:-a\d+(?:\.\d+)?b)?$"
)


def is_thinking_only(model: str) -> bool:
    """Whether the model always thinks (QwQ, QVQ, `*-thinking*`, DeepSeek-R1).

    Args:
        model: Model id as sent in the request.

    Returns:
        True when `enable_thinking: false` is refused for this model.
    """
    name = model.lower()
    return (
        name.startswith(("qwq", "qvq")) or "-thinking" in name or "deepseek-r1" in name
    )


def is_stream_only(model: str) -> bool:
    """Whether DashScope serves the model in streaming mode only (QwQ, QVQ, Omni)."""
    name = model.lower()
    return name.startswith(("qwq", "qvq")) or "omni" in name


# Qwen3.5 and later hybrid models think unless told not to (vendor thinking guide);
# `-instruct` checkpoints never think.
_DEFAULT_ON_GENERATION = re.compile(r"^qwen(?:3\.(?:[5-9]|\d{2,})|[4-9])(?:[.-]|$)")


def thinks_by_default(model: str) -> bool:
    """Whether the model thinks when the request says nothing about thinking."""
    name = model.lower()
    if is_thinking_only(name):
        return True
    if "-instruct" in name:
        return False
    return bool(_OPEN_SOURCE_HYBRID.match(name) or _DEFAULT_ON_GENERATION.match(name))


def models_for_region(region: str | None) -> list[str]:
    """The models a DashScope endpoint lists on `GET /models`.

    Args:
        region: The emulator's region name. A catalogue name (`singapore`, `us`,
            `china`, `hongkong`, `global`, `coding-intl`, `coding-cn`) gets its
            own list; any other name, or none, gets every model.
    """
    return list(MODELS_BY_REGION.get(region or "", DEFAULT_MODELS))


def is_served(model: str, region: str | None) -> bool:
    """Whether DashScope would answer `model` on this region's endpoint.

    A listed model, or a dated snapshot / `-latest` / `-preview` of one, is served.
    A catalogue model this region does not list is not (404, as on DashScope). A
    name in no list is served when it follows Qwen naming (a model newer than the
    catalogue) and refused otherwise.
    """
    listed = set(models_for_region(region))
    for name in (model, _SNAPSHOT.sub("", model)):
        if name in listed:
            return True
        if name in _KNOWN:
            return False
    return bool(_QWEN_NAME.match(model))


def model_created(model: str) -> int:
    """A stable, plausible `created` epoch for a model id (for `GET /models`)."""
    # Deterministic across runs (unlike hash()), spread over 2024-2026.
    acc = 0
    for ch in model.encode():
        acc = (acc * 131 + ch) % 63_072_000
    return 1_704_067_200 + acc
