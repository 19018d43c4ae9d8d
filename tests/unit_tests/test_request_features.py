"""Request features of issue 12: preserve_thinking, agent_max web search, the code
interpreter, per-call reasoning_effort, and ``n`` only where DashScope serves it.

Each rule is a row of the registry (``_dialect/rules.py``); the emulator enforces its
own copy, so a request DashScope would refuse fails here too.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage

from langchain_qwen import ChatQwen
from langchain_qwen.testing import DashScopeEmulator, Reply
from langchain_qwen.testing.pytest_plugin import dashscope_emulator_factory

__all__ = ["dashscope_emulator_factory"]

_HISTORY = [
    HumanMessage("Pick a number."),
    AIMessage("Done.", additional_kwargs={"reasoning_content": "I picked 7."}),
    HumanMessage("Which one?"),
]


def _llm(emulator: DashScopeEmulator, **kwargs: Any) -> ChatQwen:
    params: dict[str, Any] = {
        "model": "qwen-plus",
        "base_url": emulator.base_url,
        "api_key": emulator.api_key,
        "max_retries": 0,
    }
    return ChatQwen(**{**params, **kwargs})


def _body(emulator: DashScopeEmulator) -> dict[str, Any]:
    return emulator.last_request.json


# -- preserve_thinking ----------------------------------------------------------------


def test_preserve_thinking_sends_earlier_reasoning_back(
    emulator: DashScopeEmulator,
) -> None:
    _llm(emulator, model="qwen3.6-plus").invoke(_HISTORY)
    body = _body(emulator)
    assert "preserve_thinking" not in body
    assert "reasoning_content" not in body["messages"][1]  # DashScope's default
    _llm(emulator, model="qwen3.6-plus", preserve_thinking=True).invoke(_HISTORY)
    body = _body(emulator)
    assert body["preserve_thinking"] is True
    assert body["messages"][1]["reasoning_content"] == "I picked 7."
    # Per call too (it was a TypeError before).
    _llm(emulator, model="qwen3.6-plus").invoke(_HISTORY, preserve_thinking=True)
    assert _body(emulator)["messages"][1]["reasoning_content"] == "I picked 7."


@pytest.mark.parametrize("flavor", ["vllm", "sglang"])
def test_preserve_thinking_is_a_chat_template_option_self_hosted(
    dashscope_emulator_factory: Any, flavor: str
) -> None:
    emu = dashscope_emulator_factory(flavor=flavor)
    llm = ChatQwen(
        model="Qwen/Qwen3.6-27B",
        base_url=emu.base_url,
        server=flavor,
        enable_thinking=True,
        preserve_thinking=True,
        max_retries=0,
    )
    llm.invoke(_HISTORY)
    body = emu.last_request.json
    assert "preserve_thinking" not in body
    assert body["chat_template_kwargs"] == {
        "enable_thinking": True,
        "preserve_thinking": True,
    }
    assert body["messages"][1]["reasoning_content"] == "I picked 7."


def test_preserve_thinking_dropped_on_ollama_with_a_warning(
    dashscope_emulator_factory: Any,
) -> None:
    emu = dashscope_emulator_factory(flavor="ollama")
    llm = ChatQwen(
        model="qwen3.6", base_url=emu.base_url, server="ollama", max_retries=0
    )
    with pytest.warns(UserWarning, match="preserve_thinking"):
        llm.invoke("hi", preserve_thinking=True)
    assert "preserve_thinking" not in emu.last_request.json


# -- web search: agent_max -------------------------------------------------------------


def test_agent_max_search_is_sent_on_a_stream(emulator: DashScopeEmulator) -> None:
    options = {"search_strategy": "agent_max"}
    llm = _llm(
        emulator, model="qwen3.6-plus", enable_search=True, search_options=options
    )
    emulator.script(Reply.text("Sunny in Hangzhou."))
    assert llm.invoke("Weather in Hangzhou?").content == "Sunny in Hangzhou."
    body = _body(emulator)
    assert body["stream"] is True  # invoke streams for it
    assert body["search_options"] == options
    # Per call as well; other strategies stay non-streaming.
    _llm(emulator).invoke("x", enable_search=True, search_options=options)
    assert _body(emulator)["stream"] is True
    _llm(emulator).invoke("x", search_options={"search_strategy": "agent"})
    assert "stream" not in _body(emulator)


def test_unknown_search_strategy_refused(emulator: DashScopeEmulator) -> None:
    with pytest.raises(ValueError, match="agent_max"):
        _llm(emulator).invoke("x", search_options={"search_strategy": "deepest"})
    assert emulator.requests == []


# -- code interpreter ------------------------------------------------------------------


def test_code_interpreter_streams_and_needs_thinking(
    emulator: DashScopeEmulator,
) -> None:
    emulator.script(Reply.text("123^21 = ...", reasoning="Run it."))
    llm = _llm(emulator, enable_code_interpreter=True, enable_thinking=True)
    assert llm.invoke("What is 123 to the power of 21?").content == "123^21 = ..."
    body = _body(emulator)
    assert body["stream"] is True
    assert body["enable_code_interpreter"] is True
    # A model that thinks by default needs no switch; per call works too.
    _llm(emulator, model="qwen3-32b").invoke("x", enable_code_interpreter=True)
    assert _body(emulator)["enable_code_interpreter"] is True
    emulator.clear()
    with pytest.raises(ValueError, match="needs thinking"):
        _llm(emulator, enable_code_interpreter=True).invoke("x")  # qwen-plus: off
    with pytest.raises(ValueError, match="needs thinking"):
        _llm(emulator, model="qwen3-32b").invoke(
            "x", enable_code_interpreter=True, enable_thinking=False
        )
    assert emulator.requests == []


# -- reasoning_effort per call ---------------------------------------------------------


def test_reasoning_effort_per_call(emulator: DashScopeEmulator) -> None:
    _llm(emulator).invoke("x", reasoning_effort="low")
    assert _body(emulator)["reasoning_effort"] == "low"
    _llm(emulator, reasoning_effort="high").invoke("x")
    assert _body(emulator)["reasoning_effort"] == "high"


# -- n ---------------------------------------------------------------------------------


def test_n_on_a_model_that_serves_it(emulator: DashScopeEmulator) -> None:
    result = _llm(emulator, n=2).generate([[HumanMessage("Slogan?")]])
    assert len(result.generations[0]) == 2
    assert _body(emulator)["n"] == 2


@pytest.mark.parametrize(
    ("model", "extra", "reason"),
    [
        ("qwen3-max", {}, "support"),
        ("qwen3.6-plus", {}, "support"),
        ("qwen-plus", {"enable_thinking": True}, "thinking"),
    ],
)
def test_n_refused_where_dashscope_gives_one_answer(
    emulator: DashScopeEmulator, model: str, extra: dict[str, Any], reason: str
) -> None:
    llm = _llm(emulator, model=model, **extra)
    with pytest.raises(ValueError, match=rf"`n`.*{reason}"):
        llm.invoke("x", n=2)
    assert emulator.requests == []


# -- the emulator enforces the same rules ----------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"model": "qwen3-max", "n": 2},
        {"model": "qwen-plus", "n": 2, "enable_thinking": True, "stream": True},
        {"model": "qwen-plus", "enable_code_interpreter": True, "stream": True},
        {
            "model": "qwen-plus",
            "enable_code_interpreter": True,
            "enable_thinking": True,
        },
        {"model": "qwen-plus", "search_options": {"search_strategy": "agent_max"}},
    ],
)
def test_emulator_refuses(emulator: DashScopeEmulator, body: dict[str, Any]) -> None:
    body["messages"] = [{"role": "user", "content": "hi"}]
    response = httpx.post(
        f"{emulator.base_url}/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {emulator.api_key}"},
    )
    assert response.status_code == 400
    assert "InvalidParameter" in response.json()["error"]["message"]
