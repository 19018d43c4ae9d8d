"""Facts about a Qwen model worked out from its name and from related models.

Pure functions without data of their own: the generator (`make profiles`) uses them
to fill catalogue entries that models.dev has no data for, and
`langchain_qwen._models.profiles` uses them at run time for names never seen
before (`qwen3.9-max`, `qwen4-plus`, `qwen3.7-flash-2027-01-01`).

A name follows DashScope's grammar: a series (`qwen`, `qwen3.5`, `qwq`, `qvq`)
then `-`-separated tokens: a tier (`max`, `plus`, `flash`, ...), variants (`vl`,
`omni`, `coder`, ...), sizes (`32b`, `a3b`), a mode (`instruct`, `thinking`) and
suffixes (`latest`, `preview`, a date, `us`). A name with any other token is not
inferred.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "NameParts",
    "apply_rules",
    "derive_profile_flags",
    "parse_name",
    "pick_template",
    "split_snapshot",
]

_SERIES = re.compile(r"^(?P<series>qwen|qwq|qvq)(?P<gen>\d+(?:\.\d+)?)?(?P<rest>-.+)?$")
_DATED = re.compile(
    r"^(?P<family>.+?)-(?P<date>\d{4}-\d{2}-\d{2})(?P<suffix>-[a-z]+)?$"
)
_TIERS = frozenset({"max", "plus", "flash", "turbo", "long", "lite"})
_VARIANTS = frozenset(
    {
        "vl",
        "omni",
        "coder",
        "math",
        "mt",
        "next",
        "ocr",
        "asr",
        "character",
        "ja",
        "doc",
        "deep",
        "research",
        "livetranslate",
        "realtime",
    }
)
_MODES = frozenset({"instruct", "thinking"})
_SUFFIXES = frozenset({"latest", "preview", "us"})
_SIZE = re.compile(r"^a?\d+(?:\.\d+)?b$|^1m$")
_VERSION = re.compile(r"^\d{4}$")  # "2507" in qwen3-235b-a22b-instruct-2507


@dataclass(frozen=True)
class NameParts:
    """A model name split into DashScope's naming tokens."""

    series: str
    gen: float
    tier: str | None
    variants: frozenset[str]
    mode: str | None
    size: float | None
    suffixes: frozenset[str]


def split_snapshot(name: str) -> tuple[str, str | None]:
    """Split a dated snapshot into its family and date.

    Args:
        name: A lower-case model id, e.g. `"qwen-plus-2025-12-01-us"`.

    Returns:
        `(family, date)`: `("qwen-plus-us", "2025-12-01")` for that example;
        `(name, None)` for a name without a date.
    """
    match = _DATED.match(name)
    if match is None:
        return name, None
    return match["family"] + (match["suffix"] or ""), match["date"]


def parse_name(name: str) -> NameParts | None:
    """Split a Qwen model name into its tokens.

    Args:
        name: A model id, e.g. `"qwen3.7-flash-2027-01-01"`.

    Returns:
        The parts, or `None` when the name does not follow DashScope's Qwen
        naming (unknown tokens, another vendor's model).
    """
    family, _ = split_snapshot(name.strip().lower())
    match = _SERIES.match(family)
    if match is None:
        return None
    tier: str | None = None
    mode: str | None = None
    size: float | None = None
    variants: set[str] = set()
    suffixes: set[str] = set()
    for part in (match["rest"] or "").split("-")[1:]:
        if part in _TIERS and tier is None:
            tier = part
        elif part in _VARIANTS:
            variants.add(part)
        elif part in _MODES and mode is None:
            mode = part
        elif part in _SUFFIXES:
            suffixes.add(part)
        elif _SIZE.match(part):
            if not part.startswith("a") and part != "1m" and size is None:
                size = float(part[:-1])
        elif not _VERSION.match(part):
            return None
    if tier is None and size is None and not variants and match["series"] == "qwen":
        return None  # "qwen", "qwen3": no model to go by
    return NameParts(
        series=match["series"],
        gen=float(match["gen"]) if match["gen"] else 0.0,
        tier=tier,
        variants=frozenset(variants),
        mode=mode,
        size=size,
        suffixes=frozenset(suffixes),
    )


def _score(want: NameParts, have: NameParts) -> tuple[Any, ...] | None:
    if have.series != want.series or have.variants != want.variants:
        return None
    size_gap = (
        abs(math.log(want.size / have.size)) if want.size and have.size else math.inf
    )
    return (
        have.tier == want.tier or bool(want.size and have.size),
        (have.size is None) == (want.size is None),
        have.mode == want.mode,
        have.gen <= want.gen,
        -abs(want.gen - have.gen),
        -size_gap,
        not have.suffixes,
    )


def pick_template(name: str, known: Iterable[str]) -> str | None:
    """Choose the known model whose facts an unseen Qwen name most likely shares.

    The template has the same series and variants, preferably the same tier (or
    is also an open-weight size), then the nearest generation at or below the
    name's, the same mode, the nearest size, and is preferably a stable alias.

    Args:
        name: The unseen model name, e.g. `"qwen3.9-max"`.
        known: Model ids with data of their own.

    Returns:
        The chosen id, or `None` when the name cannot be inferred.
    """
    want = parse_name(name)
    if want is None:
        return None
    scored: list[tuple[tuple[Any, ...], str]] = []
    for candidate in known:
        have = parse_name(candidate)
        score = None if have is None else _score(want, have)
        if score is not None:
            scored.append((score, candidate))
    if not scored:
        return None
    top = max(score for score, _ in scored)
    return min(candidate for score, candidate in scored if score == top)


def apply_rules(
    name: str,
    rules: Sequence[tuple[str, Mapping[str, Any]]],
    snapshot_rules: Sequence[tuple[str, str, Mapping[str, Any]]],
    traits: dict[str, Any],
) -> dict[str, Any]:
    """Apply name rules, then dated-snapshot rules, to a traits dict (in place).

    Args:
        name: Lower-case model id.
        rules: `(regex, fields)` pairs; for each field the first match wins.
        snapshot_rules: `(family, before, fields)`: snapshots of `family` dated
            before `before` get `fields`.
        traits: The traits to update.

    Returns:
        `traits`, updated.
    """
    decided: set[str] = set()
    for pattern, fields in rules:
        if re.search(pattern, name):
            for key, value in fields.items():
                if key not in decided:
                    traits[key] = value
                    decided.add(key)
    family, date = split_snapshot(name)
    if date is not None:
        for rule_family, before, fields in snapshot_rules:
            if family == rule_family and date < before:
                traits.update(fields)
    return traits


def derive_profile_flags(profile: dict[str, Any], traits: Mapping[str, Any]) -> None:
    """Set the profile keys that follow from DashScope traits (in place).

    * `reasoning_output`: the model can think at all.
    * `structured_output`: native `json_schema` response_format (what LangChain's
      provider strategy sends).
    * `tool_choice`: a forced tool choice is accepted; never on always-thinking
      models (DashScope refuses it in thinking mode).
    * `tool_call_streaming` follows `tool_calling`; `image_url_inputs` follows
      `image_inputs` (DashScope fetches image URLs).
    """
    tools = bool(profile.get("tool_calling"))
    profile["reasoning_output"] = traits["thinking"] != "never"
    profile["structured_output"] = bool(traits["json_schema"])
    profile["tool_choice"] = tools and traits["thinking"] != "always"
    profile["tool_call_streaming"] = tools
    profile["image_url_inputs"] = bool(profile.get("image_inputs"))
