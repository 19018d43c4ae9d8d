"""The emulator's catalogue facts agree with the client's (two copies, no drift).

The emulator imports nothing from the client: it has its own copy of the model
lists (`testing/_catalogue.py`) and its own thinking / stream-only rules
(`testing/_models.py`). If either side changes alone, a test here fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

import httpx
import pytest

from langchain_qwen._models.profiles import (
    CODING_PLAN_HOSTS,
    MODEL_REGIONS,
    all_models,
    get_qwen_traits,
    models_in_region,
)
from langchain_qwen.testing import DashScopeEmulator, _models
from langchain_qwen.testing._catalogue import MODELS_BY_REGION

TESTING_DIR = Path(__file__).resolve().parents[2] / "langchain_qwen" / "testing"
MODELS = all_models()


@pytest.mark.parametrize("model", MODELS)
def test_thinking_defaults_agree(model: str) -> None:
    mode = get_qwen_traits(model)["thinking"]
    assert _models.is_thinking_only(model) == (mode == "always"), mode
    assert _models.thinks_by_default(model) == (
        mode in ("always", "hybrid_default_on")
    ), mode


@pytest.mark.parametrize("model", MODELS)
def test_stream_only_agrees(model: str) -> None:
    assert _models.is_stream_only(model) == get_qwen_traits(model)["stream_only"]


@pytest.mark.parametrize("region", [*MODEL_REGIONS, "global"])
def test_region_lists_agree(region: str) -> None:
    assert sorted(_models.models_for_region(region)) == models_in_region(region)


@pytest.mark.parametrize("host", CODING_PLAN_HOSTS)
def test_coding_plan_lists_agree(host: str) -> None:
    client = sorted(m for m in MODELS if host in get_qwen_traits(m)["coding_plan"])
    assert sorted(MODELS_BY_REGION[host]) == client


def test_every_client_model_is_served_somewhere() -> None:
    assert set(_models.DEFAULT_MODELS) == set(MODELS)


@pytest.mark.parametrize(
    "model",
    ["qwen3.9-max", "qwen4-plus", "qwq-max", "qwen3.7-flash-2027-01-01"],
)
def test_unseen_names_agree(model: str) -> None:
    # Names newer than the catalogue: both sides infer the same thinking facts.
    mode = get_qwen_traits(model)["thinking"]
    assert _models.is_thinking_only(model) == (mode == "always")
    assert _models.thinks_by_default(model) == (mode in ("always", "hybrid_default_on"))
    assert _models.is_stream_only(model) == get_qwen_traits(model)["stream_only"]
    assert _models.is_served(model, None)


def test_emulator_imports_nothing_from_the_client() -> None:
    for path in TESTING_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                name = node.module
            elif isinstance(node, ast.Import):
                name = node.names[0].name
            else:
                continue
            if name.startswith("langchain_qwen"):
                assert name.startswith("langchain_qwen.testing"), (path.name, name)


# --- the emulator serves per region, like DashScope ---------------------------------


def _chat(client: httpx.Client, url: str, key: str, model: str) -> httpx.Response:
    return client.post(
        f"{url}/chat/completions",
        headers={"Authorization": f"Bearer {key}"},
        json={
            "model": model,
            "messages": [{"role": "user", "content": "hi"}],
            "stream": True,
        },
    )


def test_unknown_model_gets_404() -> None:
    with DashScopeEmulator() as emu, httpx.Client() as client:
        response = _chat(client, emu.base_url, emu.api_key, "qwen-plsu")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "model_not_found"
        assert _chat(client, emu.base_url, emu.api_key, "qwen-plus").status_code == 200


def test_regions_list_and_serve_their_own_models() -> None:
    regions = {"us": "sk-us", "china": "sk-cn", "coding-intl": "sk-sp-intl"}
    with DashScopeEmulator(regions=regions) as emu, httpx.Client() as client:
        for region, key in regions.items():
            url = emu.region_base_url(region)
            listed = client.get(
                f"{url}/models", headers={"Authorization": f"Bearer {key}"}
            ).json()
            ids = {m["id"] for m in listed["data"]}
            assert ids == set(MODELS_BY_REGION[region]), region
        us, cn = emu.region_base_url("us"), emu.region_base_url("china")
        # qwen3.8-max is served in the US, not in Beijing; qwen-math-plus the reverse.
        assert _chat(client, us, "sk-us", "qwen3.8-max").status_code == 200
        assert _chat(client, cn, "sk-cn", "qwen3.8-max").status_code == 404
        assert _chat(client, cn, "sk-cn", "qwen-math-plus").status_code == 200
        assert _chat(client, us, "sk-us", "qwen-math-plus").status_code == 404
        # Dated snapshots of a listed family, and names newer than the catalogue.
        assert _chat(client, us, "sk-us", "qwen-plus-2025-10-30").status_code == 200
        assert _chat(client, cn, "sk-cn", "qwen3.9-max").status_code == 200
