"""Serving the embedding and rerank endpoints: routing, auth, limits and faults.

The rules and answers live in `_embeddings` and `_rerank`; this module fits them
into the server: the same key check per region, the same rate limits
(`emu.rate_limits`), the same request log, the server's `latency`, and scripted
faults. A scripted fault (`Reply.error`, `Reply.hang`, `Reply.reset`, `Reply.raw`)
at the head of the script is consumed by the next
request that passes the checks, on these endpoints as on chat; a scripted text or
tool-call reply is left for a chat request.

Native endpoints answer errors in the native shape: ``{"code", "message",
"request_id"}``; the compatible ones in the OpenAI shape with DashScope's `id`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_qwen.testing import _embeddings, _http, _rerank
from langchain_qwen.testing._limits import Ticket
from langchain_qwen.testing._render import JSON, RenderContext, dumps
from langchain_qwen.testing._rules import RuleError

if TYPE_CHECKING:
    from langchain_qwen.testing._replies import Reply
    from langchain_qwen.testing._server import DashScopeEmulator, RecordedRequest

EMBEDDINGS = "embeddings"
NATIVE_EMBEDDINGS = "services/embeddings/text-embedding/text-embedding"
RERANKS = "reranks"
NATIVE_RERANK = "services/rerank/text-rerank/text-rerank"

ROUTES: dict[str, str] = {
    "/compatible-mode/v1/embeddings": EMBEDDINGS,
    "/api/v1/services/embeddings/text-embedding/text-embedding": NATIVE_EMBEDDINGS,
    "/compatible-api/v1/reranks": RERANKS,
    "/api/v1/services/rerank/text-rerank/text-rerank": NATIVE_RERANK,
}
"""Path (after any region prefix) -> endpoint name."""

ENDPOINTS = frozenset(ROUTES.values())
_NATIVE = frozenset({NATIVE_EMBEDDINGS, NATIVE_RERANK})
_FAULTS = frozenset({"error", "reset", "hang", "raw"})


def route(path: str) -> str | None:
    """The retrieval endpoint a path (region prefix removed) addresses, if any."""
    return ROUTES.get(path.rstrip("/"))


@dataclass
class RetrievalSettings:
    """Settings of the embedding and rerank endpoints (`emu.retrieval`).

    Attributes:
        shuffle: Answer embeddings in a deterministic shuffled order (each item
            carries its index), as DashScope may. `reset()` turns it back on.
    """

    shuffle: bool = True


Answer = Callable[[Any, "str | None", str], Any]


def _answer(endpoint: str, settings: RetrievalSettings) -> Answer:
    shuffle = settings.shuffle
    if endpoint == EMBEDDINGS:
        return lambda b, r, i: _embeddings.compatible(b, r, i, shuffle=shuffle)
    if endpoint == NATIVE_EMBEDDINGS:
        return lambda b, r, i: _embeddings.native(b, r, i, shuffle=shuffle)
    if endpoint == RERANKS:
        return _rerank.compatible
    return _rerank.native


def _known_keys(endpoint: str) -> frozenset[str]:
    if endpoint == EMBEDDINGS:
        return _embeddings.COMPATIBLE_KEYS
    if endpoint == RERANKS:
        return _rerank.COMPATIBLE_KEYS
    return _embeddings.NATIVE_KEYS


async def serve(
    emu: DashScopeEmulator,
    conn: _http.Connection,
    reader: asyncio.StreamReader,
    record: RecordedRequest,
    endpoint: str,
    region: str | None,
    ctx: RenderContext,
    keep: bool,
) -> bool:
    """Answer one embeddings or rerank request; True keeps the connection open."""
    native = endpoint in _NATIVE
    ctx.completion_id = ctx.request_id  # these endpoints' `id` is the request id
    body = record.json
    record.unknown_keys = (
        tuple(k for k in body if k not in _known_keys(endpoint))
        if isinstance(body, dict)
        else ()
    )

    async def refuse(err: RuleError) -> bool:
        if native:
            return await _send_native_error(emu, conn, record, err, ctx, keep)
        return await emu._send_error(conn, record, err, ctx, keep)

    if record.method != "POST":
        err = RuleError(405, "method_not_allowed", "Method Not Allowed", gateway=True)
        return await refuse(err)
    if not emu._authorized(record.headers, region):
        if native:
            err = RuleError(401, "InvalidApiKey", "Invalid API-key provided.")
            return await refuse(err)
        return await refuse(emu._flavor.unauthorized(region))
    model = body.get("model") if isinstance(body, dict) else None
    strict = emu._strict_models.get(region)
    if strict is not None and model not in strict:
        if native:
            return await refuse(RuleError(400, "InvalidParameter", "Model not exist."))
        return await refuse(emu._flavor.unknown_model(str(model)))
    made = _answer(endpoint, emu.retrieval)(body, region, ctx.request_id)
    if isinstance(made, RuleError):
        return await refuse(made)
    ctx.model = made.model
    key = record.headers.get("authorization", "")
    ticket = emu.rate_limits.admit(key, made.model, made.tokens)
    if not isinstance(ticket, Ticket):
        if native:
            ticket = RuleError(429, "Throttling.RateQuota", ticket.message)
        return await refuse(ticket)
    ticket.charge(made.tokens)
    fault = emu._next_fault()
    if fault is not None:
        if fault.kind == "error" and native:
            if fault.delay > 0:
                await asyncio.sleep(fault.delay)
            err = RuleError(fault.status, fault.code, fault.message or "")
            return await refuse(err)
        return await emu._serve(conn, reader, record, fault, ctx, keep)
    record.status = 200
    headers = emu._flavor.renderer.headers(ctx, content_type=JSON)
    await conn.send(200, headers, dumps(made.body), keep_alive=keep)
    return keep


def is_fault(reply: Reply) -> bool:
    """Whether a scripted reply applies to any endpoint (a fault, not an answer)."""
    return reply.kind in _FAULTS


async def _send_native_error(
    emu: DashScopeEmulator,
    conn: _http.Connection,
    record: RecordedRequest,
    err: RuleError,
    ctx: RenderContext,
    keep: bool,
) -> bool:
    record.status = err.status
    headers = emu._flavor.renderer.headers(ctx, content_type=JSON)
    payload = {"code": err.code, "message": err.message, "request_id": ctx.request_id}
    await conn.send(err.status, headers, dumps(payload), keep_alive=keep)
    return keep
