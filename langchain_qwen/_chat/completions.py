"""The Chat Completions call path: one request to ``/chat/completions``, its answer.

ChatQwen builds the body (``_get_request_payload``: the parent's payload, then the
dialect) and picks the path; this module sends it on the package's one HTTP path and
turns the answer or the event stream into LangChain results with ``_wire``. The
Responses API path (``_responses``) is its peer: neither imports the other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from langchain_qwen import _wire
from langchain_qwen._client import http as _http
from langchain_qwen._client.errors import DashScopeBadRequestError
from langchain_qwen._dialect.media import AudioCollector
from langchain_qwen._wire.stream_gap import chunk_gap_error, with_chunk_gap

if TYPE_CHECKING:
    from langchain_qwen.chat_models import ChatQwen

__all__ = ["agenerate", "astream", "generate", "stream"]

# Older deployments answer thinking calls only as streams, and say so in a 400.
_NONSTREAM_THINKING_REFUSAL = "non-streaming calls"


def _model(llm: ChatQwen, kwargs: dict[str, Any]) -> str:
    return str(kwargs.get("model") or llm.model_name)


def _result(llm: ChatQwen, data: dict[str, Any], response: Any) -> ChatResult:
    return _wire.chat_result(
        data,
        llm._response_info(response),
        model_name=llm.model_name,
        output_version=llm.output_version,
        request=response.request,
    )


def generate(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: CallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
) -> ChatResult:
    """One non-streamed answer (a stream when the deployment wants one)."""
    payload = llm._get_request_payload(messages, stop=stop, **kwargs)
    target = llm._request_target(_model(llm, kwargs))
    try:
        data, response = _http.post(llm._sync_http(), target, payload)
    except DashScopeBadRequestError as e:
        if _NONSTREAM_THINKING_REFUSAL not in str(e):
            raise
        return _wire.generate_from_chunks(
            llm._stream(messages, stop, run_manager, **kwargs), llm.output_version
        )
    return _result(llm, data, response)


async def agenerate(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: AsyncCallbackManagerForLLMRun | None,
    kwargs: dict[str, Any],
) -> ChatResult:
    """Async twin of :func:`generate`."""
    payload = llm._get_request_payload(messages, stop=stop, **kwargs)
    target = await llm._arequest_target(_model(llm, kwargs))
    try:
        data, response = await _http.apost(llm._async_http(), target, payload)
    except DashScopeBadRequestError as e:
        if _NONSTREAM_THINKING_REFUSAL not in str(e):
            raise
        return await _wire.agenerate_from_chunks(
            llm._astream(messages, stop, run_manager, **kwargs), llm.output_version
        )
    return _result(llm, data, response)


def _stream_payload(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    stream_usage: bool | None,
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    kwargs["stream"] = True
    include_usage = llm.stream_usage if stream_usage is None else stream_usage
    options = kwargs.get("stream_options")
    # A per-call stream_options wins; one that is no dict is left to the checks.
    if include_usage and (options is None or isinstance(options, dict)):
        kwargs["stream_options"] = {"include_usage": True, **(options or {})}
    return llm._get_request_payload(messages, stop=stop, **kwargs)


class _Delivery:
    """What each chunk of one stream gets: answer audio, response headers once."""

    def __init__(
        self, llm: ChatQwen, payload: dict[str, Any], events: _http.EventStream
    ) -> None:
        self.state = _wire.StreamState(
            request=events.request,
            response=events.response,
            output_version=llm.output_version,
        )
        self.audio = AudioCollector.for_payload(payload, llm.output_version)
        self.headers = (
            dict(events.response.headers) if llm.include_response_headers else None
        )

    def __call__(self, raw: ChatGenerationChunk) -> ChatGenerationChunk:
        chunk = self.audio.process(raw)
        if self.headers is not None:
            _wire.put_headers(chunk, self.headers)
            self.headers = None
        return chunk


def _logprobs(chunk: ChatGenerationChunk) -> Any:
    return (chunk.generation_info or {}).get("logprobs")


def stream(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: CallbackManagerForLLMRun | None,
    stream_usage: bool | None,
    kwargs: dict[str, Any],
) -> Iterator[ChatGenerationChunk]:
    """The answer as a stream of chunks."""
    payload = _stream_payload(llm, messages, stop, stream_usage, kwargs)
    target = llm._request_target(str(payload.get("model")))
    events = _http.open_stream(llm._sync_http(), target, payload)
    deliver = _Delivery(llm, payload, events)
    try:
        for chunk in map(deliver, _wire.iter_chunks(events, deliver.state)):
            if run_manager:
                run_manager.on_llm_new_token(
                    chunk.text, chunk=chunk, logprobs=_logprobs(chunk)
                )
            yield chunk
    finally:
        events.close()


async def astream(
    llm: ChatQwen,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run_manager: AsyncCallbackManagerForLLMRun | None,
    stream_usage: bool | None,
    kwargs: dict[str, Any],
) -> AsyncIterator[ChatGenerationChunk]:
    """Async twin of :func:`stream`, within ``stream_chunk_timeout`` per chunk."""
    payload = _stream_payload(llm, messages, stop, stream_usage, kwargs)
    target = await llm._arequest_target(str(payload.get("model")))
    events = await _http.aopen_stream(llm._async_http(), target, payload)
    deliver = _Delivery(llm, payload, events)
    state = deliver.state
    gap = llm.stream_chunk_timeout
    stalled = chunk_gap_error(gap, events.request, state.partial, payload["model"])
    chunks = with_chunk_gap(_wire.aiter_chunks(events, state), gap, stalled)
    try:
        async for raw in chunks:
            chunk = deliver(raw)
            if run_manager:
                await run_manager.on_llm_new_token(
                    chunk.text, chunk=chunk, logprobs=_logprobs(chunk)
                )
            yield chunk
    finally:
        await events.aclose()
