"""Every invalid value raises a clear error naming the field, before a byte is sent."""

from __future__ import annotations

import re
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from pydantic import BaseModel, ValidationError

from langchain_qwen import ChatQwen
from langchain_qwen.testing import DashScopeEmulator


def _invalid(field: str) -> str:
    """The message of every value check: the parameter, then what is allowed."""
    return rf"Invalid value for `{re.escape(field)}`: .+\. Allowed: \S"


# The few constructor refusals worded otherwise, each still naming what is allowed.
_OTHER_WORDING = {
    "region='mars'": r"Unknown region='mars'\. Valid regions \(aliases\): singapore",
    "region='tokyo'": r"region='tokyo' \(Tokyo\) is served only through "
    r"workspace-dedicated hosts: pass workspace_id=.*choose one of: singapore",
    "max_retries=-1": r"max_retries must be a non-negative integer",
    "model=None": r"model\n  Input should be a valid string",
    "api_key=''": r"No DashScope API key: set the DASHSCOPE_API_KEY environment "
    r"variable or pass api_key=",
}


# Keys inside a dict parameter: the message names the parameter and lists the key.
_NESTED = {
    "search_strategy": "search_options",
    "forced_search": "search_options",
    "target_lang": "translation_options",
}


def _constructor_message(kwargs: dict[str, Any], field: str) -> str:
    ((name, value),) = kwargs.items()
    return _OTHER_WORDING.get(f"{name}={value!r}", _invalid(field))


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
    # Types and the rest of the table.
    ({"temperature": float("nan")}, "temperature"),
    ({"temperature": float("inf")}, "temperature"),
    ({"frequency_penalty": 3}, "frequency_penalty"),
    ({"max_tokens": -5}, "max_tokens"),
    ({"max_tokens": 10.5}, "max_tokens"),
    ({"seed": 1.5}, "seed"),
    ({"top_k": 5.5}, "top_k"),
    ({"stop": 5}, "stop"),
    ({"stop": [-1]}, "stop"),
    ({"stop": [[]]}, "stop"),
    ({"search_options": "forced"}, "search_options"),
    ({"search_options": ["forced_search"]}, "search_options"),
    ({"translation_options": "en"}, "translation_options"),
    ({"translation_options": {}}, "translation_options"),
    ({"translation_options": {"source_lang": "zh"}}, "translation_options"),
    ({"response_format": "json"}, "response_format"),
    ({"response_format": {"type": "json_schema"}}, "response_format"),
    ({"max_retries": -1}, "max_retries"),
    ({"model": None}, "model"),
    ({"model_kwargs": {"top_k": -1}}, "top_k"),
]

# Values pydantic's lax mode would coerce at construction (True -> 1, "0.5" -> 0.5,
# "yes" -> True): ChatQwen checks the raw values first, as it does per call.
_CONSTRUCTOR_TYPE_CASES: list[Any] = [
    pytest.param(kwargs, field)
    for kwargs, field in [
        ({"temperature": "0.5"}, "temperature"),
        ({"temperature": True}, "temperature"),
        ({"top_p": "0.5"}, "top_p"),
        ({"max_tokens": True}, "max_tokens"),
        ({"max_tokens": "100"}, "max_tokens"),
        ({"n": True}, "n"),
        ({"seed": True}, "seed"),
        ({"top_k": True}, "top_k"),
        ({"top_k": "5"}, "top_k"),
        ({"thinking_budget": True}, "thinking_budget"),
        ({"top_logprobs": True}, "top_logprobs"),
        ({"enable_thinking": 1}, "enable_thinking"),
        ({"enable_search": "yes"}, "enable_search"),
        ({"logprobs": 1}, "logprobs"),
        ({"vl_high_resolution_images": "yes"}, "vl_high_resolution_images"),
        ({"model_kwargs": {"enable_search": "yes"}}, "enable_search"),
    ]
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
    ({"extra_body": {"seed": -1}}, "seed"),
    # Types: strings for numbers, bools for ints, ints for bools.
    ({"temperature": "0.5"}, "temperature"),
    ({"temperature": True}, "temperature"),
    ({"temperature": float("nan")}, "temperature"),
    ({"top_p": "0.5"}, "top_p"),
    ({"presence_penalty": "1"}, "presence_penalty"),
    ({"frequency_penalty": "1"}, "frequency_penalty"),
    ({"max_tokens": True}, "max_tokens"),
    ({"max_tokens": "100"}, "max_tokens"),
    ({"max_tokens": 10.5}, "max_tokens"),
    ({"max_completion_tokens": True}, "max_completion_tokens"),
    ({"n": True}, "n"),
    ({"n": 2.0}, "n"),
    ({"seed": True}, "seed"),
    ({"seed": "1"}, "seed"),
    ({"top_k": -1}, "top_k"),
    ({"top_k": "5"}, "top_k"),
    ({"top_k": True}, "top_k"),
    ({"top_k": 5.5}, "top_k"),
    ({"thinking_budget": True}, "thinking_budget"),
    ({"top_logprobs": True}, "top_logprobs"),
    ({"top_logprobs": 2.0}, "top_logprobs"),
    ({"logprobs": 1}, "logprobs"),
    ({"enable_thinking": 1}, "enable_thinking"),
    ({"enable_search": "yes"}, "enable_search"),
    ({"vl_high_resolution_images": "yes"}, "vl_high_resolution_images"),
    ({"parallel_tool_calls": "no"}, "parallel_tool_calls"),
    ({"stop": 5}, "stop"),
    ({"stop": [True]}, "stop"),
    ({"search_options": "forced"}, "search_options"),
    ({"translation_options": "en"}, "translation_options"),
    ({"translation_options": {"source_lang": "zh"}}, "translation_options"),
    ({"response_format": "json"}, "response_format"),
    ({"modalities": "text"}, "modalities"),
    ({"extra_body": {"temperature": "1"}}, "temperature"),
    ({"model_kwargs": {"seed": 1}}, "model_kwargs"),
]

# Nested values and request-shape fields.
_CALL_SHAPE_CASES: list[Any] = [
    pytest.param(kwargs, field, id=f"{field}-{why.split(': ')[1][:20]}")
    for kwargs, field, why in [
        (
            {"search_options": {"search_strategy": "ultra"}},
            "search_strategy",
            "gap: search_options values are not checked",
        ),
        (
            {"search_options": {"forced_search": "yes"}},
            "forced_search",
            "gap: search_options values are not checked",
        ),
        (
            {"translation_options": {"target_lang": 5}},
            "target_lang",
            "gap: translation_options values are not checked",
        ),
        ({"model": ""}, "model", "gap: an empty model reaches DashScope"),
        ({"model": 5}, "model", "gap: a non-string model reaches DashScope"),
        ({"tool_choice": 5}, "tool_choice", "gap: tool_choice type unchecked"),
        ({"stream_options": "x"}, "stream_options", "gap: stream_options unchecked"),
        ({"extra_body": "x"}, "extra_body", "gap: AttributeError, not a clear error"),
    ]
]


@pytest.mark.parametrize(
    ("kwargs", "field"), [*_CONSTRUCTOR_CASES, *_CONSTRUCTOR_TYPE_CASES]
)
def test_constructor_rejects(
    emulator: DashScopeEmulator, kwargs: dict[str, Any], field: str
) -> None:
    base = {"base_url": emulator.base_url, "api_key": emulator.api_key}
    if "region" in kwargs:
        base = {"api_key": "sk-x"}
    # pydantic's ValidationError (a ValueError), as ChatOpenAI's constructor raises.
    with pytest.raises(ValidationError, match=_constructor_message(kwargs, field)):
        ChatQwen(**base, **kwargs)
    assert emulator.requests == []


@pytest.mark.parametrize(("kwargs", "field"), [*_CALL_CASES, *_CALL_SHAPE_CASES])
def test_call_rejects(
    emulator: DashScopeEmulator, llm: ChatQwen, kwargs: dict[str, Any], field: str
) -> None:
    # A misspelt keyword is a TypeError, as for any Python call; a bad value is a
    # ValueError naming the parameter and what is allowed. Streams say the same.
    unknown = field in ("enable_thinkng", "model_kwargs")
    parent = _NESTED.get(field)
    cls, message = (
        (TypeError, rf"Unknown parameter\(s\) '{field}' for ChatQwen\. Known: ")
        if unknown
        else (
            ValueError,
            _invalid(parent) + f".*{field}" if parent else _invalid(field),
        )
    )
    with pytest.raises(cls, match=message):
        llm.invoke("hi", **kwargs)
    with pytest.raises(cls, match=message):
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
    llm = make_llm(enable_thinking=True, thinking_tool_choice="raise")
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


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param(
            {"api_key": ""},
            "DASHSCOPE_API_KEY",
        ),
        pytest.param(
            {"workspace_id": "../x"},
            "workspace_id",
        ),
        pytest.param(
            {"workspace_id": "ws 1"},
            "workspace_id",
        ),
        pytest.param(
            {"region": 5},
            "region",
        ),
        pytest.param(
            {"timeout": -1},
            "timeout",
        ),
        pytest.param(
            {"timeout": "10"},
            "timeout",
        ),
        pytest.param(
            {"base_url": "not a url"},
            "base_url",
        ),
        pytest.param(
            {"model": ""},
            "model",
        ),
    ],
)
def test_client_settings_rejected_at_construction(
    kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError, match=_constructor_message(kwargs, field)):
        ChatQwen(**{"api_key": "sk-x", **kwargs})  # construction alone raises
