"""Which known model an unseen Qwen name takes its facts from.

A name DashScope serves but the catalogue lacks (a new generation, a size between
two known ones) borrows the facts of one known model: same series and variants,
then the same tier (or also an open-weight size), the same presence of a size, the
same mode, the nearest generation *at or below* its own (a model inherits from its
predecessors, never from a successor that may think by default or use a new
vocabulary), the nearest size, and a stable alias over a preview. Names that sit
between known generations are what tell these rules apart.
"""

from __future__ import annotations

import pytest

from langchain_qwen._models.inference import pick_template
from langchain_qwen._models.profiles import get_qwen_traits

# (unseen name, known models, the template each rule calls for)
RULES: list[tuple[str, str, list[str], str | None]] = [
    (
        "older-generation-over-a-closer-newer-one",
        "qwen3.4-plus",
        ["qwen3-plus", "qwen3.5-plus"],
        "qwen3-plus",
    ),
    (
        "nearest-older-generation",
        "qwen3.4-plus",
        ["qwen2-plus", "qwen3-plus", "qwen3.5-plus", "qwen4-plus"],
        "qwen3-plus",
    ),
    (
        "same-generation-over-older",
        "qwen3.5-plus-latest",
        ["qwen3-plus", "qwen3.5-plus", "qwen3.6-plus"],
        "qwen3.5-plus",
    ),
    (
        "newer-than-all-takes-the-newest",
        "qwen4-plus",
        ["qwen3-plus", "qwen3.5-plus"],
        "qwen3.5-plus",
    ),
    (
        "older-than-all-takes-the-nearest",
        "qwen2-plus",
        ["qwen4-plus", "qwen3-plus", "qwen3.5-plus"],
        "qwen3-plus",
    ),
    (
        "between-generations-of-sizes",
        "qwen3.2-32b",
        ["qwen3-32b", "qwen3.5-27b", "qwen2.5-32b-instruct"],
        "qwen3-32b",
    ),
    (
        "between-generations-of-a-variant",
        "qwen2.8-vl-72b-instruct",
        ["qwen2.5-vl-72b-instruct", "qwen3-vl-235b-a22b", "qwen3-72b"],
        "qwen2.5-vl-72b-instruct",
    ),
    (
        "same-tier-over-generation",
        "qwen3.6-plus",
        ["qwen3.5-flash", "qwen3-plus"],
        "qwen3-plus",
    ),
    (
        "same-tier-over-an-older-generation",
        "qwen3.2-plus",
        ["qwen3-flash", "qwen3.5-plus"],
        "qwen3.5-plus",
    ),
    (
        "same-mode-over-an-older-generation",
        "qwen3.2-max-thinking",
        ["qwen3-max", "qwen3.5-max-thinking"],
        "qwen3.5-max-thinking",
    ),
    (
        "variants-must-match",
        "qwen3.6-vl-plus",
        ["qwen3.6-plus", "qwen3-vl-plus"],
        "qwen3-vl-plus",
    ),
    ("no-model-with-the-variants", "qwen3.6-vl-plus", ["qwen3.6-plus"], None),
    (
        "same-mode",
        "qwen3.2-max-thinking",
        ["qwen3-max", "qwen3-max-thinking"],
        "qwen3-max-thinking",
    ),
    (
        "nearest-size",
        "qwen3.5-30b",
        ["qwen3.5-122b-a10b", "qwen3.5-27b", "qwen3.5-7b"],
        "qwen3.5-27b",
    ),
    (
        # Another open-weight size counts as the same tier: a sized name is
        # closer to a sized model, whatever its tier word, than to an alias.
        "open-weight-size-over-a-sizeless-name",
        "qwen3.6-vl-30b",
        ["qwen3-vl", "qwen3.5-vl-flash-32b"],
        "qwen3.5-vl-flash-32b",
    ),
    (
        "stable-alias-over-preview",
        "qwen3.2-max",
        ["qwen3-max-preview", "qwen3-max"],
        "qwen3-max",
    ),
    ("other-series", "qwq-max", ["qwen3-max"], None),
]


@pytest.mark.parametrize(
    ("name", "known", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_template_rules(name: str, known: list[str], expected: str | None) -> None:
    assert pick_template(name, known) == expected
    # The order the candidates come in changes nothing.
    assert pick_template(name, list(reversed(known))) == expected


# Names between the catalogue's generations, and the facts users then get: the
# newer neighbour would think by default and count with the Qwen3.5+ vocabulary.
BETWEEN: list[tuple[str, str, str]] = [
    ("qwen3.2-plus", "hybrid", "qwen"),  # qwen-plus, not qwen3.5-plus
    ("qwen3.3-max", "hybrid", "qwen"),  # qwen3-max, not qwen3.6-max-preview
    ("qwen3.4-flash", "hybrid", "qwen"),  # qwen-flash, not qwen3.5-flash
    ("qwen3.2-32b", "hybrid_default_on", "qwen"),  # qwen3-32b, not qwen3.5-27b
    ("qwen2.8-vl-72b-instruct", "never", "qwen"),  # qwen2.5-vl, not qwen3-vl
    ("qwen3.55-plus", "hybrid_default_on", "qwen3_6"),  # qwen3.5-plus
    ("qwen3.9-max", "hybrid_default_on", "qwen3_6"),  # newer than all: the newest
]


@pytest.mark.parametrize(("name", "thinking", "vocabulary"), BETWEEN)
def test_names_between_generations_get_their_predecessors_facts(
    name: str, thinking: str, vocabulary: str
) -> None:
    traits = get_qwen_traits(name)
    assert traits["inferred"] is True
    assert traits["thinking"] == thinking
    assert traits["tokenizer"] == vocabulary
