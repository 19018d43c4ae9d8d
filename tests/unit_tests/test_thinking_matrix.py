"""Structured output and agents on thinking models (issue 12): the emulator enforces
DashScope's thinking rules (forced tool_choice and JSON modes refused while thinking,
with its own per-model thinking defaults), so a request DashScope would refuse fails
the test with a DashScopeBadRequestError.

The model facts below are written out here, from the vendor's thinking guide, not
read from the client: Qwen3.5 and later hybrid models think by default; qwen3-max,
qwen-plus and Qwen3-VL default off; QwQ always thinks.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain.agents.structured_output import ProviderStrategy, ToolStrategy
from langchain_core.messages import AIMessage

from langchain_qwen.testing import DashScopeEmulator, Reply
from langchain_qwen.testing.pytest_plugin import _allow_loopback
from tests.structured_fixtures import (
    ADA,
    REASONING,
    Person,
    get_current_time,
    get_current_weather,
    qwen,
    sent,
)

# One event loop for the module: the async HTTP pool is per loop, and building one
# costs more than the requests of a test.
pytestmark = pytest.mark.asyncio(loop_scope="module")

FUTURE = "qwen3.9-max"  # a name no catalogue has yet
DEFAULT_ON = (
    "qwen3.5-plus",
    "qwen3.5-flash",
    "qwen3.6-plus",
    "qwen3.6-flash",
    "qwen3.7-max",
    "qwen3.8-max",
    FUTURE,
)
DEFAULT_OFF = ("qwen3-max", "qwen-plus", "qwen3-vl-plus")
ALWAYS = ("qwq-plus",)
MODELS = DEFAULT_ON + DEFAULT_OFF + ALWAYS

# (model, enable_thinking): default / on / off where the model allows it.
CASES = [
    (model, thinking)
    for model in MODELS
    for thinking in ((None, True) if model in ALWAYS else (None, True, False))
]
CASE_IDS = [
    f"{m}-thinking_{ {None: 'default', True: 'on', False: 'off'}[t] }" for m, t in CASES
]


@pytest.fixture(scope="module")
def module_emulator(request: pytest.FixtureRequest) -> Iterator[DashScopeEmulator]:
    # This module's models, the invented one included, in a strict list.
    _allow_loopback(request)
    with DashScopeEmulator(models=list(MODELS)) as emu:
        yield emu


@pytest.fixture
def emulator(
    request: pytest.FixtureRequest, module_emulator: DashScopeEmulator
) -> DashScopeEmulator:
    """This module's emulator (its own model list), reset for each test."""
    _allow_loopback(request)
    module_emulator.reset()
    return module_emulator


def _thinks(model: str, body: dict[str, Any]) -> bool:
    """Whether DashScope thinks for ``body``, from the facts above."""
    flag = body.get("enable_thinking")
    if model in ALWAYS:
        return True
    return model in DEFAULT_ON if flag is None else bool(flag)


def _check_thinking_rules(model: str, body: dict[str, Any]) -> None:
    """The rules, checked on what was sent (the emulator refuses them too)."""
    if _thinks(model, body):
        assert body.get("tool_choice") in (None, "auto", "none"), body["tool_choice"]
        fmt = body.get("response_format") or {}
        assert fmt.get("type") not in ("json_object", "json_schema"), fmt
    if model in ALWAYS:
        assert body.get("enable_thinking") is not False


def _as_person(result: Any) -> Person:
    return result if isinstance(result, Person) else Person(**result)


# -- with_structured_output: every method, sync, async and include_raw ---------------


@pytest.mark.parametrize(("model", "thinking"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("method", ["function_calling", "json_mode", "json_schema"])
async def test_structured_output_matrix(
    emulator: DashScopeEmulator, model: str, thinking: bool | None, method: str
) -> None:
    llm = qwen(emulator, model, enable_thinking=thinking)
    # Nothing raises at construction, whatever the model thinks.
    structured = llm.with_structured_output(Person, method=method)  # type: ignore[arg-type]
    raw_structured = llm.with_structured_output(
        Person,
        method=method,  # type: ignore[arg-type]
        include_raw=True,
    )
    locked = model in ALWAYS  # hybrid models turn thinking off for the call

    def script() -> None:
        if method == "function_calling":
            # Unscripted, the emulator calls a forced tool with arguments read
            # from the prompt; a thinking model chooses for itself, so script it.
            if locked:
                emulator.script(
                    Reply.tool_calls(
                        [{"name": "Person", "arguments": ADA}], reasoning=REASONING
                    )
                )
        else:
            fenced = f"```json\n{json.dumps(ADA)}\n```" if locked else json.dumps(ADA)
            emulator.script(Reply.text(fenced, reasoning=REASONING if locked else None))

    results = []
    script()
    results.append(structured.invoke("Ada Lovelace died at 36."))
    script()
    results.append(await structured.ainvoke("Ada Lovelace died at 36."))
    script()
    out = raw_structured.invoke("Ada Lovelace died at 36.")
    assert out["parsing_error"] is None
    assert isinstance(out["raw"], AIMessage)
    results.append(out["parsed"])

    bodies = sent(emulator)
    assert len(bodies) == 3  # no retries were needed
    for body, result in zip(bodies, results, strict=True):
        _check_thinking_rules(model, body)
        person = _as_person(result)
        if method == "function_calling" and not locked:
            assert body["tool_choice"] == {
                "type": "function",
                "function": {"name": "Person"},
            }
        # Scripted, or unscripted: the emulator's model reads both from the prompt.
        assert person == Person(**ADA)
        if locked:
            assert body.get("enable_thinking") is thinking
            assert "response_format" not in body
        elif method != "function_calling":
            assert body["response_format"]["type"] in ("json_object", "json_schema")
        if thinking is True and not locked:
            assert body["enable_thinking"] is False  # off for this call
        if (
            method == "json_schema"
            and body.get("response_format", {}).get("type") != "json_schema"
        ):
            # The schema travels in the instruction instead.
            assert '"age"' in body["messages"][0]["content"]


# -- create_agent: two tools and a response format, both strategies ------------------


def _agent_script(
    emulator: DashScopeEmulator, strategy: str, *, thinking: bool
) -> None:
    reasoning = REASONING if thinking else None
    emulator.script(
        Reply.tool_calls(
            [
                {"name": "get_current_time", "arguments": {}, "id": "c_time"},
                {
                    "name": "get_current_weather",
                    "arguments": {"location": "London"},
                    "id": "c_weather",
                },
            ],
            reasoning=reasoning,
        )
    )
    if strategy == "provider":
        emulator.script(Reply.text(json.dumps(ADA), reasoning=reasoning))
    else:
        emulator.script(
            Reply.tool_calls(
                [{"name": "Person", "arguments": ADA, "id": "c_out"}],
                reasoning=reasoning,
            )
        )


@pytest.mark.parametrize(("model", "thinking"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("response_format", ["schema", "tool", "provider"])
async def test_agent_matrix(
    emulator: DashScopeEmulator,
    model: str,
    thinking: bool | None,
    response_format: str,
) -> None:
    llm = qwen(emulator, model, enable_thinking=thinking)
    keeps_thinking = model in ALWAYS or thinking is True
    profile = llm.profile
    assert profile is not None or model == FUTURE
    if keeps_thinking:
        # Agents read this to pick the provider strategy, which would need a JSON
        # response_format DashScope refuses while thinking.
        assert profile is None or profile["structured_output"] is False
    fmt: Any = {
        "schema": Person,
        "tool": ToolStrategy(Person),
        "provider": ProviderStrategy(Person),
    }[response_format]
    strategy = response_format
    if response_format == "schema":
        native = bool(profile and profile.get("structured_output"))
        strategy = "provider" if native else "tool"
    agent = create_agent(
        llm, tools=[get_current_time, get_current_weather], response_format=fmt
    )
    question = {"messages": [("user", "Who was Ada? Also time and London weather.")]}
    # The automatic choice runs sync and async; the explicit strategies one each.
    runs = {"schema": ("sync", "async"), "tool": ("sync",), "provider": ("async",)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for run in runs[response_format]:
            _agent_script(emulator, strategy, thinking=keeps_thinking)
            if run == "sync":
                result = agent.invoke(question)
            else:
                result = await agent.ainvoke(question)
            assert result["structured_response"] == Person(**ADA)
    bodies = sent(emulator)
    assert len(bodies) == 2 * len(runs[response_format])
    for body in bodies:
        _check_thinking_rules(model, body)
        names = {t["function"]["name"] for t in body["tools"]}
        assert {"get_current_time", "get_current_weather"} <= names
        if strategy == "tool":
            assert "Person" in names
            assert body["tool_choice"] == ("auto" if keeps_thinking else "required")
        elif keeps_thinking:
            assert "response_format" not in body
            assert '"age"' in body["messages"][0]["content"]  # schema instruction
        else:
            assert body["response_format"]["type"] == "json_schema"
        if keeps_thinking:
            assert body.get("enable_thinking") is not False
    # Each change made to a request that thinking was asked for is announced.
    announced = [str(w.message) for w in caught if "while thinking" in str(w.message)]
    assert bool(announced) == keeps_thinking
