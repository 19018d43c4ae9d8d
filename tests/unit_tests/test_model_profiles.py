"""Tests for the Qwen model profiles and DashScope traits."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import get_type_hints

import pytest
from langchain_core.language_models import ModelProfile
from langchain_core.language_models.model_profile import _warn_unknown_profile_keys

from langchain_qwen._model_profiles import (
    MODEL_REGIONS,
    all_models,
    get_model_profile,
    get_qwen_traits,
    models_in_region,
)
from langchain_qwen.data._profiles import _PROFILES, _QWEN_TRAITS, _SNAPSHOT_FLOORS

REPO_ROOT = Path(__file__).resolve().parents[2]
VENDOR_PAGE = (
    REPO_ROOT / ".." / "shared" / "seeds" / "model-studio-openai-compatible-chat.txt"
)

# Section headings of the page's "Supported model list" -> region name.
PAGE_SECTIONS = {
    "Global": "global",
    "International": "singapore",
    "US": "us",
    "Chinese mainland": "china",
    "Hong Kong (China)": "hongkong",
}
MODEL_NAME = re.compile(r"(?<![\w.-])(?:qwen|qwq|qvq)[a-z0-9]*(?:[.-][a-z0-9]+)*")
DATED = re.compile(r"-\d{4}-\d{2}-\d{2}(?:-[a-z]+)?$")

PROFILE_KEYS = (
    "name",
    "max_input_tokens",
    "max_output_tokens",
    "text_inputs",
    "image_inputs",
    "image_url_inputs",
    "audio_inputs",
    "video_inputs",
    "text_outputs",
    "audio_outputs",
    "reasoning_output",
    "tool_calling",
    "tool_choice",
    "tool_call_streaming",
    "structured_output",
    "temperature",
    "open_weights",
)
THINKING_MODES = {"hybrid", "hybrid_default_on", "always", "never"}


def _parse_vendor_page(text: str) -> dict[str, set[str]]:
    """Map each page section's region name to the model names listed in it."""
    start = text.index("Supported model list")
    end = text.index("Use the OpenAI SDK", start)
    listed: dict[str, set[str]] = {}
    current: str | None = None
    for raw_line in text[start:end].splitlines():
        line = raw_line.strip()
        if line in PAGE_SECTIONS:
            current = PAGE_SECTIONS[line]
            listed.setdefault(current, set())
        elif current is not None:
            listed[current].update(MODEL_NAME.findall(line))
    return listed


@pytest.fixture(scope="module")
def page_models() -> dict[str, set[str]]:
    if not VENDOR_PAGE.exists():
        pytest.skip(f"vendor page not found at {VENDOR_PAGE}")
    listed = _parse_vendor_page(VENDOR_PAGE.read_text(encoding="utf-8"))
    assert set(listed) == set(PAGE_SECTIONS.values())
    assert all(listed.values()), listed
    return listed


def _all_page_models(page_models: dict[str, set[str]]) -> set[str]:
    return set().union(*page_models.values())


# --- coverage of the vendor page -------------------------------------------------


def test_parser_sees_known_names(page_models: dict[str, set[str]]) -> None:
    names = _all_page_models(page_models)
    assert {"qwen3-max", "qwq-plus", "qwen-plus-us", "qwen2.5-0.5b-instruct"} <= names
    assert "qwen-flash-2025-07-28-us" in page_models["us"]
    assert len(names) > 60


def test_every_page_model_has_an_entry(page_models: dict[str, set[str]]) -> None:
    missing = sorted(_all_page_models(page_models) - set(_PROFILES))
    assert not missing, f"models named on the vendor page without a profile: {missing}"
    for name in _all_page_models(page_models):
        assert get_model_profile(name) is not None


def test_page_regions_are_recorded(page_models: dict[str, set[str]]) -> None:
    for region in MODEL_REGIONS:
        for name in page_models[region]:
            assert region in get_qwen_traits(name)["regions"], (name, region)
    for name in page_models["global"]:
        assert get_qwen_traits(name)["global_deployment"], name


def test_undated_regions_match_page_exactly(page_models: dict[str, set[str]]) -> None:
    # Dated snapshots may be offered through "<snapshot> and later" entries, so
    # only names without a date must match the page's lists exactly.
    for name in _all_page_models(page_models):
        if DATED.search(name):
            continue
        traits = get_qwen_traits(name)
        expected = tuple(r for r in MODEL_REGIONS if name in page_models[r])
        assert traits["regions"] == expected, name
        assert traits["global_deployment"] == (name in page_models["global"]), name


def test_us_region_is_exactly_the_us_models(page_models: dict[str, set[str]]) -> None:
    assert set(models_in_region("us")) == page_models["us"]


# --- data integrity ----------------------------------------------------------------


def test_profiles_and_traits_cover_the_same_models() -> None:
    assert set(_PROFILES) == set(_QWEN_TRAITS)
    assert all_models() == sorted(_PROFILES)
    assert len(all_models()) >= 80


@pytest.mark.parametrize("model", sorted(_PROFILES))
def test_profile_shape(model: str) -> None:
    profile = _PROFILES[model]
    assert tuple(profile) == PROFILE_KEYS
    assert set(profile) <= set(get_type_hints(ModelProfile))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _warn_unknown_profile_keys(profile)  # type: ignore[arg-type]
    assert model == model.lower().strip()
    assert isinstance(profile["name"], str)
    assert profile["name"]
    for key in PROFILE_KEYS[3:]:
        assert isinstance(profile[key], bool), (model, key)
    assert isinstance(profile["max_input_tokens"], int)
    assert isinstance(profile["max_output_tokens"], int)
    assert 0 < profile["max_output_tokens"] <= profile["max_input_tokens"]
    assert profile["text_inputs"]
    assert profile["text_outputs"]


@pytest.mark.parametrize("model", sorted(_QWEN_TRAITS))
def test_traits_consistent_with_profile(model: str) -> None:
    traits = _QWEN_TRAITS[model]
    profile = _PROFILES[model]
    assert set(traits) == {
        "thinking",
        "stream_only",
        "json_schema",
        "supports_n",
        "regions",
        "global_deployment",
    }
    assert traits["thinking"] in THINKING_MODES
    assert profile["reasoning_output"] == (traits["thinking"] != "never")
    # `structured_output` means native json_schema (LangChain's provider strategy).
    assert profile["structured_output"] == traits["json_schema"]
    if traits["thinking"] == "always":
        # Thinking-only models refuse forced tool choice and JSON mode.
        assert not profile["tool_choice"]
        assert not traits["json_schema"]
        assert not traits["supports_n"]
    if not profile["tool_calling"]:
        assert not profile["tool_choice"]
        assert not profile["tool_call_streaming"]
    assert traits["regions"], model
    assert set(traits["regions"]) <= set(MODEL_REGIONS)
    # Kept in MODEL_REGIONS order, without duplicates.
    assert list(traits["regions"]) == [
        r for r in MODEL_REGIONS if r in traits["regions"]
    ]


def test_snapshot_floors_name_known_families() -> None:
    assert set(_SNAPSHOT_FLOORS) == {*MODEL_REGIONS, "global"}
    for floors in _SNAPSHOT_FLOORS.values():
        for family, date in floors.items():
            assert family in _PROFILES, family
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)


# --- figures from the DashScope notes ---------------------------------------------


@pytest.mark.parametrize(
    ("model", "max_input", "max_output"),
    [
        ("qwen-max", 32_768, 8_192),
        ("qwen-plus", 1_000_000, 32_768),
        ("qwen-flash", 1_000_000, 32_768),
        ("qwen-turbo", 1_000_000, 16_384),
        ("qwen3-max", 262_144, 65_536),
        ("qwen3.5-plus", 1_000_000, 65_536),
        ("qwen3-coder-plus", 1_048_576, 65_536),
        ("qwq-plus", 131_072, 8_192),
        ("qwen-vl-max", 131_072, 8_192),
        ("qwen3-vl-plus", 262_144, 32_768),
        ("qwen3-235b-a22b", 131_072, 16_384),
        ("qwen3-32b", 131_072, 16_384),
        ("qwen3-14b", 131_072, 8_192),
        ("qwen3-8b", 131_072, 8_192),
    ],
)
def test_limits_from_notes(model: str, max_input: int, max_output: int) -> None:
    profile = get_model_profile(model)
    assert profile is not None
    assert profile["max_input_tokens"] == max_input
    assert profile["max_output_tokens"] == max_output


def test_qwq_plus_is_stream_only_and_always_thinks() -> None:
    traits = get_qwen_traits("qwq-plus")
    assert traits["stream_only"] is True
    assert traits["thinking"] == "always"
    profile = get_model_profile("qwq-plus")
    assert profile is not None
    assert profile["reasoning_output"] is True


@pytest.mark.parametrize("model", ["qvq-max", "qwen-omni-turbo", "qwen3-omni-flash"])
def test_other_stream_only_models(model: str) -> None:
    assert get_qwen_traits(model)["stream_only"] is True


def test_thinking_modes() -> None:
    assert get_qwen_traits("qwen-plus")["thinking"] == "hybrid"
    assert get_qwen_traits("qwen-flash")["thinking"] == "hybrid"
    assert get_qwen_traits("qwen-turbo")["thinking"] == "hybrid"
    assert get_qwen_traits("qwen3-32b")["thinking"] == "hybrid_default_on"
    assert get_qwen_traits("qwen3-235b-a22b-thinking-2507")["thinking"] == "always"
    assert get_qwen_traits("qwen3-next-80b-a3b-thinking")["thinking"] == "always"
    assert get_qwen_traits("qwen3-235b-a22b-instruct-2507")["thinking"] == "never"
    assert get_qwen_traits("qwen-max")["thinking"] == "never"
    assert get_qwen_traits("qwen3-coder-plus")["thinking"] == "never"


@pytest.mark.parametrize(
    "model", ["qwen3.5-plus", "qwen3.5-flash", "qwen3.5-plus-2026-02-15"]
)
def test_qwen35_thinks_by_default(model: str) -> None:
    # Vendor thinking guide: "Qwen3.5 (enabled by default)".
    assert get_qwen_traits(model)["thinking"] == "hybrid_default_on"


def test_json_schema_and_n() -> None:
    for model in ("qwen3-max", "qwen-plus", "qwen-flash"):
        assert get_qwen_traits(model)["json_schema"] is True, model
    assert get_qwen_traits("qwen-max")["json_schema"] is False
    assert get_qwen_traits("qwq-plus")["json_schema"] is False
    assert get_qwen_traits("qwen-plus")["supports_n"] is True
    assert get_qwen_traits("qwen3-8b")["supports_n"] is True
    assert get_qwen_traits("qwq-plus")["supports_n"] is False
    assert get_qwen_traits("qwen3-30b-a3b-thinking-2507")["supports_n"] is False


def test_multimodal_profiles() -> None:
    vl = get_model_profile("qwen3-vl-plus")
    assert vl is not None
    assert vl["image_inputs"]
    assert vl["video_inputs"]
    assert not vl["audio_inputs"]
    omni = get_model_profile("qwen-omni-turbo")
    assert omni is not None
    assert omni["audio_inputs"]
    assert omni["audio_outputs"]
    text = get_model_profile("qwen-plus")
    assert text is not None
    assert not text["image_inputs"]


def test_open_weights() -> None:
    for model in ("qwen3-8b", "qwen2.5-72b-instruct", "qwen3.5-27b"):
        profile = get_model_profile(model)
        assert profile is not None
        assert profile["open_weights"] is True, model
    profile = get_model_profile("qwen-plus")
    assert profile is not None
    assert profile["open_weights"] is False


# --- name resolution -------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("qwen-plus-2025-07-28", "qwen-plus"),
        ("qwen-plus-2025-09-11", "qwen-plus"),
        ("qwen3-max-2026-06-01", "qwen3-max"),
        ("qwen-flash-2025-10-01", "qwen-flash"),
        ("qwen-turbo-2025-07-15", "qwen-turbo"),
        ("qwen-plus-2026-01-15-us", "qwen-plus-us"),
        ("qwen3-vl-plus-2025-09-23", "qwen3-vl-plus"),
        ("qwen3-coder-plus-latest", "qwen3-coder-plus"),
        ("qwen-flash-latest", "qwen-flash"),
        ("qwen-plus-preview", "qwen-plus"),
        ("Qwen-Plus", "qwen-plus"),
        ("  qwen3-max  ", "qwen3-max"),
    ],
)
def test_resolves_to_family(model: str, family: str) -> None:
    assert model not in _PROFILES
    assert get_model_profile(model) == _PROFILES[family]
    traits = get_qwen_traits(model)
    assert traits["thinking"] == _QWEN_TRAITS[family]["thinking"]


def test_exact_entries_win_over_family() -> None:
    snapshot = get_model_profile("qwen-plus-2025-01-25")
    assert snapshot is not None
    assert snapshot["max_input_tokens"] == 131_072
    assert get_qwen_traits("qwen-plus-2025-01-25")["thinking"] == "never"
    assert get_qwen_traits("qwen3-max-2025-09-23")["thinking"] == "never"
    assert get_model_profile("qwen3-max-preview") == _PROFILES["qwen3-max-preview"]
    assert get_model_profile("qwen-plus-latest") == _PROFILES["qwen-plus-latest"]


@pytest.mark.parametrize(
    "model",
    ["gpt-4o", "", "qwen", "qwen-plus-foo", "qwen-unknown-2025-01-01", "deepseek-r1"],
)
def test_unknown_models(model: str) -> None:
    assert get_model_profile(model) is None
    traits = get_qwen_traits(model)
    assert traits == {
        "thinking": "hybrid",
        "stream_only": False,
        "json_schema": False,
        "supports_n": False,
        "regions": MODEL_REGIONS,
        "global_deployment": False,
    }


def test_snapshot_regions_follow_and_later_entries() -> None:
    # "qwen3-max-2025-09-23 and later" (Singapore, Beijing), "2026-01-23 and
    # later" (Hong Kong).
    assert get_qwen_traits("qwen3-max-2026-06-01")["regions"] == (
        "singapore",
        "china",
        "hongkong",
    )
    assert get_qwen_traits("qwen3-max-2025-09-23")["regions"] == ("singapore", "china")
    # Singapore lists qwen-turbo-2024-11-01 and later, Beijing 2025-04-28 and later.
    assert get_qwen_traits("qwen-turbo-2025-01-01")["regions"] == ("singapore",)
    assert get_qwen_traits("qwen-turbo-2025-07-15")["regions"] == (
        "singapore",
        "china",
    )
    assert get_qwen_traits("qwen-plus-2026-01-15-us")["regions"] == ("us",)
    assert get_qwen_traits("qwen-plus-2025-09-11")["global_deployment"] is True
    # Families without "and later" entries keep the family's regions.
    assert get_qwen_traits("qwen3-vl-plus-2025-09-23")["regions"] == (
        "singapore",
        "china",
    )


# --- copies ------------------------------------------------------------------------


def test_profiles_are_copies() -> None:
    profile = get_model_profile("qwen-plus")
    assert profile is not None
    assert profile is not _PROFILES["qwen-plus"]
    profile["max_input_tokens"] = 1
    profile["tool_calling"] = False
    again = get_model_profile("qwen-plus")
    assert again is not None
    assert again["max_input_tokens"] == 1_000_000
    assert again["tool_calling"] is True
    snapshot = get_model_profile("qwen-plus-2025-09-11")
    assert snapshot is not None
    snapshot["name"] = "changed"
    assert _PROFILES["qwen-plus"]["name"] == "Qwen-Plus"


def test_traits_are_copies() -> None:
    traits = get_qwen_traits("qwq-plus")
    traits["stream_only"] = False
    traits["regions"] = ()
    assert get_qwen_traits("qwq-plus")["stream_only"] is True
    assert get_qwen_traits("qwq-plus")["regions"] == ("singapore", "china")
    default = get_qwen_traits("not-a-model")
    default["thinking"] = "never"
    assert get_qwen_traits("not-a-model")["thinking"] == "hybrid"


def test_list_results_are_fresh() -> None:
    models = all_models()
    models.clear()
    assert all_models()
    region = models_in_region("singapore")
    region.clear()
    assert models_in_region("singapore")


# --- regions -----------------------------------------------------------------------


def test_models_in_region() -> None:
    assert models_in_region("us") == [
        "qwen-flash-2025-07-28-us",
        "qwen-flash-us",
        "qwen-plus-2025-12-01-us",
        "qwen-plus-us",
    ]
    hongkong = models_in_region("hongkong")
    assert {"qwen3-max", "qwen-plus", "qwen3.5-flash"} <= set(hongkong)
    assert "qwq-plus" not in hongkong
    china = models_in_region("china")
    assert "qwen-math-plus" in china
    assert "qwen2.5-0.5b-instruct" in china
    assert "qwen-math-plus" not in models_in_region("singapore")
    assert "qwen3-4b" not in models_in_region("global")
    assert "qwen3-32b" in models_in_region("global")
    for region in MODEL_REGIONS:
        listed = models_in_region(region)
        assert listed == sorted(listed)


def test_models_in_region_aliases() -> None:
    assert models_in_region("intl") == models_in_region("singapore")
    assert models_in_region("Beijing") == models_in_region("china")
    assert models_in_region("cn-hongkong") == models_in_region("hongkong")
    assert models_in_region("us-east-1") == models_in_region("us")


@pytest.mark.parametrize("region", ["mars", "", "tokyo", "frankfurt"])
def test_models_in_region_rejects_unknown(region: str) -> None:
    with pytest.raises(ValueError, match="region"):
        models_in_region(region)


def test_every_model_is_in_some_region() -> None:
    in_regions = set().union(*(models_in_region(r) for r in MODEL_REGIONS))
    assert in_regions == set(all_models())
