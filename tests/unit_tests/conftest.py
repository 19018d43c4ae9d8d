"""Shared fixtures: every test talks to a real local DashScope emulator on loopback.

Tests run in parallel (pytest-xdist, `make test`): a test owns what it starts (its
emulator, its port, its temporary files) and changes the environment only through
`monkeypatch`.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from langchain_qwen.testing import DashScopeEmulator
from langchain_qwen.testing.pytest_plugin import _allow_loopback, dashscope_emulator

if TYPE_CHECKING:  # the xdist controller loads this file too: keep it light
    from langchain_qwen import ChatQwen

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


@pytest.fixture(scope="session")
def _worker_emulator(request: pytest.FixtureRequest) -> Iterator[DashScopeEmulator]:
    _allow_loopback(request)
    with DashScopeEmulator() as emu:
        yield emu


@pytest.fixture
def emulator(
    request: pytest.FixtureRequest, _worker_emulator: DashScopeEmulator
) -> DashScopeEmulator:
    """A default emulator, reset for each test, shared by the tests of one worker.

    One port for all: ChatQwen's HTTP clients (cached per base URL by langchain-
    openai, each building two TLS contexts, ~70 ms) are built once, not per test.
    Tests that need other settings start their own (`emulator_factory`).
    """
    _allow_loopback(request)
    _worker_emulator.reset()
    return _worker_emulator


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries wait milliseconds, not seconds (tests of the retry paths)."""
    from langchain_qwen._client.http import retry

    monkeypatch.setattr(retry, "_INITIAL_BACKOFF", 0.001)
    monkeypatch.setattr(retry, "_MAX_BACKOFF", 0.01)


@pytest.fixture
def make_llm(emulator: DashScopeEmulator) -> Any:
    """Build a ChatQwen pointed at the emulator (no retries unless asked)."""

    from langchain_qwen import ChatQwen

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


# Markers that say why a test is slow; `make test` sums their time at the end.
SLOW_GROUPS = ("notebook", "subprocess", "load")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[Any]) -> None:
    """Slow groups first; `xdist_group` tests on one worker (`--dist loadgroup`).

    Starting the slow tests first leaves no worker with a long test at the end.
    pytest-xdist (3.8) marks a grouped test by appending `@group` to `item._nodeid`,
    which pytest 9 no longer reads: do the same on the node id pytest 9 uses.
    """
    items.sort(
        key=lambda item: not any(item.get_closest_marker(g) for g in SLOW_GROUPS)
    )
    if not getattr(config.option, "loadgroup", False):  # set on xdist workers
        return
    for item in items:
        names = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        if names and "@" not in item.nodeid and hasattr(item, "_id"):
            from _pytest.nodeid import coerce_node_id

            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(names)}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line: where the time of the slow groups went (setup + call + teardown)."""
    seconds: dict[str, float] = collections.defaultdict(float)
    tests: dict[str, set[str]] = collections.defaultdict(set)
    for reports in terminalreporter.stats.values():
        for report in reports:
            if not isinstance(report, pytest.TestReport):
                continue
            group = next((g for g in SLOW_GROUPS if g in report.keywords), "other")
            seconds[group] += report.duration
            tests[group].add(report.nodeid)
    if not seconds:
        return
    parts = [
        f"{group} {len(tests[group])} tests {seconds[group]:.0f} s"
        for group in (*SLOW_GROUPS, "other")
        if group in seconds
    ]
    terminalreporter.write_line("test time by group: " + ", ".join(parts))
