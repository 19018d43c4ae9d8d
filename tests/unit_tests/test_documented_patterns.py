"""LangChain's documented patterns, as a new user tries them, on three kinds of model.

``qwen-plus`` (no thinking, native ``json_schema``), ``qwen3.6-plus`` (hybrid,
thinks by default) and ``qwq-plus`` (thinking only, answers on streams only), all on
the emulator's unscripted model, which follows the prompt. Every result is the parsed
object (its type and the values the prompt gives) or a clear exception, never None:

- ``with_structured_output`` with a pydantic class, a TypedDict, a JSON-schema dict
  and an OpenAI function dict; ``function_calling``, ``json_schema`` and
  ``json_mode``; with and without ``include_raw``; through ``invoke``, ``ainvoke``,
  ``stream``, ``astream`` and ``batch``;
- ``bind_tools`` with every tool form (and DashScope's built-in web search);
- ``output_version="v1"`` content on every call path;
- ``create_agent(..., response_format=...)``.

The last section holds the four symptoms of issue 19, each on a scripted answer.
"""

from __future__ import annotations

import asyncio
import pickle
import warnings
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain.agents.structured_output import ProviderStrategy, ToolStrategy
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.tools import BaseTool, tool
from langchain_openai import StreamChunkTimeoutError
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_qwen import DashScopeTimeoutError
from langchain_qwen.testing import DashScopeEmulator, Reply
from tests.structured_fixtures import qwen

MODELS = ("qwen-plus", "qwen3.6-plus", "qwq-plus")
MODES = ("invoke", "ainvoke", "stream", "astream", "batch")
PROMPT = (
    'Extract the person named "Ada Lovelace", aged 36. '
    "Reply in JSON with 'name' and 'age' keys."
)
ADA = {"name": "Ada Lovelace", "age": 36}

# Thinking models are sent tool_choice="auto" (DashScope refuses a forced one while
# thinking): the warning says so; it is expected here, and asserted elsewhere.
pytestmark = pytest.mark.filterwarnings("ignore:.*refused by DashScope while thinking")


# ------------------------------------------------------------------- the schemas
class Person(BaseModel):
    """A person named in the text."""

    name: str = Field(description="Full name")
    age: int = Field(description="Age in years")


class _Typed:
    class Person(TypedDict):
        """A person named in the text."""

        name: str
        age: int


PERSON_SCHEMA: dict[str, Any] = {
    "title": "Person",
    "description": "A person named in the text.",
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
}
PERSON_FUNCTION: dict[str, Any] = {
    "name": "Person",
    "description": "A person named in the text.",
    "parameters": {k: PERSON_SCHEMA[k] for k in ("type", "properties", "required")},
}
SCHEMAS: dict[str, Any] = {
    "pydantic": Person,
    "typeddict": _Typed.Person,
    "json_schema_dict": PERSON_SCHEMA,
    "openai_function": PERSON_FUNCTION,
}


# ------------------------------------------------------------------- the calls
_LOOP: list[asyncio.Runner] = []


@pytest.fixture(scope="module", autouse=True)
def _one_event_loop() -> Iterator[None]:
    """One event loop for the module's async calls: its HTTP client is reused."""
    with asyncio.Runner() as runner:
        _LOOP.append(runner)
        yield
        _LOOP.clear()


def run_async(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coro`` on the module's event loop."""
    return _LOOP[0].run(coro)


def _joined(items: list[Any]) -> Any:
    total = items[0]
    for item in items[1:]:
        total = total + item
    return total


def _final(items: list[Any]) -> Any:
    """What a stream of structured output ends with (include_raw: merged dicts)."""
    assert items, "the stream yielded nothing"
    if not all(
        isinstance(i, dict) and set(i) <= {"raw", "parsed", "parsing_error"}
        for i in items
    ) or not any("raw" in i for i in items):
        return items[-1]
    raws = [i["raw"] for i in items if "raw" in i]
    merged: dict[str, Any] = {"raw": _joined(raws)}
    for item in items:
        merged.update({k: v for k, v in item.items() if k != "raw"})
    return merged


def call(runnable: Any, value: Any, mode: str) -> list[Any]:
    """The results of one call in ``mode`` (two for ``batch``)."""
    if mode == "invoke":
        return [runnable.invoke(value)]
    if mode == "ainvoke":
        return [run_async(runnable.ainvoke(value))]
    if mode == "batch":
        return list(runnable.batch([value, value]))
    if mode == "stream":
        return [_final(list(runnable.stream(value)))]

    async def collect() -> list[Any]:
        return [c async for c in runnable.astream(value)]

    return [_final(run_async(collect()))]


def _check_person(parsed: Any, schema: Any) -> None:
    if schema is Person:
        assert parsed == Person(**ADA)
    else:
        assert parsed == ADA


# ------------------------------------------------- with_structured_output matrix
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("include_raw", [False, True], ids=["parsed", "raw"])
@pytest.mark.parametrize("method", ["function_calling", "json_schema", "json_mode"])
@pytest.mark.parametrize("kind", list(SCHEMAS))
@pytest.mark.parametrize("model", MODELS)
def test_with_structured_output(
    emulator: DashScopeEmulator,
    model: str,
    kind: str,
    method: str,
    include_raw: bool,
    mode: str,
) -> None:
    schema = SCHEMAS[kind]
    structured = qwen(emulator, model).with_structured_output(
        schema,
        method=method,  # type: ignore[arg-type]
        include_raw=include_raw,
    )
    for result in call(structured, PROMPT, mode):
        if include_raw:
            assert result["parsing_error"] is None
            assert isinstance(result["raw"], AIMessage)
            result = result["parsed"]
        _check_person(result, schema)


# ------------------------------------------------------------------- bind_tools
class GetWeather(BaseModel):
    """Get the current weather in a city."""

    location: str = Field(description="The city")


class _TypedTools:
    class GetWeather(TypedDict):
        """Get the current weather in a city."""

        location: str


@tool
def get_weather(location: str) -> str:
    """Get the current weather in a city."""
    return f"{location}: light rain"


class WeatherTool(BaseTool):
    """A BaseTool subclass, as the docs define one."""

    name: str = "get_weather"
    description: str = "Get the current weather in a city."

    def _run(self, location: str) -> str:
        return f"{location}: light rain"


WEATHER_PARAMETERS = {
    "type": "object",
    "properties": {"location": {"type": "string", "description": "The city"}},
    "required": ["location"],
}
TOOL_FORMS: dict[str, tuple[Any, str]] = {
    "pydantic": (GetWeather, "GetWeather"),
    "typeddict": (_TypedTools.GetWeather, "GetWeather"),
    "tool_function": (get_weather, "get_weather"),
    "base_tool": (WeatherTool(), "get_weather"),
    "json_schema_dict": (
        {
            "title": "get_weather",
            "description": "Get the current weather in a city.",
            **WEATHER_PARAMETERS,
        },
        "get_weather",
    ),
    "openai_function": (
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Get the current weather in a city.",
                "parameters": WEATHER_PARAMETERS,
            },
        },
        "get_weather",
    ),
}
WEATHER_PROMPT = "What is the weather in Hangzhou?"


def _message(result: Any) -> AIMessage:
    if isinstance(result, list):  # a stream's chunks
        result = _joined(result)
    assert isinstance(result, AIMessage)
    return result


def call_message(runnable: Any, value: Any, mode: str) -> list[AIMessage]:
    """The answers of one call in ``mode``, a stream's chunks joined."""
    if mode in ("stream", "astream"):
        if mode == "stream":
            chunks = list(runnable.stream(value))
        else:

            async def collect() -> list[Any]:
                return [c async for c in runnable.astream(value)]

            chunks = run_async(collect())
        assert chunks, "the stream yielded nothing"
        return [_message(chunks)]
    return [_message(r) for r in call(runnable, value, mode)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("form", list(TOOL_FORMS))
@pytest.mark.parametrize("model", MODELS)
def test_bind_tools(
    emulator: DashScopeEmulator, model: str, form: str, mode: str
) -> None:
    tool_, name = TOOL_FORMS[form]
    bound = qwen(emulator, model).bind_tools([tool_])
    for message in call_message(bound, WEATHER_PROMPT, mode):
        assert [(c["name"], c["args"]) for c in message.tool_calls] == [
            (name, {"location": "Hangzhou"})
        ]
        sent = emulator.last_request.json["tools"]
        assert sent[0]["function"]["name"] == name


@pytest.mark.parametrize("model", MODELS)
def test_bind_tools_forced_choice(emulator: DashScopeEmulator, model: str) -> None:
    """``tool_choice="any"``: a forced call, or tool choice "auto" while thinking."""
    bound = qwen(emulator, model).bind_tools([get_weather], tool_choice="any")
    message = bound.invoke(WEATHER_PROMPT)
    assert message.tool_calls[0]["args"] == {"location": "Hangzhou"}
    sent = emulator.last_request.json
    assert sent["tool_choice"] == ("auto" if model == "qwq-plus" else "required")
    if model == "qwen3.6-plus":
        assert sent["enable_thinking"] is False  # a default that yields


def test_forced_choice_refused_while_thinking(emulator: DashScopeEmulator) -> None:
    """DashScope refuses a forced choice while thinking: said before sending."""
    llm = qwen(emulator, "qwq-plus", thinking_tool_choice="raise")
    with pytest.raises(
        ValueError,
        match=r"^`tool_choice`='required' is refused by DashScope in thinking mode\. "
        r"Allowed with thinking: 'auto' or 'none'\.",
    ):
        llm.bind_tools([get_weather], tool_choice="any").invoke(WEATHER_PROMPT)
    assert emulator.requests == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("model", MODELS)
def test_bind_builtin_web_search(
    emulator: DashScopeEmulator, model: str, mode: str
) -> None:
    bound = qwen(emulator, model).bind_tools([{"type": "web_search"}, GetWeather])
    for message in call_message(bound, "Who won the match today?", mode):
        assert emulator.last_request.path.endswith("/responses")
        assert emulator.last_request.json["tools"][0] == {"type": "web_search"}
        assert message.text


# ------------------------------------------------------------------ v1 content
def _check_v1(message: BaseMessage, *, reasoning: bool, tool: str | None) -> None:
    content = message.content
    assert isinstance(content, list)
    assert all(isinstance(b, dict) and "type" in b for b in content), content
    blocks = message.content_blocks
    kinds = [b["type"] for b in blocks]
    assert ("reasoning" in kinds) == reasoning, kinds
    if tool is None:
        assert "text" in kinds
    else:
        calls = [b for b in blocks if b["type"] == "tool_call"]
        assert [c["name"] for c in calls] == [tool]  # type: ignore[typeddict-item]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("with_tools", [False, True], ids=["text", "tools"])
@pytest.mark.parametrize("model", MODELS)
def test_v1_content(
    emulator: DashScopeEmulator, model: str, with_tools: bool, mode: str
) -> None:
    llm = qwen(emulator, model, output_version="v1")
    runnable: Any = llm.bind_tools([get_weather]) if with_tools else llm
    thinks = model != "qwen-plus"
    for message in call_message(runnable, WEATHER_PROMPT, mode):
        if isinstance(message, AIMessageChunk):
            message = AIMessage(**message.model_dump(exclude={"type"}))
        _check_v1(message, reasoning=thinks, tool="get_weather" if with_tools else None)


# --------------------------------------------------------------- create_agent
STRATEGIES: dict[str, Callable[[], Any]] = {
    "schema": lambda: Person,
    "tool_strategy": lambda: ToolStrategy(Person),
    "provider_strategy": lambda: ProviderStrategy(Person),
}


@pytest.mark.parametrize("strategy", list(STRATEGIES))
@pytest.mark.parametrize("model", MODELS)
def test_create_agent_response_format(
    emulator: DashScopeEmulator, model: str, strategy: str
) -> None:
    agent = create_agent(
        qwen(emulator, model),
        tools=[get_weather],
        response_format=STRATEGIES[strategy](),
    )
    state = agent.invoke({"messages": [("user", PROMPT)]})
    assert state["structured_response"] == Person(**ADA)


# ----------------------------------------------------- issue 19: the four symptoms
@pytest.mark.parametrize(
    "schema", [PERSON_SCHEMA, PERSON_FUNCTION], ids=["json_schema", "openai"]
)
def test_dict_schema_structured_output(
    emulator: DashScopeEmulator, schema: dict[str, Any]
) -> None:
    """The docs' dict schemas with the default method: a tool named by the dict."""
    emulator.script(Reply.tool_calls([{"name": "Person", "arguments": ADA}]))
    assert (
        qwen(emulator, "qwen-plus").with_structured_output(schema).invoke(PROMPT) == ADA
    )
    sent = emulator.last_request
    assert sent.path.endswith("/chat/completions")
    assert sent.json["tool_choice"] == {
        "type": "function",
        "function": {"name": "Person"},
    }


def test_json_schema_dict_tool_is_a_function_not_a_builtin(
    emulator: DashScopeEmulator,
) -> None:
    """A JSON schema has ``"type": "object"``: that never makes a built-in tool."""
    emulator.script(Reply.tool_calls([{"name": "Person", "arguments": ADA}]))
    message = qwen(emulator, "qwen-plus").bind_tools([PERSON_SCHEMA]).invoke(PROMPT)
    assert message.tool_calls[0]["args"] == ADA
    sent = emulator.last_request
    assert sent.path.endswith("/chat/completions")  # not the Responses API
    assert sent.json["tools"] == [
        {"type": "function", "function": {k: v for k, v in PERSON_FUNCTION.items()}}
    ]


def test_only_dashscopes_named_builtins_are_builtin(
    emulator: DashScopeEmulator,
) -> None:
    with pytest.raises(
        ValueError, match="type 'computer' is not a DashScope built-in tool"
    ):
        qwen(emulator, "qwen-plus").bind_tools([{"type": "computer"}])
    assert emulator.requests == []


@pytest.mark.parametrize(
    ("model", "thinking"), [("qwq-plus", None), ("qwen3.6-plus", True)]
)
def test_thinking_structured_output_streams(
    emulator: DashScopeEmulator, model: str, thinking: bool | None
) -> None:
    """Thinking kept: the retry path yields the parsed object on stream and astream."""
    kwargs = {} if thinking is None else {"enable_thinking": thinking}
    structured = qwen(emulator, model).with_structured_output(Person, **kwargs)
    answer = Reply.tool_calls([{"name": "Person", "arguments": ADA}])
    emulator.script(answer, answer)
    assert list(structured.stream(PROMPT)) == [Person(**ADA)]

    async def collect() -> list[Any]:
        return [c async for c in structured.astream(PROMPT)]

    assert run_async(collect()) == [Person(**ADA)]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
def test_no_tool_call_after_the_retry_raises(
    emulator: DashScopeEmulator, mode: str
) -> None:
    """qwq-plus answers twice without the tool: an error, never None."""
    structured = qwen(emulator, "qwq-plus").with_structured_output(Person)
    emulator.script(Reply.text("It is Ada."), Reply.text("Still Ada."))
    with pytest.raises(
        OutputParserException, match="answered without a call of the `Person` tool"
    ):
        call(structured, PROMPT, mode)
    assert len(emulator.requests) == 2  # asked once more


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
def test_unparsable_tool_arguments_are_named_as_such(
    emulator: DashScopeEmulator, mode: str
) -> None:
    """The tool was called, twice, with arguments that are not JSON: say so."""
    structured = qwen(emulator, "qwq-plus").with_structured_output(Person)
    bad = Reply.tool_calls([{"name": "Person", "arguments": "Ada, 36"}])
    emulator.script(bad, bad)
    with pytest.raises(
        OutputParserException,
        match=r"called the `Person` tool, but its arguments did not parse .*'Ada, 36'",
    ):
        call(structured, PROMPT, mode)
    assert len(emulator.requests) == 2  # asked once more


def test_unparsable_tool_arguments_include_raw(emulator: DashScopeEmulator) -> None:
    structured = qwen(emulator, "qwen-plus").with_structured_output(
        Person, include_raw=True
    )
    emulator.script(Reply.tool_calls([{"name": "Person", "arguments": "Ada, 36"}]))
    out = structured.invoke(PROMPT)
    assert out["parsed"] is None
    assert isinstance(out["parsing_error"], OutputParserException)
    assert "called the `Person` tool, but its arguments did not parse" in str(
        out["parsing_error"]
    )


def test_no_tool_call_include_raw_sets_parsing_error(
    emulator: DashScopeEmulator,
) -> None:
    structured = qwen(emulator, "qwq-plus").with_structured_output(
        Person, include_raw=True
    )
    emulator.script(Reply.text("It is Ada."), Reply.text("Still Ada."))
    out = structured.invoke(PROMPT)
    assert out["parsed"] is None
    assert isinstance(out["parsing_error"], OutputParserException)
    assert "`Person` tool" in str(out["parsing_error"])
    assert out["raw"].text == "Still Ada."


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "batch"])
def test_v1_on_a_stream_only_model_gives_blocks(
    emulator: DashScopeEmulator, mode: str
) -> None:
    """qwq-plus answers on streams only: invoke's own aggregation gives v1 blocks."""
    llm = qwen(emulator, "qwq-plus", output_version="v1")
    emulator.script(Reply.text("Hello there.", reasoning="Think first."))
    if mode == "batch":
        emulator.script(Reply.text("Hello there.", reasoning="Think first."))
    for message in call(llm, "hi", mode):
        assert message.content == [
            {
                "type": "reasoning",
                "reasoning": "Think first.",
                "index": "lc_reasoning_0",
            },
            {"type": "text", "text": "Hello there.", "index": 1},
        ]
        assert [b["type"] for b in message.content_blocks] == ["reasoning", "text"]


def test_stream_chunk_timeout_is_langchain_openais_error(
    emulator: DashScopeEmulator,
) -> None:
    """``except StreamChunkTimeoutError`` written for ChatOpenAI catches ours."""
    llm = qwen(emulator, "qwen-plus", stream_chunk_timeout=0.05)
    emulator.script(Reply.text("a b c d", chunks=4, event_delay=0.3))

    async def run() -> None:
        async for _ in llm.astream("x"):
            pass

    with pytest.raises(StreamChunkTimeoutError, match="stream_chunk_timeout") as info:
        run_async(run())
    error = info.value
    assert isinstance(error, DashScopeTimeoutError)
    assert isinstance(error, TimeoutError)
    assert (error.model_name, error.timeout_s) == ("qwen-plus", 0.05)
    assert error.chunks_received >= 1
    assert error.partial is not None
    clone = pickle.loads(pickle.dumps(error))
    assert (type(clone), clone.args) == (type(error), error.args)


def test_warnings_are_not_hidden_outside_thinking(emulator: DashScopeEmulator) -> None:
    """The module's warning filter hides nothing on a model that does not think."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert qwen(emulator, "qwen-plus").with_structured_output(Person).invoke(
            PROMPT
        ) == Person(**ADA)
