"""One pooled async HTTP client per event loop, closed when its loop shuts down.

Async connections belong to the loop that opened them: a client shared across
``asyncio.run`` calls (notebooks, scripts, test suites) fails with "Event loop is
closed" on its second loop. So each loop gets its own client, shared by every ChatQwen
in it. A client must not outlive its loop either: ``asyncio.run`` (and any runner
calling ``loop.shutdown_asyncgens()``) closes the client through a registered async
generator, and drops it from the table, so neither the loop nor a socket survives.
Loops closed without that shutdown are swept (their clients dropped) when a new
loop's client is built.

All clients share one SSL context: building one (loading the CA bundle) is most of
the cost of a new client, paid once per process instead of once per loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import AsyncIterator
from typing import Any

from langchain_qwen._client.http.spec import DEFAULT_TIMEOUT
from langchain_qwen._compat import httpx

__all__ = ["loop_async_client", "open_loop_clients", "sync_client"]

# The openai SDK's defaults for its own pooled clients.
_ASYNC_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
_clients: dict[asyncio.AbstractEventLoop, tuple[httpx.AsyncClient, Any]] = {}
_sync: tuple[int, httpx.Client] | None = None  # (pid, client): a fork gets its own
_lock = threading.Lock()
_ssl: Any = None


def _ssl_context() -> Any:
    global _ssl
    if _ssl is None:
        _ssl = httpx.create_ssl_context()
    return _ssl


async def _close_at_shutdown(
    loop: asyncio.AbstractEventLoop, client: httpx.AsyncClient
) -> AsyncIterator[None]:
    # Registered with the loop by its first step; the loop's shutdown_asyncgens()
    # closes it, which runs the finally clause inside the still-open loop.
    try:
        yield
    finally:
        _clients.pop(loop, None)
        await client.aclose()


def _sweep() -> None:
    for loop in [loop for loop in _clients if loop.is_closed()]:
        _clients.pop(loop, None)


def loop_async_client() -> httpx.AsyncClient:
    """The pooled async client of the running event loop."""
    loop = asyncio.get_running_loop()
    entry = _clients.get(loop)
    if entry is not None:
        return entry[0]
    with _lock:
        _sweep()
        client = httpx.AsyncClient(
            verify=_ssl_context(), limits=_ASYNC_LIMITS, timeout=DEFAULT_TIMEOUT
        )
        closer = _close_at_shutdown(loop, client)
        step: Any = closer.__anext__()  # the loop's first-iteration hook registers it
        with contextlib.suppress(StopIteration):
            step.send(None)
        _clients[loop] = (client, closer)
    return client


def open_loop_clients() -> int:
    """How many loops currently hold a client (for tests and benchmarks)."""
    return len(_clients)


def sync_client() -> httpx.Client:
    """The process's pooled sync client (thread-safe), for clients without the SDK's.

    Keyed by process id: a forked worker (multiprocessing, Ray) must not share the
    parent's sockets.
    """
    global _sync
    pid = os.getpid()
    entry = _sync
    if entry is not None and entry[0] == pid:
        return entry[1]
    with _lock:
        if _sync is None or _sync[0] != pid:
            client = httpx.Client(
                verify=_ssl_context(), limits=_ASYNC_LIMITS, timeout=DEFAULT_TIMEOUT
            )
            _sync = (pid, client)
        return _sync[1]
