"""DashScope's OpenAI-compatible Responses API behind ``use_responses_api``.

ChatQwen keeps Chat Completions as its (fast) default. A call goes to the Responses
endpoint when ``use_responses_api=True``, or, with ``use_responses_api=None`` (the
default), when it needs what only that API has: a built-in tool bound with
``bind_tools([{"type": "web_search"}, ...])``, ``previous_response_id``,
``use_previous_response_id=True``, ``session_cache=True``, or another Responses-only
parameter (``reasoning``, ``include``, ``text``, ``truncation``).

What is reused, not rewritten: langchain-openai builds the request body
(``_construct_responses_api_payload``) and turns responses and stream events into
LangChain messages (``_construct_lc_result_from_responses_api``,
``_convert_responses_chunk_to_generation_chunk``). This module only adds what
DashScope needs on top: the endpoint of the region, the session-cache header, the
parameters the Responses API does not take (refused before sending), items the
OpenAI SDK does not know (``web_extractor_call``...), ``reasoning_content``,
DashScope's usage names, and a content-block translator so that
``message.content_blocks`` shows built-in tool calls and results as v1
``server_tool_call``/``server_tool_result`` blocks and web sources as citations.

Requests go through ChatQwen's own transport (same retries, deadline, error classes
and key handling as Chat Completions).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import add_ai_message_chunks
from langchain_core.messages.block_translators import openai as openai_blocks
from langchain_core.messages.block_translators import register_translator
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai.chat_models import base as oai
from openai._models import construct_type
from openai.types.responses import Response

from langchain_qwen._client import http as _http
from langchain_qwen._client.errors import (
    DashScopeStreamError,
    IncompleteStreamError,
    stream_error,
)
from langchain_qwen._client.regions import REGIONS, check_responses_region
from langchain_qwen._dialect import rules as _rules
from langchain_qwen._dialect.tools import is_builtin_tool
from langchain_qwen._wire import PROVIDER, aiter_chunks, iter_chunks
from langchain_qwen._wire.stream_gap import chunk_gap_error, with_chunk_gap

if TYPE_CHECKING:
    from langchain_core.callbacks import (
        AsyncCallbackManagerForLLMRun,
        CallbackManagerForLLMRun,
    )
    from langchain_core.messages import content as types

    from langchain_qwen._compat import httpx
    from langchain_qwen.chat_models import ChatQwen

__all__ = [
    "agenerate",
    "astream",
    "generate",
    "payload",
    "responses_url",
    "stream",
    "wanted",
]

_APP_PROTOCOL_PATH = "/api/v2/apps/protocols/compatible-mode/v1"
SESSION_CACHE_HEADER = "x-dashscope-session-cache"
# Per-call keywords only the Responses API has (selecting it when present).
RESPONSES_KEYS = frozenset(
    {
        "previous_response_id",
        "store",
        "include",
        "reasoning",
        "text",
        "truncation",
        "instructions",
        "metadata",
    }
)
# ChatQwen settings the Responses API does not take: refused before sending rather
# than silently ignored by the server.
_NOT_ON_RESPONSES: dict[str, str] = {
    name: rule.not_on_responses
    for name, rule in _rules.RULES.items()
    if rule.not_on_responses
}
# Output item types langchain-openai's converters know; others (DashScope's own
# built-in tools) are handled here.
_SDK_ITEM_TYPES = frozenset(
    {
        "message",
        "function_call",
        "custom_tool_call",
        "reasoning",
        "compaction",
        "web_search_call",
        "file_search_call",
        "computer_call",
        "code_interpreter_call",
        "mcp_call",
        "mcp_list_tools",
        "mcp_approval_request",
        "image_generation_call",
        "tool_search_call",
        "tool_search_output",
        "apply_patch_call",
        "apply_patch_call_output",
    }
)
# Items of earlier turns that are not sent back: DashScope's input takes messages
# and function calls/outputs; reasoning is not part of the history (as in Chat
# Completions), and built-in tool calls were run by the server.
_INPUT_ITEM_TYPES = frozenset({"message", "function_call", "function_call_output"})


# ---------------------------------------------------------------------- selection
def wanted(llm: ChatQwen, kwargs: Mapping[str, Any]) -> bool:
    """Whether this call goes to the Responses API (see the module docstring)."""
    flag = llm.use_responses_api
    if flag is not None:
        if not flag and any(map(is_builtin_tool, kwargs.get("tools") or ())):
            msg = (
                "Built-in tools (web_search, web_extractor, code_interpreter, ...) "
                "run on DashScope's Responses API, but use_responses_api=False. Set "
                "use_responses_api=True (or leave it None to choose automatically)."
            )
            raise ValueError(msg)
        return flag
    return bool(
        llm.use_previous_response_id
        or llm.session_cache
        or llm.reasoning is not None
        or llm.include is not None
        or llm.truncation is not None
        or RESPONSES_KEYS.intersection(kwargs)
        or any(map(is_builtin_tool, kwargs.get("tools") or ()))
    )


def responses_url(base_url: str, region: str | None) -> str:
    """The Responses endpoint for a compatible-mode base URL.

    DashScope's shared hosts serve it under the app-protocol path
    (``/api/v2/apps/protocols/compatible-mode/v1/responses``); workspace hosts and
    other servers next to their chat endpoint (``{base_url}/responses``).
    """
    check_responses_region(region)
    parsed = urlparse(base_url)
    if region is not None and parsed.hostname == REGIONS[region].shared_host:
        return f"{parsed.scheme}://{parsed.netloc}{_APP_PROTOCOL_PATH}/responses"
    return base_url.rstrip("/") + "/responses"


# ---------------------------------------------------------------------- request
def _refuse_chat_only(values: Mapping[str, Any], where: str) -> None:
    for name, why in _NOT_ON_RESPONSES.items():
        value = values.get(name)
        if value is None or (name == "n" and value == 1):
            continue
        msg = (
            f"{name}={value!r} ({where}) cannot be used with the Responses API: {why}."
        )
        raise ValueError(msg)


def _last_response_id(
    messages: Sequence[BaseMessage],
) -> tuple[Sequence[BaseMessage], str | None]:
    """Messages after the last Responses-API answer, and that answer's id."""
    for i in range(len(messages) - 1, -1, -1):
        msg = messages[i]
        if isinstance(msg, AIMessage):
            meta = msg.response_metadata
            if meta.get("object") == "response" and meta.get("id"):
                return messages[i + 1 :], str(meta["id"])
    return messages, None


def payload(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    """The exact JSON body sent to the Responses endpoint."""
    kwargs.pop("ls_structured_output_format", None)
    own = {k: kwargs.pop(k) for k in list(kwargs) if k in RESPONSES_KEYS}
    _rules.check_call_kwargs(kwargs)
    _rules.check_values(kwargs)
    _refuse_chat_only({**kwargs, "stop": stop}, "per call")
    extra = kwargs.pop("extra_body", None) or {}
    body: dict[str, Any] = {**llm._default_params, **kwargs, **own}
    _refuse_chat_only(body, "ChatQwen setting")
    for key, value in {**(llm.extra_body or {}), **extra}.items():
        body.setdefault(key, value)
    body.pop("stream_options", None)
    if not body.get("stream"):
        body.pop("stream", None)
    if llm.use_previous_response_id and "previous_response_id" not in body:
        rest, previous = _last_response_id(messages)
        if previous is not None:
            messages = list(rest)
            body["previous_response_id"] = previous
    body = oai._construct_responses_api_payload(messages, body)
    body["input"] = [
        item
        for item in body["input"]
        if item.get("type", "message") in _INPUT_ITEM_TYPES
    ]
    return body


def _on_responses(llm: ChatQwen, target: _http.RequestSpec) -> _http.RequestSpec:
    """The chat target moved to the Responses endpoint (and its session header)."""
    headers = target.headers
    if llm.session_cache:
        headers = _http.Headers({**headers.for_httpx(), SESSION_CACHE_HEADER: "enable"})
    base, _ = _http.split_user_info(llm.openai_api_base or "")
    url = responses_url(base, llm.region)
    return dataclasses.replace(target, url=url, headers=headers)


# ---------------------------------------------------------------------- results
class _View(dict):
    """An event dict read through attributes, as langchain-openai reads SDK events.

    Cheaper than building SDK models for every text delta; missing fields read as
    None, as unset optional fields of the SDK's models do.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        value = self.get(name)
        return _View(value) if type(value) is dict else value

    def model_dump(self, **_: Any) -> dict[str, Any]:
        return {k: v for k, v in self.items() if v is not None}


def _typed_response(data: Mapping[str, Any]) -> Response:
    """The SDK's ``Response`` for a body, without items the SDK does not know."""
    output = [
        item
        for item in data.get("output") or ()
        if isinstance(item, Mapping) and item.get("type") in _SDK_ITEM_TYPES
    ]
    # construct_type is the SDK's own lenient parser: DashScope's extra fields
    # (x_details, ...) and missing optional ones are kept as they are.
    typed = construct_type(value={**data, "output": output}, type_=Response)
    return typed  # type: ignore[return-value]


def _reasoning_text(items: Sequence[Any]) -> str | None:
    texts = [
        part.get("text", "")
        for item in items
        if isinstance(item, Mapping) and item.get("type") == "reasoning"
        for part in item.get("summary") or ()
        if isinstance(part, Mapping)
    ]
    return "".join(texts) if texts else None


def _fix_usage(message: AIMessage, usage: Any) -> None:
    """Add DashScope's cache-creation count (the converter reads OpenAI's name)."""
    if message.usage_metadata is None or not isinstance(usage, Mapping):
        return
    details = usage.get("input_tokens_details") or {}
    creation = details.get("cache_creation_input_tokens")
    if isinstance(creation, int):
        message.usage_metadata["input_token_details"]["cache_creation"] = creation


def _in_order(raw_items: Sequence[Any], blocks: list[Any]) -> list[Any]:
    """Blocks of the converter with DashScope-only items put back in their place."""
    by_id: dict[Any, list[Any]] = {}
    for block in blocks:
        key = block.get("id") if isinstance(block, dict) else None
        by_id.setdefault(key, []).append(block)
    out: list[Any] = []
    for item in raw_items:
        if not isinstance(item, Mapping):
            continue
        if item.get("type") in _SDK_ITEM_TYPES:
            out.extend(by_id.pop(item.get("id"), []))
        else:
            out.append({k: v for k, v in item.items() if v is not None})
    for rest in by_id.values():  # blocks without a matching item id
        out.extend(rest)
    return out


def _result(
    llm: ChatQwen, data: dict[str, Any], response: httpx.Response, schema: Any
) -> ChatResult:
    info = llm._response_info(response)
    raw_items = data.get("output") or []
    try:
        if not isinstance(raw_items, list):
            raise TypeError(f"output is {type(raw_items).__name__}, not a list")
        result = oai._construct_lc_result_from_responses_api(
            _typed_response(data),
            schema=schema,
            metadata=info,
            output_version=llm.output_version,
        )
        message = result.generations[0].message
        if isinstance(message.content, list) and any(
            isinstance(i, Mapping) and i.get("type") not in _SDK_ITEM_TYPES
            for i in raw_items
        ):
            message.content = _in_order(raw_items, message.content)
        reasoning = _reasoning_text(raw_items)
    except _SHAPE_ERRORS as exc:
        msg = (
            "Unexpected shape of the Responses-API answer "
            f"({type(exc).__name__}: {str(exc)[:200]})"
        )
        raise DashScopeStreamError(msg, response.request, body=data) from exc
    if reasoning is not None:
        message.additional_kwargs["reasoning_content"] = reasoning
    message.response_metadata["model_provider"] = PROVIDER
    message.response_metadata["object"] = "response"
    if isinstance(message, AIMessage):
        _fix_usage(message, data.get("usage"))
    status = data.get("status")
    if status not in (None, "completed", "incomplete"):
        msg = (
            f"The response has status {status!r}: it is not finished. The partial "
            "answer is on exc.partial."
        )
        partial = AIMessageChunk(
            content=message.content,
            additional_kwargs=message.additional_kwargs,
            response_metadata=message.response_metadata,
        )
        raise IncompleteStreamError(msg, response.request, body=data, partial=partial)
    return result


def _prepare(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> tuple[Any, dict[str, Any]]:
    """(structured-output schema, body) of one call."""
    return kwargs.get("response_format"), payload(llm, messages, stop, kwargs)


def _target(llm: ChatQwen, body: dict[str, Any]) -> _http.RequestSpec:
    return _on_responses(llm, llm._request_target(str(body["model"])))


async def _atarget(llm: ChatQwen, body: dict[str, Any]) -> _http.RequestSpec:
    """Async twin of :func:`_target` (an async ``api_key`` function is awaited)."""
    return _on_responses(llm, await llm._arequest_target(str(body["model"])))


def generate(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> ChatResult:
    """A non-streamed call to the Responses endpoint."""
    schema, body = _prepare(llm, messages, stop, kwargs)
    data, response = _http.post(llm._sync_http(), _target(llm, body), body)
    return _result(llm, data, response, schema)


async def agenerate(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> ChatResult:
    """Async twin of :func:`generate`."""
    schema, body = _prepare(llm, messages, stop, kwargs)
    target = await _atarget(llm, body)
    data, response = await _http.apost(llm._async_http(), target, body)
    return _result(llm, data, response, schema)


# ---------------------------------------------------------------------- streams
class ResponsesStreamState:
    """Turns Responses stream events into chunks; knows whether the answer ended.

    Same interface as ``_wire.StreamState`` so that the shared event reader
    (deadline, transport errors, JSON-instead-of-stream bodies) drives it.
    """

    def __init__(
        self,
        *,
        request: httpx.Request,
        response: httpx.Response,
        output_version: str | None,
        schema: Any,
        request_id: str | None,
    ) -> None:
        self.request = request
        self.response = response
        self.finished = False
        self.done = False  # the shared reader stops reading once this is True
        self._output_version = output_version
        self._schema = schema
        self._request_id = request_id
        self._index = -1
        self._output_index = -1
        self._sub_index = -1
        self._has_reasoning = False
        self._item_indices: dict[str, int] = {}
        self._received: list[AIMessageChunk] = []  # merged only if a failure needs it

    def partial(self) -> AIMessageChunk:
        """The message received so far."""
        if not self._received:
            return AIMessageChunk(
                content="", response_metadata={"model_provider": PROVIDER}
            )
        return add_ai_message_chunks(*self._received)

    def on_data(self, data: bytes) -> ChatGenerationChunk | None:
        """Handle one SSE ``data`` payload."""
        if self.done:
            return None  # nothing after response.completed belongs to the answer
        try:
            event = json.loads(data.decode("utf-8"))
        except ValueError:
            text = data.decode("utf-8", "replace")
            shown = text if len(text) <= 200 else text[:200] + "..."
            msg = f"Malformed data in the stream (not JSON): {shown!r}"
            raise DashScopeStreamError(
                msg, self.request, body=text, partial=self.partial()
            ) from None
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            msg = f"Unexpected stream event (no type): {str(event)[:200]!r}"
            raise DashScopeStreamError(
                msg, self.request, body=event, partial=self.partial()
            )
        bad = _bad_fields(event)
        try:
            if bad:
                raise TypeError(bad)
            chunk = self.on_event(event)
            if chunk is not None:
                self._received.append(chunk.message)  # type: ignore[arg-type]
        except _SHAPE_ERRORS as exc:
            msg = (
                f"Unexpected {event['type']!r} event from the server "
                f"({type(exc).__name__}: {str(exc)[:200]})"
            )
            raise DashScopeStreamError(
                msg, self.request, body=event, partial=self.partial()
            ) from exc
        return chunk

    def on_event(self, event: dict[str, Any]) -> ChatGenerationChunk | None:
        """Handle one decoded stream event."""
        kind = event["type"]
        if kind == "error":
            raise stream_error(event, self.request, self.response, self.partial())
        if kind == "response.failed":
            failed = event.get("response") or {}
            error = failed.get("error") or {"message": "the response failed"}
            raise stream_error(
                {"error": error}, self.request, self.response, self.partial()
            )
        item = event.get("item")
        if kind in ("response.created", "response.completed", "response.incomplete"):
            event = {**event, "response": _typed_response(event.get("response") or {})}
        elif (
            kind == "response.output_item.done"
            and isinstance(item, dict)
            and item.get("type") not in _SDK_ITEM_TYPES
        ):
            return self._own_item(event, item)
        (
            self._index,
            self._output_index,
            self._sub_index,
            chunk,
        ) = oai._convert_responses_chunk_to_generation_chunk(
            _View(event),
            self._index,
            self._output_index,
            self._sub_index,
            schema=self._schema,
            metadata={},
            has_reasoning=self._has_reasoning,
            output_version=self._output_version,
            item_output_indices=self._item_indices,
        )
        if chunk is None:
            return None
        message = chunk.message
        meta = message.response_metadata
        meta["model_provider"] = PROVIDER
        if kind == "response.reasoning_summary_text.delta":
            self._has_reasoning = True
            message.additional_kwargs["reasoning_content"] = event.get("delta") or ""
        elif kind in ("response.completed", "response.incomplete"):
            self.finished = self.done = True
            meta["object"] = "response"
            if self._request_id:
                meta["request_id"] = self._request_id
            _fix_usage(message, _raw_usage(event))  # type: ignore[arg-type]
        return chunk

    def _own_item(
        self, event: dict[str, Any], item: dict[str, Any]
    ) -> ChatGenerationChunk:
        """A finished item of a tool langchain-openai does not know, as one block."""
        output_index = self._item_indices.setdefault(
            str(item.get("id")), int(event.get("output_index") or 0)
        )
        if output_index != self._output_index:
            self._index += 1
        self._output_index = output_index
        block = {k: v for k, v in item.items() if v is not None}
        block["index"] = self._index
        return ChatGenerationChunk(
            message=AIMessageChunk(
                content=[block], response_metadata={"model_provider": PROVIDER}
            )
        )

    def on_end(self) -> ChatGenerationChunk | None:
        """The body ended: fine after ``response.completed``, else the answer is cut."""
        if not self.finished:
            received = self.partial().text
            msg = (
                "The stream ended before response.completed after "
                f"{len(received)} characters of text: the answer is incomplete "
                "(connection cut or server fault). The partial answer is on "
                "exc.partial."
            )
            raise IncompleteStreamError(msg, self.request, partial=self.partial())
        return None


# What a malformed event or body raises inside the converters.
_SHAPE_ERRORS = (TypeError, KeyError, AttributeError, IndexError, ValueError)
_INT_FIELDS = ("output_index", "content_index", "summary_index")


def _bad_fields(event: Mapping[str, Any]) -> str | None:
    """Why the fields the converters rely on have the wrong type, or None."""
    for name in _INT_FIELDS:
        value = event.get(name)
        if value is not None and (type(value) is not int):
            return f"{name} is {type(value).__name__}, not int"
    delta = event.get("delta")
    if delta is not None and not isinstance(delta, str):
        return f"delta is {type(delta).__name__}, not str"
    for name in ("item", "response"):
        value = event.get(name)
        if value is not None and not isinstance(value, dict):
            return f"{name} is {type(value).__name__}, not an object"
    return None


def _raw_usage(event: Mapping[str, Any]) -> Any:
    response = event.get("response")
    usage = getattr(response, "usage", None)
    if usage is None:
        return None
    return usage.model_dump() if hasattr(usage, "model_dump") else usage


def _state(
    llm: ChatQwen, response: httpx.Response, schema: Any
) -> ResponsesStreamState:
    return ResponsesStreamState(
        request=response.request,
        response=response,
        output_version=llm.output_version,
        schema=schema,
        request_id=response.headers.get("x-request-id"),
    )


def stream(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: CallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
) -> Iterator[ChatGenerationChunk]:
    """A streamed call to the Responses endpoint."""
    kwargs.pop("stream_usage", None)  # usage always comes with response.completed
    schema, body = _prepare(llm, messages, stop, {**kwargs, "stream": True})
    events = _http.open_stream(llm._sync_http(), _target(llm, body), body)
    try:
        for chunk in iter_chunks(events, _state(llm, events.response, schema)):
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk
    finally:
        events.close()


async def astream(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: AsyncCallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
) -> AsyncIterator[ChatGenerationChunk]:
    """Async twin of :func:`stream`, within ``stream_chunk_timeout`` per chunk."""
    kwargs.pop("stream_usage", None)
    schema, body = _prepare(llm, messages, stop, {**kwargs, "stream": True})
    target = await _atarget(llm, body)
    events = await _http.aopen_stream(llm._async_http(), target, body)
    state = _state(llm, events.response, schema)
    gap = llm.stream_chunk_timeout
    stalled = chunk_gap_error(gap, events.request, state.partial, body.get("model"))
    try:
        async for chunk in with_chunk_gap(aiter_chunks(events, state), gap, stalled):
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk
    finally:
        await events.aclose()


# ---------------------------------------------------------------------- v1 blocks
def _own_tool_blocks(block: Mapping[str, Any]) -> list[types.ContentBlock]:
    """A DashScope built-in tool item -> v1 server tool call and result blocks."""
    name = str(block.get("type", "")).removesuffix("_call")
    skip = {"type", "id", "status", "output", "outputs", "index"}
    call: dict[str, Any] = {
        "type": "server_tool_call",
        "name": name,
        "id": block.get("id"),
        "args": {k: v for k, v in block.items() if k not in skip},
    }
    result: dict[str, Any] = {
        "type": "server_tool_result",
        "tool_call_id": block.get("id"),
    }
    output = block.get("output", block.get("outputs"))
    if output is not None:
        result["output"] = output
    status = block.get("status")
    if status == "completed":
        result["status"] = "success"
    elif status == "failed":
        result["status"] = "error"
    if isinstance(block.get("index"), int):
        call["index"] = f"lc_dsc_{block['index']}"
        result["index"] = f"lc_dsr_{block['index']}"
    return [call, result]  # type: ignore[list-item]


def _translate(message: AIMessage, *, chunk: bool) -> list[types.ContentBlock]:
    if isinstance(message.content, str):
        raise NotImplementedError  # Chat Completions: langchain-core's own parsing
    convert = (
        openai_blocks.translate_content_chunk
        if chunk
        else openai_blocks.translate_content
    )
    out: list[types.ContentBlock] = []
    run: list[Any] = []

    def flush() -> None:
        if run:
            out.extend(convert(message.model_copy(update={"content": list(run)})))  # type: ignore[arg-type]
            run.clear()

    for block in message.content:
        if (
            isinstance(block, dict)
            and str(block.get("type", "")).endswith("_call")
            and block.get("type") not in _SDK_ITEM_TYPES
        ):
            flush()
            out.extend(_own_tool_blocks(block))
        else:
            run.append(block)
    flush()
    return out


register_translator(
    PROVIDER,
    lambda message: _translate(message, chunk=False),
    lambda message: _translate(message, chunk=True),
)
