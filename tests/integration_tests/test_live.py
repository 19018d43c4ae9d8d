"""Live DashScope checks beyond the standard suite: the demo agent, thinking, regions."""

from __future__ import annotations

import os

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessageChunk
from langchain_core.tools import tool

from langchain_qwen import ChatQwen, DashScopeAuthenticationError


@tool
def get_current_time() -> str:
    """Get the current local date and time."""
    return "Current time: 2026-11-26 12:00."


@tool
def get_current_weather(location: str) -> str:
    """Get the current weather of a city."""
    return f"{location}: light rain, 18°C."


def _llm(**kwargs: object) -> ChatQwen:
    return ChatQwen(
        model=os.environ.get("QWEN_MODEL", "qwen-plus"), max_retries=3, **kwargs
    )


def test_agent_two_tools_live() -> None:
    agent = create_agent(_llm(), tools=[get_current_time, get_current_weather])
    result = agent.invoke(
        {"messages": [("user", "What time is it and what's the weather in Hangzhou?")]}
    )
    called = {
        tc["name"]
        for m in result["messages"]
        for tc in getattr(m, "tool_calls", []) or []
    }
    assert called == {"get_current_time", "get_current_weather"}
    assert result["messages"][-1].content


async def test_agent_two_tools_live_async() -> None:
    agent = create_agent(_llm(), tools=[get_current_time, get_current_weather])
    result = await agent.ainvoke(
        {"messages": [("user", "What time is it and what's the weather in Hangzhou?")]}
    )
    assert result["messages"][-1].content


def test_thinking_stream_live() -> None:
    chunks = list(
        _llm(enable_thinking=True, thinking_budget=200).stream("Is 9.11 > 9.9?")
    )
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert isinstance(total, AIMessageChunk)
    assert total.additional_kwargs.get("reasoning_content")
    assert total.usage_metadata is not None
    assert total.usage_metadata.get("output_token_details", {}).get("reasoning", 0) > 0


def test_wrong_region_says_so() -> None:
    region = os.environ.get("DASHSCOPE_REGION", "singapore")
    other = "china" if region != "china" else "singapore"
    with pytest.raises(DashScopeAuthenticationError, match="region"):
        _llm(region=other, max_retries=0).invoke("hi")
