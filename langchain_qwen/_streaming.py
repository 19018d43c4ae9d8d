"""Streaming: SSE bytes -> event dicts -> ``ChatGenerationChunk``, parsed once.

A stream is complete only after a ``finish_reason`` (and, for DashScope, ``[DONE]``).
Anything else -- an ``{"error": ...}`` event, a malformed ``data:`` line, a dropped
connection, an end without a finish -- raises, carrying what was received so far in
``exc.partial``; a truncated answer is never returned as if complete.

Exactly one chunk carries ``usage_metadata``: servers that repeat usage on every chunk
(vLLM's continuous usage stats) are reduced to the last figures, emitted once at the
end.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from time import monotonic
from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_qwen._compat import STREAM_ERRORS, TIMEOUT_ERRORS, httpx
from langchain_qwen._errors import (
    DashScopeConnectionError,
    DashScopeStreamError,
    DashScopeTimeoutError,
    IncompleteStreamError,
    stream_error,
)
from langchain_qwen._responses import PROVIDER, delta_to_chunk, usage_to_metadata

__all__ = ["DEADLINE", "SSEDecoder", "StreamState", "aiter_chunks", "iter_chunks"]

_DONE = b"[DONE]"
DEADLINE = "langchain_qwen.deadline"
"""``response.extensions`` key: the ``time.monotonic()`` the answer must end by."""


class SSEDecoder:
    """Incremental server-sent-events decoder yielding each event's ``data`` bytes.

    The data stays bytes (``json.loads`` takes UTF-8 bytes): invalid UTF-8 then
    fails in :meth:`StreamState.on_data` as malformed data of that one event, after
    the events before it were handled.
    """

    __slots__ = ("_buffer", "_data")

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[bytes] = []

    def feed(self, raw: bytes) -> list[bytes]:
        """Add bytes; return the data of every event they complete."""
        buffer = self._buffer + raw if self._buffer else raw
        lines = buffer.split(b"\n")
        self._buffer = lines.pop()
        out: list[bytes] = []
        data = self._data
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                if data:
                    out.append(data[0] if len(data) == 1 else b"\n".join(data))
                    data.clear()
                continue
            if line.startswith(b"data:"):
                value = line[5:]
                if value.startswith(b" "):
                    value = value[1:]
                data.append(value)
            # `event:`, `id:`, `retry:` and `:comment` lines carry nothing we use.
        return out

    def flush(self) -> list[bytes]:
        """Events still buffered when the body ends without a final blank line."""
        out = self.feed(b"\n\n") if self._buffer or self._data else []
        return out


class StreamState:
    """Turns event dicts into chunks and knows whether the stream completed."""

    def __init__(
        self,
        *,
        request: httpx.Request,
        response: httpx.Response,
        output_version: str | None = None,
    ) -> None:
        self.request = request
        self.response = response
        self.finished = False
        self.done = False
        self._usage: dict[str, Any] | None = None
        self._usage_sent = False
        self._meta: dict[str, Any] = {"model_provider": PROVIDER}
        if output_version == "v1":
            self._meta["output_version"] = "v1"
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._tool_chunks: list[Any] = []
        self._tool_index_by_id: dict[str, int] = {}
        self._last_null_index = -1
        self._model: str | None = None
        self._id: str | None = None

    # -- what was received, for errors -------------------------------------------
    def partial(self) -> AIMessageChunk:
        """The message received so far (text, reasoning, tool call chunks)."""
        extra = (
            {"reasoning_content": "".join(self._reasoning)} if self._reasoning else {}
        )
        return AIMessageChunk(
            content="".join(self._text),
            additional_kwargs=extra,
            tool_call_chunks=self._tool_chunks,
            response_metadata=dict(self._meta),
        )

    def _fix_null_indexes(self, delta: dict[str, Any]) -> None:
        # Ollama-style servers send `index: null`: a delta with an id starts a new
        # call, one without continues the last call.
        for raw in delta.get("tool_calls") or ():
            if isinstance(raw.get("index"), int):
                continue
            call_id = raw.get("id")
            if call_id:
                if call_id not in self._tool_index_by_id:
                    self._last_null_index += 1
                    self._tool_index_by_id[call_id] = self._last_null_index
                raw["index"] = self._tool_index_by_id[call_id]
            else:
                raw["index"] = max(self._last_null_index, 0)

    # -- events ---------------------------------------------------------------------
    def on_data(self, data: bytes) -> ChatGenerationChunk | None:
        """Handle one SSE ``data`` payload (UTF-8 bytes)."""
        if data == _DONE:
            self.done = True
            return None
        try:
            event = json.loads(data.decode("utf-8"))  # faster than loads(bytes)
        except ValueError as exc:
            text = data.decode("utf-8", "replace")
            shown = text if len(text) <= 200 else text[:200] + "..."
            what = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not JSON"
            msg = f"Malformed data in the stream ({what}): {shown!r}"
            raise DashScopeStreamError(
                msg, self.request, body=text, partial=self.partial()
            ) from None
        if not isinstance(event, dict):
            shown = data[:200].decode("utf-8", "replace")
            msg = f"Unexpected stream event (not an object): {shown!r}"
            raise DashScopeStreamError(
                msg, self.request, body=event, partial=self.partial()
            )
        return self.on_event(event)

    def on_event(self, event: dict[str, Any]) -> ChatGenerationChunk | None:
        """Handle one decoded stream event."""
        if event.get("error"):
            raise stream_error(event, self.request, self.response, self.partial())
        if self._id is None:
            self._id = event.get("id")
            self._model = event.get("model")
        if usage := event.get("usage"):
            self._usage = usage
        choices = event.get("choices")
        if not choices:
            return None
        choice = choices[0]
        if choice.get("index"):
            # n > 1: a stream yields one message, choice 0; mixing in the deltas of
            # the other choices would interleave several answers into one text.
            return None
        delta = choice.get("delta") or {}
        if delta.get("tool_calls"):
            self._fix_null_indexes(delta)
        chunk = delta_to_chunk(delta, self._meta)
        if chunk.content:
            self._text.append(chunk.content)  # type: ignore[arg-type]
        if reasoning := chunk.additional_kwargs.get("reasoning_content"):
            self._reasoning.append(reasoning)
        if chunk.tool_call_chunks:
            self._tool_chunks.extend(chunk.tool_call_chunks)
        generation_info = None
        if finish_reason := choice.get("finish_reason"):
            self.finished = True
            generation_info = self._finish_metadata(finish_reason)
            chunk.response_metadata = {**self._meta, **generation_info}
        if logprobs := choice.get("logprobs"):
            generation_info = {**(generation_info or {}), "logprobs": logprobs}
        return ChatGenerationChunk(message=chunk, generation_info=generation_info)

    def _finish_metadata(self, finish_reason: str) -> dict[str, Any]:
        meta: dict[str, Any] = {"finish_reason": finish_reason}
        if self._model:
            meta["model_name"] = self._model
        if self._id:
            meta["id"] = self._id
        if request_id := _request_id(self.response, self._id):
            meta["request_id"] = request_id
        return meta

    def on_end(self) -> ChatGenerationChunk | None:
        """The body ended: emit the usage chunk, or raise if the answer is cut."""
        if not self.finished:
            received = "".join(self._text)
            msg = (
                "The stream ended without a finish_reason"
                + ("" if self.done else " or [DONE]")
                + f" after {len(received)} characters of text: the answer is "
                "incomplete (connection cut or server fault). The partial answer is "
                "on exc.partial."
            )
            raise IncompleteStreamError(msg, self.request, partial=self.partial())
        if self._usage is None or self._usage_sent:
            return None
        self._usage_sent = True
        return ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata=usage_to_metadata(self._usage),
                response_metadata=self._meta,
                chunk_position="last",
            )
        )


def _request_id(response: httpx.Response, response_id: str | None) -> str | None:
    header = response.headers.get("x-request-id")
    if header:
        return header
    if response_id and response_id.startswith("chatcmpl-"):
        return response_id[len("chatcmpl-") :]
    return None


def _transport_error(exc: Exception, state: StreamState) -> Exception:
    partial = state.partial()
    received = len(partial.text)
    if isinstance(exc, TIMEOUT_ERRORS):
        err: Any = DashScopeTimeoutError(request=state.request)
        err.message = f"Timed out while streaming after {received} characters of text."
        err.args = (err.message,)
    else:
        err = DashScopeConnectionError(
            message=(
                f"The connection dropped mid-stream after {received} characters of "
                f"text ({type(exc).__name__}). The partial answer is on exc.partial."
            ),
            request=state.request,
        )
    err.partial = partial
    return err


def _past_deadline(state: StreamState) -> DashScopeTimeoutError:
    partial = state.partial()
    err = DashScopeTimeoutError(request=state.request)
    err.message = (
        f"The answer took longer than the request's timeout and was abandoned after "
        f"{len(partial.text)} characters of text. The partial answer is on "
        "exc.partial."
    )
    err.args = (err.message,)
    err.partial = partial
    return err


def _is_json(response: httpx.Response) -> bool:
    # An error answered as a plain JSON body (status 200) instead of an event stream.
    return response.headers.get("content-type", "").startswith("application/json")


def _not_a_stream(content: bytes, state: StreamState) -> Exception:
    """The exception for a JSON body where an event stream was expected."""
    text = content.decode("utf-8", "replace")
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("error"):
        return stream_error(body, state.request, state.response, state.partial())
    shown = text if len(text) <= 200 else text[:200] + "..."
    msg = f"Expected an event stream, got a JSON body: {shown!r}"
    return DashScopeStreamError(msg, state.request, body=body, partial=state.partial())


def iter_chunks(
    response: httpx.Response, state: StreamState
) -> Iterator[ChatGenerationChunk]:
    """Read a streaming response to its end, yielding chunks.

    Raises ``DashScopeTimeoutError`` once the whole answer takes longer than the
    deadline :func:`langchain_qwen._transport.open_stream` stamped on the response
    (``timeout`` seconds from sending the request), however quick each read is.
    """
    decoder = SSEDecoder()
    deadline = response.extensions.get(DEADLINE)
    try:
        if _is_json(response):
            raise _not_a_stream(response.read(), state)
        for raw in response.iter_bytes():
            if deadline is not None and monotonic() > deadline:
                raise _past_deadline(state)
            for data in decoder.feed(raw):
                chunk = state.on_data(data)
                if chunk is not None:
                    yield chunk
        for data in decoder.flush():
            chunk = state.on_data(data)
            if chunk is not None:
                yield chunk
    except STREAM_ERRORS as exc:
        raise _transport_error(exc, state) from exc
    final = state.on_end()
    if final is not None:
        yield final


async def aiter_chunks(
    response: httpx.Response, state: StreamState
) -> AsyncIterator[ChatGenerationChunk]:
    """Async twin of :func:`iter_chunks`."""
    decoder = SSEDecoder()
    deadline = response.extensions.get(DEADLINE)
    try:
        if _is_json(response):
            raise _not_a_stream(await response.aread(), state)
        async for raw in response.aiter_bytes():
            if deadline is not None and monotonic() > deadline:
                raise _past_deadline(state)
            for data in decoder.feed(raw):
                chunk = state.on_data(data)
                if chunk is not None:
                    yield chunk
        for data in decoder.flush():
            chunk = state.on_data(data)
            if chunk is not None:
                yield chunk
    except STREAM_ERRORS as exc:
        raise _transport_error(exc, state) from exc
    final = state.on_end()
    if final is not None:
        yield final
