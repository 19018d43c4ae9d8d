"""The emulator's model catalogue and the per-model facts its rules depend on."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Model ids the emulator offers when no list is given. The list mirrors the vendor's
# compatible-mode catalogue (commercial, open-source and a few third-party models that
# DashScope also serves), so `GET /models` looks like the real thing.
DEFAULT_MODELS: tuple[str, ...] = (
    "qwen3-max",
    "qwen3-max-preview",
    "qwen3-max-2025-09-23",
    "qwen-max",
    "qwen-max-latest",
    "qwen3.5-plus",
    "qwen3.5-plus-2026-02-15",
    "qwen3.5-flash",
    "qwen-plus",
    "qwen-plus-latest",
    "qwen-plus-2025-07-28",
    "qwen-plus-us",
    "qwen-flash",
    "qwen-flash-2025-07-28",
    "qwen-flash-us",
    "qwen-turbo",
    "qwen-turbo-latest",
    "qwen3-coder-plus",
    "qwen3-coder-plus-2025-07-22",
    "qwen3-coder-flash",
    "qwq-plus",
    "qwq-plus-latest",
    "qwen-vl-max",
    "qwen-vl-plus",
    "qwen3-vl-plus",
    "qwen3-vl-flash",
    "qvq-max",
    "qvq-plus",
    "qwen-omni-turbo",
    "qwen3-omni-flash",
    "qwen-mt-plus",
    "qwen-mt-turbo",
    "qwen-math-plus",
    "qwen3.5-397b-a17b",
    "qwen3.5-27b",
    "qwen3-next-80b-a3b-thinking",
    "qwen3-next-80b-a3b-instruct",
    "qwen3-235b-a22b",
    "qwen3-235b-a22b-thinking-2507",
    "qwen3-235b-a22b-instruct-2507",
    "qwen3-30b-a3b",
    "qwen3-30b-a3b-thinking-2507",
    "qwen3-30b-a3b-instruct-2507",
    "qwen3-32b",
    "qwen3-14b",
    "qwen3-8b",
    "qwen3-4b",
    "qwen3-1.7b",
    "qwen3-0.6b",
    "qwen2.5-72b-instruct",
    "qwen2.5-7b-instruct",
    "deepseek-v3.2",
    "deepseek-r1",
)

# Names DashScope would plausibly serve: any Qwen-family id is accepted by default so
# tests need not track every new snapshot name.
_QWEN_PREFIXES = ("qwen", "qwq", "qvq")

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


def is_qwen_family(model: str) -> bool:
    """Whether the id looks like a Qwen model (accepted without a strict list)."""
    return model.lower().startswith(_QWEN_PREFIXES)


def model_created(model: str) -> int:
    """A stable, plausible `created` epoch for a model id (for `GET /models`)."""
    # Deterministic across runs (unlike hash()), spread over 2024-2026.
    acc = 0
    for ch in model.encode():
        acc = (acc * 131 + ch) % 63_072_000
    return 1_704_067_200 + acc


def dedupe(ids: Iterable[str]) -> list[str]:
    """Keep the first occurrence of each id, preserving order."""
    seen: set[str] = set()
    out: list[str] = []
    for model in ids:
        if model not in seen:
            seen.add(model)
            out.append(model)
    return out
