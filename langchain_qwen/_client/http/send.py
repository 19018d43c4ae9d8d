"""Sending: one JSON body out, a decoded answer or an event stream back.

Requests go through the given (pooled) httpx client, but the body is sent as we built
it and the answer is parsed once, with no pydantic models in between. Nothing here
knows LangChain: :class:`EventStream` yields each event's ``data`` bytes.

* Only 2xx is an answer. 307/308 redirects are followed (the body is sent again)
  within the same origin only, at most five times, in sync and async alike; other
  3xx answers, cross-origin redirects and loops raise ``DashScopeAPIError``.
* Timeouts: httpx applies ``timeout`` to each phase (connect, each read, ...). A
  numeric ``timeout`` is also a deadline for the whole call: retries, ``Retry-After``
  waits, a trickled body and a streamed answer all end within it.
* Failures raise the package's own exceptions, built by ``_client.errors`` without the
  key, and chained to nothing: the httpx exception's frames hold the raw headers.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_qwen._client.errors import (
    body_too_large,
    deadline_error,
    event_too_large,
    make_status_error,
    not_a_stream,
    not_json_answer,
    not_object_answer,
    redirect_error,
    stream_broken,
)
from langchain_qwen._client.http.body import encode_json
from langchain_qwen._client.http.retry import Attempts
from langchain_qwen._client.http.spec import RequestSpec
from langchain_qwen._client.http.sse import EventTooLarge, SSEDecoder
from langchain_qwen._compat import STREAM_ERRORS, httpx

__all__ = ["EventStream", "aopen_stream", "apost", "open_stream", "post"]

_MAX_REDIRECTS = 5
_MAX_ERROR_BODY = 1 << 20  # an error body is for a message: keep 1 MiB at most
_DEFAULT_PORTS = {"http": 80, "https": 443}
_READ_ERRORS: tuple[type[Exception], ...] = (*STREAM_ERRORS, httpx.DecodingError)
_STREAM_READ_ERRORS: tuple[type[Exception], ...] = (*_READ_ERRORS, EventTooLarge)


def _deadline(spec: RequestSpec) -> float | None:
    total = spec.total
    return None if total is None else time.monotonic() + total


def _timeout(spec: RequestSpec, deadline: float | None, *, stream: bool) -> Any:
    """Httpx timeout of one attempt: no phase may outlast the call's deadline."""
    chunk = spec.chunk_timeout if stream else None
    if deadline is None:
        if chunk is None:
            return spec.timeout
        base = httpx.Timeout(spec.timeout)
        return httpx.Timeout(
            connect=base.connect, read=chunk, write=base.write, pool=base.pool
        )
    remaining = max(deadline - time.monotonic(), 0.001)
    if chunk is None:
        return httpx.Timeout(remaining)
    return httpx.Timeout(remaining, read=min(chunk, remaining))


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or _DEFAULT_PORTS.get(url.scheme)


def _redirect(
    response: httpx.Response, spec: RequestSpec, url: httpx.URL, hops: int
) -> httpx.URL:
    """Where a 3xx answer sends the request, or raise when it is not followed."""
    location = response.headers.get("location")
    why = None
    target = url
    if response.status_code not in (307, 308):
        why = (
            "only 307/308 redirects keep a POST request and its body; ChatQwen "
            "follows no other."
        )
    elif not location:
        why = "there is no Location to follow."
    else:
        try:
            target = url.join(location)
        except httpx.InvalidURL:
            why = "the Location is not a valid URL."
        else:
            if _origin(target) != _origin(url):
                why = (
                    "ChatQwen follows redirects only within the same origin (scheme, "
                    "host and port), so the API key is never sent elsewhere."
                )
            elif hops >= _MAX_REDIRECTS:
                why = f"more than {_MAX_REDIRECTS} redirects in a row (a loop?)."
    if why is not None:
        raise redirect_error(response, why, region=spec.region)
    return target


def _decode_answer(
    content: bytes, response: httpx.Response, spec: RequestSpec
) -> dict[str, Any]:
    err: Exception | None = None
    try:
        decoded = json.loads(content)
    except (ValueError, RecursionError) as exc:
        err = not_json_answer(response.request, content, spec.where, exc)
    if err is not None:
        raise err
    if not isinstance(decoded, dict):
        raise not_object_answer(response.request, decoded, spec.where)
    if decoded.get("error"):
        # Some gateways answer 200 with an error body.
        error_response = httpx.Response(
            400, headers=response.headers, content=content, request=response.request
        )
        raise make_status_error(
            error_response,
            decoded,
            region=spec.region,
            region_text=spec.where,
            model=spec.model,
        )
    return decoded


class _Body:
    """Collects a body piece by piece, within a size limit and the deadline."""

    __slots__ = ("deadline", "limit", "parts", "request", "size", "total")

    def __init__(
        self,
        request: httpx.Request,
        limit: int,
        spec: RequestSpec,
        deadline: float | None,
    ) -> None:
        self.request = request
        self.limit = limit
        self.deadline = deadline
        self.total = spec.total or 0.0
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, piece: bytes) -> None:
        self.parts.append(piece)
        self.size += len(piece)
        if self.size > self.limit:
            raise body_too_large(self.request, self.limit)
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise deadline_error(self.request, self.total)

    def content(self) -> bytes:
        return b"".join(self.parts)


class _Call:
    """One call: its body, deadline, attempts and where redirects have led."""

    __slots__ = ("attempts", "content", "deadline", "hops", "spec", "url")

    def __init__(self, spec: RequestSpec, body: dict[str, Any]) -> None:
        self.spec = spec
        self.content = encode_json(body)
        self.deadline = _deadline(spec)
        self.attempts = Attempts(spec, self.deadline)
        self.url = spec.http_url()
        self.hops = 0

    def request(
        self, client: httpx.Client | httpx.AsyncClient, *, stream: bool
    ) -> httpx.Request:
        timeout = _timeout(self.spec, self.deadline, stream=stream)
        url: Any = self.url
        if not isinstance(client, httpx.Client | httpx.AsyncClient):
            # A plain httpx client (not the SDK's flavour): its own URL and Timeout.
            url = str(url)
            if isinstance(timeout, httpx.Timeout):
                timeout = type(client.timeout)(**timeout.as_dict())
        return client.build_request(
            "POST",
            url,
            content=self.content,
            headers=self.spec.headers.for_httpx(),
            timeout=timeout,
        )

    def follow(self, response: httpx.Response) -> None:
        """Move to a redirect's target, or raise when it is not followed."""
        self.url = _redirect(response, self.spec, self.url, self.hops)
        self.hops += 1

    def error_body(self, request: httpx.Request) -> _Body:
        return _Body(request, _MAX_ERROR_BODY, self.spec, self.deadline)

    def answer_body(self, request: httpx.Request) -> _Body:
        return _Body(request, self.spec.max_event_bytes * 4, self.spec, self.deadline)

    def failed(self, exc: Exception, request: httpx.Request) -> float | Exception:
        """The wait before a retry, or the exception to raise."""
        if isinstance(exc, httpx.DecodingError):
            return stream_broken(exc, request, self.spec.headers.secrets())
        return self.attempts.after_transport_error(exc, request)


def _open(call: _Call, client: httpx.Client, *, stream: bool) -> httpx.Response:
    """Send until a 2xx answer arrives; return it unread (the caller closes it)."""
    while True:
        request = call.request(client, stream=stream)
        outcome: float | Exception
        try:
            response = client.send(request, stream=True, follow_redirects=False)
            status = response.status_code
            if 200 <= status < 300:
                return response
            got = call.error_body(request)
            try:
                if status < 400:
                    call.follow(response)
                    continue
                for piece in response.iter_bytes():
                    got.add(piece)
            finally:
                response.close()
        except _READ_ERRORS as exc:  # the error body itself may be cut short
            outcome = call.failed(exc, request)
        else:
            outcome = call.attempts.after_status(response, got.content())
        if isinstance(outcome, Exception):
            raise outcome
        time.sleep(outcome)


async def _aopen(
    call: _Call, client: httpx.AsyncClient, *, stream: bool
) -> httpx.Response:
    """Async twin of :func:`_open`."""
    while True:
        request = call.request(client, stream=stream)
        outcome: float | Exception
        try:
            response = await client.send(request, stream=True, follow_redirects=False)
            status = response.status_code
            if 200 <= status < 300:
                return response
            got = call.error_body(request)
            try:
                if status < 400:
                    call.follow(response)
                    continue
                async for piece in response.aiter_bytes():
                    got.add(piece)
            finally:
                await response.aclose()
        except _READ_ERRORS as exc:
            outcome = call.failed(exc, request)
        else:
            outcome = call.attempts.after_status(response, got.content())
        if isinstance(outcome, Exception):
            raise outcome
        await asyncio.sleep(outcome)


def post(
    client: httpx.Client, spec: RequestSpec, body: dict[str, Any]
) -> tuple[dict[str, Any], httpx.Response]:
    """Send a non-streaming request; return the decoded JSON answer and response."""
    call = _Call(spec, body)
    while True:
        response = _open(call, client, stream=False)
        got = call.answer_body(response.request)
        outcome: float | Exception
        try:
            for piece in response.iter_bytes():
                got.add(piece)
        except _READ_ERRORS as exc:  # cut mid-body: nothing reached the caller
            outcome = call.failed(exc, response.request)
        else:
            return _decode_answer(got.content(), response, spec), response
        finally:
            response.close()
        if isinstance(outcome, Exception):
            raise outcome
        time.sleep(outcome)


async def apost(
    client: httpx.AsyncClient, spec: RequestSpec, body: dict[str, Any]
) -> tuple[dict[str, Any], httpx.Response]:
    """Async twin of :func:`post`."""
    call = _Call(spec, body)
    while True:
        response = await _aopen(call, client, stream=False)
        got = call.answer_body(response.request)
        outcome: float | Exception
        try:
            async for piece in response.aiter_bytes():
                got.add(piece)
        except _READ_ERRORS as exc:
            outcome = call.failed(exc, response.request)
        else:
            return _decode_answer(got.content(), response, spec), response
        finally:
            await response.aclose()
        if isinstance(outcome, Exception):
            raise outcome
        await asyncio.sleep(outcome)


def _is_json(response: httpx.Response) -> bool:
    # An error answered as a plain JSON body (status 200) instead of an event stream.
    return response.headers.get("content-type", "").startswith("application/json")


class EventStream:
    """An open streamed answer; iterate it (sync or async) for each event's data.

    Raises, while iterating, ``DashScopeTimeoutError`` once the call's deadline has
    passed (however quick each read is), ``DashScopeConnectionError`` when the
    connection drops, and ``DashScopeStreamError`` for an event larger than
    ``spec.max_event_bytes`` or a body that is JSON instead of events. Their
    ``partial`` is None: the caller knows what the events meant.
    """

    __slots__ = ("deadline", "request", "response", "spec")

    def __init__(
        self, response: httpx.Response, spec: RequestSpec, deadline: float | None
    ) -> None:
        self.response = response
        self.request = response.request
        self.spec = spec
        self.deadline = deadline

    def _broken(self, exc: BaseException) -> Exception:
        if isinstance(exc, EventTooLarge):
            return event_too_large(self.request, self.spec.max_event_bytes)
        return stream_broken(exc, self.request, self.spec.headers.secrets())

    def __iter__(self) -> Iterator[bytes]:
        response = self.response
        deadline = self.deadline
        decoder = SSEDecoder(self.spec.max_event_bytes)
        err: Exception | None = None
        try:
            if _is_json(response):
                got = _Body(self.request, _MAX_ERROR_BODY, self.spec, deadline)
                for piece in response.iter_bytes():
                    got.add(piece)
                err = not_a_stream(got.content(), self.request, response)
            else:
                for raw in response.iter_bytes():
                    if deadline is not None and time.monotonic() > deadline:
                        err = deadline_error(self.request, self.spec.total or 0)
                        break
                    events = decoder.feed(raw)
                    if events:
                        yield from events
                else:
                    yield from decoder.flush()
        except _STREAM_READ_ERRORS as exc:
            err = self._broken(exc)
        if err is not None:
            raise err

    async def _aevents(self) -> AsyncIterator[bytes]:
        response = self.response
        deadline = self.deadline
        decoder = SSEDecoder(self.spec.max_event_bytes)
        err: Exception | None = None
        try:
            if _is_json(response):
                got = _Body(self.request, _MAX_ERROR_BODY, self.spec, deadline)
                async for piece in response.aiter_bytes():
                    got.add(piece)
                err = not_a_stream(got.content(), self.request, response)
            else:
                async for raw in response.aiter_bytes():
                    if deadline is not None and time.monotonic() > deadline:
                        err = deadline_error(self.request, self.spec.total or 0)
                        break
                    for event in decoder.feed(raw):
                        yield event
                else:
                    for event in decoder.flush():
                        yield event
        except _STREAM_READ_ERRORS as exc:
            err = self._broken(exc)
        if err is not None:
            raise err

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._aevents()

    def close(self) -> None:
        """Release the connection."""
        self.response.close()

    async def aclose(self) -> None:
        """Release the connection."""
        await self.response.aclose()


def open_stream(
    client: httpx.Client, spec: RequestSpec, body: dict[str, Any]
) -> EventStream:
    """Send a streaming request; return the open stream once its status is 2xx.

    The caller iterates and closes it. Failures before the first byte are retried.
    """
    call = _Call(spec, body)
    return EventStream(_open(call, client, stream=True), spec, call.deadline)


async def aopen_stream(
    client: httpx.AsyncClient, spec: RequestSpec, body: dict[str, Any]
) -> EventStream:
    """Async twin of :func:`open_stream`."""
    call = _Call(spec, body)
    return EventStream(await _aopen(call, client, stream=True), spec, call.deadline)
