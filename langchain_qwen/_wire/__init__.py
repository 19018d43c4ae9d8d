"""Answers -> LangChain messages: the one place chunks and messages are built.

Inbound shapes, as real traffic shows them: ``content`` null with reasoning, ``""``
with tool calls, a list of content parts, a bare number; arguments with a leading
space or sent as an object; reasoning named ``reasoning_content`` (DashScope, SGLang)
or ``reasoning`` (vLLM, OpenRouter, Ollama); later tool-call deltas with ``"id": ""``;
tool-call deltas with ``index: null`` (Ollama); choices in any order; missing
``finish_reason``/``logprobs`` keys.

A stream is complete once a ``finish_reason`` has arrived; ``[DONE]`` is not required
(some servers and proxies leave it out, and an answer the model finished is whole),
and anything after ``[DONE]`` is ignored. Anything else -- an ``{"error": ...}`` event,
malformed data, fields of the wrong type, a dropped connection, an end without a
finish -- raises one of the package's exceptions carrying what was received so far in
``exc.partial`` (tool-call fragments merged per call); a truncated answer is never
returned as if complete.

Exactly one chunk carries ``usage_metadata``: servers that repeat usage on every chunk
(vLLM's continuous usage stats) are reduced to the last figures, emitted once at the
end.

A call answered by a stream (stream-only models, ``invoke`` that must stream) is
aggregated by :func:`generate_from_chunks`: with ``output_version="v1"`` each chunk
first becomes v1 content blocks, numbered as ``stream()`` numbers them, so the
message holds blocks only (never a bare string beside a block).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Any, Protocol, cast

from langchain_core.language_models.chat_models import (
    agenerate_from_stream,
    generate_from_stream,
)
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.ai import (
    InputTokenDetails,
    OutputTokenDetails,
    UsageMetadata,
)
from langchain_core.messages.tool import (
    ToolCallChunk,
    invalid_tool_call,
    tool_call,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from langchain_qwen._client.errors import (
    ContentModerationError,
    DashScopeConnectionError,
    DashScopeContextOverflowError,
    DashScopeStreamError,
    DashScopeTimeoutError,
    incomplete,
    malformed_data,
    malformed_event,
    stream_error,
    with_partial,
)
from langchain_qwen._compat import httpx

__all__ = [
    "PROVIDER",
    "EventConsumer",
    "StreamState",
    "agenerate_from_chunks",
    "aiter_chunks",
    "chat_result",
    "delta_to_chunk",
    "generate_from_chunks",
    "iter_chunks",
    "message_to_ai_message",
    "put_headers",
    "usage_to_metadata",
]

PROVIDER = "dashscope"
"""``response_metadata["model_provider"]`` and ``ls_provider``."""

_DONE = b"[DONE]"
# What a field of the wrong type raises in the code below; becomes malformed_event.
_SHAPE_ERRORS = (TypeError, AttributeError, KeyError, IndexError)
# What the transport raises while a stream is read; the partial answer is added.
_READ_FAILURES = (
    DashScopeConnectionError,
    DashScopeTimeoutError,
    DashScopeStreamError,
    ContentModerationError,
    DashScopeContextOverflowError,
)
_NO_REQUEST = httpx.Request("POST", "http://unknown.invalid/")


# ----------------------------------------------------------------------- fields
def _count(value: Any) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    msg = f"a token count is {type(value).__name__}, not an integer"
    raise TypeError(msg)


def usage_to_metadata(usage: dict[str, Any]) -> UsageMetadata:
    """DashScope ``usage`` -> ``UsageMetadata`` with cache and reasoning detail."""
    if not isinstance(usage, dict):
        msg = f"usage is {type(usage).__name__}, not an object"
        raise TypeError(msg)
    input_tokens = _count(usage.get("prompt_tokens")) or _count(
        usage.get("input_tokens")
    )
    output_tokens = _count(usage.get("completion_tokens")) or _count(
        usage.get("output_tokens")
    )
    input_tokens = input_tokens or 0
    output_tokens = output_tokens or 0
    total = _count(usage.get("total_tokens"))
    prompt_details = usage.get("prompt_tokens_details") or {}
    completion_details = usage.get("completion_tokens_details") or {}
    input_details: dict[str, int] = {}
    if (cached := _count(prompt_details.get("cached_tokens"))) is not None:
        input_details["cache_read"] = cached
    creation = _count(prompt_details.get("cache_creation_input_tokens"))
    if creation is None and isinstance(prompt_details.get("cache_creation"), dict):
        creation = sum(
            v for v in prompt_details["cache_creation"].values() if isinstance(v, int)
        )
    if creation is not None:
        input_details["cache_creation"] = creation
    if (audio_in := _count(prompt_details.get("audio_tokens"))) is not None:
        input_details["audio"] = audio_in
    output_details: dict[str, int] = {}
    if (reasoning := _count(completion_details.get("reasoning_tokens"))) is not None:
        output_details["reasoning"] = reasoning
    if (audio_out := _count(completion_details.get("audio_tokens"))) is not None:
        output_details["audio"] = audio_out
    metadata: dict[str, Any] = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": total if total is not None else input_tokens + output_tokens,
    }
    if input_details:
        metadata["input_token_details"] = InputTokenDetails(**input_details)  # type: ignore[typeddict-item]
    if output_details:
        metadata["output_token_details"] = OutputTokenDetails(**output_details)  # type: ignore[typeddict-item]
    return cast("UsageMetadata", metadata)


def reasoning_of(message_or_delta: dict[str, Any]) -> str | None:
    """Reasoning text under either name servers use."""
    reasoning = message_or_delta.get("reasoning_content")
    if reasoning is None:
        reasoning = message_or_delta.get("reasoning")
    return reasoning if isinstance(reasoning, str) else None


def _content(value: Any) -> str | list[Any]:
    """``content`` as LangChain holds it: text parts joined, other parts kept."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    parts = [value] if isinstance(value, dict) else value
    if not isinstance(parts, list):
        msg = f"content is {type(value).__name__}"
        raise TypeError(msg)
    texts: list[str] = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict) and part.get("type", "text") == "text":
            text = part.get("text")
            if not isinstance(text, str):
                msg = "a text part has no text"
                raise TypeError(msg)
            texts.append(text)
        else:  # images, audio...: keep every part, as content blocks
            return [
                {"type": "text", "text": p} if isinstance(p, str) else p for p in parts
            ]
    return "".join(texts)


def _arguments_text(raw: Any) -> str | None:
    if raw is None or isinstance(raw, str):
        return raw
    if isinstance(raw, dict):
        return json.dumps(raw, ensure_ascii=False)
    msg = f"tool arguments are {type(raw).__name__}"
    raise TypeError(msg)


def _parse_arguments(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    text = (raw or "").strip()
    if not text:
        return {}
    parsed = json.loads(text)
    if not isinstance(parsed, dict):
        msg = f"tool arguments are JSON {type(parsed).__name__}, not an object"
        raise TypeError(msg)
    return parsed


def _tool_calls(message: dict[str, Any]) -> list[Any]:
    calls = message.get("tool_calls") or []
    if not isinstance(calls, list):
        msg = f"tool_calls is {type(calls).__name__}, not a list"
        raise TypeError(msg)
    return calls


# ----------------------------------------------------------------- whole answers
def message_to_ai_message(
    message: dict[str, Any], response_metadata: dict[str, Any]
) -> AIMessage:
    """A non-streamed ``choices[i].message`` -> ``AIMessage``."""
    additional_kwargs: dict[str, Any] = {}
    if (reasoning := reasoning_of(message)) is not None:
        additional_kwargs["reasoning_content"] = reasoning
    if audio := message.get("audio"):
        additional_kwargs["audio"] = audio
    calls = []
    invalid = []
    for raw in _tool_calls(message):
        function = raw.get("function") or {}
        arguments = function.get("arguments")
        try:
            args = _parse_arguments(arguments)
        except (ValueError, TypeError, RecursionError) as e:
            invalid.append(
                invalid_tool_call(
                    name=function.get("name"),
                    args=arguments if isinstance(arguments, str) else repr(arguments),
                    id=raw.get("id") or None,
                    error=f"Arguments are not a JSON object: {type(e).__name__}: {e}",
                )
            )
            continue
        calls.append(
            tool_call(name=function.get("name") or "", args=args, id=raw.get("id"))
        )
    return AIMessage(
        content=_content(message.get("content")),
        additional_kwargs=additional_kwargs,
        tool_calls=calls,
        invalid_tool_calls=invalid,
        response_metadata=response_metadata,
    )


def _partial_message(message: dict[str, Any]) -> AIMessageChunk:
    """An unfinished ``choices[i].message`` as received, for ``exc.partial``."""
    reasoning = reasoning_of(message)
    calls = []
    for i, raw in enumerate(_tool_calls(message)):
        function = raw.get("function") or {}
        calls.append(
            ToolCallChunk(
                name=function.get("name"),
                args=_arguments_text(function.get("arguments")),
                id=raw.get("id"),
                index=raw.get("index", i),
                type="tool_call_chunk",
            )
        )
    return AIMessageChunk(
        content=_content(message.get("content")),
        additional_kwargs={"reasoning_content": reasoning} if reasoning else {},
        tool_call_chunks=calls,
    )


def _choice_index(choice: dict[str, Any]) -> int:
    index = choice.get("index") or 0
    if not isinstance(index, int):
        msg = f"a choice index is {type(index).__name__}"
        raise TypeError(msg)
    return index


def _choices(data: dict[str, Any]) -> list[dict[str, Any]]:
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        msg = "the answer has no choices"
        raise TypeError(msg)
    return sorted(choices, key=_choice_index)


def chat_result(
    data: dict[str, Any],
    generation_info: dict[str, Any] | None,
    *,
    model_name: str,
    output_version: str | None,
    request: httpx.Request | None = None,
) -> ChatResult:
    """A non-streamed answer -> ``ChatResult`` (no pydantic round trip).

    Raises:
        IncompleteStreamError: a choice has no ``finish_reason`` (cut answer).
        DashScopeStreamError: fields of the wrong type.
    """
    request = request or _NO_REQUEST
    try:
        return _chat_result(data, generation_info or {}, model_name, output_version)
    except _SHAPE_ERRORS as exc:
        err = malformed_event(
            request, data, f"{type(exc).__name__}: {exc}", None, shown=b""
        )
    except _Unfinished as cut:
        err = incomplete(request, cut.partial, streamed=False, body=data)
    raise err


class _Unfinished(Exception):  # noqa: N818 - internal signal
    def __init__(self, partial: AIMessageChunk) -> None:
        self.partial = partial


def _chat_result(
    data: dict[str, Any],
    info: dict[str, Any],
    model_name: str,
    output_version: str | None,
) -> ChatResult:
    if data.get("error"):
        msg = f"the answer is an error: {data['error']!r}"
        raise TypeError(msg)
    choices = _choices(data)
    for choice in choices:
        if choice.get("finish_reason") is None:
            message = choice.get("message")
            raise _Unfinished(
                _partial_message(message if isinstance(message, dict) else {})
            )
    usage = data.get("usage")
    usage_metadata = usage_to_metadata(usage) if usage else None
    base_meta: dict[str, Any] = {"model_provider": PROVIDER}
    if model := data.get("model"):
        base_meta["model_name"] = model
    if response_id := data.get("id"):
        base_meta["id"] = response_id
        if "request_id" not in info and str(response_id).startswith("chatcmpl-"):
            base_meta["request_id"] = str(response_id)[len("chatcmpl-") :]
    if system_fingerprint := data.get("system_fingerprint"):
        base_meta["system_fingerprint"] = system_fingerprint
    if output_version == "v1":
        base_meta["output_version"] = "v1"
    generations = []
    for choice in choices:
        gen_info = {**info, "finish_reason": choice.get("finish_reason")}
        if choice.get("logprobs"):
            gen_info["logprobs"] = choice["logprobs"]
        message = message_to_ai_message(
            choice.get("message") or {}, {**base_meta, **gen_info}
        )
        if usage_metadata is not None:
            message.usage_metadata = usage_metadata
        if output_version == "v1":
            message.content = message.content_blocks  # type: ignore[assignment]
        generations.append(ChatGeneration(message=message, generation_info=gen_info))
    llm_output = {
        "token_usage": usage,
        "model_provider": PROVIDER,
        "model_name": data.get("model", model_name),
        "id": data.get("id"),
    }
    return ChatResult(generations=generations, llm_output=llm_output)


# ------------------------------------------------------------------------ streams
class _V1Blocks:
    """Streamed chunks as v1 content blocks, indexed as ``BaseChatModel.stream``.

    langchain-core converts the chunks ``stream()`` yields; a call aggregated from
    ``_stream`` inside ``_generate`` gets the same conversion here.
    """

    def __init__(self) -> None:
        self._index = -1
        self._kind = ""
        self._last: AIMessageChunk | None = None

    def convert(self, chunk: ChatGenerationChunk) -> ChatGenerationChunk:
        message = cast("AIMessageChunk", chunk.message)
        blocks = message.content_blocks
        for block in blocks:
            if block["type"] != self._kind:
                self._kind = block["type"]
                self._index += 1
            block.setdefault("index", self._index)
        meta = {**message.response_metadata, "output_version": "v1"}
        chunk.message = self._last = message.model_copy(
            update={"content": blocks, "response_metadata": meta}
        )
        return chunk

    def end(self) -> list[ChatGenerationChunk]:
        """The closing chunk that turns tool-call chunk blocks into tool calls."""
        if self._last is None or self._last.chunk_position:
            return []
        last = AIMessageChunk(content=[], chunk_position="last")
        return [ChatGenerationChunk(message=last)]


def generate_from_chunks(
    chunks: Iterable[ChatGenerationChunk], output_version: str | None
) -> ChatResult:
    """The result of a call answered by a stream (v1 blocks with ``"v1"``)."""
    if output_version != "v1":
        return generate_from_stream(iter(chunks))
    v1 = _V1Blocks()
    converted = [v1.convert(chunk) for chunk in chunks]
    return generate_from_stream(iter(converted + v1.end()))


async def agenerate_from_chunks(
    chunks: AsyncIterator[ChatGenerationChunk], output_version: str | None
) -> ChatResult:
    """The result of an async call answered by a stream (see the sync one)."""
    if output_version != "v1":
        return await agenerate_from_stream(chunks)
    v1 = _V1Blocks()
    converted = [v1.convert(chunk) async for chunk in chunks]
    return generate_from_stream(iter(converted + v1.end()))


_RS_INDEX = "lc_reasoning_0"
"""v1 index of the streamed reasoning block (apart from tool-call indexes)."""


def delta_to_chunk(
    delta: dict[str, Any], response_metadata: dict[str, Any]
) -> AIMessageChunk:
    """One streamed ``delta`` -> ``AIMessageChunk`` (no pydantic round trip)."""
    additional_kwargs: dict[str, Any] = {}
    if (reasoning := reasoning_of(delta)) is not None and reasoning != "":
        additional_kwargs["reasoning_content"] = reasoning
    if audio := delta.get("audio"):
        additional_kwargs["audio"] = audio
    chunks: list[ToolCallChunk] = []
    for raw in _tool_calls(delta):
        function = raw.get("function") or {}
        index = raw["index"]
        if not isinstance(index, int):
            msg = f"a tool-call index is {type(index).__name__}"
            raise TypeError(msg)
        # What `tool_call_chunk(...)` returns (a plain dict), without the call.
        chunks.append(
            {
                # DashScope repeats `"id": ""` on later deltas; "" would not merge
                # into the first delta's id, None does.
                "name": function.get("name") or None,
                "args": _arguments_text(function.get("arguments")),
                "id": raw.get("id") or None,
                "index": index,
                "type": "tool_call_chunk",
            }
        )
    content = delta.get("content")
    return AIMessageChunk(
        content=content if isinstance(content, str) else _content(content),
        additional_kwargs=additional_kwargs,
        tool_call_chunks=chunks,
        response_metadata=response_metadata,
    )


def _merge_tool_chunks(chunks: list[ToolCallChunk]) -> list[ToolCallChunk]:
    """Fragments of each call joined, so a cut stream's partial has whole args."""
    merged: dict[Any, ToolCallChunk] = {}
    for chunk in chunks:
        seen = merged.get(chunk["index"])
        if seen is None:
            merged[chunk["index"]] = ToolCallChunk(**chunk)
            continue
        if chunk["args"]:
            seen["args"] = (seen["args"] or "") + chunk["args"]
        seen["name"] = seen["name"] or chunk["name"]
        seen["id"] = seen["id"] or chunk["id"]
    return list(merged.values())


class StreamState:
    """Turns event data into chunks and knows whether the stream completed."""

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
        self._v1 = output_version == "v1"
        if self._v1:
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
        """The message received so far (text, reasoning, tool calls merged)."""
        extra = (
            {"reasoning_content": "".join(self._reasoning)} if self._reasoning else {}
        )
        return AIMessageChunk(
            content="".join(self._text),
            additional_kwargs=extra,
            tool_call_chunks=_merge_tool_chunks(self._tool_chunks),
            response_metadata=dict(self._meta),
        )

    def _fix_null_indexes(self, delta: dict[str, Any]) -> None:
        # Ollama-style servers send `index: null`: a delta with an id starts a new
        # call, one without continues the last call.
        for raw in _tool_calls(delta):
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
        except (ValueError, RecursionError) as exc:
            err = malformed_data(self.request, data, exc, self.partial())
        else:
            if not isinstance(event, dict):
                why = f"an event is JSON {type(event).__name__}, not an object"
                raise malformed_event(self.request, event, why, self.partial())
            try:
                return self.on_event(event)
            except _SHAPE_ERRORS as exc:
                why = f"{type(exc).__name__}: {exc}"
                err = malformed_event(
                    self.request, event, why, self.partial(), shown=data
                )
        raise err

    def on_event(self, event: dict[str, Any]) -> ChatGenerationChunk | None:
        """Handle one decoded stream event."""
        if event.get("error"):
            raise stream_error(event, self.request, self.response, self.partial())
        if self._id is None:
            self._id = event.get("id")
            self._model = event.get("model")
        if usage := event.get("usage"):
            if not isinstance(usage, dict):
                msg = f"usage is {type(usage).__name__}, not an object"
                raise TypeError(msg)
            self._usage = usage
        choices = event.get("choices")
        if not choices:
            return None
        choice = choices[0]
        if choice.get("index"):
            # n > 1: a stream yields one message, choice 0; mixing in the deltas of
            # the other choices would interleave several answers into one text.
            choice = next((c for c in choices if _choice_index(c) == 0), None)
            if choice is None:
                return None
        delta = choice.get("delta") or {}
        if delta.get("tool_calls"):
            self._fix_null_indexes(delta)
        chunk = delta_to_chunk(delta, self._meta)
        if chunk.content and isinstance(chunk.content, str):
            self._text.append(chunk.content)
        if reasoning := chunk.additional_kwargs.get("reasoning_content"):
            self._reasoning.append(reasoning)
            if self._v1 and chunk.content == "":
                # langchain-core numbers v1 blocks 0, 1, ... by type change, while a
                # tool-call block keeps the call's own index (0 for the first call):
                # reasoning then a call would merge into one block. A named index
                # keeps the reasoning block apart.
                chunk.content = [
                    {"type": "reasoning", "reasoning": reasoning, "index": _RS_INDEX}
                ]
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
            raise incomplete(
                self.request, self.partial(), streamed=True, done=self.done
            )
        if self._usage is None or self._usage_sent:
            return None
        self._usage_sent = True
        try:
            usage_metadata = usage_to_metadata(self._usage)
        except _SHAPE_ERRORS as exc:
            err = malformed_event(
                self.request, {"usage": self._usage}, str(exc), self.partial()
            )
        else:
            return ChatGenerationChunk(
                message=AIMessageChunk(
                    content="",
                    usage_metadata=usage_metadata,
                    response_metadata=self._meta,
                    chunk_position="last",
                )
            )
        raise err


def _request_id(response: httpx.Response, response_id: str | None) -> str | None:
    header = response.headers.get("x-request-id")
    if header:
        return header
    if isinstance(response_id, str) and response_id.startswith("chatcmpl-"):
        return response_id[len("chatcmpl-") :]
    return None


class EventConsumer(Protocol):
    """What :func:`iter_chunks` drives: ``StreamState``, or another API's state."""

    done: bool

    def on_data(self, data: bytes) -> ChatGenerationChunk | None: ...

    def partial(self) -> AIMessageChunk: ...

    def on_end(self) -> ChatGenerationChunk | None: ...


def iter_chunks(
    events: Iterable[bytes], state: EventConsumer
) -> Iterator[ChatGenerationChunk]:
    """Read a stream's events to its end or ``state.done``, yielding chunks.

    Nothing after ``[DONE]`` (or what else sets ``done``) belongs to the answer.
    """
    iterator = iter(events)
    try:
        for data in iterator:
            chunk = state.on_data(data)
            if chunk is not None:
                yield chunk
            if state.done:
                break
    except _READ_FAILURES as exc:
        with_partial(exc, state.partial())
        raise
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
    final = state.on_end()
    if final is not None:
        yield final


async def aiter_chunks(
    events: AsyncIterable[bytes], state: EventConsumer
) -> AsyncIterator[ChatGenerationChunk]:
    """Async twin of :func:`iter_chunks`."""
    iterator = aiter(events)
    try:
        async for data in iterator:
            chunk = state.on_data(data)
            if chunk is not None:
                yield chunk
            if state.done:
                break
    except _READ_FAILURES as exc:
        with_partial(exc, state.partial())
        raise
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()
    final = state.on_end()
    if final is not None:
        yield final


def put_headers(chunk: ChatGenerationChunk, headers: dict[str, str]) -> None:
    """Response headers on the first chunk (``include_response_headers``)."""
    chunk.message.response_metadata["headers"] = headers
    chunk.generation_info = {**(chunk.generation_info or {}), "headers": headers}
