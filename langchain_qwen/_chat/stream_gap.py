"""``stream_chunk_timeout``: the longest silence allowed between two streamed chunks.

As in ``ChatOpenAI`` it applies to async streams, counts parsed chunks (keep-alive
comments do not reset it) and is off when ``None`` or ``0``. One timer per stream
is armed once and re-armed only when it fires early, so a chunk costs one clock
read, not a timer. The error is both our ``DashScopeTimeoutError`` and
langchain-openai's ``StreamChunkTimeoutError``, so code written for ChatOpenAI
catches it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from time import monotonic
from typing import Any, TypeVar

from langchain_core.messages import AIMessageChunk
from langchain_openai import StreamChunkTimeoutError

from langchain_qwen._client.errors import DashScopeTimeoutError
from langchain_qwen._compat import httpx

__all__ = ["DashScopeStreamChunkTimeoutError", "chunk_gap_error", "with_chunk_gap"]

T = TypeVar("T")


class DashScopeStreamChunkTimeoutError(DashScopeTimeoutError, StreamChunkTimeoutError):
    """No streamed chunk within ``stream_chunk_timeout``: what ChatOpenAI raises too.

    Built as langchain-openai builds its own (``timeout_s``, ``model_name``,
    ``chunks_received``), with the openai error's ``request`` and our ``partial``.
    """

    def __init__(
        self,
        timeout_s: float,
        *,
        request: httpx.Request,
        model_name: str | None = None,
        chunks_received: int = 0,
        partial: AIMessageChunk | None = None,
    ) -> None:
        # Not through APIError.__init__: its super() call would reach
        # StreamChunkTimeoutError.__init__ with a message for timeout_s.
        StreamChunkTimeoutError.__init__(
            self, timeout_s, model_name=model_name, chunks_received=chunks_received
        )
        self.message = (
            f"No streamed chunk for {timeout_s}s (stream_chunk_timeout; "
            f"model={model_name}, chunks_received={chunks_received}): the stream "
            "stalled. Raise stream_chunk_timeout (or LANGCHAIN_OPENAI_STREAM_CHUNK_"
            "TIMEOUT_S), or set it to None to wait without limit. What arrived is "
            "on exc.partial."
        )
        self.args = (self.message,)
        self.request, self.body, self.partial = request, None, partial
        self.code = self.param = self.type = None

    def __reduce__(self) -> Any:
        kwargs = {
            "model_name": self.model_name,
            "chunks_received": self.chunks_received,
        }
        return (_rebuild_chunk_timeout, (self.timeout_s, self.request, kwargs))


def _rebuild_chunk_timeout(
    timeout_s: float, request: httpx.Request, kwargs: dict[str, Any]
) -> DashScopeStreamChunkTimeoutError:
    return DashScopeStreamChunkTimeoutError(timeout_s, request=request, **kwargs)


def chunk_gap_error(
    seconds: float | None,
    request: httpx.Request,
    partial: Callable[[], AIMessageChunk],
    model_name: str | None,
) -> Callable[[int], DashScopeStreamChunkTimeoutError]:
    """The error of a stream silent for longer than ``stream_chunk_timeout``.

    Returns what :func:`with_chunk_gap` calls with the count of chunks received;
    ``partial`` gives what arrived, read when the stream stalls.
    """

    def error(chunks_received: int) -> DashScopeStreamChunkTimeoutError:
        return DashScopeStreamChunkTimeoutError(
            seconds or 0.0,
            request=request,
            model_name=model_name,
            chunks_received=chunks_received,
            partial=partial(),
        )

    return error


async def with_chunk_gap(
    chunks: AsyncIterator[T],
    seconds: float | None,
    on_timeout: Callable[[int], BaseException],
) -> AsyncIterator[T]:
    """Yield ``chunks``; raise ``on_timeout(chunks_received)`` after a silence."""
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
    received = 0
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
                raise on_timeout(received) from None
            started = None
            received += 1
            yield chunk
    finally:
        if handle is not None:
            handle.cancel()
