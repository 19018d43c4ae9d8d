"""Structured output and agents on thinking models, one behaviour at a time: the
strategy of ``_chat.structured_output`` (thinking that is only a default yields; thinking
asked for is kept, with tool_choice "auto", JSON by instruction and one retry).

The emulator enforces DashScope's thinking rules, so a refused request fails here.
``qwen3-32b`` thinks by default (open-source hybrid), ``qwq-plus`` always does.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from langchain_core.exceptions import OutputParserException

from langchain_qwen import ChatQwen
from langchain_qwen._dialect.thinking import settle_thinking
from langchain_qwen.testing import DashScopeEmulator, Reply
from tests.structured_fixtures import (
    ADA,
    REASONING,
    Person,
    get_current_time,
    qwen,
    sent,
)

DEFAULT_ON = "qwen3-32b"


# -- the strategy, one behaviour at a time --------------------------------------------


def test_default_thinking_yields_to_forced_tool_choice(
    emulator: DashScopeEmulator,
) -> None:
    llm = qwen(emulator, DEFAULT_ON)
    emulator.script(Reply.text("plain"))
    llm.invoke("hi")
    assert "enable_thinking" not in emulator.last_request.json
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a default yields silently
        llm.bind_tools([get_current_time], tool_choice="required").invoke("time?")
    body = emulator.last_request.json
    assert body["enable_thinking"] is False
    assert body["tool_choice"] == "required"


def test_keep_thinking_on_a_hybrid_model_when_asked(
    emulator: DashScopeEmulator,
) -> None:
    llm = qwen(emulator, DEFAULT_ON)
    emulator.script(
        Reply.tool_calls([{"name": "Person", "arguments": ADA}], reasoning=REASONING)
    )
    structured = llm.with_structured_output(Person, enable_thinking=True)
    assert structured.invoke("Ada, 36") == Person(**ADA)
    body = emulator.last_request.json
    assert body["enable_thinking"] is True
    assert body["tool_choice"] == "auto"


def test_no_tool_call_while_thinking_is_asked_once_more(
    emulator: DashScopeEmulator,
) -> None:
    llm = qwen(emulator, "qwq-plus")
    emulator.script(
        Reply.text("Ada Lovelace, 36.", reasoning=REASONING),
        Reply.tool_calls([{"name": "Person", "arguments": ADA}], reasoning=REASONING),
    )
    assert llm.with_structured_output(Person).invoke("Ada, 36") == Person(**ADA)
    first, second = sent(emulator)
    assert second["messages"][: len(first["messages"])] == first["messages"]
    assert second["messages"][-2] == {
        "role": "assistant",
        "content": "Ada Lovelace, 36.",
    }
    assert "Person" in second["messages"][-1]["content"]


@pytest.mark.asyncio(loop_scope="module")
async def test_invalid_arguments_while_thinking_are_sent_back_once(
    emulator: DashScopeEmulator,
) -> None:
    llm = qwen(emulator, "qwq-plus")
    emulator.script(
        Reply.tool_calls(
            [{"name": "Person", "arguments": {"name": "Ada", "age": -1}, "id": "c1"}]
        ),
        Reply.tool_calls([{"name": "Person", "arguments": ADA, "id": "c2"}]),
    )
    assert await llm.with_structured_output(Person).ainvoke("Ada") == Person(**ADA)
    retry = sent(emulator)[1]["messages"]
    assert retry[-1]["role"] == "tool"
    assert retry[-1]["tool_call_id"] == "c1"
    assert "age" in retry[-1]["content"]


def test_still_invalid_after_the_retry_is_reported(
    emulator: DashScopeEmulator,
) -> None:
    llm = qwen(emulator, "qwq-plus")
    emulator.script(Reply.text("no"), Reply.text("still no"))
    out = llm.with_structured_output(Person, include_raw=True).invoke("Ada")
    assert out["parsed"] is None
    assert out["raw"].content == "still no"
    assert len(emulator.requests) == 2
    emulator.script(Reply.text("no"), Reply.text("{not json"))
    with pytest.raises(OutputParserException, match="Failed to parse Person"):
        llm.with_structured_output(Person, method="json_schema").invoke("Ada")


def test_json_schema_without_native_support_goes_as_json_object(
    emulator: DashScopeEmulator,
) -> None:
    # Qwen3-VL is not among the vendor's JSON-schema models.
    llm = qwen(emulator, "qwen3-vl-plus")
    emulator.script(Reply.text(json.dumps(ADA)))
    assert llm.with_structured_output(Person, method="json_schema").invoke(
        "Ada"
    ) == Person(**ADA)
    body = emulator.last_request.json
    assert body["response_format"] == {"type": "json_object"}
    assert '"age"' in body["messages"][0]["content"]


def test_json_mode_adds_the_json_word(emulator: DashScopeEmulator) -> None:
    emulator.script(Reply.text(json.dumps(ADA)))
    llm = qwen(emulator, "qwen-plus")
    llm.with_structured_output(Person, method="json_mode").invoke("Ada, 36")
    body = emulator.last_request.json
    assert body["response_format"] == {"type": "json_object"}
    assert "json" in json.dumps(body["messages"]).lower()


def test_raise_policy_refuses_before_sending(emulator: DashScopeEmulator) -> None:
    llm = qwen(emulator, DEFAULT_ON, enable_thinking=True, thinking_tool_choice="raise")
    with pytest.raises(ValueError, match="response_format"):
        llm.invoke("json please", response_format={"type": "json_object"})
    with pytest.raises(ValueError, match="enable_thinking"):
        qwen(emulator, "qwen-plus", thinking_tool_choice="raise").invoke(
            "json please",
            response_format={"type": "json_object"},
            enable_thinking=True,
        )
    with pytest.raises(ValueError, match="tool_choice"):
        llm.bind_tools([get_current_time], tool_choice="required").invoke("x")
    assert emulator.requests == []


def test_settle_thinking_moves_the_schema_into_the_system_message() -> None:
    schema = {"type": "object", "properties": {"age": {"type": "integer"}}}
    body: dict[str, Any] = {
        "model": "qwq-plus",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "x"},
        ],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "P", "schema": schema},
        },
    }
    with pytest.warns(UserWarning, match="always on for this model"):
        settle_thinking(body, policy="auto")
    assert "response_format" not in body
    system = body["messages"][0]["content"]
    assert system.startswith("Be brief.\n\n")
    assert json.dumps(schema, separators=(",", ":")) in system


@pytest.mark.parametrize(
    ("model", "thinking", "expected"),
    [
        ("qwen-plus", None, True),
        ("qwen-plus", False, True),
        ("qwen-plus", True, False),
        ("qwen3-max", None, True),
        ("qwq-plus", None, False),
        ("qwq-plus", True, False),
    ],
)
def test_profile_structured_output_follows_thinking(
    model: str, thinking: bool | None, expected: bool
) -> None:
    llm = ChatQwen(model=model, api_key="sk-test", enable_thinking=thinking)
    assert llm.profile is not None
    assert llm.profile["structured_output"] is expected


# -- the emulator: thinking rules and forced tool choice --------------------------------


def _post(emulator: DashScopeEmulator, body: dict[str, Any]) -> Any:
    import httpx

    return httpx.post(
        f"{emulator.base_url}/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {emulator.api_key}"},
    )


_PERSON_TOOL = {
    "type": "function",
    "function": {"name": "Person", "parameters": Person.model_json_schema()},
}
_TIME_TOOL = {
    "type": "function",
    "function": {"name": "now", "parameters": {"type": "object", "properties": {}}},
}


@pytest.mark.parametrize(
    ("model", "extra"),
    [
        ("qwq-plus", {"tool_choice": "required"}),
        (
            DEFAULT_ON,
            {"tool_choice": {"type": "function", "function": {"name": "Person"}}},
        ),
        ("qwen-plus", {"enable_thinking": True, "tool_choice": "required"}),
        (DEFAULT_ON, {"response_format": {"type": "json_object"}}),
        ("qwq-plus", {"response_format": {"type": "json_object"}}),
    ],
)
def test_emulator_refuses_what_dashscope_refuses_while_thinking(
    emulator: DashScopeEmulator, model: str, extra: dict[str, Any]
) -> None:
    body = {
        "model": model,
        "stream": model == "qwq-plus",
        "messages": [{"role": "user", "content": "json please"}],
        "tools": [_PERSON_TOOL],
        **extra,
    }
    response = _post(emulator, body)
    assert response.status_code == 400
    assert "thinking" in response.json()["error"]["message"]
    body["enable_thinking"] = False
    if model != "qwq-plus":  # a hybrid model accepts it with thinking off
        assert _post(emulator, body).status_code == 200


def test_emulator_forced_tool_choice_calls_with_schema_valid_arguments(
    emulator: DashScopeEmulator,
) -> None:
    body: dict[str, Any] = {
        "model": "qwen-plus",
        "messages": [{"role": "user", "content": "Ada"}],
        "tools": [_TIME_TOOL, _PERSON_TOOL],
        "tool_choice": {"type": "function", "function": {"name": "Person"}},
    }
    call = _post(emulator, body).json()["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["name"] == "Person"
    Person.model_validate_json(call["function"]["arguments"])
    # "required": each tool not yet called, in order, then the last one again.
    body["tool_choice"] = "required"
    names = []
    for _ in range(3):
        message = _post(emulator, body).json()["choices"][0]["message"]
        names.append(message["tool_calls"][0]["function"]["name"])
        body["messages"] += [
            message,
            {
                "role": "tool",
                "tool_call_id": message["tool_calls"][0]["id"],
                "content": "ok",
            },
        ]
    assert names == ["now", "Person", "Person"]
    body["tool_choice"] = "auto"  # the model chooses: unscripted, it answers
    assert "tool_calls" not in _post(emulator, body).json()["choices"][0]["message"]
