"""HTTP for ChatQwen: one JSON body out, raw bytes back, DashScope's retry policy.

Requests go through the openai SDK client's own (pooled, cached) httpx client, so proxy,
TLS and connection settings are shared with ``root_client``; but the body is sent as we
built it and the answer is parsed once, by us, with no pydantic models in between.

Retries (``max_retries``, default 2) cover rate limits (429 ``limit_requests``,
``limit_burst_rate``, ``Throttling``), 408/409, 5xx and connection failures before a
response, with exponential backoff and jitter, honouring ``Retry-After``. Quota
(``insufficient_quota``, ``Arrearage``), moderation and other 4xx answers are raised at
once. Once a stream has started, nothing is retried: that could duplicate output.

Timeouts: httpx applies ``timeout`` to each phase (connect, each read, ...), so a
stream trickling events would never time out. When ``timeout`` is a number, the whole
streamed answer must also arrive within it: :func:`open_stream` stamps a deadline
(``timeout`` seconds after sending the request that succeeded) on the response, and
``_streaming.iter_chunks`` abandons the stream past it with ``DashScopeTimeoutError``.
``httpx.Timeout`` objects keep httpx's per-phase meaning only.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import json
import logging
import random
import time
import weakref
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import tool_call_chunk

from langchain_qwen._compat import TIMEOUT_ERRORS, TRANSPORT_ERRORS, httpx
from langchain_qwen._errors import (
    DashScopeConnectionError,
    DashScopeTimeoutError,
    IncompleteStreamError,
    is_retryable,
    make_status_error,
    parse_error_body,
)
from langchain_qwen._responses import reasoning_of
from langchain_qwen._streaming import DEADLINE

__all__ = ["RequestTarget", "aopen_stream", "apost", "open_stream", "post"]

logger = logging.getLogger("langchain_qwen")

_MAX_RETRY_AFTER = 60.0
_INITIAL_BACKOFF = 0.5
_MAX_BACKOFF = 8.0
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=10.0)
"""Used when ChatQwen has no ``timeout``: per-read limits, no total deadline."""
# The openai SDK's defaults for its own pooled clients.
_ASYNC_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
_loop_clients: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[str, httpx.AsyncClient]
] = weakref.WeakKeyDictionary()


def loop_async_client(timeout: Any) -> httpx.AsyncClient:
    """A pooled async client bound to the running event loop.

    Async connections belong to the loop that opened them: a client shared across
    ``asyncio.run`` calls (notebooks, scripts, test suites) fails with "Event loop is
    closed" on its second loop. One pool per loop, shared by every ChatQwen with the
    same timeout, keeps connection reuse without that failure.
    """
    loop = asyncio.get_running_loop()
    clients = _loop_clients.get(loop)
    if clients is None:
        clients = _loop_clients[loop] = {}
    key = repr(timeout)
    client = clients.get(key)
    if client is None:
        client = clients[key] = httpx.AsyncClient(timeout=timeout, limits=_ASYNC_LIMITS)
    return client


@dataclass(frozen=True)
class RequestTarget:
    """Everything needed to send one request; built once per ChatQwen instance."""

    url: str
    headers: dict[str, str]
    timeout: Any
    max_retries: int
    region: str | None
    region_text: str
    model: str | None


def total_budget(timeout: Any) -> float | None:
    """Seconds a whole answer may take: a numeric ``timeout``; else no limit."""
    if isinstance(timeout, int | float) and not isinstance(timeout, bool):
        return float(timeout) if timeout > 0 else None
    return None


def _encode(body: dict[str, Any]) -> bytes:
    # ensure_ascii=False keeps Chinese text as UTF-8 on the wire: smaller, and what
    # DashScope's own SDKs send.
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _retry_after(response: httpx.Response | None) -> float | None:
    if response is None:
        return None
    headers = response.headers
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:  # an HTTP date; Python >= 3.10 raises on anything else ("soon", "")
        parsed = email.utils.parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


def _delay(attempt: int, response: httpx.Response | None) -> float:
    after = _retry_after(response)
    if after is not None and 0 <= after <= _MAX_RETRY_AFTER:
        return after
    backoff = min(_INITIAL_BACKOFF * (2**attempt), _MAX_BACKOFF)
    return backoff * (1 - 0.25 * random.random())  # noqa: S311 - jitter, not crypto


def _connection_error(
    exc: Exception, request: httpx.Request, target: RequestTarget
) -> Exception:
    where = f"{target.region_text}"
    if isinstance(exc, TIMEOUT_ERRORS):
        err = DashScopeTimeoutError(request=request)
        err.message = f"Request to {where} timed out ({type(exc).__name__})."
        err.args = (err.message,)
        return err
    if type(exc).__name__ in ("ReadError", "WriteError", "RemoteProtocolError"):
        what = f"The connection to {where} broke before the answer was complete"
    else:
        what = f"Could not reach {where}"
    return DashScopeConnectionError(
        message=f"{what}: {type(exc).__name__}: {exc}", request=request
    )


class _Attempts:
    """Counts attempts and decides, for each failure, to wait and retry or raise."""

    __slots__ = ("n", "target")

    def __init__(self, target: RequestTarget) -> None:
        self.target = target
        self.n = 0

    def _next(self, why: str, response: httpx.Response | None) -> float:
        delay = _delay(self.n, response)
        self.n += 1
        logger.info(
            "retrying request to %s (retry %d of %d) after %s; waiting %.2fs",
            self.target.region_text,
            self.n,
            self.target.max_retries,
            why,
            delay,
        )
        return delay

    def after_transport_error(self, exc: Exception, request: httpx.Request) -> float:
        """Delay before the next try, or raise the mapped connection error."""
        if self.n < self.target.max_retries:
            return self._next(type(exc).__name__, None)
        raise _connection_error(exc, request, self.target) from exc

    def after_status(self, response: httpx.Response, content: bytes) -> float:
        """Delay before the next try, or raise the mapped status error."""
        body = parse_error_body(content)
        if self.n < self.target.max_retries and is_retryable(
            response.status_code, body
        ):
            return self._next(f"HTTP {response.status_code}", response)
        raise make_status_error(
            response,
            body,
            region=self.target.region,
            region_text=self.target.region_text,
            model=self.target.model,
        )


@functools.lru_cache(maxsize=64)
def _parsed_url(url: str) -> httpx.URL:
    # httpx parses a str URL on every request (~25 us); URL objects are immutable.
    return httpx.URL(url)


def _build(
    client: httpx.Client | httpx.AsyncClient, target: RequestTarget, content: bytes
) -> httpx.Request:
    # A plain httpx client (not the SDK's flavour) takes its own URL and Timeout.
    native = isinstance(client, httpx.Client | httpx.AsyncClient)
    timeout = target.timeout
    if not native and isinstance(timeout, httpx.Timeout):
        timeout = type(client.timeout)(**timeout.as_dict())
    return client.build_request(
        "POST",
        _parsed_url(target.url) if native else target.url,
        content=content,
        headers=target.headers,
        timeout=timeout,
    )


def post(
    client: httpx.Client, target: RequestTarget, body: dict[str, Any]
) -> tuple[dict[str, Any], httpx.Response]:
    """Send a non-streaming request; return the decoded JSON answer and response."""
    content = _encode(body)
    attempts = _Attempts(target)
    while True:
        request = _build(client, target, content)
        try:
            response = client.send(request)
        except TRANSPORT_ERRORS as exc:
            time.sleep(attempts.after_transport_error(exc, request))
            continue
        if response.status_code < 400:
            return _decode(response, target), response
        time.sleep(attempts.after_status(response, response.content))


async def apost(
    client: httpx.AsyncClient, target: RequestTarget, body: dict[str, Any]
) -> tuple[dict[str, Any], httpx.Response]:
    """Async twin of :func:`post`."""
    content = _encode(body)
    attempts = _Attempts(target)
    while True:
        request = _build(client, target, content)
        try:
            response = await client.send(request)
        except TRANSPORT_ERRORS as exc:
            await asyncio.sleep(attempts.after_transport_error(exc, request))
            continue
        if response.status_code < 400:
            return _decode(response, target), response
        await asyncio.sleep(attempts.after_status(response, response.content))


def _decode(response: httpx.Response, target: RequestTarget) -> dict[str, Any]:
    try:
        decoded = json.loads(response.content)
    except ValueError:
        preview = response.content[:200].decode("utf-8", "replace")
        msg = f"Expected a JSON answer from {target.region_text}, got: {preview!r}"
        raise DashScopeConnectionError(message=msg, request=response.request) from None
    if not isinstance(decoded, dict):
        kind = type(decoded).__name__
        msg = f"Expected a JSON object from {target.region_text}, got {kind}"
        raise DashScopeConnectionError(message=msg, request=response.request)
    if decoded.get("error"):
        # Some gateways answer 200 with an error body.
        raise make_status_error(
            _with_status(response, 400),
            decoded,
            region=target.region,
            region_text=target.region_text,
            model=target.model,
        )
    _check_finished(decoded, response)
    return decoded


def _check_finished(decoded: dict[str, Any], response: httpx.Response) -> None:
    """Raise if a choice has no finish_reason: the answer was cut, not complete."""
    choices = decoded.get("choices")
    if not isinstance(choices, list):
        return
    for choice in choices:
        if isinstance(choice, dict) and choice.get("finish_reason") is None:
            message = choice.get("message")
            partial = _partial_message(message if isinstance(message, dict) else {})
            msg = (
                f"The answer has no finish_reason after {len(partial.text)} "
                "characters of text: it is incomplete (server fault). The partial "
                "answer is on exc.partial."
            )
            raise IncompleteStreamError(
                msg, response.request, body=decoded, partial=partial
            )


def _partial_message(message: dict[str, Any]) -> AIMessageChunk:
    """An unfinished ``choices[i].message`` as received, for ``exc.partial``."""
    content = message.get("content")
    reasoning = reasoning_of(message)
    calls = []
    for i, raw in enumerate(message.get("tool_calls") or ()):
        function = raw.get("function") or {}
        arguments = function.get("arguments")
        calls.append(
            tool_call_chunk(
                name=function.get("name"),
                args=arguments if isinstance(arguments, str) else None,
                id=raw.get("id"),
                index=raw.get("index", i),
            )
        )
    return AIMessageChunk(
        content=content if isinstance(content, str) else "",
        additional_kwargs={"reasoning_content": reasoning} if reasoning else {},
        tool_call_chunks=calls,
    )


def _with_status(response: httpx.Response, status: int) -> httpx.Response:
    return httpx.Response(
        status,
        headers=response.headers,
        content=response.content,
        request=response.request,
    )


def open_stream(
    client: httpx.Client, target: RequestTarget, body: dict[str, Any]
) -> httpx.Response:
    """Send a streaming request; return the open response once its status is 2xx.

    The caller reads and closes it. Failures before the first byte are retried.
    """
    content = _encode(body)
    attempts = _Attempts(target)
    budget = total_budget(target.timeout)
    while True:
        request = _build(client, target, content)
        sent = time.monotonic()
        try:
            response = client.send(request, stream=True)
        except TRANSPORT_ERRORS as exc:
            time.sleep(attempts.after_transport_error(exc, request))
            continue
        if response.status_code < 400:
            if budget is not None:
                response.extensions[DEADLINE] = sent + budget
            return response
        try:
            error_body = response.read()
        except TRANSPORT_ERRORS as exc:  # the error body itself was cut short
            time.sleep(attempts.after_transport_error(exc, request))
            continue
        finally:
            response.close()
        time.sleep(attempts.after_status(response, error_body))


async def aopen_stream(
    client: httpx.AsyncClient, target: RequestTarget, body: dict[str, Any]
) -> httpx.Response:
    """Async twin of :func:`open_stream`."""
    content = _encode(body)
    attempts = _Attempts(target)
    budget = total_budget(target.timeout)
    while True:
        request = _build(client, target, content)
        sent = time.monotonic()
        try:
            response = await client.send(request, stream=True)
        except TRANSPORT_ERRORS as exc:
            await asyncio.sleep(attempts.after_transport_error(exc, request))
            continue
        if response.status_code < 400:
            if budget is not None:
                response.extensions[DEADLINE] = sent + budget
            return response
        try:
            error_body = await response.aread()
        except TRANSPORT_ERRORS as exc:  # the error body itself was cut short
            await asyncio.sleep(attempts.after_transport_error(exc, request))
            continue
        finally:
            await response.aclose()
        await asyncio.sleep(attempts.after_status(response, error_body))
