"""Flavors: DashScope itself, and self-hosted OpenAI-compatible servers serving Qwen.

Each flavor bundles a `Renderer` (wire shapes) with the request rules, the thinking
switch and the error format of that server. See the package docstring for the list
of differences.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from langchain_qwen.testing import _models, _rules
from langchain_qwen.testing._render import SSE, RenderContext, Renderer, split_text
from langchain_qwen.testing._replies import Reply, ToolCall
from langchain_qwen.testing._rules import RuleError

FlavorName = Literal["dashscope", "vllm", "sglang", "ollama"]
FLAVORS: tuple[FlavorName, ...] = ("dashscope", "vllm", "sglang", "ollama")


class Flavor:
    """DashScope compatible mode."""

    name: FlavorName = "dashscope"
    #: Path of the API under the (region) prefix.
    base_path = "/compatible-mode/v1"
    #: Whether a key is required when none was configured explicitly.
    requires_key_by_default = True
    #: Whether DashScope-only top-level keys are refused by default.
    rejects_dashscope_keys = False
    #: Whether any model id is accepted when no strict list was given.
    accepts_any_model = False
    default_models: tuple[str, ...] = _models.DEFAULT_MODELS

    def __init__(self) -> None:
        self.renderer = self.make_renderer()

    def make_renderer(self) -> Renderer:
        """The renderer for this flavor's wire shapes."""
        return Renderer()

    def thinking(self, body: Mapping[str, Any], model: str) -> bool:
        """Whether the server thinks for this request."""
        return _rules.thinking_enabled(body, model)

    def unauthorized(self, region: str | None) -> RuleError:
        """The error for a missing or wrong key."""
        return _rules.invalid_api_key(region)

    def unknown_model(self, model: str) -> RuleError:
        """The error for a model the server does not serve."""
        return _rules.model_not_found(model)

    def check(
        self, body: Mapping[str, Any], *, stream: bool, legacy_nonstream_thinking: bool
    ) -> RuleError | None:
        """The server's request checks (model and auth excluded)."""
        return _rules.check_dashscope(
            body, stream=stream, legacy_nonstream_thinking=legacy_nonstream_thinking
        )

    def extra_keys_error(
        self, keys: Sequence[str], body: Mapping[str, Any]
    ) -> RuleError:
        """The error for DashScope-only keys sent to a server that refuses them."""
        return RuleError(400, "invalid_parameter_error", f"unsupported keys {keys}")


# --------------------------------------------------------------------------- vLLM
class VLLMRenderer(Renderer):
    """vLLM's shapes (`reasoning` field, `chatcmpl-tool-` ids, `stop_reason`)."""

    reasoning_key = "reasoning"
    tool_piece_size = 12
    server_header = "uvicorn"

    def new_ids(self, region: str | None) -> tuple[str, str]:
        """Ids like vLLM's: `chatcmpl-<32 hex>`."""
        hexed = uuid.uuid4().hex
        return hexed, f"chatcmpl-{hexed}"

    def headers(
        self,
        ctx: RenderContext,
        *,
        content_type: str,
        gateway: bool = False,
        stream: bool = False,
    ) -> list[tuple[str, str]]:
        """Headers as uvicorn sends them: no DashScope envelope."""
        ct = "text/event-stream; charset=utf-8" if content_type == SSE else content_type
        return [("server", self.server_header), ("content-type", ct)]

    def usage_wire(self, usage: Any) -> dict[str, Any]:
        """Usage without cache details (vLLM reports none by default)."""
        out: dict[str, Any] = {
            "prompt_tokens": usage.prompt,
            "total_tokens": usage.prompt + usage.completion,
            "completion_tokens": usage.completion,
            "prompt_tokens_details": None,
        }
        if usage.cached:
            out["prompt_tokens_details"] = {"cached_tokens": usage.cached}
        return out

    def tool_call_id(self, call: ToolCall) -> str:
        """The call id as vLLM names it, unless the script gave an explicit id."""
        if call.id.startswith("call_") and len(call.id) == 29:
            return "chatcmpl-tool-" + call.id[5:]
        return call.id

    def tool_call_wire(self, index: int, call: ToolCall) -> dict[str, Any]:
        """A non-stream tool call entry (no `index`)."""
        return {
            "id": self.tool_call_id(call),
            "type": "function",
            "function": {"name": call.name, "arguments": call.arguments},
        }

    def message(self, reply: Reply) -> dict[str, Any]:
        """The message: content null next to tool calls, `reasoning` field."""
        tools = reply.kind == "tool_calls"
        return {
            "role": "assistant",
            "content": (reply.content or None) if tools else reply.content,
            "refusal": None,
            "annotations": None,
            "audio": None,
            "function_call": None,
            "tool_calls": [
                self.tool_call_wire(i, c) for i, c in enumerate(reply.calls)
            ],
            self.reasoning_key: reply.reasoning,
        }

    def completion(self, reply: Reply, ctx: RenderContext) -> dict[str, Any]:
        """The non-stream body."""
        finish = None if reply.no_done else self.finish_reason(reply)
        logprobs = reply.logprobs
        if isinstance(logprobs, list):
            logprobs = {"content": logprobs}
        return {
            "id": ctx.completion_id,
            "object": "chat.completion",
            "created": ctx.created,
            "model": ctx.model,
            "choices": [
                {
                    "index": i,
                    "message": self.message(reply),
                    "logprobs": logprobs,
                    "finish_reason": finish,
                    "stop_reason": None,
                }
                for i in range(ctx.n)
            ],
            "service_tier": None,
            "system_fingerprint": None,
            "usage": self._usage(reply, ctx),
            "prompt_logprobs": None,
            "kv_transfer_params": None,
        }

    def chunk(
        self, ctx: RenderContext, choices: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """A chunk without the unset fields (`usage`, `system_fingerprint`)."""
        return {
            "id": ctx.completion_id,
            "object": "chat.completion.chunk",
            "created": ctx.created,
            "model": ctx.model,
            "choices": choices,
        }

    def choice(
        self,
        index: int,
        delta: dict[str, Any],
        *,
        first: bool = False,
        logprobs: Any = None,
    ) -> dict[str, Any]:
        """A streamed choice."""
        return {
            "index": index,
            "delta": delta,
            "logprobs": logprobs,
            "finish_reason": None,
        }

    def role_choice(self, index: int, *, reasoning: bool) -> dict[str, Any]:
        """The role chunk (always `content: ""`, thinking or not)."""
        return self.choice(index, {"role": "assistant", "content": ""})

    def reasoning_delta(self, piece: str) -> dict[str, Any]:
        """Thinking delta: only the reasoning key."""
        return {self.reasoning_key: piece}

    def content_delta(self, piece: str, *, after_reasoning: bool) -> dict[str, Any]:
        """Answer delta: only `content`."""
        return {"content": piece}

    def finish_choice(
        self, index: int, finish_reason: str | None, *, reasoning: bool, tools: bool
    ) -> dict[str, Any]:
        """Finish chunk with vLLM's `stop_reason`."""
        return {
            "index": index,
            "delta": {"content": ""},
            "logprobs": None,
            "finish_reason": finish_reason,
            "stop_reason": None,
        }

    def tool_first_entry(
        self, index: int, call: ToolCall, arguments: str
    ) -> dict[str, Any]:
        """Opening delta entry: id, type, index and name, no arguments."""
        return {
            "id": self.tool_call_id(call),
            "type": "function",
            "index": index,
            "function": {"name": call.name},
        }

    def tool_piece_entry(self, index: int, piece: str) -> dict[str, Any]:
        """Argument delta entry: index and arguments only."""
        return {"index": index, "function": {"arguments": piece}}

    def tool_entries(self, reply: Reply) -> list[dict[str, Any]]:
        """Every call opens with its name only; argument pieces follow."""
        if reply.interleave:
            return super().tool_entries(reply)
        out: list[dict[str, Any]] = []
        for k, call in enumerate(reply.calls):
            out.append(self.tool_first_entry(k, call, ""))
            out.extend(
                self.tool_piece_entry(k, p)
                for p in split_text(call.arguments, self.tool_piece_size)
            )
        return out

    def tool_stream(self, reply: Reply, ctx: RenderContext) -> list[dict[str, Any]]:
        """Role (and any reasoning/content) chunks, then bare tool-call deltas."""
        out = self.text_stream(reply, ctx, 0)
        for entry in self.tool_entries(reply):
            out.append(self.chunk(ctx, [self.choice(0, {"tool_calls": [entry]})]))
        return out

    def error_body(self, err: RuleError, ctx: RenderContext) -> dict[str, Any]:
        """The error body (`{"error": "Unauthorized"}` for a bad key)."""
        if err.status == 401:
            return {"error": "Unauthorized"}
        return {
            "error": {
                "message": err.message,
                "type": err.type,
                "param": err.param,
                "code": err.status,
            }
        }

    def stream_error(
        self, code: str, message: str, type_: str, ctx: RenderContext
    ) -> dict[str, Any]:
        """The in-stream error event."""
        return {
            "error": {
                "message": message,
                "type": "InternalServerError",
                "param": None,
                "code": 500,
            }
        }

    def models_body(self, models: Sequence[tuple[str, int]]) -> dict[str, Any]:
        """The served model list."""
        return {
            "object": "list",
            "data": [self.model_body(m, created) for m, created in models],
        }

    def model_body(self, model: str, created: int) -> dict[str, Any]:
        """One served model."""
        return {
            "id": model,
            "object": "model",
            "created": created,
            "owned_by": "vllm",
            "root": model,
            "parent": None,
            "max_model_len": 40960,
        }


class SGLangRenderer(VLLMRenderer):
    """SGLang's shapes (`reasoning_content`, hex ids, `matched_stop`)."""

    reasoning_key = "reasoning_content"

    def new_ids(self, region: str | None) -> tuple[str, str]:
        """SGLang ids are bare 32-hex strings."""
        hexed = uuid.uuid4().hex
        return hexed, hexed

    def tool_call_id(self, call: ToolCall) -> str:
        """SGLang keeps `call_<hex>` ids."""
        return call.id

    def message(self, reply: Reply) -> dict[str, Any]:
        """SGLang's message (`tool_calls: null` without calls)."""
        tools = reply.kind == "tool_calls"
        return {
            "role": "assistant",
            "content": (reply.content or None) if tools else reply.content,
            self.reasoning_key: reply.reasoning,
            "tool_calls": [self.tool_call_wire(i, c) for i, c in enumerate(reply.calls)]
            if tools
            else None,
        }

    def completion(self, reply: Reply, ctx: RenderContext) -> dict[str, Any]:
        """SGLang's non-stream body."""
        body = super().completion(reply, ctx)
        for choice in body["choices"]:
            choice.pop("stop_reason", None)
            choice["matched_stop"] = None if reply.kind == "tool_calls" else 151645
        for key in ("service_tier", "system_fingerprint", "prompt_logprobs"):
            body.pop(key, None)
        body.pop("kv_transfer_params", None)
        return body

    def chunk(
        self, ctx: RenderContext, choices: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """SGLang chunks carry `usage: null`."""
        out = super().chunk(ctx, choices)
        out["usage"] = None
        return out

    def finish_choice(
        self, index: int, finish_reason: str | None, *, reasoning: bool, tools: bool
    ) -> dict[str, Any]:
        """Finish chunk with `matched_stop`."""
        out = super().finish_choice(
            index, finish_reason, reasoning=reasoning, tools=tools
        )
        out.pop("stop_reason", None)
        out["matched_stop"] = None if tools else 151645
        return out

    def error_body(self, err: RuleError, ctx: RenderContext) -> dict[str, Any]:
        """SGLang's flat error body."""
        if err.status == 401:
            return {"error": "Unauthorized"}
        return {
            "object": "error",
            "message": err.message,
            "type": err.type,
            "param": err.param,
            "code": err.status,
        }

    def model_body(self, model: str, created: int) -> dict[str, Any]:
        """One served model."""
        return {
            "id": model,
            "object": "model",
            "created": created,
            "owned_by": "sglang",
            "root": model,
            "max_model_len": 40960,
        }


class SelfHostedFlavor(Flavor):
    """vLLM serving Qwen3."""

    name: FlavorName = "vllm"
    base_path = "/v1"
    requires_key_by_default = False
    rejects_dashscope_keys = True
    accepts_any_model = True
    default_models = ("Qwen/Qwen3-8B",)

    def make_renderer(self) -> Renderer:
        """The vLLM shapes."""
        return VLLMRenderer()

    def thinking(self, body: Mapping[str, Any], model: str) -> bool:
        """The switch lives in `chat_template_kwargs.enable_thinking`."""
        kwargs = body.get("chat_template_kwargs")
        if isinstance(kwargs, Mapping) and isinstance(
            kwargs.get("enable_thinking"), bool
        ):
            return bool(kwargs["enable_thinking"])
        # Qwen3's chat template thinks unless told otherwise.
        lowered = model.lower()
        return "qwen3" in lowered or "qwq" in lowered

    def unauthorized(self, region: str | None) -> RuleError:
        """`--api-key` set and the key does not match."""
        return RuleError(401, 401, "Unauthorized", type="Unauthorized", gateway=True)

    def unknown_model(self, model: str) -> RuleError:
        """The 404 for a model the server does not serve."""
        return RuleError(
            404,
            404,
            f"The model `{model}` does not exist.",
            type="NotFoundError",
            param="model",
            gateway=True,
        )

    def check(
        self, body: Mapping[str, Any], *, stream: bool, legacy_nonstream_thinking: bool
    ) -> RuleError | None:
        """Self-hosted servers check little; Qwen's chat template wants system first."""
        for i, msg in enumerate(body["messages"]):
            if msg.get("role") == "system" and i != 0:
                return RuleError(
                    400,
                    400,
                    "System message must be at the beginning.",
                    "BadRequestError",
                )
        return None

    def extra_keys_error(
        self, keys: Sequence[str], body: Mapping[str, Any]
    ) -> RuleError:
        """The pydantic `extra_forbidden` error (vLLM builds with extra="forbid")."""
        details = ", ".join(
            "{'type': 'extra_forbidden', 'loc': ('body', "
            f"{k!r}), 'msg': 'Extra inputs are not permitted', 'input': {body[k]!r}}}"
            for k in keys
        )
        return RuleError(400, 400, f"[{details}]", "BadRequestError")


class SGLangFlavor(SelfHostedFlavor):
    """SGLang serving Qwen3."""

    name: FlavorName = "sglang"

    def make_renderer(self) -> Renderer:
        """SGLang shapes."""
        return SGLangRenderer()


# --------------------------------------------------------------------------- Ollama
class OllamaRenderer(Renderer):
    """Ollama's OpenAI-compatible shapes (`reasoning`, whole calls, `fp_ollama`)."""

    reasoning_key = "reasoning"

    def new_ids(self, region: str | None) -> tuple[str, str]:
        """Ollama ids: `chatcmpl-<small number>`."""
        number = str(secrets.randbelow(1000))
        return number, f"chatcmpl-{number}"

    def headers(
        self,
        ctx: RenderContext,
        *,
        content_type: str,
        gateway: bool = False,
        stream: bool = False,
    ) -> list[tuple[str, str]]:
        """Go's net/http headers."""
        ct = "text/event-stream" if content_type == SSE else "application/json"
        return [("content-type", ct)]

    def usage_wire(self, usage: Any) -> dict[str, Any]:
        """Plain counts only."""
        return {
            "prompt_tokens": usage.prompt,
            "completion_tokens": usage.completion,
            "total_tokens": usage.prompt + usage.completion,
        }

    def tool_call_wire(self, index: int, call: ToolCall) -> dict[str, Any]:
        """A whole tool call (Ollama never streams arguments piecewise)."""
        return {
            "id": call.id,
            "index": None,
            "type": "function",
            "function": {"name": call.name, "arguments": call.arguments},
        }

    def message(self, reply: Reply) -> dict[str, Any]:
        """Ollama's message."""
        msg: dict[str, Any] = {"role": "assistant", "content": reply.content}
        if reply.reasoning:
            msg[self.reasoning_key] = reply.reasoning
        if reply.kind == "tool_calls":
            msg["tool_calls"] = [
                self.tool_call_wire(i, c) for i, c in enumerate(reply.calls)
            ]
        return msg

    def completion(self, reply: Reply, ctx: RenderContext) -> dict[str, Any]:
        """Ollama's non-stream body."""
        finish = None if reply.no_done else self.finish_reason(reply)
        return {
            "id": ctx.completion_id,
            "object": "chat.completion",
            "created": ctx.created,
            "model": ctx.model,
            "system_fingerprint": "fp_ollama",
            "choices": [
                {"index": i, "message": self.message(reply), "finish_reason": finish}
                for i in range(ctx.n)
            ],
            "usage": self._usage(reply, ctx),
        }

    def chunk(
        self, ctx: RenderContext, choices: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Ollama chunks: `system_fingerprint: fp_ollama`, no `usage` key."""
        return {
            "id": ctx.completion_id,
            "object": "chat.completion.chunk",
            "created": ctx.created,
            "model": ctx.model,
            "system_fingerprint": "fp_ollama",
            "choices": choices,
        }

    def choice(
        self,
        index: int,
        delta: dict[str, Any],
        *,
        first: bool = False,
        logprobs: Any = None,
    ) -> dict[str, Any]:
        """Every delta repeats the role."""
        return {
            "index": index,
            "delta": {"role": "assistant", **delta},
            "finish_reason": None,
        }

    def role_choice(self, index: int, *, reasoning: bool) -> dict[str, Any]:
        """Ollama has no separate role chunk; this is an empty first delta."""
        return self.choice(index, {"content": ""})

    def reasoning_delta(self, piece: str) -> dict[str, Any]:
        """Thinking delta."""
        return {"content": "", self.reasoning_key: piece}

    def content_delta(self, piece: str, *, after_reasoning: bool) -> dict[str, Any]:
        """Answer delta."""
        return {"content": piece}

    def finish_choice(
        self, index: int, finish_reason: str | None, *, reasoning: bool, tools: bool
    ) -> dict[str, Any]:
        """Finish chunk."""
        return {
            "index": index,
            "delta": {"role": "assistant", "content": ""},
            "finish_reason": finish_reason,
        }

    def text_stream(
        self, reply: Reply, ctx: RenderContext, index: int
    ) -> list[dict[str, Any]]:
        """No role chunk: Ollama starts with the first piece."""
        return super().text_stream(reply, ctx, index)[1:]

    def tool_stream(self, reply: Reply, ctx: RenderContext) -> list[dict[str, Any]]:
        """All calls arrive whole, in one delta, with `index: null`."""
        out = self.text_stream(reply, ctx, 0)
        calls = [self.tool_call_wire(i, c) for i, c in enumerate(reply.calls)]
        out.append(
            self.chunk(ctx, [self.choice(0, {"content": "", "tool_calls": calls})])
        )
        return out

    def error_body(self, err: RuleError, ctx: RenderContext) -> dict[str, Any]:
        """Ollama's error body."""
        return {
            "error": {
                "message": err.message,
                "type": err.type,
                "param": None,
                "code": None,
            }
        }

    def stream_error(
        self, code: str, message: str, type_: str, ctx: RenderContext
    ) -> dict[str, Any]:
        """Ollama's in-stream error event."""
        return {
            "error": {
                "message": message,
                "type": "api_error",
                "param": None,
                "code": None,
            }
        }

    def model_body(self, model: str, created: int) -> dict[str, Any]:
        """One local model."""
        return {
            "id": model,
            "object": "model",
            "created": created,
            "owned_by": "library",
        }


class OllamaFlavor(Flavor):
    """Ollama serving Qwen3 through its OpenAI-compatible API."""

    name: FlavorName = "ollama"
    base_path = "/v1"
    requires_key_by_default = False
    rejects_dashscope_keys = False
    accepts_any_model = True
    default_models = ("qwen3:8b",)

    def make_renderer(self) -> Renderer:
        """Ollama shapes."""
        return OllamaRenderer()

    def thinking(self, body: Mapping[str, Any], model: str) -> bool:
        """Thinking follows `reasoning_effort` ("none" turns it off) or `think`."""
        effort = body.get("reasoning_effort")
        if isinstance(effort, str):
            return effort != "none"
        think = body.get("think")
        if isinstance(think, bool):
            return think
        lowered = model.lower()
        return "qwen3" in lowered or "qwq" in lowered

    def unauthorized(self, region: str | None) -> RuleError:
        """Only when a key was configured explicitly (Ollama itself has no keys)."""
        return RuleError(401, None, "unauthorized", type="api_error", gateway=True)

    def unknown_model(self, model: str) -> RuleError:
        """Ollama's 404 for a model that was not pulled."""
        return RuleError(
            404,
            None,
            f'model "{model}" not found, try pulling it first',
            type="api_error",
            gateway=True,
        )

    def check(
        self, body: Mapping[str, Any], *, stream: bool, legacy_nonstream_thinking: bool
    ) -> RuleError | None:
        """Ollama accepts nearly anything."""
        return None


def make_flavor(name: str) -> Flavor:
    """The flavor object for a flavor name.

    Raises:
        ValueError: For an unknown name.
    """
    table: dict[str, type[Flavor]] = {
        "dashscope": Flavor,
        "vllm": SelfHostedFlavor,
        "sglang": SGLangFlavor,
        "ollama": OllamaFlavor,
    }
    try:
        return table[name]()
    except KeyError:
        msg = f"unknown flavor {name!r}; expected one of {FLAVORS}"
        raise ValueError(msg) from None
