"""Shared fixtures: every test talks to a real local DashScope emulator on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from langchain_qwen import ChatQwen
from langchain_qwen.testing import DashScopeEmulator
from langchain_qwen.testing.pytest_plugin import _allow_loopback, dashscope_emulator

__all__ = ["dashscope_emulator"]

_ENV_VARS = (
    "DASHSCOPE_API_KEY",
    "DASHSCOPE_REGION",
    "DASHSCOPE_BASE_URL",
    "DASHSCOPE_API_BASE",
    "DASHSCOPE_WORKSPACE_ID",
)


@pytest.fixture(autouse=True)
def _clean_dashscope_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see a developer's real key or region settings."""
    for var in _ENV_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def emulator(dashscope_emulator: DashScopeEmulator) -> DashScopeEmulator:
    return dashscope_emulator


@pytest.fixture
def make_llm(emulator: DashScopeEmulator) -> Any:
    """Build a ChatQwen pointed at the emulator (no retries unless asked)."""

    def make(**kwargs: Any) -> ChatQwen:
        params: dict[str, Any] = {
            "model": "qwen-plus",
            "base_url": emulator.base_url,
            "api_key": emulator.api_key,
            "max_retries": 0,
        }
        params.update(kwargs)
        return ChatQwen(**params)

    return make


@pytest.fixture
def llm(make_llm: Any) -> ChatQwen:
    return make_llm()


@pytest.fixture(scope="module")
def module_emulator(request: pytest.FixtureRequest) -> Iterator[DashScopeEmulator]:
    """One emulator per test module (ChatQwen caches HTTP clients per base URL)."""
    _allow_loopback(request)
    with DashScopeEmulator() as emu:
        yield emu


@pytest.fixture
def shared_emulator(
    request: pytest.FixtureRequest, module_emulator: DashScopeEmulator
) -> Iterator[DashScopeEmulator]:
    """The module's emulator with an empty script and no recorded requests."""
    _allow_loopback(request)
    module_emulator.clear()
    yield module_emulator
    module_emulator.clear()
