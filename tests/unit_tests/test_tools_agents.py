"""Tool calling, structured output and LangGraph agents on ChatQwen, against the emulator."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_qwen import ChatQwen
from langchain_qwen.testing import DashScopeEmulator, Reply


class GetWeather(BaseModel):
    """Get the current weather in a given city."""

    city: str = Field(description="City name, e.g. Hangzhou")


def get_time(timezone: str) -> str:
    """Get the current time in a timezone.

    Args:
        timezone: IANA timezone name.
    """
    return "12:00"


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


_DICT_TOOL = {
    "type": "function",
    "function": {
        "name": "lookup",
        "description": "Look a word up.",
        "parameters": {"type": "object", "properties": {"word": {"type": "string"}}},
    },
}


def _tool_names(body: dict[str, Any]) -> list[str]:
    return [t["function"]["name"] for t in body["tools"]]


# -- bind_tools --------------------------------------------------------------------


def test_bind_tools_every_form_reaches_body(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    emulator.script(Reply.text("no tool needed"))
    llm.bind_tools([GetWeather, get_time, add, _DICT_TOOL]).invoke("hi")
    body = emulator.last_request.json
    assert _tool_names(body) == ["GetWeather", "get_time", "add", "lookup"]
    weather = body["tools"][0]["function"]
    assert weather["parameters"]["properties"]["city"]["type"] == "string"
    assert "tool_choice" not in body
    assert "parallel_tool_calls" not in body


@pytest.mark.parametrize(
    ("choice", "sent"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("any", "required"),
        ("required", "required"),
        (True, "required"),
        ("GetWeather", {"type": "function", "function": {"name": "GetWeather"}}),
        (
            {"type": "function", "function": {"name": "add"}},
            {"type": "function", "function": {"name": "add"}},
        ),
    ],
)
def test_tool_choice_sent_as_asked(
    emulator: DashScopeEmulator, llm: ChatQwen, choice: Any, sent: Any
) -> None:
    emulator.script(Reply.text("ok"))
    llm.bind_tools([GetWeather, add], tool_choice=choice).invoke("hi")
    assert emulator.last_request.json["tool_choice"] == sent


def test_parallel_tool_calls_and_strict(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    emulator.script(Reply.text("ok"), Reply.text("ok"))
    llm.bind_tools([GetWeather], parallel_tool_calls=False, strict=True).invoke("hi")
    body = emulator.last_request.json
    assert body["parallel_tool_calls"] is False
    assert body["tools"][0]["function"]["strict"] is True
    llm.bind_tools([GetWeather], parallel_tool_calls=True).invoke("hi")
    assert emulator.last_request.json["parallel_tool_calls"] is True


def test_thinking_tool_choice_auto_fallback_warns(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text("ok"))
    llm = make_llm(enable_thinking=True)  # thinking_tool_choice="auto" by default
    with pytest.warns(UserWarning, match="refused by DashScope while thinking"):
        llm.bind_tools([GetWeather], tool_choice="required").invoke("hi")
    assert emulator.last_request.json["tool_choice"] == "auto"
    assert emulator.last_request.json["enable_thinking"] is True


def test_thinking_tool_choice_raise_refuses_forced_choice(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(model="qwq-plus", thinking_tool_choice="raise")
    with pytest.raises(ValueError, match="thinking mode"):
        llm.bind_tools([GetWeather], tool_choice="required").invoke("x")
    assert emulator.requests == []


# -- tool calls back ---------------------------------------------------------------

_PARALLEL = [
    {"name": "GetWeather", "arguments": {"city": "杭州"}, "id": "call_a1"},
    {"name": "GetWeather", "arguments": {"city": "東京"}, "id": "call_b2"},
    {"name": "get_time", "arguments": {"timezone": "Asia/Shanghai"}, "id": "call_c3"},
]


def _expected_calls() -> list[tuple[str, dict[str, Any], str]]:
    return [(c["name"], c["arguments"], c["id"]) for c in _PARALLEL]


@pytest.mark.parametrize("interleave", [False, True])
def test_streamed_parallel_calls_exact(
    emulator: DashScopeEmulator, llm: ChatQwen, interleave: bool
) -> None:
    emulator.script(
        Reply.tool_calls(_PARALLEL, reasoning="two cities", interleave=interleave)
    )
    chunks = list(llm.bind_tools([GetWeather, get_time]).stream("weather?"))
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert isinstance(total, AIMessageChunk)
    assert [
        (t["name"], t["args"], t["id"]) for t in total.tool_calls
    ] == _expected_calls()
    assert total.invalid_tool_calls == []
    assert total.response_metadata["finish_reason"] == "tool_calls"
    assert total.additional_kwargs["reasoning_content"] == "two cities"


async def test_astream_events_carry_tool_call_chunks(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    emulator.script(Reply.tool_calls(_PARALLEL, interleave=True))
    names: list[str] = []
    ended: AIMessageChunk | None = None
    async for event in llm.bind_tools([GetWeather, get_time]).astream_events(
        "x", version="v2"
    ):
        if event["event"] == "on_chat_model_stream":
            names.extend(
                c["name"] for c in event["data"]["chunk"].tool_call_chunks if c["name"]
            )
        if event["event"] == "on_chat_model_end":
            ended = event["data"]["output"]
    assert names == ["GetWeather", "GetWeather", "get_time"]
    assert ended is not None
    assert [
        (t["name"], t["args"], t["id"]) for t in ended.tool_calls
    ] == _expected_calls()


async def test_invoke_parallel_calls_sync_and_async(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    emulator.script(Reply.tool_calls(_PARALLEL), Reply.tool_calls(_PARALLEL))
    bound = llm.bind_tools([GetWeather, get_time])
    for msg in (bound.invoke("x"), await bound.ainvoke("x")):
        assert [
            (t["name"], t["args"], t["id"]) for t in msg.tool_calls
        ] == _expected_calls()
        assert msg.content == ""


# -- structured output ---------------------------------------------------------------


class Joke(BaseModel):
    """A joke."""

    setup: str
    punchline: str


class JokeDict(TypedDict):
    """A joke."""

    setup: str
    punchline: str


_JOKE = {"setup": "Why?", "punchline": "Because."}


def test_structured_function_calling_default(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    emulator.script(Reply.tool_calls([{"name": "Joke", "arguments": _JOKE}]))
    result = llm.with_structured_output(Joke).invoke("joke")
    assert result == Joke(**_JOKE)
    body = emulator.last_request.json
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Joke"}}
    assert body["parallel_tool_calls"] is False
    assert _tool_names(body) == ["Joke"]


def test_json_mode_keeps_users_own_json_word(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    emulator.script(Reply.text("{}"))
    llm.with_structured_output(None, method="json_mode").invoke("Reply in JSON please")
    assert emulator.last_request.json["messages"] == [
        {"role": "user", "content": "Reply in JSON please"}
    ]


@pytest.mark.parametrize("schema", [Joke, JokeDict, Joke.model_json_schema()])
def test_structured_json_schema(
    emulator: DashScopeEmulator, llm: ChatQwen, schema: Any
) -> None:
    emulator.script(Reply.text(json.dumps(_JOKE)))
    result = llm.with_structured_output(
        schema, method="json_schema", strict=True
    ).invoke("joke")
    assert (result.model_dump() if isinstance(result, BaseModel) else result) == _JOKE
    response_format = emulator.last_request.json["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] in ("Joke", "JokeDict")
    assert response_format["json_schema"]["strict"] is True
    assert set(response_format["json_schema"]["schema"]["properties"]) == {
        "setup",
        "punchline",
    }


def test_structured_include_raw(emulator: DashScopeEmulator, llm: ChatQwen) -> None:
    emulator.script(Reply.tool_calls([{"name": "Joke", "arguments": {"setup": "x"}}]))
    out = llm.with_structured_output(Joke, include_raw=True).invoke("joke")
    assert isinstance(out["raw"], AIMessage)
    assert out["parsed"] is None
    assert out["parsing_error"] is not None


# -- LangGraph ---------------------------------------------------------------------

_LG_TOOLS_CALLS = [
    {"name": "get_current_time", "arguments": {}, "id": "call_time_1"},
    {
        "name": "get_current_weather",
        "arguments": {"location": "杭州"},
        "id": "call_weather_1",
    },
]


@tool
def get_current_time() -> str:
    """Get the current time."""
    return "Current time: 2026-11-26 12:00."


@tool
def get_current_weather(location: str) -> str:
    """Get the weather of a city."""
    return f"{location}: light rain."


def _check_agent_requests(emulator: DashScopeEmulator) -> None:
    first, second = (r.json for r in emulator.requests[-2:])
    assert set(_tool_names(first)) == {"get_current_time", "get_current_weather"}
    roles = [m["role"] for m in second["messages"]]
    assert roles == ["user", "assistant", "tool", "tool"]
    assistant = second["messages"][1]
    assert [c["id"] for c in assistant["tool_calls"]] == [
        "call_time_1",
        "call_weather_1",
    ]
    assert assistant["tool_calls"][1]["function"]["arguments"] == '{"location": "杭州"}'
    assert [m["tool_call_id"] for m in second["messages"][2:]] == [
        "call_time_1",
        "call_weather_1",
    ]
    assert second["messages"][3]["content"] == "杭州: light rain."


def _script_two_tool_turn(emulator: DashScopeEmulator, answer: str) -> None:
    emulator.script(Reply.tool_calls(_LG_TOOLS_CALLS), Reply.text(answer, chunks=5))


@pytest.mark.parametrize("factory", ["create_agent", "create_react_agent"])
async def test_agent_two_tools_sync_and_async(
    emulator: DashScopeEmulator, llm: ChatQwen, factory: str
) -> None:
    agent = _make_agent(factory, llm)
    _script_two_tool_turn(emulator, "It is 12:00 and raining in Hangzhou.")
    result = agent.invoke({"messages": [("user", "Time and weather in Hangzhou?")]})
    assert result["messages"][-1].content == "It is 12:00 and raining in Hangzhou."
    _check_agent_requests(emulator)
    _script_two_tool_turn(emulator, "Async answer.")
    result = await agent.ainvoke(
        {"messages": [("user", "Time and weather in Hangzhou?")]}
    )
    assert result["messages"][-1].content == "Async answer."
    _check_agent_requests(emulator)


def _make_agent(factory: str, llm: ChatQwen, **kwargs: Any) -> Any:
    tools = [get_current_time, get_current_weather]
    if factory == "create_agent":
        from langchain.agents import create_agent

        return create_agent(llm, tools=tools, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # create_react_agent is deprecated in favour of create_agent
        from langgraph.prebuilt import create_react_agent

        return create_react_agent(llm, tools, **kwargs)


async def test_agent_streams_tokens_and_usage_through_graph(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    agent = _make_agent("create_agent", llm)
    _script_two_tool_turn(emulator, "one two three four five")
    texts: list[str] = []
    usage_chunks = 0
    async for message, _meta in agent.astream(
        {"messages": [("user", "Time and weather?")]}, stream_mode="messages"
    ):
        if isinstance(message, AIMessageChunk):
            if message.text:
                texts.append(message.text)
            usage_chunks += bool(message.usage_metadata)
    assert "".join(texts) == "one two three four five"
    assert len(texts) >= 5
    assert usage_chunks == 2  # one per model call


def test_agent_checkpointed_thread_multi_turn(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    agent = _make_agent("create_agent", llm, checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t1"}}
    _script_two_tool_turn(emulator, "Raining, 12:00.")
    agent.invoke({"messages": [HumanMessage("Time and weather in Hangzhou?")]}, config)
    emulator.script(Reply.text("You asked about Hangzhou."))
    result = agent.invoke(
        {"messages": [HumanMessage("Which city did I ask about?")]}, config
    )
    assert result["messages"][-1].content == "You asked about Hangzhou."
    sent = emulator.last_request.json["messages"]
    assert [m["role"] for m in sent] == [
        "user",
        "assistant",
        "tool",
        "tool",
        "assistant",
        "user",
    ]
    assert sent[-1]["content"] == "Which city did I ask about?"
    assert sent[-2]["content"] == "Raining, 12:00."


def test_tool_error_message_round_trips(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    emulator.script(Reply.text("Sorry, the tool failed."))
    history = [
        HumanMessage("weather?"),
        AIMessage(
            "", tool_calls=[{"name": "GetWeather", "args": {"city": "x"}, "id": "c1"}]
        ),
        ToolMessage("Error: city not found", tool_call_id="c1", status="error"),
    ]
    assert (
        llm.bind_tools([GetWeather]).invoke(history).content
        == "Sorry, the tool failed."
    )
    assert (
        emulator.last_request.json["messages"][2]["content"] == "Error: city not found"
    )
