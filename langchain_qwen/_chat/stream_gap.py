"""``stream_chunk_timeout``: the longest silence allowed between two streamed chunks.

As in ``ChatOpenAI`` it applies to async streams, counts parsed chunks (keep-alive
comments do not reset it) and is off when ``None`` or ``0``. One timer per stream
is armed once and re-armed only when it fires early, so a chunk costs one clock
read, not a timer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from time import monotonic
from typing import TypeVar

__all__ = ["with_chunk_gap"]

T = TypeVar("T")


async def with_chunk_gap(
    chunks: AsyncIterator[T],
    seconds: float | None,
    on_timeout: Callable[[], BaseException],
) -> AsyncIterator[T]:
    """Yield ``chunks``; raise ``on_timeout()`` after ``seconds`` without one."""
    if not seconds or seconds <= 0:
        async for chunk in chunks:
            yield chunk
        return
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    started: float | None = None  # when the current wait began (None: not waiting)
    fired = False
    handle: asyncio.TimerHandle | None = None

    def watch() -> None:
        nonlocal handle, fired
        waited = 0.0 if started is None else monotonic() - started
        if waited < seconds:  # re-armed: a chunk came, or the consumer was busy
            handle = loop.call_later(seconds - waited, watch)
            return
        fired = True
        if task is not None:
            task.cancel()

    handle = loop.call_later(seconds, watch)
    try:
        while True:
            started = monotonic()
            try:
                chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except asyncio.CancelledError:
                if not fired:
                    raise
                if task is not None and hasattr(task, "uncancel"):
                    task.uncancel()
                raise on_timeout() from None
            started = None
            yield chunk
    finally:
        if handle is not None:
            handle.cancel()
