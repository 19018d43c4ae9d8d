"""`DashScopeEmulator`: the loopback HTTP server, its script and its request log."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from langchain_qwen.testing import _http, _models, _retrieval, _rules
from langchain_qwen.testing._batches import BatchService, Refused
from langchain_qwen.testing._context_cache import ContextCache
from langchain_qwen.testing._flavors import Flavor, make_flavor
from langchain_qwen.testing._limits import RateLimits, Ticket
from langchain_qwen.testing._render import (
    JSON,
    MALFORMED_EVENT,
    SSE,
    RenderContext,
    dumps,
    prompt_token_estimate,
    sse,
)
from langchain_qwen.testing._replies import Reply, default_reply, status_for
from langchain_qwen.testing._responses_api import (
    RESPONSES_PATHS,
    ResponsesEndpoint,
    ResponsesReply,
)
from langchain_qwen.testing._rules import RuleError

Responder = Callable[[dict[str, Any]], "Reply | ResponsesReply"]
"""A scripted reply computed from the request body when its turn comes."""

DEFAULT_API_KEY = "sk-emulator-0000000000000000"
_REGION_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
_BACKLOG = 2048


@dataclass
class RecordedRequest:
    """One request as the emulator received it.

    Attributes:
        method: HTTP method.
        path: Request path (without the query string).
        headers: Request headers, lower-case names.
        json: The parsed JSON body, or None when absent or not JSON.
        region: The region the path addressed (None without regions).
        body: The raw body.
        query: The query string.
        unknown_keys: Top-level body keys DashScope does not know (it ignores them).
        received_at: `time.time()` when the request was read.
        status: The HTTP status answered (None until the response starts, or when
            the connection was reset or hung).
        connection: Sequence number of the TCP connection that carried the request
            (equal numbers mean the connection was kept alive and reused).
    """

    method: str
    path: str
    headers: dict[str, str]
    json: Any
    region: str | None
    body: bytes = field(default=b"", repr=False)
    query: str = ""
    unknown_keys: tuple[str, ...] = ()
    received_at: float = 0.0
    status: int | None = None
    connection: int = 0

    @property
    def stream(self) -> bool:
        """Whether the body asked for a stream."""
        return isinstance(self.json, Mapping) and self.json.get("stream") is True

    @property
    def is_chat(self) -> bool:
        """Whether this was a chat completion request."""
        return self.path.rstrip("/").endswith("/chat/completions")


@dataclass(frozen=True)
class _Route:
    region: str | None
    endpoint: str  # "chat/completions", "models", "models/<id>"


class DashScopeEmulator:
    """A real HTTP/1.1 server on loopback that answers like DashScope.

    Runs an asyncio server in a background thread with its own event loop. Use it as
    a (async) context manager, or call `start()` and `stop()`.

    Example:
        ```python
        with DashScopeEmulator() as emu:
            emu.script(Reply.text("Hi there"))
            client = OpenAI(base_url=emu.base_url, api_key=emu.api_key)
            client.chat.completions.create(model="qwen-plus", messages=[...])
            assert emu.last_request.json["model"] == "qwen-plus"
        ```

    Args:
        api_key: The accepted key (default `sk-emulator-0000000000000000`). For
            self-hosted flavors, giving a key makes it required; otherwise any key
            (or none) is accepted.
        host: Interface to listen on.
        port: Port (0 picks a free one).
        regions: Region name -> accepted key. Each region is served under
            `/{region}/compatible-mode/v1`; a key of another region gets DashScope's
            401 `invalid_api_key`. `base_url` then points at the first region.
        models: Region -> model ids offered (a plain list applies to every region).
            Given lists are strict: other models get DashScope's 404
            `model_not_found`. Default: the emulator's copy of the catalogue, per
            region when the region is named like a catalogue region (`singapore`,
            `us`, `china`, `hongkong`, `coding-intl`, `coding-cn`): a model of
            another region and a name that is no Qwen name (`qwen-plsu`) get the
            404; a Qwen-style name in no list (`qwen3.9-max`) is served.
        flavor: `dashscope`, or a self-hosted server serving Qwen: `vllm`, `sglang`,
            `ollama` (see the package docstring for the differences).
        legacy_nonstream_thinking: Refuse non-streaming thinking calls with the 400
            older DashScope deployments sent.
        chunk_size: Characters per content delta when streaming text.
        stream_delay: Seconds between SSE events.
        default_chunks: Make the default (unscripted) streamed answer exactly this
            many content deltas.
        reject_dashscope_keys: Refuse DashScope-only top-level keys
            (`enable_thinking`, `enable_search`, ...) with a 400. Default: on for
            `vllm`/`sglang`, off otherwise.
        latency: Seconds to wait before answering each request (any endpoint), as
            network and model time would; also settable as `emu.latency`.

    Raises:
        ValueError: On an unknown flavor, bad region names, or both `api_key` and
            `regions`.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        regions: Mapping[str, str] | None = None,
        models: Mapping[str, Sequence[str]] | Sequence[str] | None = None,
        flavor: str = "dashscope",
        legacy_nonstream_thinking: bool = False,
        chunk_size: int = 4,
        stream_delay: float = 0.0,
        default_chunks: int | None = None,
        reject_dashscope_keys: bool | None = None,
        latency: float = 0.0,
    ) -> None:
        self._flavor: Flavor = make_flavor(flavor)
        if regions is not None and api_key is not None:
            msg = "give either api_key or regions (each region has its own key)"
            raise ValueError(msg)
        if regions is not None:
            if not regions:
                msg = "regions must not be empty"
                raise ValueError(msg)
            for name in regions:
                if not _REGION_NAME.match(name):
                    msg = f"region name {name!r} must be URL-path safe"
                    raise ValueError(msg)
        self._regions: dict[str, str] | None = dict(regions) if regions else None
        self._require_key = api_key is not None or self._flavor.requires_key_by_default
        self._api_key = api_key if api_key is not None else DEFAULT_API_KEY
        self._host = host
        self._port = port
        self._strict_models = self._strict_lists(models)
        self._legacy = legacy_nonstream_thinking
        self._chunk_size = max(1, int(chunk_size))
        self._stream_delay = max(0.0, float(stream_delay))
        self._default_chunks = default_chunks
        self._reject_keys = (
            self._flavor.rejects_dashscope_keys
            if reject_dashscope_keys is None
            else reject_dashscope_keys
        )
        self._lock = threading.Lock()
        self._script: collections.deque[Reply | Responder] = collections.deque()
        self._requests: list[RecordedRequest] = []
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._conns: set[_http.Connection] = set()
        self._conn_ids = itertools.count(1)
        self._responses = ResponsesEndpoint()
        self.batches = BatchService(self._answer_offline)
        """The Batch API (`/files`, `/batches`); set its `timing` and limits."""
        self.rate_limits = RateLimits()
        """RPM/TPM per key and model (`rate_limits.set(model, rpm=, tpm=)`)."""
        self.context_cache = ContextCache()
        """Explicit cache entries written by `cache_control` markers (DashScope)."""
        self._latency = max(0.0, float(latency))
        self.latency = self._latency
        """Seconds to wait before answering each request (`reset()` restores it)."""
        self.retrieval = _retrieval.RetrievalSettings()
        """Settings of the embeddings and rerank endpoints (see `_retrieval`)."""

    def _strict_lists(
        self, models: Mapping[str, Sequence[str]] | Sequence[str] | None
    ) -> dict[str | None, list[str]]:
        if models is None:
            return {}
        regions: list[str | None] = list(self._regions) if self._regions else [None]
        if isinstance(models, Mapping):
            if self._regions is None:
                merged = _models.dedupe(m for ids in models.values() for m in ids)
                return {None: merged}
            unknown = set(models) - set(self._regions)
            if unknown:
                msg = f"models given for unknown regions {sorted(unknown)}"
                raise ValueError(msg)
            return {r: list(models[r]) for r in self._regions if r in models}
        if isinstance(models, str):
            msg = "models must be a list of ids or a mapping region -> ids"
            raise TypeError(msg)
        return {r: list(models) for r in regions}

    # ------------------------------------------------------------------ public API
    @property
    def flavor(self) -> str:
        """The flavor name."""
        return self._flavor.name

    @property
    def api_key(self) -> str:
        """The accepted key (the first region's key when regions are configured)."""
        if self._regions:
            return next(iter(self._regions.values()))
        return self._api_key

    @property
    def host(self) -> str:
        """The interface the server listens on."""
        return self._host

    @property
    def port(self) -> int:
        """The bound port.

        Raises:
            RuntimeError: Before `start()`.
        """
        if self._server is None or self._thread is None:
            msg = "the emulator is not running; call start() or use `with`"
            raise RuntimeError(msg)
        return self._port

    @property
    def url(self) -> str:
        """`http://host:port` without a path."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (`.../compatible-mode/v1`; `/v1` self-hosted)."""
        first = next(iter(self._regions)) if self._regions else None
        return self._base_url_for(first)

    def region_base_url(self, region: str) -> str:
        """The base URL of one configured region.

        Raises:
            KeyError: If the region is not configured.
        """
        if not self._regions or region not in self._regions:
            msg = f"region {region!r} is not configured"
            raise KeyError(msg)
        return self._base_url_for(region)

    @property
    def rerank_base_url(self) -> str:
        """The rerank base URL of the first region (`.../compatible-api/v1`)."""
        return self.base_url.removesuffix(self._flavor.base_path) + "/compatible-api/v1"

    def _base_url_for(self, region: str | None) -> str:
        prefix = f"/{region}" if region is not None else ""
        return f"{self.url}{prefix}{self._flavor.base_path}"

    @property
    def regions(self) -> list[str]:
        """Configured region names (empty without regions)."""
        return list(self._regions or ())

    def script(self, *replies: Reply | Responder) -> None:
        """Queue replies; each chat request that passes the checks consumes one.

        A reply may also be a callable ``(request_json) -> Reply``, called when its
        turn comes, so that an answer can depend on what the client sent (for
        example on the tool results of an agent's previous step).
        """
        for reply in replies:
            if not isinstance(reply, Reply | ResponsesReply) and not callable(reply):
                msg = (
                    "script() takes Reply (or ResponsesReply) objects or callables "
                    "returning one, got "
                    f"{type(reply).__name__}"
                )
                raise TypeError(msg)
        with self._lock:
            self._script.extend(replies)

    @property
    def pending(self) -> int:
        """How many scripted replies are still queued."""
        with self._lock:
            return len(self._script)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far (a copy), rejected ones included."""
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Only the chat completion requests."""
        return [r for r in self.requests if r.is_chat]

    @property
    def last_request(self) -> RecordedRequest:
        """The most recent request.

        Raises:
            LookupError: If no request has arrived yet.
        """
        with self._lock:
            if not self._requests:
                msg = "the emulator has not received any request yet"
                raise LookupError(msg)
            return self._requests[-1]

    def stored_response(self, response_id: str) -> list[dict[str, Any]] | None:
        """Input and output items of a stored Responses-API conversation, or None."""
        return self._responses.stored(response_id)

    def clear(self) -> None:
        """Forget the script, the recorded requests and the context cache."""
        with self._lock:
            self._script.clear()
            self._requests.clear()
        self.context_cache.clear()

    def reset(self) -> None:
        """Back to the state of a new emulator, still serving on the same port.

        Forgets the script, the requests, rate limits, context-cache entries, batch
        files and jobs, and stored responses; the constructor's settings stay. A
        test suite can share one emulator this way: clients keep their connections.
        """
        self.clear()
        self.batches = BatchService(self._answer_offline)
        self.rate_limits = RateLimits()
        self.context_cache = ContextCache()
        self._responses = ResponsesEndpoint()
        self.retrieval = _retrieval.RetrievalSettings()
        self.latency = self._latency

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> DashScopeEmulator:
        """Start serving in a background thread; returns once the port is bound.

        Returns:
            The emulator itself.

        Raises:
            RuntimeError: If it is already running.
        """
        if self._thread is not None:
            msg = "the emulator is already running"
            raise RuntimeError(msg)
        self._ready = threading.Event()
        self._startup_error = None
        thread = threading.Thread(
            target=self._run, name="dashscope-emulator", daemon=True
        )
        self._thread = thread
        thread.start()
        self._ready.wait(timeout=30)
        if self._startup_error is not None or self._server is None:
            thread.join(timeout=5)
            self._thread = None
            error = self._startup_error or RuntimeError("emulator failed to start")
            raise error
        return self

    def stop(self) -> None:
        """Stop serving: close every connection, stop the loop and join the thread."""
        thread, loop = self._thread, self._loop
        if thread is None:
            return
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        self._thread = None
        self._loop = None
        self._server = None

    def __enter__(self) -> DashScopeEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> DashScopeEmulator:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    def __repr__(self) -> str:
        state = f"port={self._port}" if self._thread else "stopped"
        return f"DashScopeEmulator(flavor={self.flavor!r}, {state})"

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            try:
                server = loop.run_until_complete(
                    asyncio.start_server(
                        self._handle,
                        host=self._host,
                        port=self._port,
                        backlog=_BACKLOG,
                        limit=_http.MAX_HEAD,
                        reuse_address=True,
                    )
                )
            except BaseException as exc:  # reported to start()'s caller
                self._startup_error = exc
                return
            self._port = server.sockets[0].getsockname()[1]
            self._server = server
            self._loop = loop
            self._ready.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown(server))
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._ready.set()

    async def _shutdown(self, server: asyncio.Server) -> None:
        server.close()
        for conn in list(self._conns):
            conn.writer.transport.abort()
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(server.wait_closed(), timeout=5)

    # ------------------------------------------------------------------ connection
    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        conn = _http.Connection(writer, next(self._conn_ids))
        self._conns.add(conn)
        try:
            while not conn.closed:
                try:
                    req = await _http.read_request(reader, writer)
                except _http.HttpError as exc:
                    await self._send_http_error(conn, exc)
                    break
                if req is None:
                    break
                if not await self._dispatch(conn, reader, req):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away; nothing to answer
        except asyncio.CancelledError:
            # stop() cancels handlers; ending normally keeps Python 3.11's stream
            # callback from logging the cancellation as an error.
            pass
        finally:
            conn.close()
            self._conns.discard(conn)
            if task is not None:
                self._tasks.discard(task)

    async def _send_http_error(
        self, conn: _http.Connection, exc: _http.HttpError
    ) -> None:
        body = dumps(
            {
                "error": {
                    "message": exc.message,
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "bad_request",
                }
            }
        )
        with contextlib.suppress(ConnectionError):
            await conn.send(
                exc.status, [("content-type", JSON)], body, keep_alive=False
            )

    def _route(self, path: str) -> _Route | None:
        path = path.rstrip("/")
        region: str | None = None
        if self._regions is not None:
            segments = path.split("/", 2)  # ["", region, rest]
            if len(segments) < 3 or segments[1] not in self._regions:
                return None
            region, rest = segments[1], "/" + segments[2]
        else:
            rest = path
        if self._flavor.name == "dashscope":
            retrieval = _retrieval.route(rest)
            if retrieval is not None:
                return _Route(region, retrieval)
        bases = {self._flavor.base_path, *RESPONSES_PATHS}
        for base in bases:
            if rest.startswith(base + "/"):
                endpoint = rest[len(base) + 1 :]
                if endpoint in (
                    "chat/completions",
                    "models",
                    "responses",
                ) or endpoint.startswith(("models/", "files", "batches")):
                    return _Route(region, endpoint)
        return None

    def _authorized(self, headers: Mapping[str, str], region: str | None) -> bool:
        if self._regions is not None and region is not None:
            expected = self._regions[region]
        elif not self._require_key:
            return True
        else:
            expected = self._api_key
        scheme, _, token = headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and token.strip() == expected

    def _model_allowed(self, region: str | None, model: str) -> bool:
        strict = self._strict_models.get(region)
        if strict is not None:
            return model in strict
        if self._flavor.accepts_any_model:
            return True
        return _models.is_served(model, region)

    def _model_list(self, region: str | None) -> list[str]:
        strict = self._strict_models.get(region)
        if strict is not None:
            return strict
        if self._flavor.accepts_any_model:
            return list(self._flavor.default_models)
        return _models.models_for_region(region)

    def _next_reply(self, body: dict[str, Any]) -> Reply | None:
        made = self._next_scripted(body)
        # Built-in tool calls exist only on the Responses route.
        return made.reply if isinstance(made, ResponsesReply) else made

    def _next_fault(self) -> Reply | None:
        """The scripted fault at the head of the script, if any (consumed)."""
        with self._lock:
            head = self._script[0] if self._script else None
            if isinstance(head, Reply) and _retrieval.is_fault(head):
                self._script.popleft()
                return head
        return None

    def _next_scripted(self, body: dict[str, Any]) -> Reply | ResponsesReply | None:
        with self._lock:
            reply = self._script.popleft() if self._script else None
        if reply is None or isinstance(reply, Reply | ResponsesReply):
            return reply
        made = reply(body)
        if not isinstance(made, Reply | ResponsesReply):
            msg = f"scripted callable returned {type(made).__name__}, not a Reply"
            raise TypeError(msg)
        return made

    # ------------------------------------------------------------------ dispatch
    async def _dispatch(
        self,
        conn: _http.Connection,
        reader: asyncio.StreamReader,
        req: _http.HttpRequest,
    ) -> bool:
        """Answer one request; returns whether the connection stays open."""
        arrive_ms = int(time.time() * 1000)
        conn.version = req.version
        route = self._route(req.path)
        parsed: Any = None
        if req.body:
            with contextlib.suppress(ValueError):
                parsed = json.loads(req.body)
        unknown: tuple[str, ...] = ()
        if isinstance(parsed, Mapping):
            unknown = tuple(k for k in parsed if k not in _rules.KNOWN_KEYS)
        record = RecordedRequest(
            method=req.method,
            path=req.path,
            headers=dict(req.headers),
            json=parsed,
            region=route.region if route else None,
            body=req.body,
            query=req.query,
            unknown_keys=unknown,
            received_at=arrive_ms / 1000,
            connection=conn.id,
        )
        with self._lock:
            self._requests.append(record)

        renderer = self._flavor.renderer
        request_id, completion_id = renderer.new_ids(record.region)
        ctx = RenderContext(
            request_id=request_id,
            completion_id=completion_id,
            created=arrive_ms // 1000,
            model="",
            arrive_ms=arrive_ms,
        )
        keep = req.keep_alive

        if route is None:
            err = RuleError(
                404,
                "not_found",
                f"The requested URL {req.path} was not found on this server.",
                gateway=True,
            )
            return await self._send_error(conn, record, err, ctx, keep)
        if self.latency:
            await asyncio.sleep(self.latency)
        if route.endpoint in _retrieval.ENDPOINTS:
            return await _retrieval.serve(
                self, conn, reader, record, route.endpoint, route.region, ctx, keep
            )
        if route.endpoint.startswith(("files", "batches")):
            return await self._send_batch_api(conn, record, route, req, ctx, keep)
        if route.endpoint in ("chat/completions", "responses"):
            if req.method != "POST":
                return await self._send_error(conn, record, _not_allowed(), ctx, keep)
        elif req.method != "GET":
            return await self._send_error(conn, record, _not_allowed(), ctx, keep)
        if not self._authorized(req.headers, route.region):
            err = self._flavor.unauthorized(route.region)
            return await self._send_error(conn, record, err, ctx, keep)
        if route.endpoint == "responses":
            return await self._responses.serve(
                self, conn, reader, record, parsed, ctx, keep, route.region
            )
        if route.endpoint != "chat/completions":
            return await self._send_models(conn, record, route, ctx, keep)
        return await self._chat(conn, reader, record, route, parsed, ctx, keep)

    async def _send_batch_api(
        self,
        conn: _http.Connection,
        record: RecordedRequest,
        route: _Route,
        req: _http.HttpRequest,
        ctx: RenderContext,
        keep: bool,
    ) -> bool:
        if not self._authorized(req.headers, route.region):
            err = self._flavor.unauthorized(route.region)
            return await self._send_error(conn, record, err, ctx, keep)
        try:
            status, answer = self.batches.handle(
                req.method, route.endpoint, req.headers, req.body
            )
        except Refused as refused:
            return await self._send_error(conn, record, refused.error, ctx, keep)
        raw = isinstance(answer, bytes)
        content_type = "application/octet-stream" if raw else JSON
        headers = self._flavor.renderer.headers(ctx, content_type=content_type)
        record.status = status
        body = answer if isinstance(answer, bytes) else dumps(answer)
        await conn.send(status, headers, body, keep_alive=keep)
        return keep

    def _answer_offline(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """One batch line, answered by the same checks and replies as a live call."""
        flavor = self._flavor
        request_id, completion_id = flavor.renderer.new_ids(None)
        ctx = RenderContext(request_id, completion_id, int(time.time()), "")
        err = _rules.check_body_shape(body)
        if err is None and not self._model_allowed(None, body["model"]):
            err = flavor.unknown_model(body["model"])
        if err is None:
            err = flavor.check(body, stream=False, legacy_nonstream_thinking=False)
        if err is not None:
            return err.status, flavor.renderer.error_body(err, ctx)
        ctx.model = body["model"]
        reply = self._next_reply(body) or default_reply(
            body, thinking=flavor.thinking(body, ctx.model), chunks=None
        )
        if reply.kind == "error":
            err = _reply_error(reply)
            return err.status, flavor.renderer.error_body(err, ctx)
        ctx.model = reply.model or ctx.model
        ctx.prompt_tokens = prompt_token_estimate(body)
        return 200, flavor.renderer.completion(reply, ctx)

    async def _send_models(
        self,
        conn: _http.Connection,
        record: RecordedRequest,
        route: _Route,
        ctx: RenderContext,
        keep: bool,
    ) -> bool:
        renderer = self._flavor.renderer
        models = self._model_list(route.region)
        if route.endpoint == "models":
            payload = renderer.models_body(
                [(m, _models.model_created(m)) for m in models]
            )
        else:
            model = route.endpoint[len("models/") :]
            if not self._model_allowed(route.region, model):
                err = self._flavor.unknown_model(model)
                return await self._send_error(conn, record, err, ctx, keep)
            payload = renderer.model_body(model, _models.model_created(model))
        record.status = 200
        headers = renderer.headers(ctx, content_type=JSON, gateway=True)
        await conn.send(200, headers, dumps(payload), keep_alive=keep)
        return keep

    async def _send_error(
        self,
        conn: _http.Connection,
        record: RecordedRequest,
        err: RuleError,
        ctx: RenderContext,
        keep: bool,
        extra_headers: Sequence[tuple[str, str]] = (),
    ) -> bool:
        renderer = self._flavor.renderer
        record.status = err.status
        headers = renderer.headers(ctx, content_type=JSON, gateway=err.gateway)
        body = dumps(renderer.error_body(err, ctx))
        headers = _http.merge_headers(headers, extra_headers)
        await conn.send(err.status, headers, body, keep_alive=keep)
        return keep

    def _stream_chunks(self, record: RecordedRequest) -> int | None:
        """Deltas of a default streamed reply.

        The server's setting, unless the request asks for its own count with
        ``x-emulator-text-chunks`` (so one server serves the benchmark's long and
        short streams).
        """
        asked = record.headers.get("x-emulator-text-chunks", "")
        if asked.isdigit() and int(asked) > 0:
            return int(asked)
        return self._default_chunks

    async def _chat(
        self,
        conn: _http.Connection,
        reader: asyncio.StreamReader,
        record: RecordedRequest,
        route: _Route,
        body: Any,
        ctx: RenderContext,
        keep: bool,
    ) -> bool:
        flavor = self._flavor
        if body is None and record.body:
            err = RuleError(
                400,
                "invalid_parameter_error",
                "<400> InternalError.Algo.InvalidParameter: "
                "The request body is not valid JSON.",
            )
            return await self._send_error(conn, record, err, ctx, keep)
        shape = _rules.check_body_shape(body)
        if shape is not None:
            if flavor.name != "dashscope":
                shape = RuleError(400, 400, shape.message, "BadRequestError")
            return await self._send_error(conn, record, shape, ctx, keep)
        model: str = body["model"]
        ctx.model = model
        if not self._model_allowed(route.region, model):
            err = flavor.unknown_model(model)
            return await self._send_error(conn, record, err, ctx, keep)
        if self._reject_keys:
            extra = [k for k in body if k in _rules.DASHSCOPE_ONLY_KEYS]
            if extra:
                err = flavor.extra_keys_error(extra, body)
                return await self._send_error(conn, record, err, ctx, keep)
        stream = body.get("stream") is True
        broken = flavor.check(
            body, stream=stream, legacy_nonstream_thinking=self._legacy
        )
        if broken is not None:
            return await self._send_error(conn, record, broken, ctx, keep)

        key = record.headers.get("authorization", "")
        ticket = self.rate_limits.admit(key, model, prompt_token_estimate(body))
        if not isinstance(ticket, Ticket):
            return await self._send_error(conn, record, ticket, ctx, keep)
        reply = self._next_reply(body)
        if reply is None:
            reply = default_reply(
                body,
                thinking=flavor.thinking(body, model),
                chunks=self._stream_chunks(record) if stream else None,
            )
        ctx.model = reply.model or model
        ctx.stream = stream
        options = body.get("stream_options")
        ctx.include_usage = (
            stream
            and isinstance(options, Mapping)
            and options.get("include_usage") is True
        )
        n = body.get("n")
        # Self-hosted flavors do not validate n; keep the fan-out sane anyway.
        valid_n = isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= 16
        ctx.n = n if valid_n and reply.kind == "text" else 1
        ctx.chunk_size = self._chunk_size
        ctx.prompt_tokens = prompt_token_estimate(body)
        if flavor.name == "dashscope":
            ctx.cached, ctx.cache_creation = self.context_cache.use(key, body)
        if reply.kind in ("text", "tool_calls"):
            usage = flavor.renderer.usage_for(reply, ctx)
            ticket.charge(usage.prompt + usage.completion)
        return await self._serve(conn, reader, record, reply, ctx, keep)

    # ------------------------------------------------------------------ replies
    async def _serve(
        self,
        conn: _http.Connection,
        reader: asyncio.StreamReader,
        record: RecordedRequest,
        reply: Reply,
        ctx: RenderContext,
        keep: bool,
    ) -> bool:
        if reply.delay > 0:
            await asyncio.sleep(reply.delay)
        renderer = self._flavor.renderer
        extra = list(reply.headers)
        if reply.kind == "reset":
            conn.reset()
            return False
        if reply.kind == "hang":
            # Wait for the client to give up (EOF) or for the time to pass.
            with contextlib.suppress(asyncio.TimeoutError, ConnectionError):
                await asyncio.wait_for(_until_eof(reader), timeout=reply.seconds)
            conn.close()
            return False
        if reply.kind == "raw":
            content_type = reply.content_type or (
                SSE if reply.body.lstrip().startswith(b"data:") else JSON
            )
            headers = renderer.headers(
                ctx, content_type=content_type, stream=content_type == SSE
            )
            record.status = reply.status
            headers = _http.merge_headers(headers, extra)
            await conn.send(reply.status, headers, reply.body, keep_alive=keep)
            return keep
        if reply.kind == "error":
            err = _reply_error(reply)
            return await self._send_error(conn, record, err, ctx, keep, extra)
        if ctx.stream:
            return await self._stream(conn, record, reply, ctx, keep, extra)
        return await self._complete(conn, record, reply, ctx, keep, extra)

    async def _complete(
        self,
        conn: _http.Connection,
        record: RecordedRequest,
        reply: Reply,
        ctx: RenderContext,
        keep: bool,
        extra: list[tuple[str, str]],
    ) -> bool:
        renderer = self._flavor.renderer
        if reply.error_after is not None or reply.moderation_after is not None:
            moderation = reply.error_after is None
            code, message, type_ = renderer.fault_error(reply, moderation=moderation)
            err = RuleError(status_for(code), code, message, type_)
            return await self._send_error(conn, record, err, ctx, keep, extra)
        headers = _http.merge_headers(renderer.headers(ctx, content_type=JSON), extra)
        record.status = 200
        if reply.malformed_after is not None:
            await conn.send(200, headers, b"{not json", keep_alive=keep)
            return keep
        body = dumps(renderer.completion(reply, ctx))
        if reply.drop_after is not None:
            await conn.send_partial(200, headers, body, len(body) // 2)
            return False
        await conn.send(200, headers, body, keep_alive=keep)
        return keep

    async def _stream(
        self,
        conn: _http.Connection,
        record: RecordedRequest,
        reply: Reply,
        ctx: RenderContext,
        keep: bool,
        extra: list[tuple[str, str]],
    ) -> bool:
        renderer = self._flavor.renderer
        plan = renderer.stream(reply, ctx)
        events = plan.events
        # HTTP/1.0 has no chunked encoding: the body then ends when we close.
        chunked = conn.version == "HTTP/1.1"
        keep_after = keep and chunked and not reply.has_stream_fault
        headers = _http.merge_headers(
            renderer.headers(ctx, content_type=SSE, stream=True), extra
        )
        if not keep_after:
            headers.append(("connection", "close"))
        record.status = 200
        await conn.start_stream(200, headers, chunked=chunked)
        delay = (
            reply.event_delay if reply.event_delay is not None else self._stream_delay
        )

        if reply.drop_after is not None:
            await _http.write_events(conn, events[: reply.drop_after], delay)
            conn.close()  # no terminating chunk: the body is cut short
            return False
        fault_at = reply.error_after if reply.error_after is not None else None
        moderation = False
        if fault_at is None and reply.moderation_after is not None:
            fault_at, moderation = reply.moderation_after, True
        if fault_at is not None:
            code, message, type_ = renderer.fault_error(reply, moderation=moderation)
            error_event = sse(renderer.stream_error(code, message, type_, ctx))
            await _http.write_events(conn, [*events[:fault_at], error_event], delay)
        elif reply.malformed_after is not None:
            cut = reply.malformed_after
            await _http.write_events(
                conn, [*events[:cut], MALFORMED_EVENT, *events[cut:]], delay
            )
        elif reply.no_done:
            await _http.write_events(conn, plan.body, delay)
        else:
            await _http.write_events(conn, events, delay)
        await conn.end_stream()
        if not keep_after:
            conn.close()
        return keep_after


def _reply_error(reply: Reply) -> RuleError:
    return RuleError(
        reply.status,
        reply.code,
        reply.message or "",
        reply.error_type or "invalid_request_error",
        reply.param,
    )


def _not_allowed() -> RuleError:
    return RuleError(405, "method_not_allowed", "Method Not Allowed", gateway=True)


async def _until_eof(reader: asyncio.StreamReader) -> None:
    while await reader.read(65536):
        pass
