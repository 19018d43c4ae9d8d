"""Every invalid value raises a clear error naming the field, before a byte is sent."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from pydantic import BaseModel

from langchain_qwen import ChatQwen
from langchain_qwen.testing import DashScopeEmulator


class GetWeather(BaseModel):
    """Get the weather of a city."""

    city: str


_CONSTRUCTOR_CASES: list[tuple[dict[str, Any], str]] = [
    ({"temperature": 2.0}, "temperature"),
    ({"temperature": -0.1}, "temperature"),
    ({"top_p": 0}, "top_p"),
    ({"top_p": 1.5}, "top_p"),
    ({"presence_penalty": 2.5}, "presence_penalty"),
    ({"n": 5}, "n"),
    ({"n": 0}, "n"),
    ({"seed": -1}, "seed"),
    ({"seed": 2**31}, "seed"),
    ({"top_logprobs": 6}, "top_logprobs"),
    ({"thinking_budget": 0}, "thinking_budget"),
    ({"top_k": -1}, "top_k"),
    ({"stop": ["a", 1]}, "stop"),
    ({"stop": [[1, 2], "x"]}, "stop"),
    ({"max_tokens": 0}, "max_tokens"),
    ({"response_format": {"type": "yaml"}}, "response_format"),
    ({"region": "mars"}, "region"),
    ({"region": "tokyo"}, "region"),
    ({"model_kwargs": {"seed": -5}}, "seed"),
]

_CALL_CASES: list[tuple[dict[str, Any], str]] = [
    ({"temperature": 3}, "temperature"),
    ({"top_p": -1}, "top_p"),
    ({"n": 9}, "n"),
    ({"seed": 2**40}, "seed"),
    ({"stop": ["x", 5]}, "stop"),
    ({"top_logprobs": 10}, "top_logprobs"),
    ({"enable_thinking": "yes"}, "enable_thinking"),
    ({"thinking_budget": -3}, "thinking_budget"),
    ({"enable_thinkng": True}, "enable_thinkng"),
    (
        {"response_format": {"type": "json_object"}, "enable_thinking": True},
        "enable_thinking",
    ),
    ({"extra_body": {"seed": -1}}, "seed"),
]


@pytest.mark.parametrize(("kwargs", "field"), _CONSTRUCTOR_CASES)
def test_constructor_rejects(
    emulator: DashScopeEmulator, kwargs: dict[str, Any], field: str
) -> None:
    base = {"base_url": emulator.base_url, "api_key": emulator.api_key}
    if "region" in kwargs:
        base = {"api_key": "sk-x"}
    with pytest.raises((ValueError, TypeError)) as info:
        ChatQwen(**base, **kwargs)
    assert field in str(info.value)
    assert emulator.requests == []


@pytest.mark.parametrize(("kwargs", "field"), _CALL_CASES)
def test_call_rejects(
    emulator: DashScopeEmulator, llm: ChatQwen, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        llm.invoke("hi", **kwargs)
    assert field in str(info.value)
    with pytest.raises((ValueError, TypeError)):
        list(llm.stream("hi", **kwargs))
    assert emulator.requests == []


def test_error_lists_allowed_values(llm: ChatQwen) -> None:
    with pytest.raises(ValueError, match=r"temperature.*\[0, 2\)"):
        llm.invoke("x", temperature=2)
    with pytest.raises(ValueError, match=r"singapore.*us.*china.*hongkong"):
        ChatQwen(api_key="k", region="atlantis")


def test_n_with_tools_refused(emulator: DashScopeEmulator, make_llm: Any) -> None:
    with pytest.raises(ValueError, match="`n`"):
        make_llm(n=2).bind_tools([GetWeather]).invoke("weather?")
    assert emulator.requests == []


def test_forced_tool_choice_in_thinking_refused(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(enable_thinking=True)
    for choice in ("required", "GetWeather", "any"):
        with pytest.raises(ValueError, match="tool_choice"):
            llm.bind_tools([GetWeather], tool_choice=choice).invoke("weather?")
    assert emulator.requests == []


@pytest.mark.parametrize(
    "messages",
    [
        [],
        [HumanMessage("hi"), ToolMessage("result", tool_call_id="call_missing")],
        [
            HumanMessage("hi"),
            AIMessage("", tool_calls=[{"name": "f", "args": {}, "id": "call_a"}]),
            ToolMessage("result", tool_call_id="call_b"),
        ],
    ],
    ids=["empty", "orphan-tool-message", "wrong-tool-call-id"],
)
async def test_bad_message_lists(
    emulator: DashScopeEmulator, llm: ChatQwen, messages: list[Any]
) -> None:
    with pytest.raises(ValueError, match=r"messages|tool_call_id"):
        llm.invoke(messages)
    with pytest.raises(ValueError, match=r"messages|tool_call_id"):
        await llm.ainvoke(messages)
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("tool", "needle"),
    [
        (
            {"type": "function", "function": {"name": "x" * 65, "parameters": {}}},
            "tool name",
        ),
        (
            {"type": "function", "function": {"name": "bad name!", "parameters": {}}},
            "tool name",
        ),
        (
            {
                "type": "function",
                "function": {"name": "ok", "parameters": {"type": "string"}},
            },
            "parameters",
        ),
    ],
)
def test_bad_tools(
    emulator: DashScopeEmulator, llm: ChatQwen, tool: dict, needle: str
) -> None:
    with pytest.raises(ValueError, match=needle):
        llm.bind_tools([tool])
    with pytest.raises(ValueError, match=needle):
        llm.invoke("x", tools=[tool])
    assert emulator.requests == []


def test_unknown_tool_choice_name(llm: ChatQwen) -> None:
    with pytest.raises(ValueError, match="not among the bound tools"):
        llm.bind_tools([GetWeather], tool_choice="get_time")


def test_missing_key_names_dashscope_env() -> None:
    with pytest.raises(ValueError, match="DASHSCOPE_API_KEY") as info:
        ChatQwen(model="qwen-plus")
    assert "OPENAI_API_KEY" not in str(info.value)
