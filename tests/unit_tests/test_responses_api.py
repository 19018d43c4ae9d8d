"""DashScope's Responses API behind ``use_responses_api``, against the emulator.

Every feature runs in the four call modes (invoke, ainvoke, stream, astream).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

from langchain_qwen import ChatQwen
from langchain_qwen._client.errors import (
    DashScopeAuthenticationError,
    DashScopeBadRequestError,
    DashScopeConnectionError,
    DashScopeRateLimitError,
    DashScopeStreamError,
    DashScopeTimeoutError,
    IncompleteStreamError,
)
from langchain_qwen._responses import api as client_side
from langchain_qwen.testing import (
    BuiltinCall,
    DashScopeEmulator,
    Reply,
    ResponsesReply,
)
from langchain_qwen.testing import _responses_api as emulator_side
from tests.call_modes import MODES, STREAMS, run

SOURCES = [{"url": "https://news.example/a", "title": "A"}]


@tool
def get_weather(city: str) -> str:
    """Current weather of a city."""
    return f"Sunny in {city}"


@pytest.fixture
def responses_llm(make_llm: Any) -> ChatQwen:
    return make_llm(model="qwen3-max", use_responses_api=True)  # type: ignore[no-any-return]


@pytest.mark.parametrize("mode", ["ainvoke", "astream"])
def test_async_key_function(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    async def akey() -> str:
        return emulator.api_key

    llm = make_llm(model="qwen3-max", use_responses_api=True, api_key=akey)
    emulator.script(Reply.text("keyed"))
    assert run(llm, "hi", mode).text == "keyed"
    assert emulator.last_request.path == "/compatible-mode/v1/responses"


def _block_types(msg: AIMessage) -> list[str]:
    return [b["type"] for b in msg.content_blocks]


# ---------------------------------------------------------------------- text
@pytest.mark.parametrize("mode", MODES)
def test_text_answer_and_metadata(
    emulator: DashScopeEmulator, responses_llm: ChatQwen, mode: str
) -> None:
    emulator.script(Reply.text("Hello from Qwen", prompt_tokens=11))
    msg = run(responses_llm, "hi", mode)
    assert msg.text == "Hello from Qwen"
    meta = msg.response_metadata
    assert meta["model_provider"] == "dashscope"
    assert meta["object"] == "response"
    assert meta["model_name"] == "qwen3-max"
    assert emulator.stored_response(meta["id"]) is not None
    assert len(meta["request_id"]) >= 16
    request = emulator.last_request
    assert request.path == "/compatible-mode/v1/responses"
    assert request.headers["authorization"] == f"Bearer {emulator.api_key}"
    body = request.json
    assert "messages" not in body
    assert body["input"] == [{"type": "message", "role": "user", "content": "hi"}]
    assert body.get("stream", False) is (mode in STREAMS)
    assert "x-dashscope-session-cache" not in request.headers
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["input_tokens"] == 11
    assert _block_types(msg) == ["text"]


@pytest.mark.parametrize("mode", MODES)
def test_chat_completions_stays_the_default(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    llm = make_llm()
    assert llm.use_responses_api is None
    run(llm, "hi", mode)
    assert emulator.last_request.path.endswith("/chat/completions")
    assert "messages" in emulator.last_request.json


# ---------------------------------------------------------------------- reasoning
@pytest.mark.parametrize("mode", MODES)
def test_reasoning_summary_blocks_and_reasoning_content(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    llm = make_llm(model="qwen3.5-plus", use_responses_api=True, enable_thinking=True)
    emulator.script(Reply.text("42.", reasoning="Six times seven is forty-two."))
    msg = run(llm, "6*7?", mode)
    assert msg.text == "42."
    assert msg.additional_kwargs["reasoning_content"] == "Six times seven is forty-two."
    blocks = msg.content_blocks
    assert [b["type"] for b in blocks] == ["reasoning", "text"]
    assert blocks[0]["reasoning"] == "Six times seven is forty-two."
    assert emulator.last_request.json["enable_thinking"] is True
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["output_token_details"]["reasoning"] > 0


# ---------------------------------------------------------------------- functions
@pytest.mark.parametrize("mode", MODES)
def test_function_tool_call_and_result_round_trip(
    emulator: DashScopeEmulator, responses_llm: ChatQwen, mode: str
) -> None:
    llm = responses_llm.bind_tools([get_weather])
    emulator.script(
        Reply.tool_calls([{"name": "get_weather", "arguments": {"city": "杭州"}}]),
        Reply.text("It is sunny in 杭州."),
    )
    first = run(llm, [HumanMessage("Weather in 杭州?")], mode)
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [
        ("get_weather", {"city": "杭州"})
    ]
    sent_tools = emulator.last_request.json["tools"]
    assert sent_tools[0]["type"] == "function"
    assert sent_tools[0]["name"] == "get_weather"  # Responses shape, not nested
    call_id = first.tool_calls[0]["id"]
    history = [
        HumanMessage("Weather in 杭州?"),
        first,
        ToolMessage("Sunny in 杭州", tool_call_id=call_id),
    ]
    final = run(llm, history, mode)
    assert final.text == "It is sunny in 杭州."
    items = emulator.last_request.json["input"]
    assert [i.get("type") for i in items] == [
        "message",
        "function_call",
        "function_call_output",
    ]
    assert items[2] == {
        "type": "function_call_output",
        "call_id": call_id,
        "output": "Sunny in 杭州",
    }


# ---------------------------------------------------------------------- built-ins
def _builtin_reply() -> ResponsesReply:
    return ResponsesReply(
        Reply.text("Qwen won [1]."),
        builtin=(
            BuiltinCall.web_search("who won", SOURCES),
            BuiltinCall.web_extractor(["https://news.example/a"], "Qwen won."),
            BuiltinCall.code_interpreter("print(1 + 1)", "2\n"),
        ),
    )


BUILTINS = [
    {"type": "web_search"},
    {"type": "web_extractor"},
    {"type": "code_interpreter"},
]


@pytest.mark.parametrize("mode", MODES)
def test_builtin_tools_select_responses_and_come_back_as_server_tool_blocks(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    llm = make_llm(model="qwen3-max")  # use_responses_api=None: chosen per call
    emulator.script(_builtin_reply())
    msg = run(llm.bind_tools([*BUILTINS, get_weather]), "Who won?", mode)
    assert emulator.last_request.path.endswith("/responses")
    assert emulator.last_request.json["tools"][:3] == BUILTINS
    assert msg.text == "Qwen won [1]."
    assert msg.tool_calls == []
    blocks = msg.content_blocks
    calls = [b for b in blocks if b["type"] == "server_tool_call"]
    results = [b for b in blocks if b["type"] == "server_tool_result"]
    assert [c["name"] for c in calls] == [
        "web_search",
        "web_extractor",
        "code_interpreter",
    ]
    assert calls[0]["args"]["query"] == "who won"
    assert calls[1]["args"]["urls"] == ["https://news.example/a"]
    assert calls[2]["args"] == {"code": "print(1 + 1)"}
    assert [r["tool_call_id"] for r in results] == [c["id"] for c in calls]
    assert all(r["status"] == "success" for r in results)
    assert results[0]["output"] == {"sources": [{"type": "url", **SOURCES[0]}]}
    assert results[1]["output"] == "Qwen won."
    assert results[2]["output"] == [{"type": "logs", "logs": "2\n"}]
    text = next(b for b in blocks if b["type"] == "text")
    assert text["annotations"] == [
        {
            "type": "citation",
            "url": "https://news.example/a",
            "title": "A",
            "start_index": 0,
            "end_index": len("Qwen won [1]."),
        }
    ]
    # server tool blocks come before the answer, in the order the server ran them
    assert [b["type"] for b in blocks].index("text") == len(blocks) - 1


@pytest.mark.parametrize("mode", MODES)
def test_v1_output_has_standard_blocks(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    llm = make_llm(model="qwen3-max", output_version="v1")
    emulator.script(_builtin_reply())
    msg = run(llm.bind_tools(BUILTINS), "Who won?", mode)
    types = [b["type"] for b in msg.content]  # type: ignore[index]
    assert types.count("server_tool_call") == 3
    assert types.count("server_tool_result") == 3
    assert types[-1] == "text"


def test_builtin_tool_with_chat_completions_forced_is_refused(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(use_responses_api=False).bind_tools([{"type": "web_search"}])
    with pytest.raises(ValueError, match="use_responses_api=False"):
        llm.invoke("hi")
    assert emulator.requests == []


# ---------------------------------------------------------------------- threads
@pytest.mark.parametrize("mode", MODES)
def test_previous_response_id_continues_a_stored_thread(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    llm = make_llm(model="qwen3-max")
    first = run(llm, "My name is Ada.", mode, store=True)
    assert emulator.last_request.path.endswith("/responses")  # `store` selects it
    second = run(
        llm,
        "What is my name?",
        mode,
        previous_response_id=first.response_metadata["id"],
    )
    body = emulator.last_request.json
    assert body["previous_response_id"] == first.response_metadata["id"]
    assert body["input"] == [
        {"type": "message", "role": "user", "content": "What is my name?"}
    ]
    # the emulator answered from the stored chain, not from resent history
    assert second.text == "Echo: What is my name? (earlier: My name is Ada.)"


@pytest.mark.parametrize("mode", MODES)
def test_use_previous_response_id_sends_only_new_messages(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    llm = make_llm(model="qwen3-max", use_previous_response_id=True)
    history: list[Any] = [HumanMessage("I live in Hangzhou.")]
    history.append(run(llm, history, mode))
    assert "previous_response_id" not in emulator.last_request.json
    history.append(HumanMessage("Where do I live?"))
    answer = run(llm, history, mode)
    body = emulator.last_request.json
    assert body["previous_response_id"] == history[1].response_metadata["id"]
    assert [i["content"] for i in body["input"]] == ["Where do I live?"]
    assert answer.text.endswith("(earlier: I live in Hangzhou.)")


@pytest.mark.parametrize("mode", MODES)
def test_store_false_is_sent_and_not_continuable(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    llm = make_llm(model="qwen3-max", store=False, use_responses_api=True)
    first = run(llm, "hi", mode)
    assert emulator.last_request.json["store"] is False
    assert emulator.stored_response(first.response_metadata["id"]) is None
    with pytest.raises(DashScopeBadRequestError, match="not found"):
        run(llm, "again", mode, previous_response_id=first.response_metadata["id"])


# ---------------------------------------------------------------------- usage/cache
@pytest.mark.parametrize("mode", MODES)
def test_session_cache_header_and_cache_usage(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    llm = make_llm(model="qwen3-max", session_cache=True, use_previous_response_id=True)
    long_text = "context " * 1200  # past the 1024-token minimum of the cache
    history: list[Any] = [HumanMessage(long_text)]
    emulator.script(Reply.text("Noted."), Reply.text("A summary."))
    first = run(llm, history, mode)
    assert emulator.last_request.headers["x-dashscope-session-cache"] == "enable"
    assert first.usage_metadata is not None
    details = first.usage_metadata["input_token_details"]
    assert details["cache_read"] == 0
    assert details["cache_creation"] == first.usage_metadata["input_tokens"]
    history += [first, HumanMessage("Summarize.")]
    second = run(llm, history, mode)
    assert second.usage_metadata is not None
    assert second.usage_metadata["input_token_details"]["cache_read"] >= 1024


@pytest.mark.parametrize("mode", MODES)
def test_scripted_usage_details(
    emulator: DashScopeEmulator, responses_llm: ChatQwen, mode: str
) -> None:
    emulator.script(
        Reply.text(
            "ok",
            reasoning="r" * 40,
            prompt_tokens=2000,
            completion_tokens=30,
            cached_tokens=1500,
            cache_creation_tokens=500,
        )
    )
    msg = run(responses_llm, "hi", mode)
    assert msg.usage_metadata == {
        "input_tokens": 2000,
        "output_tokens": 30,
        "total_tokens": 2030,
        "input_token_details": {"cache_read": 1500, "cache_creation": 500},
        "output_token_details": {"reasoning": 10},
    }


# ---------------------------------------------------------------------- refusals
@pytest.mark.parametrize("mode", MODES)
def test_regions_without_responses_api_are_refused(mode: str) -> None:
    with pytest.raises(ValueError, match=r"region='hongkong'.*singapore"):
        ChatQwen(api_key="sk-x", region="hongkong", use_responses_api=True)
    with pytest.raises(ValueError, match="region='hongkong'"):
        ChatQwen(api_key="sk-x", region="hongkong", session_cache=True)
    auto = ChatQwen(api_key="sk-x", region="hongkong", max_retries=0)
    with pytest.raises(ValueError, match="not available in region='hongkong'"):
        # refused before any request (none could reach the internet here anyway)
        run(auto.bind_tools([{"type": "web_search"}]), "hi", mode)
    with pytest.raises(ValueError, match="not available in region='hongkong'"):
        run(auto, "hi", mode, previous_response_id="f75c28fb-4064-48ed")
    with pytest.raises(ValueError, match="session_cache=True needs"):
        ChatQwen(api_key="sk-x", use_responses_api=False, session_cache=True)


@pytest.mark.parametrize(
    ("region", "workspace", "url"),
    [
        (
            "singapore",
            None,
            "https://dashscope-intl.aliyuncs.com/api/v2/apps/protocols/"
            "compatible-mode/v1/responses",
        ),
        (
            "china",
            None,
            "https://dashscope.aliyuncs.com/api/v2/apps/protocols/"
            "compatible-mode/v1/responses",
        ),
        (
            "us",
            None,
            "https://dashscope-us.aliyuncs.com/api/v2/apps/protocols/"
            "compatible-mode/v1/responses",
        ),
        (
            "singapore",
            "ws-1",
            "https://ws-1.ap-southeast-1.maas.aliyuncs.com/compatible-mode/v1/responses",
        ),
    ],
)
def test_endpoint_of_each_region(region: str, workspace: str | None, url: str) -> None:
    llm = ChatQwen(api_key="sk-x", region=region, workspace_id=workspace)
    assert client_side.responses_url(llm.openai_api_base or "", llm.region) == url


@pytest.mark.parametrize(
    ("setting", "match"),
    [
        ({"thinking_budget": 100}, "thinking_budget=100"),
        ({"enable_search": True}, "web_search"),
        ({"n": 2}, "n=2"),
        ({"enable_code_interpreter": True}, "code_interpreter"),
        ({"preserve_thinking": True}, "previous_response_id"),
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_chat_only_settings_are_refused_before_sending(
    emulator: DashScopeEmulator,
    make_llm: Any,
    setting: dict[str, Any],
    match: str,
    mode: str,
) -> None:
    llm = make_llm(model="qwen3-max", use_responses_api=True, **setting)
    with pytest.raises(ValueError, match=match):
        run(llm, "hi", mode)
    with pytest.raises(ValueError, match="stop="):
        run(make_llm(use_responses_api=True), "hi", mode, stop=["x"])
    assert emulator.requests == []


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize("mode", MODES)
def test_retries_and_error_classes_as_chat_completions(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    llm = make_llm(model="qwen3-max", use_responses_api=True, max_retries=1)
    emulator.script(
        Reply.error(429, "limit_requests", headers={"Retry-After": "0"}),
        Reply.text("after retry"),
    )
    assert run(llm, "hi", mode).text == "after retry"
    assert len(emulator.requests) == 2
    again = {"Retry-After": "0"}
    emulator.script(
        Reply.error(429, "limit_requests", headers=again),
        Reply.error(429, "limit_requests", headers=again),
    )
    with pytest.raises(DashScopeRateLimitError):
        run(llm, "hi", mode)
    bad_key = make_llm(model="qwen3-max", use_responses_api=True, api_key="sk-wrong")
    with pytest.raises(DashScopeAuthenticationError, match="invalid_api_key"):
        run(bad_key, "hi", mode)


@pytest.mark.parametrize(
    ("mode", "reply", "error", "partial"),
    [
        # created, in_progress, item added, part added, then three 4-char deltas
        (m, Reply.text("abcdefghijklmnop", error_after=7), DashScopeStreamError, p)
        for m, p in (("stream", "abcdefghijkl"), ("astream", "abcdefghijkl"))
    ]
    + [
        (m, Reply.text("cut short", no_done=True), IncompleteStreamError, "cut short")
        for m in MODES
    ],
)
def test_failed_answers_keep_what_arrived(
    emulator: DashScopeEmulator,
    responses_llm: ChatQwen,
    mode: str,
    reply: Reply,
    error: type[Exception],
    partial: str,
) -> None:
    emulator.script(reply)
    with pytest.raises(error) as info:
        run(responses_llm, "hi", mode)
    assert info.value.partial is not None  # type: ignore[attr-defined]
    assert info.value.partial.text == partial  # type: ignore[attr-defined]
    if reply.error_after is not None:
        assert "internal_error" in str(info.value)


@pytest.mark.parametrize("mode", MODES)
def test_dropped_connection_is_a_connection_error(
    emulator: DashScopeEmulator, responses_llm: ChatQwen, mode: str
) -> None:
    emulator.script(Reply.text("abcdefghijklmnop", drop_after=6))
    # A cut connection, not a stream that ended cleanly without its last event.
    cut = (
        "broke before the answer was complete"
        if mode in ("invoke", "ainvoke")
        else r"connection dropped before the answer was complete .*partial answer"
    )
    with pytest.raises(DashScopeConnectionError, match=cut) as info:
        run(responses_llm, "hi", mode)
    assert "RemoteProtocolError" in str(info.value)


@pytest.mark.parametrize("mode", STREAMS)
def test_stream_deadline_applies(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    llm = make_llm(model="qwen3-max", use_responses_api=True, timeout=0.5)
    emulator.script(Reply.text("x" * 40, event_delay=0.1))
    with pytest.raises(DashScopeTimeoutError):
        run(llm, "hi", mode)


def test_malformed_event_is_a_stream_error(
    emulator: DashScopeEmulator, responses_llm: ChatQwen
) -> None:
    emulator.script(Reply.text("hello world", malformed_after=4))
    with pytest.raises(DashScopeStreamError, match="not JSON"):
        run(responses_llm, "hi", "stream")


# ---------------------------------------------------------------------- agreement
def test_client_and_emulator_agree_on_builtins_and_refusals() -> None:
    for name in emulator_side.BUILTIN_TOOLS:
        assert client_side.is_builtin_tool({"type": name})
    assert not client_side.is_builtin_tool({"type": "function", "name": "f"})
    refused_by_server = emulator_side.REFUSED_KEYS - {"messages"}
    assert refused_by_server <= set(client_side._NOT_ON_RESPONSES)
    assert not set(client_side.RESPONSES_KEYS) - emulator_side.KNOWN_KEYS


# ---------------------------------------------------------------------- agents
def _agent_script(emu: DashScopeEmulator) -> None:
    def answer(body: dict[str, Any]) -> Reply:
        outputs = [i for i in body["input"] if i.get("type") == "function_call_output"]
        assert outputs, f"the tool result was not sent back: {json.dumps(body)}"
        return Reply.text(f"Qwen won; weather: {outputs[-1]['output']}")

    emu.script(
        ResponsesReply(
            Reply.tool_calls([{"name": "get_weather", "arguments": {"city": "Paris"}}]),
            builtin=(BuiltinCall.web_search("final score", SOURCES),),
        ),
        answer,
    )


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
def test_create_agent_mixes_web_search_and_a_function_tool(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    from langchain.agents import create_agent

    llm = make_llm(model="qwen3-max", use_previous_response_id=True)
    agent = create_agent(llm, tools=[{"type": "web_search"}, get_weather])
    _agent_script(emulator)
    inputs = {"messages": [("user", "Who won, and the weather in Paris?")]}
    if mode == "invoke":
        result = agent.invoke(inputs)
    elif mode == "ainvoke":
        result = asyncio.run(agent.ainvoke(inputs))
    elif mode == "stream":
        result = list(agent.stream(inputs, stream_mode="values"))[-1]
    else:

        async def last() -> Any:
            return [s async for s in agent.astream(inputs, stream_mode="values")][-1]

        result = asyncio.run(last())
    assert result is not None
    messages = result["messages"]
    assert messages[-1].text == "Qwen won; weather: Sunny in Paris"
    ai_first = messages[1]
    assert "server_tool_call" in _block_types(ai_first)
    assert [c["name"] for c in ai_first.tool_calls] == ["get_weather"]
    first, second = [r.json for r in emulator.requests]
    assert {"type": "web_search"} in first["tools"]
    assert "previous_response_id" not in first
    # the tool result continues the stored response instead of resending history
    assert second["previous_response_id"] == ai_first.response_metadata["id"]
    assert [i["type"] for i in second["input"]] == ["function_call_output"]


def test_agent_thread_continued_with_previous_response_id(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    from langchain.agents import create_agent
    from langgraph.checkpoint.memory import InMemorySaver

    llm = make_llm(model="qwen3-max", use_previous_response_id=True)
    agent = create_agent(
        llm, tools=[{"type": "web_search"}, get_weather], checkpointer=InMemorySaver()
    )
    config = {"configurable": {"thread_id": "t1"}}
    _agent_script(emulator)
    agent.invoke({"messages": [("user", "Who won, and the weather in Paris?")]}, config)
    result = agent.invoke({"messages": [("user", "And my first question?")]}, config)
    last_body = emulator.last_request.json
    assert (
        last_body["previous_response_id"]
        == (result["messages"][-3].response_metadata["id"])
    )
    assert last_body["input"] == [
        {"type": "message", "role": "user", "content": "And my first question?"}
    ]
    assert result["messages"][-1].text == (
        "Echo: And my first question? (earlier: Who won, and the weather in Paris?)"
    )
    assert len(emulator.requests) == 3


# ---------------------------------------------------------------------- hostile
def _sse(*events: dict[str, Any]) -> bytes:
    return b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)


_CREATED = {"type": "response.created", "response": {"id": "r1", "status": "x"}}
_DELTA = {
    "type": "response.output_text.delta",
    "item_id": "m1",
    "output_index": 0,
    "content_index": 0,
    "delta": "Hel",
}
_COMPLETED = {
    "type": "response.completed",
    "response": {
        "id": "r1",
        "object": "response",
        "model": "qwen3-max",
        "status": "completed",
        "output": [
            {
                "id": "m1",
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "Hel", "annotations": []}],
            }
        ],
        "usage": {"input_tokens": 3, "output_tokens": 1, "total_tokens": 4},
    },
}


@pytest.mark.parametrize(
    ("events", "error", "match", "partial"),
    [
        (
            [_CREATED, _DELTA, {"type": "response.failed", "response": {"error": {}}}],
            DashScopeStreamError,
            "stream",
            "Hel",
        ),
        (
            [_CREATED, _DELTA, {**_DELTA, "delta": 5}],
            DashScopeStreamError,
            "delta is int",
            "Hel",
        ),
        (
            [_CREATED, {**_DELTA, "output_index": "0"}],
            DashScopeStreamError,
            "output_index is str",
            "",
        ),
        (
            [_CREATED, _DELTA, {"type": "response.output_item.done", "item": "x"}],
            DashScopeStreamError,
            "item is str",
            "Hel",
        ),
        (
            [_CREATED, _DELTA, ["not", "an", "event"]],
            DashScopeStreamError,
            "no type",
            "Hel",
        ),
    ],
)
@pytest.mark.parametrize("mode", STREAMS)
def test_hostile_events_raise_our_errors_with_the_partial(
    emulator: DashScopeEmulator,
    responses_llm: ChatQwen,
    mode: str,
    events: list[Any],
    error: type[Exception],
    match: str,
    partial: str,
) -> None:
    emulator.script(Reply.raw(200, _sse(*events), content_type="text/event-stream"))
    with pytest.raises(error, match=match) as info:
        run(responses_llm, "hi", mode)
    assert info.value.partial is not None  # type: ignore[attr-defined]
    assert info.value.partial.text == partial  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", STREAMS)
def test_nothing_after_completed_is_part_of_the_answer(
    emulator: DashScopeEmulator, responses_llm: ChatQwen, mode: str
) -> None:
    late = {**_DELTA, "delta": "LATE"}
    body = _sse(_CREATED, _DELTA, _COMPLETED, late, {"type": "error", "message": "x"})
    emulator.script(Reply.raw(200, body, content_type="text/event-stream"))
    msg = run(responses_llm, "hi", mode)
    assert msg.text == "Hel"
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["total_tokens"] == 4


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_hostile_body_raises_our_error(
    emulator: DashScopeEmulator, responses_llm: ChatQwen, mode: str
) -> None:
    emulator.script(Reply.raw(200, json.dumps({"id": "r1", "output": "oops"})))
    with pytest.raises(DashScopeStreamError, match="output is str"):
        run(responses_llm, "hi", mode)


async def test_stream_chunk_timeout_on_the_responses_path(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    """A stalled Responses stream ends like a chat one: StreamChunkTimeoutError."""
    from langchain_openai import StreamChunkTimeoutError

    llm = make_llm(model="qwen3-max", use_responses_api=True, stream_chunk_timeout=0.05)
    emulator.script(Reply.text("a b c d", chunks=4, event_delay=0.3))

    async def read() -> None:
        async for _ in llm.astream("x"):
            pass

    with pytest.raises(StreamChunkTimeoutError, match="stream_chunk_timeout") as info:
        await read()
    assert isinstance(info.value, DashScopeTimeoutError)
    assert info.value.model_name == "qwen3-max"
    assert info.value.partial is not None


@pytest.mark.parametrize("status", ["failed", "cancelled", "in_progress", "queued"])
def test_an_unfinished_response_status_is_not_an_answer(
    emulator: DashScopeEmulator, make_llm: Any, status: str
) -> None:
    # Only "completed" and "incomplete" (max_output_tokens; finish_reason says so)
    # end a response: any other status returned as an AIMessage would pass a cut
    # or failed answer off as the model's reply.
    body = {**_COMPLETED["response"], "status": status}
    emulator.script(Reply.raw(200, json.dumps(body)))
    with pytest.raises(IncompleteStreamError, match=f"has status '{status}'") as info:
        make_llm(model="qwen3-max", use_responses_api=True).invoke("x")
    assert info.value.partial is not None
    assert info.value.partial.text == "Hel"


@pytest.mark.parametrize("mode", MODES)
def test_a_response_cut_by_max_output_tokens_is_an_answer(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # "incomplete" is how the Responses API says "length": the text is the answer
    # (as finish_reason="length" on Chat Completions), not a broken stream.
    emulator.script(Reply.text("Hel", finish_reason="length", completion_tokens=1))
    message = run(make_llm(model="qwen3-max", use_responses_api=True), "x", mode)
    assert message.text == "Hel"
    assert message.response_metadata["status"] == "incomplete"
    assert message.response_metadata["incomplete_details"] == {
        "reason": "max_output_tokens"
    }
    assert message.usage_metadata is not None
    assert message.usage_metadata["output_tokens"] == 1
