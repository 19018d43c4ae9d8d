"""Structured output on Qwen models, and DashScope's thinking rules that shape it.

DashScope refuses two things while a model thinks (HTTP 400): a forced
``tool_choice`` (``"required"`` or a named function) and a JSON ``response_format``
(``json_object``, ``json_schema``). Qwen3.5 and later hybrid models think by
default, QwQ/QVQ/``-thinking`` models always do, so ChatQwen settles the conflict
before sending, by the request's *thinking state*:

=============  =================================  ====================================
state          ``with_structured_output``         other requests (``bind_tools``,
                                                  agents' tool and provider
                                                  strategies), DashScope only
=============  =================================  ====================================
``off``        hybrid models: ``enable_thinking:  as asked
               false`` sent for the call
``default``    the same                           ``enable_thinking: false`` is sent
(hybrid, on                                       for that request: a default the
by default)                                       user never asked for yields
``on``         the same, unless                   kept; ``thinking_tool_choice=
(asked for)    ``enable_thinking=True`` is given  "auto"`` (default) sends
               to ``with_structured_output``      ``tool_choice="auto"`` and asks for
               (then as ``always``)               JSON in a system instruction, with a
                                                  warning; ``"raise"`` refuses
``always``     ``function_calling``: tool choice  as ``on``
(QwQ, QVQ,     ``"auto"``; JSON methods: the
``-thinking``) schema in a system instruction;
               both validated, retried once
=============  =================================  ====================================

``json_schema`` on a model without native JSON-schema support (``get_qwen_traits``)
is sent as ``json_object`` with the schema in a system instruction, and validated.
The instance's ``profile["structured_output"]`` (what agents read to pick their
provider strategy) is true only when a JSON-schema ``response_format`` is honoured
as sent: the model supports it and the instance does not insist on thinking.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.output_parsers import (
    JsonOutputKeyToolsParser,
    JsonOutputParser,
    PydanticOutputParser,
    PydanticToolsParser,
)
from langchain_core.runnables import (
    Runnable,
    RunnableConfig,
    RunnableLambda,
    RunnableMap,
    RunnablePassthrough,
)
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import ValidationError

from langchain_qwen._dialect.rules import THINKING
from langchain_qwen._models.profiles import get_qwen_traits
from langchain_qwen._tools import (
    add_system_instruction,
    check_tools,
    normalize_tool_choice,
)

if TYPE_CHECKING:
    from langchain_core.language_models import (
        BaseChatModel,
        LanguageModelInput,
        ModelProfile,
    )

__all__ = [
    "ThinkingState",
    "bind_tools_kwargs",
    "build_structured_output",
    "instance_profile",
    "settle_thinking",
    "thinking_state",
]

ThinkingState = Literal["off", "default", "on", "always"]
"""Whether a request thinks, and who decided: see the module docstring."""

_METHODS = ("function_calling", "json_mode", "json_schema")
_JSON_TYPES = ("json_object", "json_schema")
_PARSE_ERRORS = (OutputParserException, ValidationError, ValueError, TypeError)


def thinking_state(model: str, enable_thinking: Any) -> ThinkingState:
    """The thinking state of a request to ``model`` with this ``enable_thinking``."""
    mode = get_qwen_traits(model)["thinking"]
    if mode == "always":
        return "always"
    if mode == "never":
        return "off"
    if enable_thinking is None:
        return "default" if mode == "hybrid_default_on" else "off"
    return "on" if enable_thinking else "off"


def json_instruction(schema: dict[str, Any] | None) -> str:
    """The system instruction that asks for JSON when ``response_format`` can't."""
    if schema is None:
        return "Reply with only a JSON object: no code fences, no other text."
    shown = json.dumps(schema, ensure_ascii=False, separators=(",", ":"))
    return (
        "Reply with only a JSON object that matches this JSON schema (no code "
        f"fences, no other text): {shown}"
    )


def _schema_of(response_format: dict[str, Any]) -> dict[str, Any] | None:
    spec = response_format.get("json_schema")
    return spec.get("schema") if isinstance(spec, dict) else None


def _forced(payload: dict[str, Any]) -> bool:
    return bool(payload.get("tools")) and payload.get("tool_choice") not in (
        None,
        "auto",
        "none",
    )


def settle_thinking(
    payload: dict[str, Any], *, policy: Literal["raise", "auto"]
) -> None:
    """Make a DashScope request body acceptable to DashScope's thinking rules.

    Args:
        payload: the request body, changed in place.
        policy: ``thinking_tool_choice``: with thinking asked for or always on,
            ``"auto"`` sends ``tool_choice="auto"`` and JSON as a system
            instruction (with a warning); ``"raise"`` leaves the body as it is for
            the request checks to refuse with a clear error.
    """
    response_format = payload.get("response_format")
    json_format = (
        isinstance(response_format, dict) and response_format.get("type") in _JSON_TYPES
    )
    forced = _forced(payload)
    if not (json_format or forced):
        return
    state = thinking_state(str(payload.get("model") or ""), payload.get(THINKING))
    if state == "default":
        payload[THINKING] = False  # the model's default yields
        return
    if state == "off" or policy == "raise":
        return
    why = "asked for" if state == "on" else "always on for this model"
    if forced:
        warnings.warn(
            f"tool_choice={payload['tool_choice']!r} is refused by DashScope while "
            f"thinking ({why}); sending tool_choice='auto' "
            "(thinking_tool_choice='auto'). The model may answer without a tool call.",
            UserWarning,
            stacklevel=2,
        )
        payload["tool_choice"] = "auto"
    if json_format:
        assert isinstance(response_format, dict)
        warnings.warn(
            f"response_format {response_format['type']!r} is refused by DashScope "
            f"while thinking ({why}); asking for JSON in a system instruction instead "
            "(thinking_tool_choice='auto').",
            UserWarning,
            stacklevel=2,
        )
        del payload["response_format"]
        add_system_instruction(
            payload["messages"], json_instruction(_schema_of(response_format))
        )


def instance_profile(
    profile: ModelProfile | None, model: str, enable_thinking: bool | None
) -> ModelProfile | None:
    """``profile`` with ``structured_output`` true to this instance's thinking."""
    if profile is None:
        return None
    native = (
        bool(profile.get("structured_output")) and get_qwen_traits(model)["json_schema"]
    )
    profile["structured_output"] = native and thinking_state(
        model, enable_thinking
    ) not in ("on", "always")
    return profile


def _json_schema_format(
    schema: dict[str, Any] | type, strict: bool | None
) -> dict[str, Any]:
    function = convert_to_openai_tool(schema)["function"]
    json_schema: dict[str, Any] = {
        "name": function["name"],
        "schema": function.get("parameters", {"type": "object", "properties": {}}),
    }
    if function.get("description"):
        json_schema["description"] = function["description"]
    if strict is not None:
        json_schema["strict"] = strict
    return {"type": "json_schema", "json_schema": json_schema}


def _with_strict(tool: dict[str, Any], strict: bool | None) -> dict[str, Any]:
    """``strict`` on a function tool in any form (dicts given as-is included)."""
    if strict is None or tool.get("type") != "function":
        return tool
    return {**tool, "function": {**tool["function"], "strict": strict}}


def bind_tools_kwargs(
    tools: Sequence[Any],
    *,
    tool_choice: Any,
    strict: bool | None,
    parallel_tool_calls: bool | None,
    response_format: dict[str, Any] | type | None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The OpenAI-format tools and the other keywords ``bind_tools`` binds."""
    # Imported here: _responses_api imports the dialects, which import this module.
    from langchain_qwen._responses.api import is_builtin_tool

    if response_format is not None and strict is None:
        strict = True  # ChatOpenAI's default when a response format comes along
    formatted = [
        dict(tool)  # a server-run tool (Responses API), as given
        if is_builtin_tool(tool)
        else _with_strict(convert_to_openai_tool(tool, strict=strict), strict)
        for tool in tools
    ]
    names = check_tools([t for t in formatted if not is_builtin_tool(t)])
    bound: dict[str, Any] = {}
    choice = normalize_tool_choice(tool_choice, names)
    if choice is not None:
        bound["tool_choice"] = choice
    if parallel_tool_calls is not None:
        bound["parallel_tool_calls"] = parallel_tool_calls
    if response_format is not None:
        if isinstance(response_format, dict) and response_format.get("type") == (
            "json_schema"
        ):
            # create_agent's approximation of OpenAI's format: keep its strict.
            inner = response_format.get("json_schema") or {}
            if "schema" in inner:
                strict = inner.get("strict", strict)
                response_format = {
                    "title": inner.get("name", "response"),
                    **(
                        {"description": inner["description"]}
                        if "description" in inner
                        else {}
                    ),
                    **inner["schema"],
                }
        bound["response_format"] = _json_schema_format(response_format, strict)
    return formatted, bound


def _nudge_tool(
    name: str,
) -> Callable[[AIMessage, Exception | None], list[BaseMessage]]:
    def nudge(raw: AIMessage, error: Exception | None) -> list[BaseMessage]:
        reason = f"Error: {error}. " if error else ""
        ask = f"{reason}Call the `{name}` tool again with valid arguments."
        if raw.tool_calls:
            return [
                raw,
                *(ToolMessage(ask, tool_call_id=str(c["id"])) for c in raw.tool_calls),
            ]
        return [
            AIMessage(raw.content),
            HumanMessage(f"Call the `{name}` tool now with your final answer."),
        ]

    return nudge


def _nudge_json(raw: AIMessage, error: Exception | None) -> list[BaseMessage]:
    return [
        AIMessage(raw.content),
        HumanMessage(
            f"That was not the JSON object asked for ({error}). Reply with only "
            "the JSON object."
        ),
    ]


def _with_one_retry(
    llm: BaseChatModel,
    bound: Runnable[LanguageModelInput, Any],
    parser: Runnable[Any, Any],
    nudge: Callable[[AIMessage, Exception | None], list[BaseMessage]],
    instruction: str | None,
) -> Runnable[LanguageModelInput, Any]:
    """``bound`` that asks once more when the answer does not parse.

    Returns the last answer; the parser after it reports what is still wrong.
    """

    def prepare(input_: LanguageModelInput) -> list[BaseMessage]:
        messages = llm._convert_input(input_).to_messages()
        if instruction is not None:
            messages.append(SystemMessage(instruction))  # merged into the first
        return messages

    def problem(raw: AIMessage) -> Exception | None:
        try:
            parsed = parser.invoke(raw)
        except _PARSE_ERRORS as e:
            return e
        return None if parsed is not None else OutputParserException("no tool call")

    def run(input_: LanguageModelInput, config: RunnableConfig) -> AIMessage:
        messages = prepare(input_)
        raw = bound.invoke(messages, config)
        error = problem(raw)
        if error is None:
            return raw
        return bound.invoke([*messages, *nudge(raw, error)], config)

    async def arun(input_: LanguageModelInput, config: RunnableConfig) -> AIMessage:
        messages = prepare(input_)
        raw = await bound.ainvoke(messages, config)
        error = problem(raw)
        if error is None:
            return raw
        return await bound.ainvoke([*messages, *nudge(raw, error)], config)

    return RunnableLambda(run, afunc=arun, name="QwenStructuredRetry")


def build_structured_output(
    llm: BaseChatModel,
    schema: dict[str, Any] | type | None,
    *,
    method: Literal["function_calling", "json_mode", "json_schema"],
    include_raw: bool,
    strict: bool | None,
    model: str,
    instance_thinking: bool | None,
    **kwargs: Any,
) -> Runnable[LanguageModelInput, Any]:
    """Chain ``llm`` with the binding and parser of ``method`` (see the module doc).

    ``instance_thinking`` is the instance's ``enable_thinking``; one given in
    ``kwargs`` wins and is kept even when it turns thinking on.
    """
    if method not in _METHODS:
        msg = (
            f"Invalid method={method!r} for with_structured_output. "
            f"Allowed: {', '.join(_METHODS)}."
        )
        raise ValueError(msg)
    if schema is None and method != "json_mode":
        msg = (
            f"schema is required for method={method!r} "
            "(only 'json_mode' works without one)."
        )
        raise ValueError(msg)
    state = thinking_state(model, kwargs.get(THINKING, instance_thinking))
    hybrid = get_qwen_traits(model)["thinking"] in ("hybrid", "hybrid_default_on")
    if hybrid and THINKING not in kwargs:
        # Thinking off for this call, said explicitly: on every server (a chat
        # template forced into JSON from its first token has no room to think),
        # and whatever a model we know little about does by default.
        kwargs[THINKING] = False
        state = "off"
    thinking = state in ("on", "always")
    is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
    ls_format = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
    instruction: str | None = None
    if method == "function_calling":
        assert schema is not None
        tool_name = convert_to_openai_tool(schema)["function"]["name"]
        bound = llm.bind_tools(
            [schema],
            tool_choice="auto" if thinking else tool_name,
            parallel_tool_calls=False,
            strict=strict,
            ls_structured_output_format=ls_format,
            **kwargs,
        )
        parser: Runnable = (
            PydanticToolsParser(tools=[schema], first_tool_only=True)  # type: ignore[list-item]
            if is_pydantic
            else JsonOutputKeyToolsParser(key_name=tool_name, first_tool_only=True)
        )
        nudge = _nudge_tool(tool_name)
    else:
        json_schema = (
            None
            if schema is None
            else _json_schema_format(schema, strict)["json_schema"]["schema"]
        )
        if thinking:
            instruction = json_instruction(json_schema)
        elif method == "json_schema" and get_qwen_traits(model)["json_schema"]:
            kwargs["response_format"] = _json_schema_format(schema, strict)  # type: ignore[arg-type]
        else:
            kwargs["response_format"] = {"type": "json_object"}
            if method == "json_schema":
                instruction = json_instruction(json_schema)
        bound = llm.bind(ls_structured_output_format=ls_format, **kwargs)
        parser = (
            PydanticOutputParser(pydantic_object=schema)  # type: ignore[arg-type]
            if is_pydantic
            else JsonOutputParser()
        )
        nudge = _nudge_json
    if thinking or instruction is not None:
        bound = _with_one_retry(llm, bound, parser, nudge, instruction)
    if not include_raw:
        return bound | parser
    parse = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    fallback = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=bound) | parse.with_fallbacks(
        [fallback], exception_key="parsing_error"
    )
