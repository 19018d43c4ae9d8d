"""Structured output on Qwen models: bindings, parsers and the one retry.

How each method is sent depends on the request's thinking state (the rules and their
table are in :mod:`langchain_qwen._dialect.thinking`). While the model thinks,
``function_calling`` lets it choose the tool and the JSON methods put the schema in a
system instruction; the answer is validated and asked for once more when it does
not parse. An answer that still has no tool call, or does not parse, raises
``OutputParserException`` (with ``include_raw=True``: ``parsing_error``), never
``None``. ``json_schema`` on a model without native JSON-schema support
(``get_qwen_traits``) is sent as ``json_object`` with the schema in a system
instruction, and validated. Every chain streams: partial objects where the parser
can, the final object at least.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
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
    RunnableMap,
    RunnablePassthrough,
)
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import ValidationError

from langchain_qwen._dialect.thinking import (
    json_instruction,
    structured_output_thinking,
)
from langchain_qwen._dialect.tools import (
    check_tools,
    format_tool,
    is_builtin_tool,
    normalize_tool_choice,
    tool_name,
)
from langchain_qwen._models.profiles import get_qwen_traits

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel, LanguageModelInput

__all__ = ["bind_tools_kwargs", "build_structured_output"]

_METHODS = ("function_calling", "json_mode", "json_schema")
_PARSE_ERRORS = (OutputParserException, ValidationError, ValueError, TypeError)


def _json_schema_format(
    schema: dict[str, Any] | type, strict: bool | None
) -> dict[str, Any]:
    function = format_tool(schema)["function"]
    json_schema: dict[str, Any] = {
        "name": function["name"],
        "schema": function.get("parameters", {"type": "object", "properties": {}}),
    }
    if function.get("description"):
        json_schema["description"] = function["description"]
    if strict is not None:
        json_schema["strict"] = strict
    return {"type": "json_schema", "json_schema": json_schema}


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
    formatted = [format_tool(tool, strict=strict) for tool in tools]
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


def _as_chunk(message: AIMessage) -> AIMessageChunk:
    """``message`` as one chunk, tool calls kept, for the streaming parsers."""
    calls = [
        {
            "name": call["name"],
            "args": json.dumps(call["args"], ensure_ascii=False),
            "id": call["id"],
            "index": index,
            "type": "tool_call_chunk",
        }
        for index, call in enumerate(message.tool_calls)
    ]
    calls += [
        {
            "name": bad.get("name"),
            "args": bad.get("args"),
            "id": bad.get("id"),
            "index": len(calls) + index,
            "type": "tool_call_chunk",
        }
        for index, bad in enumerate(message.invalid_tool_calls)
    ]
    return AIMessageChunk(
        content=message.content,
        additional_kwargs=message.additional_kwargs,
        response_metadata=message.response_metadata,
        id=message.id,
        usage_metadata=message.usage_metadata,
        tool_call_chunks=calls,  # type: ignore[arg-type]
        chunk_position="last",
    )


def _joined(chunks: list[Any]) -> Any:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


class _OneRetry(Runnable[Any, AIMessage]):
    """``bound`` that asks once more when the answer does not parse.

    Returns the last answer; the parser after it reports what is still wrong.
    Streams as one chunk (the answer is only known to be good once it is whole).
    """

    def __init__(
        self,
        llm: BaseChatModel,
        bound: Runnable[Any, Any],
        parser: Runnable[Any, Any],
        nudge: Callable[[AIMessage, Exception | None], list[BaseMessage]],
        instruction: str | None,
    ) -> None:
        self.llm = llm
        self.bound = bound
        self.parser = parser
        self.nudge = nudge
        self.instruction = instruction
        self.name = "QwenStructuredRetry"

    def _prepare(self, input_: Any) -> list[BaseMessage]:
        messages = self.llm._convert_input(input_).to_messages()
        if self.instruction is not None:
            messages.append(SystemMessage(self.instruction))  # merged into the first
        return messages

    def _problem(self, raw: AIMessage) -> Exception | None:
        try:
            parsed = self.parser.invoke(raw)
        except _PARSE_ERRORS as e:
            return e
        return None if parsed is not None else OutputParserException("no tool call")

    def invoke(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AIMessage:
        """The answer, asked for once more if it does not parse."""
        messages = self._prepare(input)
        raw = self.bound.invoke(messages, config, **kwargs)
        error = self._problem(raw)
        if error is None:
            return raw
        again = [*messages, *self.nudge(raw, error)]
        return self.bound.invoke(again, config, **kwargs)

    async def ainvoke(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AIMessage:
        """The answer, asked for once more if it does not parse."""
        messages = self._prepare(input)
        raw = await self.bound.ainvoke(messages, config, **kwargs)
        error = self._problem(raw)
        if error is None:
            return raw
        again = [*messages, *self.nudge(raw, error)]
        return await self.bound.ainvoke(again, config, **kwargs)

    def stream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[AIMessage]:
        """The final answer as one chunk."""
        yield _as_chunk(self.invoke(input, config, **kwargs))

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[AIMessage]:
        """The final answer as one chunk."""
        yield _as_chunk(await self.ainvoke(input, config, **kwargs))


class _Required(Runnable[Any, Any]):
    """A parser whose ``None`` (no tool call) is an ``OutputParserException``.

    Streams the parser's partial objects; a stream that parsed nothing is parsed
    whole at its end, so it raises the parser's own error.
    """

    def __init__(
        self, parser: Runnable[Any, Any], wanted: str, name_called: str
    ) -> None:
        self.parser = parser
        self.wanted = wanted
        self.name_called = name_called
        self.name = "QwenRequiredOutput"

    def _checked(self, parsed: Any, message: Any) -> Any:
        if parsed is None:
            text = getattr(message, "text", "")
            # A call whose arguments are not a JSON object lands here, not in
            # tool_calls: say so rather than "without a call".
            for bad in getattr(message, "invalid_tool_calls", None) or []:
                if bad.get("name") == self.name_called:
                    args = bad.get("args") or ""
                    why = bad.get("error") or "not a JSON object"
                    msg = (
                        f"The model called the `{self.name_called}` tool, but its "
                        f"arguments did not parse ({why}): {args!r:.200}"
                    )
                    raise OutputParserException(msg, llm_output=str(args))
            msg = f"The model answered without {self.wanted}: {text!r:.200}"
            raise OutputParserException(msg, llm_output=str(text))
        return parsed

    def invoke(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Any:
        """The parsed answer, or OutputParserException."""
        return self._checked(self.parser.invoke(input, config, **kwargs), input)

    async def ainvoke(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Any:
        """The parsed answer, or OutputParserException."""
        parsed = await self.parser.ainvoke(input, config, **kwargs)
        return self._checked(parsed, input)

    def transform(
        self,
        input: Iterator[Any],
        config: RunnableConfig | None = None,
        **kwargs: Any,
    ) -> Iterator[Any]:
        """Partial objects as they parse; the whole answer parsed at the end."""
        seen: list[Any] = []

        def tee() -> Iterator[Any]:
            for chunk in input:
                seen.append(chunk)
                yield chunk

        parsed_any = False
        for parsed in self.parser.transform(tee(), config, **kwargs):
            parsed_any = True
            yield parsed
        if not parsed_any and seen:
            yield self.invoke(_joined(seen), config)

    async def atransform(
        self,
        input: AsyncIterator[Any],
        config: RunnableConfig | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Partial objects as they parse; the whole answer parsed at the end."""
        seen: list[Any] = []

        async def tee() -> AsyncIterator[Any]:
            async for chunk in input:
                seen.append(chunk)
                yield chunk

        parsed_any = False
        async for parsed in self.parser.atransform(tee(), config, **kwargs):
            parsed_any = True
            yield parsed
        if not parsed_any and seen:
            yield await self.ainvoke(_joined(seen), config)

    def stream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Any]:
        """Partial objects as they parse."""
        yield from self.transform(iter([input]), config, **kwargs)

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        """Partial objects as they parse."""

        async def one() -> AsyncIterator[Any]:
            yield input

        async for parsed in self.atransform(one(), config, **kwargs):
            yield parsed


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
    thinking = structured_output_thinking(model, kwargs, instance_thinking)
    is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
    ls_format = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
    instruction: str | None = None
    if method == "function_calling":
        assert schema is not None
        name = tool_name(schema)
        bound = llm.bind_tools(
            [schema],
            tool_choice="auto" if thinking else name,
            parallel_tool_calls=False,
            strict=strict,
            ls_structured_output_format=ls_format,
            **kwargs,
        )
        parser: Runnable = _Required(
            PydanticToolsParser(tools=[schema], first_tool_only=True)  # type: ignore[list-item]
            if is_pydantic
            else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True),
            f"a call of the `{name}` tool",
            name,
        )
        nudge = _nudge_tool(name)
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
        bound = _OneRetry(llm, bound, parser, nudge, instruction)
    if not include_raw:
        return bound | parser
    parse = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    fallback = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=bound) | parse.with_fallbacks(
        [fallback], exception_key="parsing_error"
    )
