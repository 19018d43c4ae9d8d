"""Turn a `Reply` into DashScope's exact wire shapes (bodies, SSE events, headers).

`Renderer` speaks DashScope; `_flavors` subclasses it for self-hosted servers. Shapes
follow recorded DashScope traffic, including its quirks: the first content delta's
keys come in a different order, tool-call deltas after the first carry `"id": ""`,
an extra empty-arguments delta without `finish_reason`/`logprobs` keys precedes the
finish chunk, and error bodies refused at the gateway carry no `id`.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_qwen.testing._replies import (
    DEFAULT_ERROR_MESSAGES,
    MODERATION_MESSAGE,
    Reply,
    ToolCall,
    error_type_for,
)
from langchain_qwen.testing._rules import RuleError, message_text

DONE_EVENT = b"data: [DONE]\n\n"
MALFORMED_EVENT = b"data: {not json\n\n"
JSON = "application/json"
SSE = "text/event-stream;charset=UTF-8"

# US-region request ids are 16-char base64url strings, elsewhere UUID-shaped.
_US_REGIONS = frozenset({"us", "us-east-1", "virginia", "dashscope-us"})


def dumps(obj: Any) -> bytes:
    """Compact JSON as DashScope sends it (UTF-8, no ASCII escaping)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def sse(obj: Any) -> bytes:
    """One SSE event line pair."""
    return b"data: " + dumps(obj) + b"\n\n"


def estimate_tokens(text: str) -> int:
    """A deterministic rough token count (4 characters a token, at least 1)."""
    return max(1, (len(text) + 3) // 4)


def prompt_token_estimate(body: Mapping[str, Any]) -> int:
    """Rough prompt tokens for a request body (messages plus tool schemas)."""
    chars = 0
    messages = body.get("messages")
    count = 0
    if isinstance(messages, list):
        for msg in messages:
            if isinstance(msg, Mapping):
                count += 1
                chars += len(message_text(msg.get("content")))
                calls = msg.get("tool_calls")
                if calls:
                    chars += len(json.dumps(calls, ensure_ascii=False))
    tools = body.get("tools")
    if tools:
        chars += len(json.dumps(tools, ensure_ascii=False))
    # ~4 template tokens per message, like the Qwen chat template.
    return max(1, chars // 4 + 4 * count)


def split_text(text: str, size: int) -> list[str]:
    """Cut text into pieces of `size` characters."""
    size = max(1, size)
    return [text[i : i + size] for i in range(0, len(text), size)]


def split_even(text: str, parts: int) -> list[str]:
    """Cut text into exactly `parts` non-empty pieces of near-equal length."""
    parts = max(1, min(parts, len(text))) if text else 1
    base, extra = divmod(len(text), parts)
    out, pos = [], 0
    for i in range(parts):
        step = base + (1 if i < extra else 0)
        out.append(text[pos : pos + step])
        pos += step
    return out


@dataclass
class RenderContext:
    """What the renderer needs to know about the request it answers.

    Attributes:
        request_id: The request id (`x-request-id`, `request_id` in error bodies).
        completion_id: The response `id` (`chatcmpl-<request_id>` on DashScope).
        created: The `created` epoch.
        model: The model named in the response.
        stream: Whether the request streams.
        include_usage: `stream_options.include_usage`.
        n: Number of choices.
        chunk_size: Characters per content delta.
        prompt_tokens: Estimated prompt tokens.
        cached: Prompt tokens read from the context cache.
        cache_creation: Prompt tokens written to the context cache.
        arrive_ms: When the request arrived (ms epoch, for `req-arrive-time`).
    """

    request_id: str
    completion_id: str
    created: int
    model: str
    stream: bool = False
    include_usage: bool = False
    n: int = 1
    chunk_size: int = 4
    prompt_tokens: int = 1
    cached: int = 0
    cache_creation: int = 0
    arrive_ms: int = field(default_factory=lambda: int(time.time() * 1000))


@dataclass
class StreamPlan:
    """The SSE events of a streamed reply.

    Attributes:
        body: Role, reasoning, content and tool-call events.
        tail: Finish chunk(s), the usage chunk and `[DONE]`.
    """

    body: list[bytes]
    tail: list[bytes]

    @property
    def events(self) -> list[bytes]:
        """All events in order."""
        return self.body + self.tail


@dataclass(frozen=True)
class Usage:
    """Token counts before they are shaped for the wire."""

    prompt: int
    completion: int
    reasoning: int = 0
    cached: int = 0
    cache_creation: int = 0


class Renderer:
    """DashScope compatible-mode wire shapes."""

    #: Name of the thinking field in messages and deltas.
    reasoning_key = "reasoning_content"
    #: Characters of tool-call arguments per streamed delta.
    tool_piece_size = 16

    # ------------------------------------------------------------------ ids/headers
    def new_ids(self, region: str | None) -> tuple[str, str]:
        """A fresh (request id, completion id) pair."""
        if region is not None and region.lower() in _US_REGIONS:
            request_id = base64.urlsafe_b64encode(secrets.token_bytes(12)).decode()
        else:
            # UUID-shaped with DashScope's non-RFC version nibble (e.g. "-9b83-").
            hexed = uuid.uuid4().hex
            hexed = hexed[:12] + "9" + hexed[13:]
            request_id = "-".join(
                (hexed[:8], hexed[8:12], hexed[12:16], hexed[16:20], hexed[20:])
            )
        return request_id, f"chatcmpl-{request_id}"

    def headers(
        self,
        ctx: RenderContext,
        *,
        content_type: str,
        gateway: bool = False,
        stream: bool = False,
    ) -> list[tuple[str, str]]:
        """DashScope's response headers (no framing headers; the HTTP layer adds those).

        Args:
            ctx: The request context.
            content_type: The body's content type.
            gateway: The request was refused by the gateway (no call-gateway header).
            stream: The response is an SSE stream.

        Returns:
            Header pairs.
        """
        now_ms = int(time.time() * 1000)
        cost = str(max(0, now_ms - ctx.arrive_ms))
        out = [
            (
                "vary",
                "Origin"
                if stream
                else "Origin,Access-Control-Request-Method,"
                "Access-Control-Request-Headers, Accept-Encoding",
            ),
            ("x-request-id", ctx.request_id),
        ]
        if not gateway:
            out += [
                ("x-dashscope-call-gateway", "true"),
                ("x-dashscope-finished", "false" if stream else "true"),
                ("x-dashscope-timeout", "3600"),
            ]
        out += [
            ("content-type", content_type),
            ("req-cost-time", cost),
            ("req-arrive-time", str(ctx.arrive_ms)),
            ("resp-start-time", str(now_ms)),
            ("x-envoy-upstream-service-time", cost),
            ("server", "istio-envoy"),
        ]
        return out

    # ------------------------------------------------------------------ usage
    def usage_for(self, reply: Reply, ctx: RenderContext) -> Usage:
        """Token counts for a reply: given values win, the rest is estimated."""
        reasoning = estimate_tokens(reply.reasoning) if reply.reasoning else 0
        if reply.kind == "tool_calls":
            text = reply.content + "".join(c.name + c.arguments for c in reply.calls)
            answer = estimate_tokens(text) + 8 * len(reply.calls)
        else:
            answer = estimate_tokens(reply.content) if reply.content else 1
        completion = reply.completion_tokens
        if completion is None:
            completion = (answer + reasoning) * ctx.n
        return Usage(
            prompt=reply.prompt_tokens
            if reply.prompt_tokens is not None
            else ctx.prompt_tokens,
            completion=completion,
            reasoning=reasoning * ctx.n,
            cached=ctx.cached if reply.cached_tokens is None else reply.cached_tokens,
            cache_creation=ctx.cache_creation
            if reply.cache_creation_tokens is None
            else reply.cache_creation_tokens,
        )

    def usage_wire(self, usage: Usage) -> dict[str, Any]:
        """The `usage` object as DashScope sends it."""
        out: dict[str, Any] = {
            "prompt_tokens": usage.prompt,
            "completion_tokens": usage.completion,
            "total_tokens": usage.prompt + usage.completion,
        }
        if usage.reasoning:
            out["completion_tokens_details"] = {"reasoning_tokens": usage.reasoning}
        details: dict[str, Any] = {"cached_tokens": usage.cached}
        if usage.cache_creation:
            details["cache_creation"] = {
                "ephemeral_5m_input_tokens": usage.cache_creation
            }
            details["cache_creation_input_tokens"] = usage.cache_creation
            details["cache_type"] = "ephemeral"
        out["prompt_tokens_details"] = details
        return out

    def _usage(self, reply: Reply, ctx: RenderContext) -> dict[str, Any]:
        if reply.usage is not None:
            return dict(reply.usage)
        return self.usage_wire(self.usage_for(reply, ctx))

    # ------------------------------------------------------------------ non-stream
    def tool_call_wire(self, index: int, call: ToolCall) -> dict[str, Any]:
        """One entry of `message.tool_calls` in a non-stream body."""
        return {
            "function": {"arguments": call.arguments, "name": call.name},
            "id": call.id,
            "index": index,
            "type": "function",
        }

    def message(self, reply: Reply) -> dict[str, Any]:
        """The assistant `message` of a non-stream body."""
        msg: dict[str, Any] = {"content": reply.content}
        if reply.reasoning is not None:
            msg[self.reasoning_key] = reply.reasoning
        msg["role"] = "assistant"
        if reply.kind == "tool_calls":
            msg["tool_calls"] = [
                self.tool_call_wire(i, c) for i, c in enumerate(reply.calls)
            ]
        return msg

    def finish_reason(self, reply: Reply) -> str | None:
        """The finish reason of a completed reply."""
        if reply.finish_reason is not None:
            return reply.finish_reason
        return "tool_calls" if reply.kind == "tool_calls" else "stop"

    def completion(self, reply: Reply, ctx: RenderContext) -> dict[str, Any]:
        """The non-stream body for a text or tool-call reply."""
        finish = None if reply.no_done else self.finish_reason(reply)
        logprobs = _logprobs_object(reply.logprobs)
        choices = [
            {
                "message": self.message(reply),
                "finish_reason": finish,
                "index": i,
                "logprobs": logprobs,
            }
            for i in range(ctx.n)
        ]
        return {
            "choices": choices,
            "object": "chat.completion",
            "usage": self._usage(reply, ctx),
            "created": ctx.created,
            "system_fingerprint": None,
            "model": ctx.model,
            "id": ctx.completion_id,
        }

    # ------------------------------------------------------------------ stream
    def chunk(
        self, ctx: RenderContext, choices: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """A `chat.completion.chunk` wrapper."""
        return {
            "choices": choices,
            "object": "chat.completion.chunk",
            "usage": None,
            "created": ctx.created,
            "system_fingerprint": None,
            "model": ctx.model,
            "id": ctx.completion_id,
        }

    def usage_chunk(self, ctx: RenderContext, usage: dict[str, Any]) -> dict[str, Any]:
        """The last chunk when `stream_options.include_usage` is true."""
        out = self.chunk(ctx, [])
        out["usage"] = usage
        return out

    def choice(
        self,
        index: int,
        delta: dict[str, Any],
        *,
        first: bool = False,
        logprobs: Any = None,
    ) -> dict[str, Any]:
        """A streamed choice carrying a delta."""
        if first:
            # DashScope's first content delta lists its keys in this order.
            return {
                "finish_reason": None,
                "logprobs": logprobs,
                "delta": delta,
                "index": index,
            }
        return {
            "delta": delta,
            "finish_reason": None,
            "index": index,
            "logprobs": logprobs,
        }

    def role_choice(self, index: int, *, reasoning: bool) -> dict[str, Any]:
        """The first choice of a stream, carrying the role."""
        delta: dict[str, Any]
        if reasoning:
            delta = {"content": None, "role": "assistant", self.reasoning_key: ""}
        else:
            delta = {"content": "", "role": "assistant"}
        return {"delta": delta, "index": index, "logprobs": None, "finish_reason": None}

    def reasoning_delta(self, piece: str) -> dict[str, Any]:
        """A thinking delta."""
        return {"content": None, self.reasoning_key: piece}

    def content_delta(self, piece: str, *, after_reasoning: bool) -> dict[str, Any]:
        """An answer delta."""
        if after_reasoning:
            return {"content": piece, self.reasoning_key: None}
        return {"content": piece}

    def finish_choice(
        self, index: int, finish_reason: str | None, *, reasoning: bool, tools: bool
    ) -> dict[str, Any]:
        """The choice of the finish chunk."""
        delta: dict[str, Any]
        if tools:
            delta = {}
        elif reasoning:
            delta = {"content": "", self.reasoning_key: None}
        else:
            delta = {"content": ""}
        return {
            "finish_reason": finish_reason,
            "delta": delta,
            "index": index,
            "logprobs": None,
        }

    def content_pieces(self, reply: Reply, ctx: RenderContext) -> list[tuple[str, Any]]:
        """(piece, logprobs) pairs for the answer text."""
        entries = reply.logprobs if isinstance(reply.logprobs, list) else None
        if (
            entries
            and "".join(str(e.get("token", "")) for e in entries) == reply.content
        ):
            # One delta per token, each with its own logprobs entry, like OpenAI.
            return [(str(e.get("token", "")), {"content": [e]}) for e in entries]
        if reply.chunks is not None:
            pieces = split_even(reply.content, reply.chunks)
        else:
            pieces = split_text(reply.content, ctx.chunk_size)
        out: list[tuple[str, Any]] = [(p, None) for p in pieces]
        if out and reply.logprobs is not None:
            out[0] = (out[0][0], _logprobs_object(reply.logprobs))
        return out

    def stream(self, reply: Reply, ctx: RenderContext) -> StreamPlan:
        """All SSE events for a text or tool-call reply."""
        body: list[dict[str, Any]] = []
        finish = self.finish_reason(reply)
        tail: list[dict[str, Any]] = []
        if reply.kind == "tool_calls":
            body += self.tool_stream(reply, ctx)
            tail.append(
                self.chunk(
                    ctx,
                    [
                        self.finish_choice(
                            0, finish, reasoning=reply.reasoning is not None, tools=True
                        )
                    ],
                )
            )
        else:
            for i in range(ctx.n):
                body += self.text_stream(reply, ctx, i)
            for i in range(ctx.n):
                tail.append(
                    self.chunk(
                        ctx,
                        [
                            self.finish_choice(
                                i,
                                finish,
                                reasoning=reply.reasoning is not None,
                                tools=False,
                            )
                        ],
                    )
                )
        if ctx.include_usage:
            tail.append(self.usage_chunk(ctx, self._usage(reply, ctx)))
        return StreamPlan(
            body=[sse(o) for o in body], tail=[*(sse(o) for o in tail), DONE_EVENT]
        )

    def text_stream(
        self, reply: Reply, ctx: RenderContext, index: int
    ) -> list[dict[str, Any]]:
        """Role, reasoning and content chunks of one choice."""
        thinking = reply.reasoning is not None
        out = [self.chunk(ctx, [self.role_choice(index, reasoning=thinking)])]
        first = True
        if reply.reasoning:
            for piece in split_text(reply.reasoning, ctx.chunk_size):
                delta = self.reasoning_delta(piece)
                out.append(self.chunk(ctx, [self.choice(index, delta, first=first)]))
                first = False
        for piece, logprobs in self.content_pieces(reply, ctx):
            delta = self.content_delta(piece, after_reasoning=thinking)
            choice = self.choice(index, delta, first=first, logprobs=logprobs)
            out.append(self.chunk(ctx, [choice]))
            first = False
        return out

    # Tool calls ---------------------------------------------------------------
    def tool_first_entry(
        self, index: int, call: ToolCall, arguments: str
    ) -> dict[str, Any]:
        """The delta entry that opens a tool call."""
        return {
            "index": index,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": arguments},
        }

    def tool_piece_entry(self, index: int, piece: str) -> dict[str, Any]:
        """A delta entry carrying more arguments of an open call."""
        # DashScope repeats type and sends an empty id, not an absent one.
        return {
            "index": index,
            "id": "",
            "type": "function",
            "function": {"arguments": piece},
        }

    def tool_entries(self, reply: Reply) -> list[dict[str, Any]]:
        """The tool-call delta entries in the order they are streamed."""
        pieces = [split_text(c.arguments, self.tool_piece_size) for c in reply.calls]
        out: list[dict[str, Any]] = []
        if reply.interleave:
            for k, call in enumerate(reply.calls):
                out.append(self.tool_first_entry(k, call, ""))
            for step in range(max(len(p) for p in pieces)):
                for k, call_pieces in enumerate(pieces):
                    if step < len(call_pieces):
                        out.append(self.tool_piece_entry(k, call_pieces[step]))
            return out
        for k, call in enumerate(reply.calls):
            rest = pieces[k]
            if k == 0 or not rest:
                out.append(self.tool_first_entry(k, call, ""))
            else:
                # A later parallel call opens with id, name and its first arguments.
                out.append(self.tool_first_entry(k, call, rest[0]))
                rest = rest[1:]
            out.extend(self.tool_piece_entry(k, p) for p in rest)
        return out

    def tool_stream(self, reply: Reply, ctx: RenderContext) -> list[dict[str, Any]]:
        """Reasoning/content chunks, then the tool-call chunks."""
        out: list[dict[str, Any]] = []
        prefix: dict[str, Any] = {"content": None}
        role_pending = True
        if reply.reasoning is not None or reply.content:
            out += self.text_stream(reply, ctx, 0)
            role_pending = False
            if reply.reasoning is not None:
                prefix = {"content": None, self.reasoning_key: None}
        for entry in self.tool_entries(reply):
            delta: dict[str, Any] = {**prefix, "tool_calls": [entry]}
            if role_pending:
                delta["role"] = "assistant"
                role_pending = False
            out.append(self.chunk(ctx, [self.choice(0, delta)]))
        # DashScope closes the calls with an empty-arguments delta whose choice has
        # no finish_reason/logprobs keys at all.
        last = len(reply.calls) - 1
        out.append(
            self.chunk(
                ctx,
                [
                    {
                        "delta": {
                            "tool_calls": [
                                {
                                    "function": {"arguments": ""},
                                    "index": last,
                                    "id": "",
                                    "type": "function",
                                }
                            ]
                        },
                        "index": 0,
                    }
                ],
            )
        )
        return out

    # ------------------------------------------------------------------ errors
    def error_body(self, err: RuleError, ctx: RenderContext) -> dict[str, Any]:
        """An HTTP error body."""
        body: dict[str, Any] = {
            "error": {
                "message": err.message,
                "type": err.type,
                "param": err.param,
                "code": err.code,
            }
        }
        if not err.gateway:
            body["id"] = ctx.completion_id
        body["request_id"] = ctx.request_id
        return body

    def stream_error(
        self, code: str, message: str, type_: str, ctx: RenderContext
    ) -> dict[str, Any]:
        """An error delivered inside a 200 SSE stream (capture 41's shape)."""
        return {
            "error": {"code": code, "param": None, "message": message, "type": type_},
            "id": ctx.completion_id,
        }

    def fault_error(self, reply: Reply, *, moderation: bool) -> tuple[str, str, str]:
        """(code, message, type) of an `error_after`/`moderation_after` fault."""
        if moderation:
            return (
                "data_inspection_failed",
                MODERATION_MESSAGE,
                "data_inspection_failed",
            )
        code = reply.error_code or "internal_error"
        message = reply.error_message
        if message is None:
            message = DEFAULT_ERROR_MESSAGES.get(code, (code, ""))[0]
        return code, message, error_type_for(code)

    # ------------------------------------------------------------------ models
    def models_body(self, models: Sequence[tuple[str, int]]) -> dict[str, Any]:
        """`GET /models` (capture 34's shape)."""
        return {
            "object": "list",
            "data": [
                {"id": m, "object": "model", "created": created, "owned_by": "system"}
                for m, created in models
            ],
        }

    def model_body(self, model: str, created: int) -> dict[str, Any]:
        """`GET /models/{id}`."""
        return {
            "id": model,
            "object": "model",
            "created": created,
            "owned_by": "system",
        }


def _logprobs_object(logprobs: Any) -> Any:
    if logprobs is None:
        return None
    if isinstance(logprobs, list):
        return {"content": logprobs}
    return logprobs
