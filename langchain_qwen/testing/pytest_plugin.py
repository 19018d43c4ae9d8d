"""Pytest fixtures for the DashScope emulator.

Import the fixtures into a test module or `conftest.py`:

```python
from langchain_qwen.testing.pytest_plugin import dashscope_emulator  # noqa: F401
```

or load the whole plugin:
`pytest_plugins = ["langchain_qwen.testing.pytest_plugin"]`.

The fixtures work under pytest-socket: when sockets are disabled
(`--disable-socket`), they allow connections to loopback only for the test using
them, so the suite stays cut off from the internet.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from langchain_qwen.testing._server import DashScopeEmulator

_LOOPBACK = ["127.0.0.1", "::1", "localhost"]


def _allow_loopback(request: pytest.FixtureRequest) -> None:
    """Re-enable sockets restricted to loopback if pytest-socket disabled them."""
    if not request.config.pluginmanager.hasplugin("socket"):
        return
    try:
        import pytest_socket
    except ImportError:  # pragma: no cover - the plugin is registered but missing
        return
    import socket

    if socket.socket is getattr(pytest_socket, "_true_socket", socket.socket):
        return  # not disabled (maybe restricted to hosts, which includes loopback)
    pytest_socket.enable_socket()
    allow_unix = bool(request.config.getoption("--allow-unix-socket", default=False))
    pytest_socket.socket_allow_hosts(_LOOPBACK, allow_unix_socket=allow_unix)


@pytest.fixture
def dashscope_emulator(request: pytest.FixtureRequest) -> Iterator[DashScopeEmulator]:
    """A started `DashScopeEmulator` with default settings, stopped after the test."""
    _allow_loopback(request)
    with DashScopeEmulator() as emu:
        yield emu


@pytest.fixture
def dashscope_emulator_factory(
    request: pytest.FixtureRequest,
) -> Iterator[Callable[..., DashScopeEmulator]]:
    """A factory of started emulators, all stopped after the test.

    Call it with `DashScopeEmulator` arguments: `factory(flavor="vllm")`.
    """
    _allow_loopback(request)
    started: list[DashScopeEmulator] = []

    def make(**kwargs: Any) -> DashScopeEmulator:
        emu = DashScopeEmulator(**kwargs).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        with contextlib.suppress(Exception):
            emu.stop()
