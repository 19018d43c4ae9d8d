"""Errors LangChain understands, partial mode, strict tools and native parts.

Each test is a "Why" item of issue 10, against the emulator on loopback.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.exceptions import ContextOverflowError
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel

from langchain_qwen import (
    DashScopeBadRequestError,
    DashScopeContextOverflowError,
    DashScopeQuotaError,
)
from langchain_qwen.testing import DashScopeEmulator, Reply

_OVERFLOWS = [
    ("invalid_parameter_error", "Range of input length should be [1, 129024]"),
    ("context_length_exceeded", "The input is too long."),
    (
        "invalid_request_error",
        "This model's maximum context length is 32768 tokens. However, your "
        "messages resulted in 40000 tokens.",
    ),
]


def _run(llm: Any, mode: str) -> Any:
    if mode == "invoke":
        return llm.invoke("x")
    if mode == "stream":
        return list(llm.stream("x"))

    async def go() -> Any:
        if mode == "ainvoke":
            return await llm.ainvoke("x")
        return [c async for c in llm.astream("x")]

    return asyncio.run(go())


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
@pytest.mark.parametrize(("code", "message"), _OVERFLOWS)
def test_context_overflow_is_langchains_error(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, code: str, message: str
) -> None:
    emulator.script(Reply.error(400, code, message))
    with pytest.raises(ContextOverflowError) as info:
        _run(make_llm(), mode)
    assert isinstance(info.value, DashScopeBadRequestError)
    assert isinstance(info.value, DashScopeContextOverflowError)
    assert info.value.is_retryable is False


def test_other_bad_requests_are_not_overflows(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.error(400, "invalid_parameter_error", "bad temperature"))
    with pytest.raises(DashScopeBadRequestError) as info:
        make_llm().invoke("x")
    assert not isinstance(info.value, ContextOverflowError)


def test_quota_is_not_retryable_for_langchain(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.error(429, "insufficient_quota"))
    with pytest.raises(DashScopeQuotaError) as info:
        make_llm().invoke("x")
    assert info.value.is_retryable is False


# -- agents: SummarizationMiddleware and ModelRetryMiddleware ---------------------------
def test_summarization_middleware_recovers_from_overflow(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    from langchain.agents import create_agent
    from langchain.agents.middleware import SummarizationMiddleware

    llm = make_llm()
    emulator.script(
        Reply.error(400, "invalid_parameter_error", "Range of input length should be"),
        Reply.text("SUMMARY-OF-EARLIER-TURNS"),
        Reply.text("final answer"),
    )
    agent = create_agent(
        llm,
        tools=[],
        middleware=[
            SummarizationMiddleware(llm, trigger=("messages", 4), keep=("messages", 1))
        ],
    )
    history: list[Any] = []
    for i in range(4):
        history += [HumanMessage(f"question {i} " * 50), AIMessage(f"answer {i}")]
    history.append(HumanMessage("and now?"))
    result = agent.invoke({"messages": history})
    assert result["messages"][-1].text == "final answer"
    requests = emulator.requests
    assert len(requests) == 3
    # The retried summary prompt is shorter than the one that overflowed.
    assert len(requests[1].body) < len(requests[0].body)
    assert "SUMMARY-OF-EARLIER-TURNS" in requests[2].body.decode()


def test_model_retry_middleware_follows_is_retryable(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    from langchain.agents import create_agent
    from langchain.agents.middleware import ModelRetryMiddleware

    retry = ModelRetryMiddleware(
        max_retries=2, initial_delay=0, jitter=False, on_failure="error"
    )
    agent = create_agent(make_llm(), tools=[], middleware=[retry])
    emulator.script(Reply.error(429, "limit_requests"), Reply.text("after retry"))
    result = agent.invoke({"messages": [HumanMessage("hi")]})
    assert result["messages"][-1].text == "after retry"
    assert len(emulator.requests) == 2
    emulator.script(Reply.error(429, "insufficient_quota"), Reply.text("never"))
    with pytest.raises(DashScopeQuotaError):
        agent.invoke({"messages": [HumanMessage("hi")]})
    assert len(emulator.requests) == 3  # the quota error was not retried


# -- partial mode ----------------------------------------------------------------------
def test_partial_mode(emulator: DashScopeEmulator, make_llm: Any) -> None:
    emulator.script(Reply.text("    return n"))
    prefix = AIMessage("def fib(n):\n", additional_kwargs={"partial": True})
    make_llm(enable_thinking=False).invoke([HumanMessage("complete it"), prefix])
    last = emulator.last_request.json["messages"][-1]
    assert last == {"role": "assistant", "content": "def fib(n):\n", "partial": True}


def test_partial_mode_turns_default_thinking_off(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text("    return n"))
    prefix = AIMessage("def fib(n):\n", additional_kwargs={"partial": True})
    make_llm(model="qwen3-32b").invoke([HumanMessage("complete it"), prefix])
    body = emulator.last_request.json
    assert body["enable_thinking"] is False
    assert body["messages"][-1]["partial"] is True


def test_partial_mode_refusals(make_llm: Any) -> None:
    prefix = AIMessage("def fib(n):\n", additional_kwargs={"partial": True})
    with pytest.raises(ValueError, match="enable_thinking=False"):
        make_llm(enable_thinking=True).invoke([HumanMessage("go"), prefix])
    with pytest.raises(ValueError, match="only the last message"):
        make_llm().invoke([HumanMessage("go"), prefix, HumanMessage("more")])


# -- strict on every tool form -----------------------------------------------------------
class GetWeather(BaseModel):
    """Get the weather."""

    city: str


class Person(BaseModel):
    """A person."""

    name: str


_DICT_TOOL = {
    "type": "function",
    "function": {
        "name": "lookup",
        "description": "Look up.",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
    },
}


def test_strict_reaches_dict_tools(emulator: DashScopeEmulator, make_llm: Any) -> None:
    emulator.script(Reply.text("ok"))
    make_llm().bind_tools([_DICT_TOOL, GetWeather], strict=True).invoke("x")
    tools = emulator.last_request.json["tools"]
    assert [t["function"]["strict"] for t in tools] == [True, True]
    assert "strict" not in _DICT_TOOL["function"]  # the caller's dict is untouched


def test_bind_tools_response_format_defaults_strict(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text('{"name": "Ann"}'))
    llm = make_llm(enable_thinking=False)
    llm.bind_tools([GetWeather], response_format=Person).invoke("x")
    body = emulator.last_request.json
    assert body["tools"][0]["function"]["strict"] is True
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["response_format"]["json_schema"]["name"] == "Person"


# -- ChatTongyi-style native parts -----------------------------------------------------
def test_native_parts_are_typed(emulator: DashScopeEmulator, make_llm: Any) -> None:
    emulator.script(Reply.text("a cat"))
    message = HumanMessage(
        content=[{"image": "https://example.com/cat.png"}, {"text": "What is it?"}]
    )
    make_llm(model="qwen3-vl-plus").invoke([message])
    content = emulator.last_request.json["messages"][-1]["content"]
    assert content == [
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
        {"type": "text", "text": "What is it?"},
    ]


def test_native_image_part_checked_against_the_model(make_llm: Any) -> None:
    message = HumanMessage(content=[{"image": "https://example.com/cat.png"}])
    with pytest.raises(ValueError, match="does not accept image input"):
        make_llm(model="qwen-plus").invoke([message])
