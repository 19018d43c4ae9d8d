"""The emulator's Responses API: `POST .../responses`, non-stream and event stream.

DashScope serves OpenAI's Responses protocol at
`/api/v2/apps/protocols/compatible-mode/v1/responses` (and, on newer hosts,
`/compatible-mode/v1/responses`). This module answers it with the protocol's shapes:
a `response` object whose `output` holds `reasoning` items (with a summary),
built-in tool calls run by the server (`web_search_call`, `web_extractor_call`,
`code_interpreter_call`), `function_call` items and the assistant `message` (with
`url_citation` annotations for web sources); and, when streaming, the event
sequence `response.created`, `response.in_progress`, `response.output_item.added`,
summary/text/argument deltas and `*.done` events, built-in tool progress events,
`response.completed` with usage (`response.incomplete` for a reply cut by length),
or an `error` event.

Responses are stored (unless the request says `"store": false`) so that a later
request can continue the conversation with `previous_response_id`; the stored chain
is what the model "sees", and what function-call outputs are checked against.

Like the rest of the emulator it imports nothing from the client.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_qwen.testing import _http
from langchain_qwen.testing._cooperative import answer_for
from langchain_qwen.testing._render import (
    JSON,
    MALFORMED_EVENT,
    SSE,
    RenderContext,
    dumps,
    estimate_tokens,
    split_text,
)
from langchain_qwen.testing._replies import Reply, ToolCall, forced_tool, status_for
from langchain_qwen.testing._rules import RuleError, message_text

if TYPE_CHECKING:
    from langchain_qwen.testing._server import DashScopeEmulator, RecordedRequest

__all__ = [
    "BUILTIN_TOOLS",
    "RESPONSES_PATHS",
    "BuiltinCall",
    "ResponsesEndpoint",
    "ResponsesReply",
]

RESPONSES_PATHS = ("/api/v2/apps/protocols/compatible-mode/v1", "/compatible-mode/v1")
"""Base paths serving `/responses`: the app-protocol path, and the newer one."""

BUILTIN_TOOLS: dict[str, str] = {
    "web_search": "web_search_call",
    "web_extractor": "web_extractor_call",
    "code_interpreter": "code_interpreter_call",
    "image_search": "image_search_call",
}
"""Built-in tool type in `tools` -> the output item type of its calls."""

_ALGO = "<400> InternalError.Algo.InvalidParameter: "
# Keys the Responses endpoint understands; others are ignored (recorded as unknown).
KNOWN_KEYS = frozenset(
    {
        "model",
        "input",
        "stream",
        "previous_response_id",
        "store",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "temperature",
        "top_p",
        "max_output_tokens",
        "enable_thinking",
        "reasoning",
        "text",
        "instructions",
        "metadata",
        "user",
        "truncation",
        "include",
    }
)
# Chat Completions parameters the Responses endpoint refuses instead of ignoring.
REFUSED_KEYS = frozenset({"thinking_budget", "messages"})


@dataclass(frozen=True)
class BuiltinCall:
    """One call of a built-in tool, run "by the server" and scripted by a test.

    Attributes:
        type: The output item type (`web_search_call`, `web_extractor_call`, ...).
        fields: The item's other fields, as sent.
        id: The item id.
    """

    type: str
    fields: Mapping[str, Any]
    id: str = field(default_factory=lambda: "bt_" + uuid.uuid4().hex[:24])

    @property
    def tool(self) -> str:
        """The tool type that must be enabled in the request for this call."""
        for tool, item_type in BUILTIN_TOOLS.items():
            if item_type == self.type:
                return tool
        return self.type.removesuffix("_call")

    @classmethod
    def web_search(
        cls, query: str, sources: Sequence[Mapping[str, str] | str] = ()
    ) -> BuiltinCall:
        """A web search for `query` that found `sources` (URLs or `{url, title}`)."""
        found = [
            {"type": "url", "url": s} if isinstance(s, str) else {"type": "url", **s}
            for s in sources
        ]
        action = {"type": "search", "query": query, "sources": found}
        return cls("web_search_call", {"action": action})

    @classmethod
    def web_extractor(
        cls, urls: Sequence[str], output: str, goal: str = ""
    ) -> BuiltinCall:
        """Pages fetched from `urls`, with the extracted `output` text."""
        return cls(
            "web_extractor_call", {"urls": list(urls), "goal": goal, "output": output}
        )

    @classmethod
    def code_interpreter(cls, code: str, logs: str) -> BuiltinCall:
        """Python `code` run in the sandbox, printing `logs`."""
        return cls(
            "code_interpreter_call",
            {"code": code, "outputs": [{"type": "logs", "logs": logs}]},
        )

    def item(self, *, done: bool) -> dict[str, Any]:
        """The output item (`status` in_progress on `added`, completed on `done`)."""
        if not done:
            return {"id": self.id, "type": self.type, "status": "in_progress"}
        return {"id": self.id, "type": self.type, "status": "completed", **self.fields}


@dataclass(frozen=True)
class ResponsesReply:
    """A scripted Responses answer: built-in tool calls, then the `reply`.

    Attributes:
        reply: The model's answer after the tools ran (`Reply.text`,
            `Reply.tool_calls`); its stream faults apply to the whole event stream.
        builtin: Built-in tool calls the server runs before the answer.
        cite: Add `url_citation` annotations for every web-search source.
    """

    reply: Reply
    builtin: tuple[BuiltinCall, ...] = ()
    cite: bool = True

    def __post_init__(self) -> None:
        if self.reply.kind not in ("text", "tool_calls"):
            msg = "ResponsesReply wraps Reply.text or Reply.tool_calls"
            raise ValueError(msg)


@dataclass
class _Stored:
    context: list[dict[str, Any]]  # every input and output item of the chain so far
    model: str


def _new_id(prefix: str = "") -> str:
    # DashScope's response ids are UUIDs (vendor example "f75c28fb-4064-...").
    return prefix + str(uuid.uuid4())


def _bad(message: str, code: str = "invalid_parameter_error") -> RuleError:
    return RuleError(400, code, _ALGO + message)


def _normalize_input(value: Any) -> list[dict[str, Any]] | RuleError:
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": value}]
    if not isinstance(value, list) or not value:
        return _bad("input must be a string or a non-empty list of items.")
    items: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, Mapping):
            return _bad("Each input item must be an object.")
        kind = item.get("type", "message")
        if kind == "message":
            if item.get("role") not in ("user", "system", "developer", "assistant"):
                return _bad(f"Invalid role in input: {item.get('role')!r}.")
        elif kind == "function_call":
            if not item.get("call_id") or not item.get("name"):
                return _bad("function_call items need call_id and name.")
        elif kind == "function_call_output":
            if not item.get("call_id") or "output" not in item:
                return _bad("function_call_output items need call_id and output.")
        elif kind not in ("reasoning", *BUILTIN_TOOLS.values()):
            return _bad(f"Unsupported input item type: {kind!r}.")
        items.append({**item, "type": kind})
    return items


def _check_tools(tools: Any) -> set[str] | RuleError:
    enabled: set[str] = set()
    if tools is None:
        return enabled
    if not isinstance(tools, list):
        return _bad("tools must be a list.")
    for tool in tools:
        if not isinstance(tool, Mapping):
            return _bad("Each tool must be an object.")
        kind = tool.get("type")
        if kind == "function":
            if "function" in tool or not isinstance(tool.get("name"), str):
                # The Chat Completions tool shape is not the Responses one.
                return _bad(
                    "Function tools take name/description/parameters at the top "
                    "level of the tool object."
                )
            enabled.add("function")
        elif kind in BUILTIN_TOOLS:
            enabled.add(kind)
        else:
            return _bad(f"Unsupported tool type: {kind!r}.")
    return enabled


def _item_text(item: Mapping[str, Any]) -> str:
    if item.get("type") == "function_call_output":
        out = item.get("output")
        return out if isinstance(out, str) else json.dumps(out, ensure_ascii=False)
    if item.get("type") == "function_call":
        return str(item.get("name", "")) + str(item.get("arguments", ""))
    content = item.get("content")
    if isinstance(content, list):
        return "".join(
            str(p.get("text", "")) for p in content if isinstance(p, Mapping)
        )
    return message_text(content)


def _tokens(items: Sequence[Mapping[str, Any]]) -> int:
    return max(1, sum(estimate_tokens(_item_text(i)) + 4 for i in items))


class ResponsesEndpoint:
    """Per-emulator state of the Responses route: the stored responses."""

    MIN_CACHE_TOKENS = 1024  # session cache: prefixes shorter than this are not cached

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stored: dict[str, _Stored] = {}

    def stored(self, response_id: str) -> list[dict[str, Any]] | None:
        """The context (input and output items) a stored response ends, or None."""
        with self._lock:
            found = self._stored.get(response_id)
            return list(found.context) if found else None

    # ------------------------------------------------------------------ serving
    async def serve(
        self,
        emu: DashScopeEmulator,
        conn: _http.Connection,
        reader: asyncio.StreamReader,
        record: RecordedRequest,
        body: Any,
        ctx: RenderContext,
        keep: bool,
        region: str | None,
    ) -> bool:
        """Check one Responses request and answer it (stream or not)."""
        if not isinstance(body, Mapping) or not isinstance(body.get("model"), str):
            return await emu._send_error(
                conn, record, _bad("The request body needs a model."), ctx, keep
            )
        record.unknown_keys = tuple(k for k in body if k not in KNOWN_KEYS)
        ctx.model = body["model"]
        checked = self._check(emu, body, region)
        if isinstance(checked, RuleError):
            return await emu._send_error(conn, record, checked, ctx, keep)
        history, items, enabled = checked
        scripted = emu._next_scripted(dict(body))
        if scripted is None:
            scripted = _default_reply(history, items, body)
        if isinstance(scripted, Reply) and scripted.kind not in ("text", "tool_calls"):
            return await emu._serve(conn, reader, record, scripted, ctx, keep)
        answer = (
            scripted
            if isinstance(scripted, ResponsesReply)
            else ResponsesReply(scripted)
        )
        missing = {c.tool for c in answer.builtin} - enabled
        if missing:
            err = RuleError(
                500,
                "internal_error",
                f"Emulator script error: built-in tool(s) {sorted(missing)} were "
                "scripted but not enabled in the request's tools.",
            )
            return await emu._send_error(conn, record, err, ctx, keep)
        resp_id = _new_id()
        output = _output_items(answer)
        usage = self._usage(answer, body, history, items, record.headers)
        # A reply cut by length is OpenAI's "incomplete" response:
        # https://platform.openai.com/docs/api-reference/responses/object
        cut = answer.reply.finish_reason == "length"
        status = "incomplete" if cut else "completed"
        response = _response_object(resp_id, body, output, usage, ctx, status)
        if body.get("store", True) is not False:
            with self._lock:
                self._stored[resp_id] = _Stored(
                    [*history, *items, *output], body["model"]
                )
        if answer.reply.delay > 0:
            await asyncio.sleep(answer.reply.delay)
        stream = body.get("stream") is True
        return await _send(emu, conn, record, answer, ctx, keep, response, stream)

    def _check(
        self, emu: DashScopeEmulator, body: Mapping[str, Any], region: str | None
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[str]] | RuleError:
        model = body["model"]
        if not emu._model_allowed(region, model):
            return emu._flavor.unknown_model(model)
        refused = sorted(k for k in body if k in REFUSED_KEYS)
        if refused:
            return _bad(f"Parameter(s) {refused} are not supported by this API.")
        items = _normalize_input(body.get("input"))
        if isinstance(items, RuleError):
            return items
        enabled = _check_tools(body.get("tools"))
        if isinstance(enabled, RuleError):
            return enabled
        history: list[dict[str, Any]] = []
        previous = body.get("previous_response_id")
        if previous is not None:
            found = self.stored(previous) if isinstance(previous, str) else None
            if found is None:
                return RuleError(
                    400,
                    "invalid_parameter_error",
                    f"Previous response with id '{previous}' not found.",
                    param="previous_response_id",
                )
            history = found
        calls = {
            i.get("call_id") for i in [*history, *items] if i["type"] == "function_call"
        }
        for item in items:
            if item["type"] == "function_call_output" and item["call_id"] not in calls:
                return _bad(
                    "No tool call found for function call output with call_id "
                    f"{item['call_id']}."
                )
        return history, items, enabled

    def _usage(
        self,
        answer: ResponsesReply,
        body: Mapping[str, Any],
        history: list[dict[str, Any]],
        items: list[dict[str, Any]],
        headers: Mapping[str, str],
    ) -> dict[str, Any]:
        reply = answer.reply
        prompt = reply.prompt_tokens or _tokens([*history, *items])
        text = reply.content + "".join(c.name + c.arguments for c in reply.calls)
        reasoning = estimate_tokens(reply.reasoning) if reply.reasoning else 0
        completion = reply.completion_tokens or (estimate_tokens(text) + reasoning)
        cached = reply.cached_tokens or 0
        creation = reply.cache_creation_tokens or 0
        session = headers.get("x-dashscope-session-cache", "").lower() == "enable"
        if session and reply.cached_tokens is None and history:
            earlier = _tokens(history)
            cached = earlier if earlier >= self.MIN_CACHE_TOKENS else 0
        if session and reply.cache_creation_tokens is None:
            creation = prompt - cached if prompt >= self.MIN_CACHE_TOKENS else 0
        input_details: dict[str, Any] = {"cached_tokens": cached}
        if creation:
            input_details["cache_creation_input_tokens"] = creation
        usage: dict[str, Any] = {
            "input_tokens": prompt,
            "input_tokens_details": input_details,
            "output_tokens": completion,
            "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": prompt + completion,
            "x_details": [
                {
                    "input_tokens": prompt,
                    "output_tokens": completion,
                    "total_tokens": prompt + completion,
                    "x_billing_type": "response_api",
                }
            ],
        }
        if answer.builtin:
            counts: dict[str, dict[str, int]] = {}
            for call in answer.builtin:
                counts.setdefault(call.tool, {"count": 0})["count"] += 1
            usage["x_tools"] = counts
        if reply.usage is not None:
            usage = dict(reply.usage)
        return usage


# ---------------------------------------------------------------------- shapes
def _default_reply(
    history: list[dict[str, Any]], items: list[dict[str, Any]], body: Mapping[str, Any]
) -> Reply:
    """The unscripted answer: the chat model's (`_cooperative`) on the same request.

    A tool call the prompt asks for, structured output, or the answer after a
    function result; else an echo of the last user text naming the earlier user
    turns of a stored chain.
    """
    thinking = body.get("enable_thinking") is True
    context = [*history, *items]
    chat = _as_chat(context, body)
    answer = answer_for(chat, forced_tool(chat))
    if answer.calls:
        calls = [{"name": name, "arguments": args} for name, args in answer.calls]
        reasoning = f"The request needs {answer.calls[0][0]}." if thinking else None
        return Reply.tool_calls(calls, reasoning=reasoning)
    follows_tool = bool(context) and context[-1].get("type") == "function_call_output"
    if follows_tool or "response_format" in chat:
        return Reply.text(answer.content, reasoning="I read it." if thinking else None)
    users = [
        _item_text(i)
        for i in context
        if i["type"] == "message" and i.get("role") == "user"
    ]
    last = users[-1] if users else ""
    text = f"Echo: {last}"
    if len(users) > 1:
        text += " (earlier: " + " | ".join(users[:-1]) + ")"
    return Reply.text(text, reasoning=f"The user said {last!r}." if thinking else None)


def _as_chat(context: list[dict[str, Any]], body: Mapping[str, Any]) -> dict[str, Any]:
    """The Chat Completions request a Responses request amounts to."""
    messages: list[dict[str, Any]] = []
    for item in context:
        kind = item.get("type")
        if kind == "message":
            role = "system" if item.get("role") == "developer" else item.get("role")
            messages.append({"role": role, "content": _item_text(item)})
        elif kind == "function_call":
            function = {"name": item.get("name"), "arguments": item.get("arguments")}
            call = {"id": item.get("call_id"), "type": "function", "function": function}
            messages.append({"role": "assistant", "content": "", "tool_calls": [call]})
        elif kind == "function_call_output":
            messages.append({"role": "tool", "content": _item_text(item)})
    tools = [
        {"type": "function", "function": t}
        for t in body.get("tools") or ()
        if isinstance(t, Mapping) and t.get("type") == "function"
    ]
    chat: dict[str, Any] = {"messages": messages, "tools": tools}
    choice = body.get("tool_choice")
    if isinstance(choice, Mapping) and choice.get("type") == "function":
        choice = {"type": "function", "function": {"name": choice.get("name")}}
    chat["tool_choice"] = choice
    text = body.get("text")
    fmt = text.get("format") if isinstance(text, Mapping) else None
    if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema":
        spec = {"name": fmt.get("name"), "schema": fmt.get("schema")}
        chat["response_format"] = {"type": "json_schema", "json_schema": spec}
    elif isinstance(fmt, Mapping) and fmt.get("type") == "json_object":
        chat["response_format"] = {"type": "json_object"}
    return chat


def _citations(answer: ResponsesReply, text: str) -> list[dict[str, Any]]:
    if not answer.cite:
        return []
    out = []
    for call in answer.builtin:
        if call.type != "web_search_call":
            continue
        for source in call.fields.get("action", {}).get("sources", ()):
            out.append(
                {
                    "type": "url_citation",
                    "url": source.get("url", ""),
                    "title": source.get("title", ""),
                    "start_index": 0,
                    "end_index": len(text),
                }
            )
    return out


def _reasoning_item(item_id: str, text: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": text}],
    }


def _call_item(call: ToolCall, item_id: str, *, done: bool) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "function_call",
        "call_id": call.id,
        "name": call.name,
        "arguments": call.arguments if done else "",
        "status": "completed" if done else "in_progress",
    }


def _message_item(item_id: str, text: str, annotations: list[Any]) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": annotations}],
    }


def _output_items(answer: ResponsesReply) -> list[dict[str, Any]]:
    reply = answer.reply
    items: list[dict[str, Any]] = []
    if reply.reasoning:
        items.append(_reasoning_item(_new_id("rs_"), reply.reasoning))
    items.extend(call.item(done=True) for call in answer.builtin)
    if reply.kind == "text" or reply.content:
        text = reply.content
        items.append(_message_item(_new_id("msg_"), text, _citations(answer, text)))
    for call in reply.calls:
        items.append(_call_item(call, _new_id("fc_"), done=True))
    return items


def _response_object(
    resp_id: str,
    body: Mapping[str, Any],
    output: list[dict[str, Any]],
    usage: dict[str, Any] | None,
    ctx: RenderContext,
    status: str,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": resp_id,
        "object": "response",
        "created_at": ctx.created,
        "model": ctx.model,
        "status": status,
        "output": output,
        "parallel_tool_calls": bool(body.get("parallel_tool_calls", False)),
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "previous_response_id": body.get("previous_response_id"),
        "store": body.get("store", True) is not False,
    }
    if status == "incomplete":
        out["incomplete_details"] = {"reason": "max_output_tokens"}
    if usage is not None:
        out["usage"] = usage
    return out


def _events(
    answer: ResponsesReply, response: dict[str, Any], ctx: RenderContext
) -> list[dict[str, Any]]:
    """The event sequence of a streamed response, without sequence numbers."""
    reply = answer.reply
    size = ctx.chunk_size
    start = {**response, "status": "in_progress", "output": []}
    start.pop("usage", None)
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": start},
        {"type": "response.in_progress", "response": start},
    ]
    for index, item in enumerate(response["output"]):
        base = {"output_index": index, "item_id": item["id"]}
        kind = item["type"]
        if kind == "reasoning":
            text = item["summary"][0]["text"]
            part = {"type": "summary_text", "text": ""}
            events.append(
                {
                    "type": "response.output_item.added",
                    "output_index": index,
                    "item": {**item, "summary": []},
                }
            )
            events.append(
                {
                    "type": "response.reasoning_summary_part.added",
                    **base,
                    "summary_index": 0,
                    "part": part,
                }
            )
            events.extend(
                {
                    "type": "response.reasoning_summary_text.delta",
                    **base,
                    "summary_index": 0,
                    "delta": piece,
                }
                for piece in split_text(text, size)
            )
            events.append(
                {
                    "type": "response.reasoning_summary_text.done",
                    **base,
                    "summary_index": 0,
                    "text": text,
                }
            )
            events.append(
                {
                    "type": "response.reasoning_summary_part.done",
                    **base,
                    "summary_index": 0,
                    "part": {**part, "text": text},
                }
            )
        elif kind == "message":
            content = item["content"][0]
            text = content["text"]
            pieces = (
                split_text(text, max(1, -(-len(text) // reply.chunks)))
                if reply.chunks
                else split_text(text, size)
            )
            events.append(
                {
                    "type": "response.output_item.added",
                    "output_index": index,
                    "item": {**item, "status": "in_progress", "content": []},
                }
            )
            empty = {"type": "output_text", "text": "", "annotations": []}
            events.append(
                {
                    "type": "response.content_part.added",
                    **base,
                    "content_index": 0,
                    "part": empty,
                }
            )
            events.extend(
                {
                    "type": "response.output_text.delta",
                    **base,
                    "content_index": 0,
                    "delta": piece,
                    "logprobs": [],
                }
                for piece in pieces
                if piece
            )
            events.extend(
                {
                    "type": "response.output_text.annotation.added",
                    **base,
                    "content_index": 0,
                    "annotation_index": n,
                    "annotation": annotation,
                }
                for n, annotation in enumerate(content["annotations"])
            )
            events.append(
                {
                    "type": "response.output_text.done",
                    **base,
                    "content_index": 0,
                    "text": text,
                    "logprobs": [],
                }
            )
            events.append(
                {
                    "type": "response.content_part.done",
                    **base,
                    "content_index": 0,
                    "part": content,
                }
            )
        elif kind == "function_call":
            args = item["arguments"]
            events.append(
                {
                    "type": "response.output_item.added",
                    "output_index": index,
                    "item": {**item, "arguments": "", "status": "in_progress"},
                }
            )
            events.extend(
                {"type": "response.function_call_arguments.delta", **base, "delta": p}
                for p in split_text(args, 16)
                if p
            )
            events.append(
                {
                    "type": "response.function_call_arguments.done",
                    **base,
                    "arguments": args,
                }
            )
        else:  # a built-in tool call
            events.append(
                {
                    "type": "response.output_item.added",
                    "output_index": index,
                    "item": {"id": item["id"], "type": kind, "status": "in_progress"},
                }
            )
            phases: tuple[str, ...] = ("in_progress", "completed")
            if kind == "web_search_call":
                phases = ("in_progress", "searching", "completed")
            events.extend({"type": f"response.{kind}.{p}", **base} for p in phases)
        events.append(
            {"type": "response.output_item.done", "output_index": index, "item": item}
        )
    events.append({"type": f"response.{response['status']}", "response": response})
    return events


def _frame(event: dict[str, Any], sequence: int) -> bytes:
    event = {**event, "sequence_number": sequence}
    return b"event: " + event["type"].encode() + b"\ndata: " + dumps(event) + b"\n\n"


async def _send(
    emu: DashScopeEmulator,
    conn: _http.Connection,
    record: RecordedRequest,
    answer: ResponsesReply,
    ctx: RenderContext,
    keep: bool,
    response: dict[str, Any],
    stream: bool,
) -> bool:
    """Send the response (as JSON, or as its event stream) with the reply's faults."""
    reply = answer.reply
    renderer = emu._flavor.renderer
    extra = list(reply.headers)
    fault_at = reply.error_after
    moderation = False
    if fault_at is None and reply.moderation_after is not None:
        fault_at, moderation = reply.moderation_after, True
    fault = None
    if fault_at is not None:
        fault = renderer.fault_error(reply, moderation=moderation)
    record.status = 200
    if not stream:
        if fault is not None:
            code, message, type_ = fault
            err = RuleError(status_for(code), code, message, type_)
            return await emu._send_error(conn, record, err, ctx, keep, extra)
        headers = _http.merge_headers(renderer.headers(ctx, content_type=JSON), extra)
        if reply.malformed_after is not None:
            await conn.send(200, headers, b"{not json", keep_alive=keep)
            return keep
        if reply.no_done:
            response = {**response, "status": "in_progress"}
        body = dumps(response)
        if reply.drop_after is not None:
            await conn.send_partial(200, headers, body, len(body) // 2)
            return False
        await conn.send(200, headers, body, keep_alive=keep)
        return keep

    frames = [_frame(e, n) for n, e in enumerate(_events(answer, response, ctx))]
    headers = _http.merge_headers(
        renderer.headers(ctx, content_type=SSE, stream=True), extra
    )
    chunked = conn.version == "HTTP/1.1"
    keep_after = keep and chunked and not reply.has_stream_fault
    if not keep_after:
        headers.append(("connection", "close"))
    await conn.start_stream(200, headers, chunked=chunked)
    delay = reply.event_delay if reply.event_delay is not None else emu._stream_delay
    if reply.drop_after is not None:
        await _http.write_events(conn, frames[: reply.drop_after], delay)
        conn.close()
        return False
    if fault is not None and fault_at is not None:
        code, message, _type = fault
        error = {"type": "error", "code": code, "message": message, "param": None}
        frames = [*frames[:fault_at], _frame(error, fault_at)]
    elif reply.malformed_after is not None:
        cut = reply.malformed_after
        frames = [*frames[:cut], MALFORMED_EVENT, *frames[cut:]]
    elif reply.no_done:
        frames = frames[:-1]  # no response.completed: the answer never finishes
    await _http.write_events(conn, frames, delay)
    await conn.end_stream()
    if not keep_after:
        conn.close()
    return keep_after
