"""Inbound shapes: DashScope response dicts -> LangChain messages, built directly.

Tolerates what real traffic shows: ``content`` null with reasoning, ``""`` with tool
calls, arguments with a leading space, reasoning named ``reasoning_content`` (DashScope,
SGLang) or ``reasoning`` (vLLM, OpenRouter, Ollama), later tool-call deltas with
``"id": ""``, missing ``finish_reason``/``logprobs`` keys. (Tool-call deltas with
``index: null`` need the stream's history: ``_streaming.StreamState`` numbers them.)
"""

from __future__ import annotations

import json
from typing import Any, cast

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
from langchain_core.outputs import ChatGenerationChunk

__all__ = [
    "PROVIDER",
    "delta_to_chunk",
    "message_to_ai_message",
    "put_headers",
    "usage_to_metadata",
]

PROVIDER = "dashscope"
"""``response_metadata["model_provider"]`` and ``ls_provider``."""


def usage_to_metadata(usage: dict[str, Any]) -> UsageMetadata:
    """DashScope ``usage`` -> ``UsageMetadata`` with cache and reasoning detail."""
    input_tokens = usage.get("prompt_tokens") or usage.get("input_tokens") or 0
    output_tokens = usage.get("completion_tokens") or usage.get("output_tokens") or 0
    total = usage.get("total_tokens")
    prompt_details = usage.get("prompt_tokens_details") or {}
    completion_details = usage.get("completion_tokens_details") or {}
    input_details: dict[str, int] = {}
    if (cached := prompt_details.get("cached_tokens")) is not None:
        input_details["cache_read"] = cached
    creation = prompt_details.get("cache_creation_input_tokens")
    if creation is None and isinstance(prompt_details.get("cache_creation"), dict):
        creation = sum(
            v for v in prompt_details["cache_creation"].values() if isinstance(v, int)
        )
    if creation is not None:
        input_details["cache_creation"] = creation
    if (audio_in := prompt_details.get("audio_tokens")) is not None:
        input_details["audio"] = audio_in
    output_details: dict[str, int] = {}
    if (reasoning := completion_details.get("reasoning_tokens")) is not None:
        output_details["reasoning"] = reasoning
    if (audio_out := completion_details.get("audio_tokens")) is not None:
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
    for raw in message.get("tool_calls") or []:
        function = raw.get("function") or {}
        try:
            args = _parse_arguments(function.get("arguments"))
        except (ValueError, TypeError) as e:
            invalid.append(
                invalid_tool_call(
                    name=function.get("name"),
                    args=function.get("arguments"),
                    id=raw.get("id") or None,
                    error=f"Arguments are not a JSON object: {e}",
                )
            )
            continue
        calls.append(
            tool_call(name=function.get("name") or "", args=args, id=raw.get("id"))
        )
    content = message.get("content")
    return AIMessage(
        content=content if content is not None else "",
        additional_kwargs=additional_kwargs,
        tool_calls=calls,
        invalid_tool_calls=invalid,
        response_metadata=response_metadata,
    )


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
    for raw in delta.get("tool_calls") or ():
        function = raw.get("function") or {}
        # What `tool_call_chunk(...)` returns (a plain dict), without the call.
        chunks.append(
            {
                # DashScope repeats `"id": ""` on later deltas; "" would not merge
                # into the first delta's id, None does.
                "name": function.get("name") or None,
                "args": function.get("arguments"),
                "id": raw.get("id") or None,
                # Always an int here: StreamState fills in Ollama's null indexes.
                "index": raw["index"],
                "type": "tool_call_chunk",
            }
        )
    content = delta.get("content")
    return AIMessageChunk(
        content=content if isinstance(content, str) else "",
        additional_kwargs=additional_kwargs,
        tool_call_chunks=chunks,
        response_metadata=response_metadata,
    )


def put_headers(chunk: ChatGenerationChunk, headers: dict[str, str]) -> None:
    """Response headers on the first chunk (``include_response_headers``)."""
    chunk.message.response_metadata["headers"] = headers
    chunk.generation_info = {**(chunk.generation_info or {}), "headers": headers}
