"""``with_structured_output`` for ChatQwen: three methods, DashScope's rules applied."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.output_parsers import (
    JsonOutputKeyToolsParser,
    JsonOutputParser,
    PydanticOutputParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass

from langchain_qwen._tools import check_tools, normalize_tool_choice

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel, LanguageModelInput

__all__ = ["bind_tools_kwargs", "build_structured_output"]

_METHODS = ("function_calling", "json_mode", "json_schema")


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
    if response_format is not None and strict is None:
        strict = True  # ChatOpenAI's default when a response format comes along
    formatted = [
        _with_strict(convert_to_openai_tool(tool, strict=strict), strict)
        for tool in tools
    ]
    names = check_tools(formatted)
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


def build_structured_output(
    llm: BaseChatModel,
    schema: dict[str, Any] | type | None,
    *,
    method: Literal["function_calling", "json_mode", "json_schema"],
    include_raw: bool,
    strict: bool | None,
    thinking: bool,
    thinking_always: bool,
    **kwargs: Any,
) -> Runnable[LanguageModelInput, Any]:
    """Chain ``llm`` with the binding and parser of ``method``."""
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
    is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
    ls_format = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
    if method == "function_calling":
        assert schema is not None
        tool_name = convert_to_openai_tool(schema)["function"]["name"]
        bound = llm.bind_tools(
            [schema],
            # A forced tool_choice is refused in thinking mode: let the model choose.
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
    else:
        if thinking_always:
            msg = (
                f"method={method!r} needs thinking off, but this model always thinks; "
                "use method='function_calling'."
            )
            raise ValueError(msg)
        response_format = (
            {"type": "json_object"}
            if method == "json_mode"
            else _json_schema_format(schema, strict)  # type: ignore[arg-type]
        )
        # DashScope refuses JSON output in thinking mode: thinking off for this call.
        bound = llm.bind(
            response_format=response_format,
            enable_thinking=False,
            ls_structured_output_format=ls_format,
            **kwargs,
        )
        parser = (
            PydanticOutputParser(pydantic_object=schema)  # type: ignore[arg-type]
            if is_pydantic
            else JsonOutputParser()
        )
    if not include_raw:
        return bound | parser
    parse = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    fallback = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=bound) | parse.with_fallbacks(
        [fallback], exception_key="parsing_error"
    )
