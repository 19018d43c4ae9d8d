"""Tests of the DashScope emulator over real HTTP, with httpx and the openai SDK.

These tests talk to `langchain_qwen.testing` only: the wire shapes asserted here are
the ones recorded from the real DashScope service (see the emulator's docs).
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import httpx
import openai
import pytest
from pydantic import BaseModel, Field

from langchain_qwen import DashScopeRateLimitError
from langchain_qwen.testing import (
    DashScopeEmulator,
    RecordedRequest,
    Reply,
    pytest_plugin,
)

Factory = Callable[..., DashScopeEmulator]
USER = [{"role": "user", "content": "Hello, emulator"}]

# The plugin's fixtures under short names (pytest names a fixture by the attribute).
emu = pytest_plugin.dashscope_emulator
make_emu = pytest_plugin.dashscope_emulator_factory


@pytest.fixture(autouse=True)
def _loopback(request: pytest.FixtureRequest) -> None:
    # The CLI and hand-made emulators need loopback under --disable-socket too.
    pytest_plugin._allow_loopback(request)


def _http_client(emulator: DashScopeEmulator) -> httpx.Client:
    return httpx.Client(
        base_url=emulator.base_url,
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=10,
    )


@pytest.fixture
def client(emu: DashScopeEmulator) -> Iterator[httpx.Client]:
    with _http_client(emu) as c:
        yield c


def chat(client: httpx.Client, **body: Any) -> httpx.Response:
    body.setdefault("model", "qwen-plus")
    body.setdefault("messages", USER)
    return client.post("/chat/completions", json=body)


def sse_data(text: str) -> list[str]:
    """The `data:` payloads of an SSE body, in order."""
    out = []
    for block in text.split("\n\n"):
        if block.strip():
            assert block.startswith("data: "), block
            out.append(block[len("data: ") :])
    return out


def sse_chunks(text: str) -> list[dict[str, Any]]:
    data = sse_data(text)
    assert data[-1] == "[DONE]"
    return [json.loads(d) for d in data[:-1]]


def stream_body(client: httpx.Client, **body: Any) -> tuple[httpx.Response, str]:
    resp = chat(client, stream=True, **body)
    return resp, resp.text


# ---------------------------------------------------------------- basics, headers
def test_default_reply_and_dashscope_headers(client: httpx.Client) -> None:
    resp = chat(client)
    assert resp.status_code == 200
    request_id = resp.headers["x-request-id"]
    assert resp.headers["x-dashscope-call-gateway"] == "true"
    assert resp.headers["server"] == "istio-envoy"
    for name in ("req-cost-time", "req-arrive-time", "resp-start-time"):
        assert resp.headers[name].isdigit()
    body = resp.json()
    assert body["id"] == f"chatcmpl-{request_id}"
    assert body["object"] == "chat.completion"
    assert body["system_fingerprint"] is None
    assert body["model"] == "qwen-plus"
    choice = body["choices"][0]
    assert choice == {
        "message": {"content": "You said: Hello, emulator", "role": "assistant"},
        "finish_reason": "stop",
        "index": 0,
        "logprobs": None,
    }
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens_details"] == {"cached_tokens": 0}
    assert "completion_tokens_details" not in usage


def test_default_reply_never_invents_tool_calls(client: httpx.Client) -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    body = chat(client, tools=tools).json()
    message = body["choices"][0]["message"]
    assert "tool_calls" not in message
    assert message["content"] == "You said: Hello, emulator"


def test_default_reply_is_json_in_json_mode(client: httpx.Client) -> None:
    messages = [{"role": "user", "content": "Answer in JSON please"}]
    fmt = {"type": "json_object"}
    content = chat(client, messages=messages, response_format=fmt).json()
    assert json.loads(content["choices"][0]["message"]["content"]) == {
        "answer": "You said: Answer in JSON please"
    }
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    }
    fmt = {"type": "json_schema", "json_schema": {"name": "P", "schema": schema}}
    content = chat(client, messages=messages, response_format=fmt).json()
    # The prompt gives no age: the smallest valid one; the name is free text.
    answer = json.loads(content["choices"][0]["message"]["content"])
    assert answer == {"name": "Answer in JSON please", "age": 0}


class _Item(BaseModel):
    name: str = Field(min_length=12, max_length=20)
    qty: int = Field(ge=3, le=9)
    price: float = Field(gt=0.5, lt=1.0)


class _Order(BaseModel):
    """An order with every kind of constraint a schema may carry."""

    id: uuid.UUID
    when: datetime.datetime
    day: datetime.date
    email: str = Field(pattern=r"^[a-z]+@[a-z]+\.com$")
    code: str = Field(pattern=r"^(ORD|INV)-[A-Z]{3}\d{4}$")
    kind: Literal["a", "b"]
    items: list[_Item] = Field(min_length=2, max_length=3)
    tags: set[str] = Field(min_length=2)
    note: str | None = None
    ratio: float = Field(le=-2, multiple_of=0.5)


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_unscripted_structured_output_is_valid_for_the_schema(
    make_llm: Callable[..., Any], method: str
) -> None:
    # Forced tool choice (function_calling) and JSON-schema mode both answer with
    # an object the schema accepts: pydantic validates it on the way out.
    order = make_llm().with_structured_output(_Order, method=method).invoke("x")
    assert isinstance(order, _Order)
    assert len(order.items) == 2
    assert len(order.tags) == 2
    assert re.fullmatch(r"(ORD|INV)-[A-Z]{3}\d{4}", order.code)


def test_default_reply_thinks_for_open_source_qwen3(client: httpx.Client) -> None:
    body = chat(client, model="qwen3-8b").json()
    assert body["choices"][0]["message"]["reasoning_content"]
    off = chat(client, model="qwen3-8b", enable_thinking=False).json()
    assert "reasoning_content" not in off["choices"][0]["message"]


@pytest.mark.parametrize("model", ["qwen3.5-plus", "qwen3.5-flash", "qwen3.5-27b"])
def test_default_reply_thinks_for_qwen35_and_later(
    client: httpx.Client, model: str
) -> None:
    # Vendor thinking guide: Qwen3.5 hybrid models think by default.
    body = chat(client, model=model).json()
    assert body["choices"][0]["message"]["reasoning_content"]
    off = chat(client, model=model, enable_thinking=False).json()
    assert "reasoning_content" not in off["choices"][0]["message"]


@pytest.mark.parametrize("model", ["qwen3-max", "qwen-plus", "qwen3-vl-plus"])
def test_default_reply_does_not_think_for_older_commercial(
    client: httpx.Client, model: str
) -> None:
    body = chat(client, model=model).json()
    assert "reasoning_content" not in body["choices"][0]["message"]


# ---------------------------------------------------------------- text replies
def test_text_nonstream_with_reasoning_and_cache(
    emu: DashScopeEmulator, client: httpx.Client
) -> None:
    emu.script(
        Reply.text(
            "391",
            reasoning="17 times 23 is 391.",
            cached_tokens=7,
            prompt_tokens=24,
            completion_tokens=504,
        )
    )
    body = chat(client, enable_thinking=True).json()
    message = body["choices"][0]["message"]
    assert message == {
        "content": "391",
        "reasoning_content": "17 times 23 is 391.",
        "role": "assistant",
    }
    usage = body["usage"]
    assert usage["prompt_tokens"] == 24
    assert usage["completion_tokens"] == 504
    assert usage["total_tokens"] == 528
    assert usage["completion_tokens_details"]["reasoning_tokens"] >= 1
    assert usage["prompt_tokens_details"]["cached_tokens"] == 7


def test_usage_override_model_override_finish_reason(
    emu: DashScopeEmulator, client: httpx.Client
) -> None:
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    emu.script(
        Reply.text("cut", model="qwen-flash", usage=usage, finish_reason="length"),
        Reply.text("cached", cache_creation_tokens=1013),
    )
    body = chat(client).json()
    assert body["usage"] == usage
    assert body["model"] == "qwen-flash"
    assert body["choices"][0]["finish_reason"] == "length"
    details = chat(client).json()["usage"]["prompt_tokens_details"]
    assert details["cache_creation_input_tokens"] == 1013
    assert details["cache_creation"] == {"ephemeral_5m_input_tokens": 1013}
    assert details["cache_type"] == "ephemeral"


def test_text_stream_shape(emu: DashScopeEmulator, client: httpx.Client) -> None:
    emu.script(Reply.text("Hello there, friend"))
    resp, text = stream_body(client, stream_options={"include_usage": True})
    assert resp.headers["content-type"].startswith("text/event-stream")
    assert resp.headers["transfer-encoding"] == "chunked"
    chunks = sse_chunks(text)
    ids = {c["id"] for c in chunks}
    assert ids == {f"chatcmpl-{resp.headers['x-request-id']}"}
    first = chunks[0]
    assert first["choices"][0]["delta"] == {"content": "", "role": "assistant"}
    assert first["object"] == "chat.completion.chunk"
    assert first["usage"] is None
    assert first["system_fingerprint"] is None
    content_chunks = chunks[1:-2]
    assert len(content_chunks) == 5  # 4 characters a delta by default
    # DashScope's first content delta lists its keys in another order.
    assert list(content_chunks[0]["choices"][0]) == [
        "finish_reason",
        "logprobs",
        "delta",
        "index",
    ]
    text_out = "".join(c["choices"][0]["delta"]["content"] for c in content_chunks)
    assert text_out == "Hello there, friend"
    finish = chunks[-2]["choices"][0]
    assert finish["finish_reason"] == "stop"
    assert finish["delta"] == {"content": ""}
    usage_chunk = chunks[-1]
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"]["total_tokens"] > 0


def test_stream_without_include_usage_has_no_usage_chunk(client: httpx.Client) -> None:
    _, text = stream_body(client)
    chunks = sse_chunks(text)
    assert all(c["choices"] for c in chunks)
    assert all(c["usage"] is None for c in chunks)


def test_reasoning_stream_shape(emu: DashScopeEmulator, client: httpx.Client) -> None:
    emu.script(Reply.text("The answer is 3.", reasoning="Count the r letters."))
    _, text = stream_body(client, enable_thinking=True)
    chunks = sse_chunks(text)
    deltas = [c["choices"][0]["delta"] for c in chunks]
    assert deltas[0] == {"content": None, "role": "assistant", "reasoning_content": ""}
    thinking = [d for d in deltas[1:] if d.get("reasoning_content")]
    answer = [d for d in deltas[1:] if d.get("content")]
    assert all(d["content"] is None for d in thinking)
    assert all(d["reasoning_content"] is None for d in answer)
    assert "".join(d["reasoning_content"] for d in thinking) == "Count the r letters."
    assert "".join(d["content"] for d in answer) == "The answer is 3."
    # Reasoning comes strictly before content.
    assert deltas.index(answer[0]) > deltas.index(thinking[-1])
    assert deltas[-1] == {"content": "", "reasoning_content": None}


def test_exact_chunk_count_and_chunk_size(
    emu: DashScopeEmulator, client: httpx.Client
) -> None:
    emu.script(Reply.text("abcdefghij", chunks=3))
    chunks = sse_chunks(stream_body(client)[1])
    pieces = [c["choices"][0]["delta"]["content"] for c in chunks[1:-1]]
    assert pieces == ["abcd", "efg", "hij"]


def test_logprobs_stream_one_token_per_delta(
    emu: DashScopeEmulator, client: httpx.Client
) -> None:
    tokens = [
        {"token": "Hi", "logprob": -0.1, "bytes": [72, 105], "top_logprobs": []},
        {"token": "!", "logprob": -0.2, "bytes": [33], "top_logprobs": []},
    ]
    emu.script(Reply.text("Hi!", logprobs=tokens), Reply.text("Hi!", logprobs=tokens))
    chunks = sse_chunks(stream_body(client, logprobs=True)[1])
    content = [c["choices"][0] for c in chunks[1:-1]]
    assert [c["delta"]["content"] for c in content] == ["Hi", "!"]
    assert content[1]["logprobs"] == {"content": [tokens[1]]}
    body = chat(client, logprobs=True).json()
    assert body["choices"][0]["logprobs"] == {"content": tokens}


def test_n_choices(emu: DashScopeEmulator, client: httpx.Client) -> None:
    emu.script(Reply.text("same"))
    body = chat(client, n=2).json()
    assert [c["index"] for c in body["choices"]] == [0, 1]
    assert {c["message"]["content"] for c in body["choices"]} == {"same"}


# ---------------------------------------------------------------- tool calls
WEATHER = {"name": "get_weather", "arguments": {"city": "杭州", "unit": "celsius"}}
TIME = {"name": "get_time", "arguments": {"tz": "Asia/Shanghai"}, "id": "call_fixed"}


def test_tool_calls_nonstream(emu: DashScopeEmulator, client: httpx.Client) -> None:
    emu.script(Reply.tool_calls([WEATHER, TIME]))
    resp = chat(client)
    assert "杭州".encode() in resp.content  # ensure_ascii=False on the wire
    choice = resp.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    message = choice["message"]
    assert message["content"] == ""
    calls = message["tool_calls"]
    assert [c["index"] for c in calls] == [0, 1]
    assert calls[0]["id"].startswith("call_")
    assert calls[1]["id"] == "call_fixed"
    assert calls[0]["type"] == "function"
    assert json.loads(calls[0]["function"]["arguments"]) == WEATHER["arguments"]
    assert calls[1]["function"]["name"] == "get_time"


def _rebuild(chunks: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
    calls: dict[int, dict[str, str]] = {}
    for chunk in chunks:
        for choice in chunk["choices"]:
            for tc in choice["delta"].get("tool_calls") or []:
                entry = calls.setdefault(
                    tc["index"], {"id": "", "name": "", "args": ""}
                )
                entry["id"] += tc.get("id") or ""
                entry["name"] += tc["function"].get("name") or ""
                entry["args"] += tc["function"].get("arguments") or ""
    return calls


def test_tool_calls_stream_dashscope_shape(
    emu: DashScopeEmulator, client: httpx.Client
) -> None:
    emu.script(Reply.tool_calls([WEATHER, TIME]))
    _, text = stream_body(client, stream_options={"include_usage": True})
    assert "杭州" in text
    chunks = sse_chunks(text)
    first = chunks[0]["choices"][0]["delta"]
    assert first["role"] == "assistant"
    assert first["content"] is None
    assert first["tool_calls"][0]["function"] == {
        "name": "get_weather",
        "arguments": "",
    }
    later = [
        tc
        for c in chunks[1:]
        for ch in c["choices"]
        for tc in ch["delta"].get("tool_calls", [])
        if "name" not in tc["function"]
    ]
    assert later
    assert all(tc["id"] == "" and tc["type"] == "function" for tc in later)
    # A later parallel call opens with id, name and partial arguments together.
    opener = next(
        tc
        for c in chunks
        for tc in c["choices"][0]["delta"].get("tool_calls", [])
        if tc["index"] == 1 and tc["function"].get("name")
    )
    assert opener["id"] == "call_fixed"
    assert opener["function"]["arguments"]
    extra = chunks[-3]["choices"][0]
    assert "finish_reason" not in extra
    assert "logprobs" not in extra
    assert extra["delta"]["tool_calls"][0]["function"] == {"arguments": ""}
    finish = chunks[-2]["choices"][0]
    assert finish["finish_reason"] == "tool_calls"
    assert finish["delta"] == {}
    assert chunks[-1]["choices"] == []
    calls = _rebuild(chunks)
    assert json.loads(calls[0]["args"]) == WEATHER["arguments"]
    assert json.loads(calls[1]["args"]) == TIME["arguments"]
    assert calls[1]["id"] == "call_fixed"


def test_tool_calls_stream_interleaved(
    emu: DashScopeEmulator, client: httpx.Client
) -> None:
    emu.script(Reply.tool_calls([WEATHER, TIME], interleave=True))
    chunks = sse_chunks(stream_body(client)[1])
    order = [
        tc["index"]
        for c in chunks[:-2]
        for tc in c["choices"][0]["delta"].get("tool_calls", [])
    ]
    assert order[:4] == [0, 1, 0, 1]
    calls = _rebuild(chunks)
    assert json.loads(calls[1]["args"]) == TIME["arguments"]


def test_tool_calls_after_reasoning(
    emu: DashScopeEmulator, client: httpx.Client
) -> None:
    emu.script(Reply.tool_calls([WEATHER], reasoning="Need the weather."))
    chunks = sse_chunks(stream_body(client, enable_thinking=True)[1])
    tool_deltas = [
        c["choices"][0]["delta"]
        for c in chunks
        if c["choices"][0]["delta"].get("tool_calls")
        and "content" in c["choices"][0]["delta"]
    ]
    assert tool_deltas
    assert all(d["reasoning_content"] is None for d in tool_deltas)
    assert chunks[0]["choices"][0]["delta"]["reasoning_content"] == ""


def test_openai_sdk_roundtrip(emu: DashScopeEmulator) -> None:
    sdk = openai.OpenAI(base_url=emu.base_url, api_key=emu.api_key, max_retries=0)
    emu.script(
        Reply.text("Hi there", reasoning="greet"),
        Reply.tool_calls([WEATHER, TIME]),
    )
    done = sdk.chat.completions.create(model="qwen-plus", messages=USER)
    assert done.choices[0].message.content == "Hi there"
    # DashScope's reasoning_content is no OpenAI field: the SDK keeps it as an extra.
    assert (done.choices[0].message.model_extra or {}).get("reasoning_content") == (
        "greet"
    )
    stream = sdk.chat.completions.create(
        model="qwen-plus",
        messages=USER,
        stream=True,
        stream_options={"include_usage": True},
    )
    calls: dict[int, list[str]] = {}
    usage = None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            for tc in choice.delta.tool_calls or []:
                args = tc.function.arguments if tc.function else None
                calls.setdefault(tc.index, []).append(args or "")
    assert json.loads("".join(calls[0])) == WEATHER["arguments"]
    assert usage is not None
    assert usage.total_tokens > 0


# ---------------------------------------------------------------- errors, raw
def test_error_reply_is_plain_json_even_for_streams(
    emu: DashScopeEmulator, client: httpx.Client
) -> None:
    emu.script(
        Reply.error(429, "limit_requests", headers={"Retry-After": "2"}),
        Reply.error(500, "internal_error", "boom", type="internal_error"),
    )
    resp = chat(client, stream=True)
    assert resp.status_code == 429
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["retry-after"] == "2"
    body = resp.json()
    assert body["error"] == {
        "message": "Requests rate limit exceeded, please try again later.",
        "type": "limit_requests",
        "param": None,
        "code": "limit_requests",
    }
    assert body["request_id"] == resp.headers["x-request-id"]
    assert body["id"] == f"chatcmpl-{body['request_id']}"
    second = chat(client)
    assert second.status_code == 500
    assert second.json()["error"]["message"] == "boom"


def test_raw_reply_sends_exact_bytes(
    emu: DashScopeEmulator, client: httpx.Client
) -> None:
    sse = b'data: {"choices":[],"id":"x"}\n\ndata: [DONE]\n\n'
    emu.script(
        Reply.raw(200, sse), Reply.raw(418, "not json", content_type="text/plain")
    )
    resp = chat(client, stream=True)
    assert resp.content == sse
    assert resp.headers["content-type"].startswith("text/event-stream")
    teapot = chat(client)
    assert teapot.status_code == 418
    assert teapot.text == "not json"


def test_scripted_headers_override_generated_ones(
    emu: DashScopeEmulator, client: httpx.Client
) -> None:
    captured = {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": "999",  # framing is the server's business
        "X-Dashscope-Finished": "maybe",
        "Eagleeye-Traceid": "0bc2425d",
    }
    emu.script(Reply.raw(200, '{"ok": true}', headers=captured))
    resp = chat(client)
    assert resp.json() == {"ok": True}
    assert resp.headers.get_list("content-type") == ["application/json; charset=utf-8"]
    assert resp.headers["content-length"] == str(len('{"ok": true}'))
    assert resp.headers.get_list("x-dashscope-finished") == ["maybe"]
    assert resp.headers["eagleeye-traceid"] == "0bc2425d"


def test_openai_sdk_sees_in_stream_error(emu: DashScopeEmulator) -> None:
    sdk = openai.OpenAI(base_url=emu.base_url, api_key=emu.api_key, max_retries=0)
    emu.script(
        Reply.text(
            "abcdefgh",
            error_after=2,
            error_code="invalid_parameter_error",
            error_message="<400> InternalError.Algo.InvalidParameter: x",
        )
    )
    seen: list[str | None] = []

    def consume() -> None:
        stream = sdk.chat.completions.create(
            model="qwen-plus", messages=USER, stream=True
        )
        seen.extend(chunk.choices[0].delta.content for chunk in stream)

    with pytest.raises(openai.APIError, match="InvalidParameter: x"):
        consume()
    assert seen == ["", "abcd"]


# ---------------------------------------------------------------- request rules
TOOLS = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
ALGO = "<400> InternalError.Algo.InvalidParameter: "


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        ({"n": 5}, 400, "invalid_parameter_error", "Range of n should be [1, 4]"),
        ({"n": 2, "tools": TOOLS}, 400, "invalid_parameter_error", "n must be 1"),
        (
            {"stop": ["a", 1]},
            400,
            "invalid_parameter_error",
            "all strings or all token",
        ),
        ({"seed": -1}, 400, "invalid_value", "Range of seed"),
        ({"seed": 2**31}, 400, "invalid_value", "Range of seed"),
        ({"temperature": 2}, 400, "invalid_parameter_error", "[0.0, 2.0)"),
        ({"temperature": -0.1}, 400, "invalid_parameter_error", "Temperature"),
        ({"top_p": 1.5}, 400, "invalid_parameter_error", "top_p"),
        (
            {"response_format": {"type": "json_object"}},
            400,
            "invalid_parameter_error",
            "'messages' must contain the word 'json' in some form",
        ),
        (
            {
                "response_format": {"type": "json_object"},
                "enable_thinking": True,
                "messages": [{"role": "user", "content": "JSON please"}],
            },
            400,
            "invalid_parameter_error",
            "Json mode response is not supported when enable_thinking is true",
        ),
        (
            {"tool_choice": "required", "tools": TOOLS, "enable_thinking": True},
            400,
            "invalid_parameter_error",
            ALGO + "The tool_choice parameter does not support being set to required "
            "or object in thinking mode",
        ),
        (
            {
                "tool_choice": {"type": "function", "function": {"name": "f"}},
                "tools": TOOLS,
                "model": "qwen3-235b-a22b",  # thinks by default
            },
            400,
            "invalid_parameter_error",
            "in thinking mode",
        ),
        (
            {"model": "qwq-plus", "enable_thinking": False, "stream": True},
            400,
            "invalid_parameter_error",
            "restricted to True",
        ),
        (
            {"model": "qwen3-30b-a3b-thinking-2507", "enable_thinking": False},
            400,
            "invalid_parameter_error",
            "restricted to True",
        ),
        (
            {"model": "qwq-plus"},
            400,
            "invalid_parameter_error",
            "This model only support stream mode",
        ),
        (
            {"messages": [*USER, {"role": "system", "content": "late"}]},
            400,
            "invalid_parameter_error",
            "System message must be at the beginning.",
        ),
        ({"messages": []}, 400, "invalid_parameter_error", "[] is too short"),
        (
            {"messages": [{"role": "developer", "content": "x"}, *USER]},
            400,
            "invalid_parameter_error",
            "developer is not one of ['system', 'assistant', 'user', 'tool', "
            "'function'] - 'messages.[0].role'",
        ),
        (
            {"messages": [{"role": "system", "content": "only system"}]},
            400,
            "invalid_parameter_error",
            "do not contain elements with the role of user",
        ),
        (
            {
                "messages": [
                    *USER,
                    {
                        "role": "assistant",
                        "content": "",
                        "tool_calls": [
                            {
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "f", "arguments": "{}"},
                            }
                        ],
                    },
                    {"role": "user", "content": "and?"},
                ]
            },
            400,
            "invalid_parameter_error",
            'must be followed by tool messages responding to each "tool_call_id"',
        ),
        (
            {"model": "gpt-4o"},
            404,
            "model_not_found",
            "The model `gpt-4o` does not exist or you do not have access to it.",
        ),
    ],
)
def test_request_rules(
    emu: DashScopeEmulator,
    client: httpx.Client,
    body: dict[str, Any],
    status: int,
    code: str,
    message: str,
) -> None:
    emu.script(Reply.text("must not be consumed"))
    resp = chat(client, **body)
    assert resp.status_code == status, resp.text
    payload = resp.json()
    assert payload["error"]["code"] == code
    assert message in payload["error"]["message"]
    assert payload["error"]["type"] == "invalid_request_error"
    assert payload["request_id"] == resp.headers["x-request-id"]
    if status == 404:
        # Refused at the gateway: no id, no call-gateway header (captures 30/32).
        assert "id" not in payload
        assert "x-dashscope-call-gateway" not in resp.headers
    else:
        assert payload["id"] == f"chatcmpl-{payload['request_id']}"
    # Rejected requests are recorded but consume no scripted reply.
    assert emu.last_request.json["model"] == body.get("model", "qwen-plus")
    assert emu.last_request.status == status
    assert emu.pending == 1


def test_valid_edge_values_pass(client: httpx.Client) -> None:
    ok = [
        {"n": 4},
        {"seed": 0},
        {"seed": 2**31 - 1},
        {"temperature": 0},
        {"temperature": 1.99},
        {"top_p": 1},
        {"stop": "x"},
        {"stop": [108386, 103924]},
        {"stop": [[108386, 103924], [35946]]},
        {"tool_choice": "required", "tools": TOOLS},
        {"model": "qwq-plus", "stream": True},
        {
            "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": "Reply in JSON."}, *USER],
        },
    ]
    for extra in ok:
        assert chat(client, **extra).status_code == 200, extra


def test_legacy_nonstream_thinking(make_emu: Factory) -> None:
    emu = make_emu(legacy_nonstream_thinking=True)
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    url = emu.base_url + "/chat/completions"
    body = {"model": "qwen-plus", "messages": USER, "enable_thinking": True}
    resp = httpx.post(url, json=body, headers=headers)
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == (
        "parameter.enable_thinking must be set to false for non-streaming calls"
    )
    assert httpx.post(url, json={**body, "stream": True}, headers=headers).is_success
    no_thinking = {**body, "enable_thinking": False}
    assert httpx.post(url, json=no_thinking, headers=headers).is_success


def test_unknown_keys_are_accepted_and_recorded(
    emu: DashScopeEmulator, client: httpx.Client
) -> None:
    resp = chat(client, enable_search=True, my_custom_flag=1, store=False)
    assert resp.status_code == 200
    assert emu.last_request.unknown_keys == ("my_custom_flag", "store")


def test_bad_json_body(emu: DashScopeEmulator, client: httpx.Client) -> None:
    resp = client.post(
        "/chat/completions",
        content=b"{nope",
        headers={"content-type": "application/json"},
    )
    assert resp.status_code == 400
    assert emu.last_request.json is None
    assert emu.last_request.body == b"{nope"


# ---------------------------------------------------------------- auth, regions
def test_auth_missing_and_wrong_key(emu: DashScopeEmulator) -> None:
    url = emu.base_url + "/chat/completions"
    body = {"model": "qwen-plus", "messages": USER, "stream": True}
    for headers in ({}, {"Authorization": "Bearer sk-wrong"}):
        resp = httpx.post(url, json=body, headers=headers)
        assert resp.status_code == 401
        # A stream request still gets plain JSON (capture 31).
        assert resp.headers["content-type"] == "application/json"
        assert resp.json() == {
            "error": {
                "message": "Incorrect API key provided. For details, see: "
                "https://www.alibabacloud.com/help/en/model-studio/error-code"
                "#apikey-error",
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_api_key",
            },
            "request_id": resp.headers["x-request-id"],
        }
    assert [r.status for r in emu.requests] == [401, 401]


def test_regions(make_emu: Factory) -> None:
    emu = make_emu(
        regions={"intl": "sk-intl", "us": "sk-us"},
        models={"us": ["qwen-plus-us", "qwen3-max"]},
    )
    assert emu.api_key == "sk-intl"
    assert emu.base_url == emu.region_base_url("intl")
    assert emu.region_base_url("us").endswith("/us/compatible-mode/v1")
    with pytest.raises(KeyError, match="region 'cn' is not configured"):
        emu.region_base_url("cn")

    def post(region: str, key: str, model: str = "qwen3-max") -> httpx.Response:
        return httpx.post(
            emu.region_base_url(region) + "/chat/completions",
            json={"model": model, "messages": USER},
            headers={"Authorization": f"Bearer {key}"},
        )

    ok = post("us", "sk-us")
    assert ok.status_code == 200
    # US request ids are 16-char base64url strings, not UUIDs.
    assert len(ok.headers["x-request-id"]) == 16
    assert emu.last_request.region == "us"
    wrong = post("us", "sk-intl")
    assert wrong.status_code == 401
    assert "help.aliyun.com/zh" in wrong.json()["error"]["message"]
    assert post("intl", "sk-us").status_code == 401
    assert post("intl", "sk-intl", "qwen-turbo").status_code == 200
    missing = post("us", "sk-us", "qwen-turbo")  # strict list for the US
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "model_not_found"
    unprefixed = httpx.post(
        emu.url + "/compatible-mode/v1/chat/completions",
        json={"model": "qwen-plus", "messages": USER},
        headers={"Authorization": "Bearer sk-intl"},
    )
    assert unprefixed.status_code == 404
    models = httpx.get(
        emu.region_base_url("us") + "/models", headers={"Authorization": "Bearer sk-us"}
    ).json()
    assert [m["id"] for m in models["data"]] == ["qwen-plus-us", "qwen3-max"]
    assert [r.region for r in emu.requests] == [
        "us",
        "us",
        "intl",
        "intl",
        "us",
        None,
        "us",
    ]


def test_models_endpoint(emu: DashScopeEmulator, client: httpx.Client) -> None:
    resp = client.get("/models")
    assert resp.status_code == 200
    body = resp.json()
    assert body["object"] == "list"
    ids = [m["id"] for m in body["data"]]
    for model in ("qwen-plus", "qwen-max", "qwen3-max", "qwq-plus", "qwen3-vl-plus"):
        assert model in ids
    entry = body["data"][0]
    assert set(entry) == {"id", "object", "created", "owned_by"}
    assert entry["object"] == "model"
    assert entry["owned_by"] == "system"
    assert client.get("/models/qwen-plus").json()["id"] == "qwen-plus"
    assert client.get("/models/gpt-4").status_code == 404
    assert httpx.get(emu.base_url + "/models").status_code == 401
    assert client.post("/models").status_code == 405


def test_qwen_family_accepted_without_strict_list(client: httpx.Client) -> None:
    assert chat(client, model="qwen3.9-max-2027-01-01").status_code == 200
    assert chat(client, model="deepseek-v9").status_code == 404


# ---------------------------------------------------------------- faults
def _stream_lines(emu: DashScopeEmulator, timeout: float = 5) -> tuple[list[str], Any]:
    """Read a streamed response line by line; return the lines and the error."""
    lines: list[str] = []
    error = None
    try:
        with httpx.stream(
            "POST",
            emu.base_url + "/chat/completions",
            json={"model": "qwen-plus", "messages": USER, "stream": True},
            headers={"Authorization": f"Bearer {emu.api_key}"},
            timeout=timeout,
        ) as resp:
            assert resp.status_code == 200
            for line in resp.iter_lines():
                if line:
                    lines.append(line)
    except httpx.HTTPError as exc:
        error = exc
    return lines, error


def test_drop_after(emu: DashScopeEmulator) -> None:
    emu.script(Reply.text("abcdefghijkl", drop_after=2))
    lines, error = _stream_lines(emu)
    assert isinstance(error, httpx.RemoteProtocolError)
    assert len(lines) == 2
    assert json.loads(lines[1][6:])["choices"][0]["delta"]["content"] == "abcd"


def test_error_after_and_moderation(emu: DashScopeEmulator) -> None:
    emu.script(
        Reply.text("abcdefghijkl", error_after=3),
        Reply.text("abcdefghijkl", moderation_after=1),
    )
    lines, error = _stream_lines(emu)
    assert error is None
    assert len(lines) == 4
    event = json.loads(lines[-1][6:])
    assert event["error"]["code"] == "internal_error"
    assert event["id"].startswith("chatcmpl-")
    assert "data: [DONE]" not in lines
    lines, _ = _stream_lines(emu)
    event = json.loads(lines[-1][6:])
    assert event["error"]["code"] == "data_inspection_failed"
    assert "DataInspectionFailed" in event["error"]["message"]


def test_malformed_after_and_no_done(emu: DashScopeEmulator) -> None:
    emu.script(
        Reply.text("abcdefgh", malformed_after=1),
        Reply.text("abcdefgh", no_done=True),
    )
    lines, error = _stream_lines(emu)
    assert error is None
    assert lines[1] == "data: {not json"
    assert lines[-1] == "data: [DONE]"
    lines, error = _stream_lines(emu)
    assert error is None
    chunks = [json.loads(line[6:]) for line in lines]
    assert len(chunks) == 3  # role + 2 content deltas, nothing after
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks)


def test_fault_analogs_on_nonstream(
    emu: DashScopeEmulator, client: httpx.Client
) -> None:
    emu.script(
        Reply.text("abc", drop_after=1),
        Reply.text("abc", error_after=1),
        Reply.text("abc", moderation_after=1),
        Reply.text("abc", malformed_after=1),
        Reply.text("abc", no_done=True),
    )
    with pytest.raises(httpx.RemoteProtocolError):
        chat(client)
    resp = chat(client)
    assert resp.status_code == 500
    assert resp.json()["error"]["code"] == "internal_error"
    resp = chat(client)
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "data_inspection_failed"
    resp = chat(client)
    assert resp.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        resp.json()
    assert chat(client).json()["choices"][0]["finish_reason"] is None


def test_hang_reset_and_delay(emu: DashScopeEmulator) -> None:
    sdk = openai.OpenAI(base_url=emu.base_url, api_key=emu.api_key, max_retries=0)
    emu.script(Reply.hang(30), Reply.reset(), Reply.text("late", delay=0.3))
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        sdk.with_options(timeout=0.3).chat.completions.create(
            model="qwen-plus", messages=USER
        )
    assert time.monotonic() - started < 5
    with pytest.raises(openai.APIConnectionError):
        sdk.chat.completions.create(model="qwen-plus", messages=USER)
    started = time.monotonic()
    done = sdk.chat.completions.create(model="qwen-plus", messages=USER)
    assert done.choices[0].message.content == "late"
    assert time.monotonic() - started >= 0.3


def test_stream_delay_paces_events(make_emu: Factory) -> None:
    emu = make_emu(stream_delay=0.05)
    emu.script(Reply.text("abcdefgh"))  # role + 2 deltas + finish + DONE
    started = time.monotonic()
    lines, _ = _stream_lines(emu)
    assert len(lines) == 5
    assert time.monotonic() - started >= 0.2


# ---------------------------------------------------------------- recording, HTTP
def test_requests_are_recorded(emu: DashScopeEmulator, client: httpx.Client) -> None:
    chat(client, temperature=0.5)
    chat(client, model="nope")
    client.get("/models")
    reqs = emu.requests
    assert [r.method for r in reqs] == ["POST", "POST", "GET"]
    first = reqs[0]
    assert isinstance(first, RecordedRequest)
    assert first.path == "/compatible-mode/v1/chat/completions"
    assert first.json["temperature"] == 0.5
    assert first.headers["authorization"] == f"Bearer {emu.api_key}"
    assert first.headers["content-type"] == "application/json"
    assert first.region is None
    assert first.is_chat
    assert not first.stream
    assert [r.status for r in reqs] == [200, 404, 200]
    assert len(emu.chat_requests) == 2
    assert emu.last_request is reqs[-1]
    emu.script(Reply.text("x"))
    emu.clear()
    assert emu.requests == []
    assert emu.pending == 0
    with pytest.raises(LookupError):
        _ = emu.last_request


def test_keep_alive_reuses_one_connection(
    emu: DashScopeEmulator, client: httpx.Client
) -> None:
    for _ in range(3):
        assert chat(client).status_code == 200
    stream_body(client)
    assert chat(client, model="bad-model").status_code == 404
    assert chat(client).status_code == 200
    assert len({r.connection for r in emu.requests}) == 1


def test_chunked_request_body_is_refused(emu: DashScopeEmulator) -> None:
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(
            b"POST /compatible-mode/v1/chat/completions HTTP/1.1\r\n"
            b"Host: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
        )
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert data.startswith(b"HTTP/1.1 411 ")
    assert b"Content-Length" in data


def test_http10_stream_is_not_chunked(emu: DashScopeEmulator) -> None:
    body = json.dumps({"model": "qwen-plus", "messages": USER, "stream": True})
    with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as sock:
        sock.sendall(
            b"POST /compatible-mode/v1/chat/completions HTTP/1.0\r\n"
            + f"Authorization: Bearer {emu.api_key}\r\n".encode()
            + f"Content-Length: {len(body)}\r\n\r\n{body}".encode()
        )
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    head, _, text = data.partition(b"\r\n\r\n")
    assert b"transfer-encoding" not in head.lower()
    assert sse_chunks(text.decode())[0]["choices"][0]["delta"]["role"] == "assistant"


def test_unknown_path_and_method(client: httpx.Client) -> None:
    assert client.post("/images/generations", json={}).status_code == 404
    assert client.get("/chat/completions").status_code == 405


async def _raw_stream(port: int, key: str) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = json.dumps({"model": "qwen-plus", "messages": USER, "stream": True}).encode()
    writer.write(
        b"POST /compatible-mode/v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
        + f"Authorization: Bearer {key}\r\nContent-Length: {len(body)}\r\n".encode()
        + b"Connection: close\r\n\r\n"
        + body
    )
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, chunked = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    text = b""
    while True:  # decode chunked framing
        size_line, _, chunked = chunked.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        text += chunked[:size]
        chunked = chunked[size + 2 :]
    return text.decode()


async def test_200_concurrent_streams(emu: DashScopeEmulator) -> None:
    started = time.monotonic()
    bodies = await asyncio.gather(
        *(_raw_stream(emu.port, emu.api_key) for _ in range(200))
    )
    assert time.monotonic() - started < 10
    for text in bodies:
        chunks = sse_chunks(text)
        content = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
        assert content == "You said: Hello, emulator"
    assert len(emu.requests) == 200
    assert len({r.connection for r in emu.requests}) == 200


async def test_async_context_manager_and_sdk() -> None:
    async with DashScopeEmulator() as emu:
        emu.script(Reply.text("async hi"))
        sdk = openai.AsyncOpenAI(base_url=emu.base_url, api_key=emu.api_key)
        done = await sdk.chat.completions.create(model="qwen-plus", messages=USER)
        assert done.choices[0].message.content == "async hi"
        await sdk.close()
    with pytest.raises(RuntimeError, match="the emulator is not running"):
        _ = emu.port


def test_stop_releases_thread_and_port() -> None:
    before = {t.ident for t in threading.enumerate()}
    emu = DashScopeEmulator().start()
    port = emu.port
    client = httpx.Client()
    assert (
        client.post(
            f"http://127.0.0.1:{port}/compatible-mode/v1/chat/completions",
            json={"model": "qwen-plus", "messages": USER},
            headers={"Authorization": f"Bearer {emu.api_key}"},
        ).status_code
        == 200
    )
    emu.stop()  # with a kept-alive client connection still open
    client.close()
    assert {t.ident for t in threading.enumerate()} <= before
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    emu.stop()  # idempotent
    emu.start()  # restartable
    try:
        assert emu.port > 0
    finally:
        emu.stop()


# ---------------------------------------------------------------- flavors
def test_vllm_flavor(make_emu: Factory) -> None:
    emu = make_emu(flavor="vllm")
    assert emu.base_url.endswith("/v1")
    assert "compatible-mode" not in emu.base_url
    url = emu.base_url + "/chat/completions"
    model = "Qwen/Qwen3-8B"
    emu.script(Reply.text("Hi", reasoning="think"), Reply.tool_calls([WEATHER]))
    resp = httpx.post(url, json={"model": model, "messages": USER})  # no key at all
    assert resp.status_code == 200
    assert "x-dashscope-call-gateway" not in resp.headers
    message = resp.json()["choices"][0]["message"]
    assert message["reasoning"] == "think"
    assert "reasoning_content" not in message
    resp = httpx.post(url, json={"model": model, "messages": USER, "stream": True})
    chunks = sse_chunks(resp.text)
    entries = [
        tc for c in chunks for tc in c["choices"][0]["delta"].get("tool_calls", [])
    ]
    assert entries[0]["id"].startswith("chatcmpl-tool-")
    assert entries[0]["function"] == {"name": "get_weather"}
    assert all(set(e) == {"index", "function"} for e in entries[1:])
    assert "usage" not in chunks[0]
    refused = httpx.post(
        url, json={"model": model, "messages": USER, "enable_thinking": False}
    )
    assert refused.status_code == 400
    assert "extra_forbidden" in refused.json()["error"]["message"]
    off = httpx.post(
        url,
        json={
            "model": model,
            "messages": USER,
            "chat_template_kwargs": {"enable_thinking": False},
        },
    )
    assert off.json()["choices"][0]["message"]["reasoning"] is None
    thinking = httpx.post(url, json={"model": model, "messages": USER}).json()
    assert thinking["choices"][0]["message"]["reasoning"]


def test_sglang_and_ollama_flavors(make_emu: Factory) -> None:
    sglang = make_emu(flavor="sglang", api_key="secret")
    url = sglang.base_url + "/chat/completions"
    body = {"model": "Qwen/Qwen3-8B", "messages": USER}
    assert httpx.post(url, json=body).status_code == 401
    ok = httpx.post(url, json=body, headers={"Authorization": "Bearer secret"})
    assert "reasoning_content" in ok.json()["choices"][0]["message"]
    bad = httpx.post(
        url,
        json={**body, "enable_search": True},
        headers={"Authorization": "Bearer secret"},
    )
    assert bad.json()["object"] == "error"

    ollama = make_emu(flavor="ollama", models=["qwen3:8b"])
    url = ollama.base_url + "/chat/completions"
    ollama.script(Reply.tool_calls([WEATHER, TIME]))
    resp = httpx.post(url, json={"model": "qwen3:8b", "messages": USER, "stream": True})
    chunks = sse_chunks(resp.text)
    assert chunks[0]["system_fingerprint"] == "fp_ollama"
    calls = [
        tc for c in chunks for tc in c["choices"][0]["delta"].get("tool_calls", [])
    ]
    assert [c["index"] for c in calls] == [None, None]
    assert json.loads(calls[0]["function"]["arguments"]) == WEATHER["arguments"]
    missing = httpx.post(url, json={"model": "llama3", "messages": USER})
    assert missing.status_code == 404
    assert "try pulling it first" in missing.json()["error"]["message"]


# ---------------------------------------------------------------- specs, CLI
def test_reply_from_dict() -> None:
    assert Reply.from_dict({"type": "text", "content": "hi"}) == Reply.text("hi")
    call = Reply.from_dict(
        {"type": "tool_calls", "calls": [{"name": "f", "arguments": {}, "id": "c1"}]}
    )
    assert call.calls[0].arguments == "{}"
    error = Reply.from_dict({"type": "error", "status": 429, "code": "limit_requests"})
    assert error.status == 429
    assert Reply.from_dict({"type": "hang", "seconds": 1}).seconds == 1
    with pytest.raises(ValueError, match="unknown reply type"):
        Reply.from_dict({"type": "nope"})
    with pytest.raises(ValueError, match="chunks"):
        Reply.text("ab", chunks=3)


@pytest.mark.subprocess
def test_cli_serve(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"type": "text", "content": "scripted"}]))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "langchain_qwen.testing",
            "serve",
            "--port",
            "0",
            "--api-key",
            "sk-cli",
            "--script",
            str(script),
            "--text-chunks",
            "50",
            "--latency",
            "0.05",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/compatible-mode/v1")
        assert proc.stdout.readline() == "# API key: sk-cli\n"
        proc.stdout.readline()  # how to point the CLI at it
        export = proc.stdout.readline().strip()
        assert (
            export == f"export DASHSCOPE_BASE_URL={base_url} DASHSCOPE_API_KEY=sk-cli"
        )
        headers = {"Authorization": "Bearer sk-cli"}
        body = {"model": "qwen-plus", "messages": USER}
        first = httpx.post(base_url + "/chat/completions", json=body, headers=headers)
        assert first.json()["choices"][0]["message"]["content"] == "scripted"
        streamed = httpx.post(
            base_url + "/chat/completions",
            json={**body, "stream": True},
            headers=headers,
        )
        content = [
            c
            for c in sse_chunks(streamed.text)
            if c["choices"][0]["delta"].get("content")
        ]
        assert len(content) == 50
        embedded = httpx.post(
            base_url + "/embeddings",
            json={"model": "text-embedding-v4", "input": "hi"},
            headers=headers,
        )
        # --latency: the server's own clock (req-cost-time, ms) shows the wait.
        assert int(embedded.headers["req-cost-time"]) >= 50
        assert len(embedded.json()["data"][0]["embedding"]) == 1024
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # waits, and closes the stdout pipe
        assert proc.returncode == 0


def test_reset_returns_to_a_new_emulators_state(
    emulator: DashScopeEmulator, make_llm: Callable[..., Any]
) -> None:
    llm = make_llm()
    emulator.rate_limits.set("*", rpm=1)
    emulator.context_cache.ttl = 1.0
    emulator.script(Reply.text("scripted"))
    assert llm.invoke("one").content == "scripted"
    with pytest.raises(DashScopeRateLimitError, match="429 - limit_requests"):
        llm.invoke("two")
    port = emulator.port
    emulator.script(Reply.text("never served"))
    emulator.reset()
    assert emulator.port == port  # same server: clients keep their connections
    assert emulator.chat_requests == []
    assert emulator.context_cache.ttl == 300
    assert emulator.batches.batch_ids == []
    # No limit and no script any more: two unscripted answers.
    assert [llm.invoke(p).content for p in ("a", "b")] == ["You said: a", "You said: b"]


# ------------------------------------------------- the unscripted model cooperates
# Raw requests to the shared emulator: what a cooperative model answers, read from
# the request alone (tools, tool_choice, response_format, messages).
@pytest.fixture
def raw(emulator: DashScopeEmulator) -> Iterator[httpx.Client]:
    with _http_client(emulator) as http:
        yield http


def _tool(name: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    parameters = {"type": "object", "properties": properties, **extra}
    return {"type": "function", "function": {"name": name, "parameters": parameters}}


def _ask(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


_MAGIC = _tool(
    "magic_function",
    {"input": {"type": "integer", "exclusiveMinimum": -1000, "exclusiveMaximum": 1000}},
    required=["input"],
)
_ADDER = _tool("my_adder_tool", {"a": {"type": "integer"}, "b": {"type": "integer"}})
_WEATHER = _tool("get_weather", {"location": {"type": "string"}})
_CUSTOMER = _tool(
    "unicode_customer",
    {"customer_name": {"type": "string"}, "description": {"type": "string"}},
)
_ALARM = _tool(
    "set_alarm",
    {
        "hour": {"type": "integer", "minimum": 0, "maximum": 23},
        "label": {"type": "string"},
        "mode": {"enum": ["quiet", "loud"]},
    },
)


@pytest.mark.parametrize(
    ("tool", "choice", "prompt", "expected"),
    [
        # f(3) call syntax, under tool_choice "auto": the prompt names the tool.
        (_MAGIC, "auto", "What is the value of magic_function(3)?", {"input": 3}),
        # Numbers in order, for the integer properties in order.
        (_ADDER, "required", "What is 3 + 4", {"a": 3, "b": 4}),
        # A proper name after "in", for the string property (one word of the name).
        (
            _WEATHER,
            "auto",
            "What is the weather in San Francisco, CA?",
            {"location": "San Francisco, CA"},
        ),
        # name=value pairs and an enum value mentioned in the prompt.
        (
            _ALARM,
            {"type": "function", "function": {"name": "set_alarm"}},
            "Please set_alarm(hour=7, label='wake up'), and make it loud.",
            {"hour": 7, "label": "wake up", "mode": "loud"},
        ),
        # A number out of the schema's bounds is not used: a valid value instead.
        (_MAGIC, "required", "magic_function(5000)?", {"input": 0}),
    ],
)
def test_unscripted_model_calls_the_tool_with_arguments_from_the_prompt(
    raw: httpx.Client, tool: dict[str, Any], choice: Any, prompt: str, expected: Any
) -> None:
    body = chat(raw, messages=_ask(prompt), tools=[tool], tool_choice=choice).json()
    choice0 = body["choices"][0]
    assert choice0["finish_reason"] == "tool_calls"
    (call,) = choice0["message"]["tool_calls"]
    assert call["function"]["name"] == tool["function"]["name"]
    assert json.loads(call["function"]["arguments"]) == expected


def test_unscripted_tool_arguments_keep_unicode(raw: httpx.Client) -> None:
    prompt = "Create a customer named '你好啊集团' (Hello Group) - a Chinese company"
    resp = chat(raw, messages=_ask(prompt), tools=[_CUSTOMER], tool_choice="required")
    (call,) = resp.json()["choices"][0]["message"]["tool_calls"]
    args = json.loads(call["function"]["arguments"])
    assert args["customer_name"] == "你好啊集团"
    assert "Chinese company" in args["description"]
    assert "你好啊集团" in resp.text  # sent as text, not \\u escapes, as DashScope does


def test_unscripted_streamed_tool_call_has_the_same_arguments(
    raw: httpx.Client,
) -> None:
    prompt = "What is the value of magic_function(3)? Use the tool."
    _, text = stream_body(raw, messages=_ask(prompt), tools=[_MAGIC])
    pieces = [
        call["function"].get("arguments") or ""
        for chunk in sse_chunks(text)
        for choice in chunk["choices"]
        for call in choice["delta"].get("tool_calls") or []
    ]
    assert len(pieces) > 1  # streamed in several deltas, like DashScope
    assert json.loads("".join(pieces)) == {"input": 3}


def test_unscripted_model_answers_without_a_tool_the_prompt_does_not_need(
    raw: httpx.Client,
) -> None:
    body = chat(raw, messages=_ask("Hello!"), tools=[_MAGIC, _WEATHER]).json()
    message = body["choices"][0]["message"]
    assert "tool_calls" not in message
    assert message["content"] == "You said: Hello!"


def test_unscripted_model_follows_a_tool_result_to_a_final_answer(
    raw: httpx.Client,
) -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
    }
    messages = [
        *_ask("What is the weather in Paris?"),
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": "It's sunny, 24 °C."},
    ]
    body = chat(raw, messages=messages, tools=[_WEATHER]).json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop"
    assert "tool_calls" not in choice["message"]
    assert "It's sunny, 24 °C." in choice["message"]["content"]


_PERSON = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
}


def test_unscripted_json_schema_answer_takes_values_from_the_prompt(
    raw: httpx.Client,
) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "Person", "schema": _PERSON}}
    prompt = "Record a person named Alice, aged 30."
    body = chat(raw, messages=_ask(prompt), response_format=fmt).json()
    content = body["choices"][0]["message"]["content"]
    assert json.loads(content) == {"name": "Alice", "age": 30}


def test_unscripted_model_follows_a_schema_in_the_system_instruction(
    raw: httpx.Client,
) -> None:
    messages = [
        {
            "role": "system",
            "content": "Answer only with JSON matching this schema: "
            + json.dumps(_PERSON),
        },
        *_ask("Bob is 41 years old."),
    ]
    body = chat(raw, messages=messages).json()
    answer = json.loads(body["choices"][0]["message"]["content"])
    assert set(answer) == {"name", "age"}
    assert answer["age"] == 41
    assert isinstance(answer["name"], str)


def test_unscripted_json_mode_answers_with_the_keys_the_prompt_asks_for(
    raw: httpx.Client,
) -> None:
    prompt = (
        "Tell me a joke about cats. Return the result as a JSON with 'setup' and "
        "'punchline' keys. Return nothing other than JSON."
    )
    fmt = {"type": "json_object"}
    _, text = stream_body(raw, messages=_ask(prompt), response_format=fmt)
    chunks = sse_chunks(text)
    deltas = [
        c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]
    ]
    assert len([d for d in deltas if d]) > 1  # several content deltas
    answer = json.loads("".join(deltas))
    assert set(answer) == {"setup", "punchline"}
    assert all(isinstance(v, str) and v for v in answer.values())


def test_unscripted_vl_model_describes_the_image(raw: httpx.Client) -> None:
    # A 32x24 PNG header (signature + IHDR) is enough for the description.
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (32).to_bytes(4, "big")
    png += (24).to_bytes(4, "big") + b"\x08\x02\x00\x00\x00" + b"\x00" * 40
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    content = [
        {"type": "text", "text": "Describe this image."},
        {"type": "image_url", "image_url": {"url": url}},
    ]
    messages = [{"role": "user", "content": content}]
    body = chat(raw, model="qwen3-vl-plus", messages=messages).json()
    text = body["choices"][0]["message"]["content"]
    assert "image/png" in text
    assert "32x24 pixels" in text


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        # The model would call the tool, but DashScope refuses the forced choice
        # in thinking mode before any model answers.
        (
            {"tools": [_MAGIC], "tool_choice": "required", "enable_thinking": True},
            "does not support being set to required or object in thinking mode",
        ),
        # JSON mode without the word "json" in the messages.
        (
            {"model": "qwen-plus", "response_format": {"type": "json_object"}},
            "must contain the word 'json'",
        ),
    ],
)
def test_unscripted_model_answers_only_what_dashscope_accepts(
    raw: httpx.Client, extra: dict[str, Any], fragment: str
) -> None:
    prompt = "What is the value of magic_function(3)?"
    resp = chat(raw, **{"model": "qwen3.6-plus", "messages": _ask(prompt), **extra})
    assert resp.status_code == 400
    assert fragment in resp.json()["error"]["message"]


def test_unscripted_responses_api_model_cooperates_too(raw: httpx.Client) -> None:
    # The Responses endpoint answers with the same model: a function call read from
    # the prompt, then, given the function's output, an answer that uses it.
    tool = {"type": "function", **_MAGIC["function"]}
    ask = {"role": "user", "content": "What is the value of magic_function(3)?"}
    body = {"model": "qwen3.6-plus", "input": [ask], "tools": [tool], "store": False}
    first = raw.post("/responses", json=body).json()
    (call,) = [i for i in first["output"] if i["type"] == "function_call"]
    assert call["name"] == "magic_function"
    assert json.loads(call["arguments"]) == {"input": 3}
    result = {"type": "function_call_output", "call_id": call["call_id"], "output": "5"}
    follow = {**body, "input": [ask, call, result]}
    second = raw.post("/responses", json=follow).json()
    (message,) = [i for i in second["output"] if i["type"] == "message"]
    assert message["content"][0]["text"] == "The tool returned: 5"


@pytest.mark.parametrize("stream", [False, True])
def test_responses_reply_cut_by_length_is_incomplete(
    emulator: DashScopeEmulator, raw: httpx.Client, stream: bool
) -> None:
    emulator.script(Reply.text("Hel", finish_reason="length"))
    body = {"model": "qwen3-max", "input": "x", "stream": stream}
    resp = raw.post("/responses", json=body)
    if stream:
        *_, last = [e for e in resp.text.split("\n\n") if e.strip()]
        kind, data = last.split("\n", 1)
        assert kind == "event: response.incomplete"
        answer = json.loads(data.removeprefix("data: "))["response"]
    else:
        answer = resp.json()
    assert answer["status"] == "incomplete"
    assert answer["incomplete_details"] == {"reason": "max_output_tokens"}


def test_unscripted_json_mode_reads_the_asked_values_from_the_prompt(
    raw: httpx.Client,
) -> None:
    prompt = (
        'Extract the person named "Ada Lovelace", aged 36. '
        "Reply in JSON with 'name' and 'age' keys."
    )
    fmt = {"type": "json_object"}
    body = chat(raw, messages=_ask(prompt), response_format=fmt).json()
    content = body["choices"][0]["message"]["content"]
    assert json.loads(content) == {"name": "Ada Lovelace", "age": 36}
