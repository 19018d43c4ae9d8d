"""Behaviours that once survived a deliberate breakage of the client.

Each test here fails when one of these is broken on purpose (checked by breaking it):
temperature's range shrunk; 408/409 no longer retried; usage repeated on every chunk
keeping the first figures; Ollama continuation tool-call deltas without an id; the
Hong Kong workspace host; `request_id` read from the response header; the model name
checked at construction. Plus every numeric range of the parameter rules at both
edges, inside and outside.

The expected values are written here from DashScope's documented rules, never read
from the client: a test that asked the client for its ranges would move with it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from pydantic import ValidationError

from langchain_qwen import (
    ChatQwen,
    DashScopeAuthenticationError,
    DashScopeBadRequestError,
    DashScopeModelNotFoundError,
    DashScopePermissionDeniedError,
    IncompleteStreamError,
)
from langchain_qwen._client.errors import make_status_error
from langchain_qwen._compat import httpx
from langchain_qwen._dialect import rules
from langchain_qwen.testing import DashScopeEmulator, Reply

SEED_MAX = 2**31 - 1

# key -> (values DashScope accepts at the edges, values just outside them)
RANGES: dict[str, tuple[list[Any], list[Any]]] = {
    "temperature": ([0, 0.0, 1.5, 1.99], [-0.01, 2, 2.0, 2.5]),
    "top_p": ([0.01, 0.5, 1, 1.0], [0, 0.0, -0.1, 1.01]),
    "top_k": ([0, 1, 100, 101], [-1]),
    "presence_penalty": ([-2, -2.0, 0, 2, 2.0], [-2.01, 2.01]),
    "frequency_penalty": ([-2, -2.0, 0, 2, 2.0], [-2.01, 2.01]),
    "repetition_penalty": ([0.01, 1.05, 2, 2.0], [0, 0.0, 2.01]),
    "n": ([1, 4], [0, 5]),
    "max_tokens": ([1, 8192], [0, -1]),
    "max_input_tokens": ([1, 129024], [0, -1]),
    "max_completion_tokens": ([1, 8192], [0, -1]),
    "seed": ([0, 1, SEED_MAX], [-1, SEED_MAX + 1]),
    "top_logprobs": ([0, 5], [-1, 6]),
    "thinking_budget": ([1, 38912], [0, -1]),
}

_RANGE_TEXT = re.compile(r"[\[(]-?\d|>=|> 0|from \d+ to \d+")


def test_every_range_in_the_rules_is_tested_here() -> None:
    """A new numeric rule must come with its edges in RANGES."""
    ranged = {r.name for r in rules.RULES.values() if _RANGE_TEXT.search(r.allowed)}
    assert ranged == set(RANGES)


def _values(kind: int) -> list[tuple[str, Any]]:
    return [(name, v) for name, pair in RANGES.items() for v in pair[kind]]


@pytest.mark.parametrize(("name", "value"), _values(1))
def test_range_edges_refused_outside(
    emulator: DashScopeEmulator, llm: ChatQwen, name: str, value: Any
) -> None:
    with pytest.raises(ValueError, match=f"`{name}`: {re.escape(repr(value))}"):
        llm.invoke("hi", **{name: value})
    assert emulator.requests == []


# Keys DashScope takes only with something else set.
_WITH = {
    "top_logprobs": {"logprobs": True},
    "thinking_budget": {"enable_thinking": True},
}


@pytest.mark.parametrize(("name", "value"), _values(0))
def test_range_edges_accepted_inside(
    emulator: DashScopeEmulator, llm: ChatQwen, name: str, value: Any
) -> None:
    llm.invoke("hi", **{name: value}, **_WITH.get(name, {}))
    sent = emulator.last_request.json
    assert sent[name] == value
    assert type(sent[name]) is type(value)


def test_temperature_constructor_edges(emulator: DashScopeEmulator) -> None:
    """The constructor applies the same range as a call."""
    for ok in (0, 1.5, 1.99):
        ChatQwen(model="qwen-plus", api_key="sk-x", temperature=ok)
    for bad in (-0.01, 2):
        with pytest.raises(ValueError, match="temperature"):
            ChatQwen(model="qwen-plus", api_key="sk-x", temperature=bad)


# --------------------------------------------------------------------------- retries
@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503])
def test_transient_statuses_are_retried(
    emulator: DashScopeEmulator, make_llm: Any, status: int
) -> None:
    emulator.script(
        Reply.error(status, "transient", headers={"retry-after-ms": "1"}),
        Reply.text("second try"),
    )
    assert make_llm(max_retries=1).invoke("hi").text == "second try"
    assert [r.status for r in emulator.chat_requests] == [status, 200]


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, DashScopeBadRequestError),
        (401, DashScopeAuthenticationError),
        (403, DashScopePermissionDeniedError),
        (404, DashScopeModelNotFoundError),
    ],
)
def test_client_errors_are_not_retried(
    emulator: DashScopeEmulator, make_llm: Any, status: int, cls: type[Exception]
) -> None:
    emulator.script(Reply.error(status, "refused"), Reply.text("never"))
    with pytest.raises(cls, match=rf"^Error code: {status} - refused: "):
        make_llm(max_retries=2).invoke("hi")
    assert len(emulator.chat_requests) == 1


# --------------------------------------------------------------------------- streams
def _sse(*events: dict[str, Any]) -> str:
    lines = [f"data: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events]
    return "".join(lines) + "data: [DONE]\n\n"


def _chunk(
    delta: dict[str, Any],
    finish: str | None = None,
    usage: dict[str, Any] | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": "chatcmpl-guard",
        "object": "chat.completion.chunk",
        "created": 1767225600,
        "model": "qwen-plus",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage is not None:
        event["usage"] = usage
    return event


def _usage(prompt: int, completion: int) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


_STREAM_HEADERS = {"content-type": "text/event-stream"}


def test_usage_repeated_on_every_chunk_keeps_the_last_figures(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    # vLLM's continuous usage stats: running totals on every chunk.
    body = _sse(
        _chunk({"role": "assistant", "content": ""}, usage=_usage(9, 0)),
        _chunk({"content": "One"}, usage=_usage(9, 1)),
        _chunk({"content": " two"}, usage=_usage(9, 2)),
        _chunk({"content": " three"}, usage=_usage(9, 3)),
        _chunk({}, finish="stop", usage=_usage(9, 3)),
    )
    emulator.script(Reply.raw(200, body, headers=_STREAM_HEADERS))
    chunks = list(llm.stream("count"))
    with_usage = [c.usage_metadata for c in chunks if c.usage_metadata]
    assert len(with_usage) == 1
    assert with_usage[0] == {"input_tokens": 9, "output_tokens": 3, "total_tokens": 12}
    assert "".join(c.text for c in chunks) == "One two three"


def test_done_marker_is_not_required_after_a_finish_reason(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    """The `[DONE]` rule (see `_wire`): a finish_reason completes the answer."""
    events = (
        _chunk({"role": "assistant", "content": ""}),
        _chunk({"content": "Whole answer."}),
        _chunk({}, finish="stop"),
        _chunk({}, usage=_usage(5, 3)) | {"choices": []},
    )
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events)  # no [DONE]
    emulator.script(Reply.raw(200, body, headers=_STREAM_HEADERS))
    chunks = list(llm.stream("hi"))
    assert "".join(c.text for c in chunks) == "Whole answer."
    assert [c.usage_metadata for c in chunks if c.usage_metadata] == [
        {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8}
    ]

    # Without a finish_reason, [DONE] alone does not make it whole.
    cut = _sse(_chunk({"role": "assistant", "content": ""}), _chunk({"content": "Cut"}))
    emulator.script(Reply.raw(200, cut, headers=_STREAM_HEADERS))
    with pytest.raises(IncompleteStreamError) as info:
        list(llm.stream("hi"))
    assert info.value.partial is not None
    assert info.value.partial.text == "Cut"


def test_null_index_tool_deltas_continue_the_last_call(
    emulator: DashScopeEmulator,  # allows loopback sockets
) -> None:
    """Ollama: `index: null`; a delta without an id continues the call before it."""
    emu = DashScopeEmulator(flavor="ollama").start()
    llm = ChatQwen(model="qwen3:8b", base_url=emu.base_url, api_key="x")

    def call(call_id: str, name: str, args: str) -> dict[str, Any]:
        return {
            "tool_calls": [
                {
                    "index": None,
                    "id": call_id,
                    "type": "function",
                    "function": {"name": name, "arguments": args},
                }
            ]
        }

    def more(args: str) -> dict[str, Any]:
        return {"tool_calls": [{"index": None, "function": {"arguments": args}}]}

    body = _sse(
        _chunk({"role": "assistant", "content": ""}),
        _chunk(call("call_a", "get_weather", '{"city": ')),
        _chunk(more('"Hangzhou"}')),
        _chunk(call("call_b", "get_time", '{"zone"')),
        _chunk(more(': "UTC+8"')),
        _chunk(more("}")),
        _chunk({}, finish="tool_calls", usage=_usage(20, 10)),
    )
    emu.script(Reply.raw(200, body, headers=_STREAM_HEADERS))
    total = None
    try:
        for chunk in llm.stream("weather and time"):
            total = chunk if total is None else total + chunk
    finally:
        emu.stop()
    assert total is not None
    assert [(c["name"], c["args"], c["id"]) for c in total.tool_calls] == [
        ("get_weather", {"city": "Hangzhou"}, "call_a"),
        ("get_time", {"zone": "UTC+8"}, "call_b"),
    ]
    assert total.invalid_tool_calls == []


# --------------------------------------------------------------------------- metadata
def test_request_id_comes_from_the_response_header(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    # The header differs from the id's suffix: only reading the header gets it.
    emulator.script(Reply.text("ok", headers={"x-request-id": "req-from-header-7"}))
    meta = llm.invoke("hi").response_metadata
    assert meta["request_id"] == "req-from-header-7"
    assert not meta["id"].endswith("req-from-header-7")

    emulator.script(Reply.text("ok", headers={"x-request-id": "req-stream-8"}))
    total = None
    for chunk in llm.stream("hi"):
        total = chunk if total is None else total + chunk
    assert total is not None
    assert total.response_metadata["request_id"] == "req-stream-8"


# --------------------------------------------------------------------------- settings
@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("hongkong", "ws-9.cn-hongkong.maas.aliyuncs.com"),
        ("us", "ws-9.us-east-1.maas.aliyuncs.com"),
        ("singapore", "ws-9.ap-southeast-1.maas.aliyuncs.com"),
        ("china", "ws-9.cn-beijing.maas.aliyuncs.com"),
        ("tokyo", "ws-9.ap-northeast-1.maas.aliyuncs.com"),
        ("frankfurt", "ws-9.eu-central-1.maas.aliyuncs.com"),
    ],
)
def test_workspace_host_of_every_region(region: str, host: str) -> None:
    llm = ChatQwen(api_key="sk-x", region=region, workspace_id="ws-9")
    assert llm.openai_api_base == f"https://{host}/compatible-mode/v1"


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ("", r"Invalid value for `model`: ''\. Allowed: a non-empty model name"),
        ("   ", r"Invalid value for `model`: '   '\. Allowed: a non-empty model name"),
        (5, r"Invalid value for `model`: 5\. Allowed: a non-empty model name"),
        (None, r"model\n  Input should be a valid string"),
    ],
)
def test_model_name_checked_at_construction(model: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ChatQwen(model=model, api_key="sk-x")


# --------------------------------------------------------------------------- 401 advice
def _auth_error(llm: ChatQwen) -> str:
    with pytest.raises(DashScopeAuthenticationError) as info:
        llm.invoke("hi")
    return str(info.value)


def test_401_advice_when_no_key_was_sent(emulator: DashScopeEmulator) -> None:
    llm = ChatQwen(model="qwen-plus", base_url=emulator.base_url, max_retries=0)
    text = _auth_error(llm)
    assert "No API key was sent" in text
    assert "region-specific" not in text


def test_401_advice_when_base_url_chose_the_endpoint(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    llm = ChatQwen(base_url=emulator.base_url, api_key="sk-wrong", max_retries=0)
    text = _auth_error(llm)
    assert "chosen by base_url" in text
    assert "set region=" not in text

    monkeypatch.setenv("DASHSCOPE_API_BASE", emulator.base_url)
    with pytest.warns(UserWarning, match="wins over region='us'"):
        llm = ChatQwen(region="us", api_key="sk-wrong", max_retries=0)
    text = _auth_error(llm)
    assert "chosen by DASHSCOPE_API_BASE (which wins over region=)" in text


def test_401_advice_for_a_region_names_the_region() -> None:
    url = "https://dashscope-us.aliyuncs.com/compatible-mode/v1"
    request = httpx.Request("POST", url + "/chat/completions")
    request.headers["authorization"] = "Bearer sk-real-key"
    response = httpx.Response(
        401, json={"error": {"code": "invalid_api_key"}}, request=request
    )
    text = str(
        make_status_error(
            response, response.json(), region="us", region_text="US", model="m"
        )
    )
    assert "region-specific" in text
    assert "set region=" in text
    # The URL may have come from base_url= (the error cannot tell): the advice
    # covers that case too instead of pointing only at region=.
    assert "when you pass base_url= (it wins over region=), that region's host" in text


def test_explicit_region_overridden_by_env_base_warns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_BASE", "https://qwq-users.example/v1")
    with pytest.warns(UserWarning, match=r"DASHSCOPE_API_BASE.*region='us'"):
        llm = ChatQwen(region="us", api_key="sk-x")
    assert llm.openai_api_base == "https://qwq-users.example/v1"  # documented order


def test_n_message_points_at_what_returns_every_choice(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    with pytest.raises(ValueError, match=r"generate\(\)") as info:
        list(llm.stream("hi", n=2))
    assert "use invoke" not in str(info.value)
    emulator.script(Reply.text("first"))
    result = llm.generate([[HumanMessage("hi")]], n=2)
    assert len(result.generations[0]) == 2  # what the message promises
    assert emulator.last_request.json["n"] == 2
