"""Live checks of DashScope's Responses API (skipped without ``DASHSCOPE_API_KEY``).

The region comes from ``DASHSCOPE_REGION`` (Singapore by default); the model from
``QWEN_RESPONSES_MODEL`` (default ``qwen3-max``, listed by the vendor for this API).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool

from langchain_qwen import ChatQwen
from tests.call_modes import MODES, run


@tool
def get_weather(city: str) -> str:
    """Get the current weather of a city."""
    return f"{city}: light rain, 18°C."


def _llm(**kwargs: Any) -> ChatQwen:
    return ChatQwen(
        model=os.environ.get("QWEN_RESPONSES_MODEL", "qwen3-max"),
        use_responses_api=True,
        max_retries=3,
        **kwargs,
    )


@pytest.mark.parametrize("mode", MODES)
def test_text_usage_and_id_live(mode: str) -> None:
    msg = run(_llm(), "Say hello in one short sentence.", mode)
    assert msg.text
    assert msg.response_metadata["object"] == "response"
    assert msg.response_metadata["id"]
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["input_tokens"] > 0


@pytest.mark.parametrize("mode", MODES)
def test_reasoning_live(mode: str) -> None:
    msg = run(_llm(enable_thinking=True), "Is 9.11 bigger than 9.9? One word.", mode)
    assert msg.text
    assert "reasoning" in [b["type"] for b in msg.content_blocks]
    assert msg.additional_kwargs.get("reasoning_content")


@pytest.mark.parametrize("mode", MODES)
def test_web_search_sources_live(mode: str) -> None:
    llm = _llm().bind_tools([{"type": "web_search"}])
    msg = run(llm, "Search the web: what is Alibaba Cloud Model Studio?", mode)
    blocks = msg.content_blocks
    calls = [b for b in blocks if b["type"] == "server_tool_call"]
    assert [c["name"] for c in calls][:1] == ["web_search"]
    assert any(b["type"] == "server_tool_result" for b in blocks)
    assert msg.text


@pytest.mark.parametrize("mode", MODES)
def test_previous_response_id_live(mode: str) -> None:
    llm = _llm()
    first = run(llm, "My name is Ada. Reply with OK.", mode)
    second = run(
        llm,
        "What is my name? One word.",
        mode,
        previous_response_id=first.response_metadata["id"],
    )
    assert "ada" in second.text.lower()


def test_agent_web_search_and_function_tool_live() -> None:
    agent = create_agent(
        _llm(use_previous_response_id=True),
        tools=[{"type": "web_search"}, get_weather],
    )
    result = agent.invoke(
        {
            "messages": [
                HumanMessage(
                    "Use get_weather for Hangzhou, and search the web for today's "
                    "top headline. Answer in two sentences."
                )
            ]
        }
    )
    called = {
        tc["name"] for m in result["messages"] for tc in getattr(m, "tool_calls", [])
    }
    assert "get_weather" in called
    assert result["messages"][-1].text


def test_session_cache_header_accepted_live() -> None:
    llm = _llm(session_cache=True, use_previous_response_id=True)
    history: list[Any] = [HumanMessage("Remember the number 7. " * 300)]
    history.append(llm.invoke(history))
    history.append(HumanMessage("Which number? One word."))
    answer = llm.invoke(history)
    assert "7" in answer.text or "seven" in answer.text.lower()
    assert answer.usage_metadata is not None


def test_web_extractor_and_code_interpreter_live() -> None:
    # The vendor's web-extractor page: enable web_search with it, and thinking.
    llm = _llm(enable_thinking=True).bind_tools(
        [
            {"type": "web_search"},
            {"type": "web_extractor"},
            {"type": "code_interpreter"},
        ]
    )
    msg = llm.invoke(
        "Open https://www.alibabacloud.com/help/en/model-studio/ and count the words "
        "of its title with Python."
    )
    names = {b["name"] for b in msg.content_blocks if b["type"] == "server_tool_call"}
    assert names & {"web_extractor", "code_interpreter", "web_search"}
    assert msg.text
