"""Scripted replies: what the emulator should answer to the next chat request.

A `Reply` is only a description; `_render` turns it into DashScope's (or a self-hosted
flavor's) exact wire shapes for the request it answers, streamed or not.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from langchain_qwen.testing._cooperative import answer_for, function_tools

ReplyKind = Literal["text", "tool_calls", "error", "raw", "hang", "reset"]

# Canonical DashScope error texts, so `Reply.error(429, "limit_requests")` needs no
# message. Wording from real responses where known (captures, quoted issues).
DEFAULT_ERROR_MESSAGES: dict[str, tuple[str, str]] = {
    # code: (message, type)
    "invalid_api_key": (
        "Incorrect API key provided. For details, see: "
        "https://www.alibabacloud.com/help/en/model-studio/error-code#apikey-error",
        "invalid_request_error",
    ),
    "model_not_found": (
        "The model does not exist or you do not have access to it.",
        "invalid_request_error",
    ),
    "invalid_parameter_error": (
        "<400> InternalError.Algo.InvalidParameter: Invalid parameter.",
        "invalid_request_error",
    ),
    "invalid_value": (
        "<400> InternalError.Algo.InvalidParameter: Invalid value.",
        "invalid_request_error",
    ),
    "data_inspection_failed": (
        "<400> InternalError.Algo.DataInspectionFailed: "
        "Input text data may contain inappropriate content.",
        "data_inspection_failed",
    ),
    "Arrearage": (
        "Access denied, please make sure your account is in good standing.",
        "Arrearage",
    ),
    "access_denied": ("Access denied.", "access_denied"),
    "AllocationQuota.FreeTierOnly": (
        "The free tier of the model has been exhausted. If you wish to continue "
        'access the model on a paid basis, please disable the "use free tier only" '
        "mode in the management console.",
        "AllocationQuota.FreeTierOnly",
    ),
    "limit_requests": (
        "Requests rate limit exceeded, please try again later.",
        "limit_requests",
    ),
    "limit_burst_rate": (
        "Request rate increased too quickly. To ensure system stability, please "
        "adjust your client logic to scale requests more smoothly over time.",
        "limit_burst_rate",
    ),
    "insufficient_quota": (
        "You exceeded your current quota, please check your plan and billing details.",
        "insufficient_quota",
    ),
    "internal_error": (
        "An internal error has occured, please try again later or contact service "
        "support.",
        "internal_error",
    ),
    "RequestTimeOut": (
        "Request timed out, please try again later.",
        "RequestTimeOut",
    ),
    "ModelServingError": (
        "Too many requests. The model is currently overloaded. Please try again later.",
        "ModelServingError",
    ),
}

# The in-stream moderation event (output refused half-way through a stream).
MODERATION_MESSAGE = (
    "<400> InternalError.Algo.DataInspectionFailed: "
    "Output data may contain inappropriate content."
)

# HTTP status for an error code when a stream fault is replayed on a non-stream call.
_STATUS_FOR_CODE = {
    "invalid_parameter_error": 400,
    "invalid_value": 400,
    "data_inspection_failed": 400,
    "Arrearage": 400,
    "invalid_api_key": 401,
    "access_denied": 403,
    "AllocationQuota.FreeTierOnly": 403,
    "model_not_found": 404,
    "limit_requests": 429,
    "limit_burst_rate": 429,
    "insufficient_quota": 429,
    "internal_error": 500,
    "RequestTimeOut": 500,
    "ModelServingError": 503,
}


def error_type_for(code: str) -> str:
    """DashScope's `error.type` for an error code (`type` mirrors most codes)."""
    known = DEFAULT_ERROR_MESSAGES.get(code)
    return known[1] if known else "invalid_request_error"


def status_for(code: str, default: int = 500) -> int:
    """The HTTP status DashScope uses with an error code."""
    return _STATUS_FOR_CODE.get(code, default)


def new_call_id() -> str:
    """A tool call id in DashScope's `call_<24 hex>` shape."""
    return "call_" + secrets.token_hex(12)


@dataclass(frozen=True)
class ToolCall:
    """One tool call of a scripted `Reply.tool_calls`.

    Attributes:
        name: Function name.
        arguments: The arguments exactly as they go on the wire (a JSON string).
        id: The call id (`call_<hex>` unless given).
    """

    name: str
    arguments: str
    id: str


def _tool_call_from(spec: Mapping[str, Any]) -> ToolCall:
    function = spec.get("function")
    if isinstance(function, Mapping):  # accept OpenAI's nested shape too
        spec = {**spec, **function}
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        msg = f"tool call needs a non-empty 'name': {spec!r}"
        raise ValueError(msg)
    args: Any = spec.get("arguments", spec.get("args", {}))
    # ensure_ascii=False: DashScope sends Chinese as text, not \u escapes.
    arguments = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
    call_id = spec.get("id") or new_call_id()
    return ToolCall(name=name, arguments=arguments, id=str(call_id))


@dataclass(frozen=True)
class Reply:
    """A scripted answer for one chat request.

    Build replies with the constructors (`Reply.text`, `Reply.tool_calls`,
    `Reply.error`, `Reply.raw`, `Reply.hang`, `Reply.reset`) or `Reply.from_dict`,
    then queue them with `DashScopeEmulator.script`. Each chat request that passes the
    emulator's request checks consumes one reply, first in first out.

    Stream faults (`drop_after`, `error_after`, `moderation_after`, `malformed_after`,
    `no_done`) count SSE events from the first one sent (the role chunk is event 1).
    On a non-streaming request they mean:

    * `drop_after`: the status line, headers and half the JSON body are sent, then the
      connection is closed (the client sees a truncated body).
    * `error_after`: an HTTP error with that code (status from the code, 500 for
      `internal_error`) and DashScope's error body.
    * `moderation_after`: HTTP 400 `data_inspection_failed`.
    * `malformed_after`: HTTP 200 whose body is not JSON (`{not json`).
    * `no_done`: a normal body whose `finish_reason` is null (an unfinished answer).

    Attributes:
        kind: Which constructor made the reply.
        content: Answer text (text and tool-call replies).
        reasoning: Thinking text, sent as `reasoning_content` (or the flavor's field).
        calls: Tool calls of a `tool_calls` reply.
        interleave: Stream the pieces of parallel tool calls interleaved by index.
        model: Override the `model` field of the response.
        usage: Replace the computed `usage` object entirely.
        finish_reason: Override the finish reason.
        delay: Seconds to wait before the first response byte.
        headers: Extra response headers.
        cached_tokens: `usage.prompt_tokens_details.cached_tokens`.
        cache_creation_tokens: Explicit-cache creation tokens.
        prompt_tokens: Override the estimated prompt tokens.
        completion_tokens: Override the estimated completion tokens.
        logprobs: `choices[].logprobs` (list of token entries, or a ready object).
        chunks: Stream the content in exactly this many content deltas.
        event_delay: Seconds between SSE events (overrides the emulator's setting).
        drop_after: Close the connection abruptly after this many SSE events.
        error_after: Send an in-stream error event after this many SSE events.
        error_code: Code of the in-stream error (default `internal_error`).
        error_message: Message of the in-stream error.
        moderation_after: Send an in-stream `data_inspection_failed` event after N.
        malformed_after: Send a `data: {not json` line after this many SSE events.
        no_done: End the stream without finish chunk, usage and `[DONE]`.
        status: HTTP status (error and raw replies).
        code: Error code (error replies).
        message: Error message (error replies).
        error_type: `error.type` (error replies; derived from the code by default).
        param: `error.param` (error replies).
        body: Exact response body (raw replies).
        content_type: Content type of a raw reply.
        seconds: How long a `hang` reply keeps the connection silent.
    """

    kind: ReplyKind
    content: str = ""
    reasoning: str | None = None
    calls: tuple[ToolCall, ...] = ()
    interleave: bool = False
    model: str | None = None
    usage: Mapping[str, Any] | None = None
    finish_reason: str | None = None
    delay: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()
    cached_tokens: int | None = None
    cache_creation_tokens: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    logprobs: Any = None
    chunks: int | None = None
    event_delay: float | None = None
    drop_after: int | None = None
    error_after: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    moderation_after: int | None = None
    malformed_after: int | None = None
    no_done: bool = False
    status: int = 200
    code: str | None = None
    message: str | None = None
    error_type: str | None = None
    param: str | None = None
    body: bytes = field(default=b"", repr=False)
    content_type: str | None = None
    seconds: float = 0.0

    # ------------------------------------------------------------------ constructors
    @classmethod
    def text(
        cls,
        content: str,
        *,
        reasoning: str | None = None,
        cached_tokens: int | None = None,
        cache_creation_tokens: int | None = None,
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
        logprobs: Any = None,
        chunks: int | None = None,
        model: str | None = None,
        usage: Mapping[str, Any] | None = None,
        finish_reason: str | None = None,
        delay: float = 0.0,
        event_delay: float | None = None,
        headers: Mapping[str, str] | None = None,
        drop_after: int | None = None,
        error_after: int | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        moderation_after: int | None = None,
        malformed_after: int | None = None,
        no_done: bool = False,
    ) -> Reply:
        """A plain answer, optionally with thinking.

        Args:
            content: The answer text.
            reasoning: Thinking text. Non-stream: `reasoning_content` on the message;
                stream: reasoning deltas (`content: null`) before the content deltas.
            cached_tokens: Prompt tokens served from the cache.
            cache_creation_tokens: Prompt tokens written to an explicit cache.
            prompt_tokens: Prompt token count (default: estimated from the request).
            completion_tokens: Completion token count (default: estimated).
            logprobs: A list of token entries (`{"token", "logprob", "bytes",
                "top_logprobs"}`) or a ready `logprobs` object.
            chunks: Stream the content as exactly this many deltas.
            model: Response `model` (default: the requested model).
            usage: Replaces the computed usage object entirely.
            finish_reason: Default `stop`.
            delay: Seconds before the first byte.
            event_delay: Seconds between SSE events for this reply.
            headers: Extra response headers (e.g. `Retry-After`).
            drop_after: Stream fault, see the class docstring.
            error_after: Stream fault, see the class docstring.
            error_code: Code of the `error_after` event.
            error_message: Message of the `error_after` event.
            moderation_after: Stream fault, see the class docstring.
            malformed_after: Stream fault, see the class docstring.
            no_done: Stream fault, see the class docstring.

        Returns:
            The reply.

        Raises:
            ValueError: If `chunks` is below 1 or larger than the content.
        """
        if chunks is not None and not 1 <= chunks <= max(len(content), 1):
            msg = f"chunks must be between 1 and len(content)={len(content)}"
            raise ValueError(msg)
        return cls(
            kind="text",
            content=content,
            reasoning=reasoning,
            cached_tokens=cached_tokens,
            cache_creation_tokens=cache_creation_tokens,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            logprobs=logprobs,
            chunks=chunks,
            model=model,
            usage=usage,
            finish_reason=finish_reason,
            delay=delay,
            event_delay=event_delay,
            headers=_header_tuple(headers),
            drop_after=drop_after,
            error_after=error_after,
            error_code=error_code,
            error_message=error_message,
            moderation_after=moderation_after,
            malformed_after=malformed_after,
            no_done=no_done,
        )

    @classmethod
    def tool_calls(
        cls,
        calls: Sequence[Mapping[str, Any]],
        *,
        content: str = "",
        reasoning: str | None = None,
        interleave: bool = False,
        cached_tokens: int | None = None,
        cache_creation_tokens: int | None = None,
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
        model: str | None = None,
        usage: Mapping[str, Any] | None = None,
        finish_reason: str | None = None,
        delay: float = 0.0,
        event_delay: float | None = None,
        headers: Mapping[str, str] | None = None,
        drop_after: int | None = None,
        error_after: int | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        moderation_after: int | None = None,
        malformed_after: int | None = None,
        no_done: bool = False,
    ) -> Reply:
        """An answer that calls tools.

        Args:
            calls: One mapping per call: `name`, `arguments` (dict, or the exact JSON
                string to send; `args` is accepted too) and optional `id`.
            content: Text sent before the calls (DashScope usually sends "").
            reasoning: Thinking text sent before the calls.
            interleave: Interleave the argument pieces of parallel calls by index
                when streaming (default: one call after the other).
            cached_tokens: See `Reply.text`.
            cache_creation_tokens: See `Reply.text`.
            prompt_tokens: See `Reply.text`.
            completion_tokens: See `Reply.text`.
            model: See `Reply.text`.
            usage: See `Reply.text`.
            finish_reason: Default `tool_calls`.
            delay: See `Reply.text`.
            event_delay: See `Reply.text`.
            headers: See `Reply.text`.
            drop_after: Stream fault, see the class docstring.
            error_after: Stream fault, see the class docstring.
            error_code: See `Reply.text`.
            error_message: See `Reply.text`.
            moderation_after: Stream fault, see the class docstring.
            malformed_after: Stream fault, see the class docstring.
            no_done: Stream fault, see the class docstring.

        Returns:
            The reply.

        Raises:
            ValueError: If `calls` is empty or a call has no name.
        """
        if not calls:
            msg = "Reply.tool_calls needs at least one call"
            raise ValueError(msg)
        return cls(
            kind="tool_calls",
            calls=tuple(_tool_call_from(c) for c in calls),
            content=content,
            reasoning=reasoning,
            interleave=interleave,
            cached_tokens=cached_tokens,
            cache_creation_tokens=cache_creation_tokens,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            model=model,
            usage=usage,
            finish_reason=finish_reason,
            delay=delay,
            event_delay=event_delay,
            headers=_header_tuple(headers),
            drop_after=drop_after,
            error_after=error_after,
            error_code=error_code,
            error_message=error_message,
            moderation_after=moderation_after,
            malformed_after=malformed_after,
            no_done=no_done,
        )

    @classmethod
    def error(
        cls,
        status: int,
        code: str,
        message: str | None = None,
        *,
        type: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
    ) -> Reply:
        """An HTTP error in DashScope's body format.

        The body is `{"error": {"message", "type", "param", "code"}, "id",
        "request_id"}`. Stream requests get the same plain JSON body: DashScope
        reports errors found before the stream starts as ordinary HTTP errors.

        Args:
            status: HTTP status, e.g. 429.
            code: `error.code`, e.g. `limit_requests`.
            message: `error.message` (default: DashScope's text for known codes).
            type: `error.type` (default: derived from the code).
            param: `error.param`.
            headers: Extra response headers (e.g. `{"Retry-After": "1"}`).
            delay: Seconds before the first byte.

        Returns:
            The reply.
        """
        default_message, default_type = DEFAULT_ERROR_MESSAGES.get(
            code, (code, "invalid_request_error")
        )
        return cls(
            kind="error",
            status=status,
            code=code,
            message=message if message is not None else default_message,
            error_type=type or default_type,
            param=param,
            headers=_header_tuple(headers),
            delay=delay,
        )

    @classmethod
    def raw(
        cls,
        status: int,
        body: bytes | str,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
        *,
        delay: float = 0.0,
    ) -> Reply:
        """Send exactly these bytes (e.g. to replay a captured exchange).

        Args:
            status: HTTP status.
            body: The body, byte for byte (str is encoded as UTF-8).
            headers: Extra response headers.
            content_type: Default: `text/event-stream;charset=UTF-8` when the body
                starts with `data:`, else `application/json`.
            delay: Seconds before the first byte.

        Returns:
            The reply.
        """
        data = body.encode() if isinstance(body, str) else bytes(body)
        return cls(
            kind="raw",
            status=status,
            body=data,
            headers=_header_tuple(headers),
            content_type=content_type,
            delay=delay,
        )

    @classmethod
    def hang(cls, seconds: float) -> Reply:
        """Accept the request, send nothing for `seconds`, then close the connection.

        Use it with a client timeout shorter than `seconds`.
        """
        return cls(kind="hang", seconds=seconds)

    @classmethod
    def reset(cls) -> Reply:
        """Close the connection at once (TCP RST), without any response."""
        return cls(kind="reset")

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Reply:
        """Build a reply from a JSON-friendly spec (used by `serve --script`).

        `spec["type"]` names the constructor (`text`, `tool_calls`, `error`, `raw`,
        `hang`, `reset`); the other keys are its arguments. Tool calls go under
        `calls` (or `tool_calls`).

        Args:
            spec: E.g. `{"type": "text", "content": "Hi", "reasoning": "..."}` or
                `{"type": "error", "status": 429, "code": "limit_requests"}`.

        Returns:
            The reply.

        Raises:
            ValueError: On an unknown type or a missing required key.
        """
        kwargs = dict(spec)
        kind = kwargs.pop("type", "text")
        try:
            if kind == "text":
                return cls.text(kwargs.pop("content", ""), **kwargs)
            if kind == "tool_calls":
                calls = kwargs.pop("calls", None) or kwargs.pop("tool_calls", None)
                return cls.tool_calls(calls or [], **kwargs)
            if kind == "error":
                return cls.error(
                    int(kwargs.pop("status")),
                    str(kwargs.pop("code")),
                    kwargs.pop("message", None),
                    **kwargs,
                )
            if kind == "raw":
                return cls.raw(
                    int(kwargs.pop("status", 200)), kwargs.pop("body"), **kwargs
                )
            if kind == "hang":
                return cls.hang(float(kwargs.pop("seconds", 3600.0)))
            if kind == "reset":
                return cls.reset()
        except (KeyError, TypeError) as exc:
            msg = f"bad reply spec {dict(spec)!r}: {exc}"
            raise ValueError(msg) from exc
        msg = f"unknown reply type {kind!r}"
        raise ValueError(msg)

    def with_options(self, **changes: Any) -> Reply:
        """A copy with some fields changed (e.g. `reply.with_options(delay=1.0)`)."""
        return replace(self, **changes)

    @property
    def has_stream_fault(self) -> bool:
        """Whether the reply breaks the stream on purpose."""
        return (
            self.drop_after is not None
            or self.error_after is not None
            or self.moderation_after is not None
            or self.malformed_after is not None
            or self.no_done
        )


def _header_tuple(headers: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in (headers or {}).items())


def _called_names(messages: Any) -> set[str]:
    names: set[str] = set()
    for message in messages if isinstance(messages, list) else []:
        calls = message.get("tool_calls") if isinstance(message, Mapping) else None
        for call in calls if isinstance(calls, list) else []:
            function = call.get("function") if isinstance(call, Mapping) else None
            if isinstance(function, Mapping):
                names.add(str(function.get("name")))
    return names


def forced_tool(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The function a forced `tool_choice` makes the model call, if any.

    A named function is that function. `"required"` is the first function not yet
    called in the conversation, else the last one (an agent's final-answer tool
    comes last), so an unscripted agent loop walks its tools once and ends.
    """
    functions = function_tools(body)
    choice = body.get("tool_choice")
    if not functions:
        return None
    if isinstance(choice, Mapping):
        name = (choice.get("function") or {}).get("name")
        return next((f for f in functions if f["name"] == name), None)
    if choice == "required":
        called = _called_names(body.get("messages"))
        return next((f for f in functions if f["name"] not in called), functions[-1])
    return None


def default_reply(
    body: Mapping[str, Any], *, thinking: bool, chunks: int | None = None
) -> Reply:
    """The answer when the script is empty: what a cooperative model would say.

    See `_cooperative`: tool calls with arguments read from the prompt (forced by
    `tool_choice`, see `forced_tool`, or asked for by the message), a final answer
    that quotes tool results, JSON fitting the requested schema or keys, else plain
    text echoing the last message; a short thinking text when the request thinks.

    Args:
        body: The request body.
        thinking: Whether the server thinks for this request.
        chunks: Make the streamed answer exactly this many content deltas.

    Returns:
        The reply.
    """
    answer = answer_for(body, forced_tool(body))
    plan = (
        f"The request needs {answer.calls[0][0]}; I call it."
        if answer.calls
        else "A short, direct answer fits."
    )
    reasoning = f"I read the request. {plan}" if thinking else None
    if answer.calls:
        calls = [{"name": name, "arguments": args} for name, args in answer.calls]
        return Reply.tool_calls(calls, reasoning=reasoning)
    content = answer.content
    if chunks:
        # Benchmark streams: exactly `chunks` deltas of a few characters each.
        content = "".join(f"t{i % 10} " for i in range(chunks))
    return Reply.text(content, reasoning=reasoning, chunks=chunks)
