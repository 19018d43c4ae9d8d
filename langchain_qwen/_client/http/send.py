"""Sending, the one place the package sends HTTP requests.

A request out; a decoded answer, raw bytes or an event stream back.
:func:`request` / :func:`arequest` send any :class:`Outgoing` (a JSON POST, a
multipart upload, a GET of a file's content) and :func:`open_stream` /
:func:`aopen_stream` a streamed one; :func:`post` / :func:`apost` are the JSON POST
of a chat call. They share one loop: retries, redirects, deadline and error mapping.
Requests go through the given (pooled) httpx client, but the body is sent as we built
it and the answer is parsed once, with no pydantic models in between. Nothing here
knows LangChain: :class:`EventStream` yields each event's ``data`` bytes.

* Only 2xx is an answer. 307/308 redirects (and, for a GET, 301/302/303) are
  followed within the same origin only, at most five times, in sync and async alike;
  other 3xx answers, cross-origin redirects and loops raise ``DashScopeAPIError``.
* Timeouts: httpx applies ``timeout`` to each phase (connect, each read, ...). A
  numeric ``timeout`` is also a deadline for the whole call: retries, ``Retry-After``
  waits, a trickled body and a streamed answer all end within it.
* Failures raise the package's own exceptions, built by ``_client.errors`` without the
  key, and chained to nothing: the httpx exception's frames hold the raw headers.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from langchain_qwen._client.error_body import answer_error_status
from langchain_qwen._client.errors import (
    body_too_large,
    deadline_error,
    event_too_large,
    not_a_stream,
    not_json_answer,
    not_object_answer,
    redirect_error,
    stream_broken,
)
from langchain_qwen._client.http.body import encode_json
from langchain_qwen._client.http.retry import Attempts
from langchain_qwen._client.http.spec import RequestSpec, parsed_url
from langchain_qwen._client.http.sse import EventTooLarge, SSEDecoder
from langchain_qwen._compat import STREAM_ERRORS, httpx

__all__ = [
    "EventStream",
    "Outgoing",
    "aopen_stream",
    "apost",
    "arequest",
    "open_stream",
    "post",
    "request",
]

_MAX_REDIRECTS = 5
_MAX_ERROR_BODY = 1 << 20  # an error body is for a message: keep 1 MiB at most
_DEFAULT_PORTS = {"http": 80, "https": 443}
_READ_ERRORS: tuple[type[Exception], ...] = (*STREAM_ERRORS, httpx.DecodingError)
_STREAM_READ_ERRORS: tuple[type[Exception], ...] = (*_READ_ERRORS, EventTooLarge)


@dataclass(frozen=True)
class Outgoing:
    """One request: method, URL, body, and whether the server may receive it twice.

    Attributes:
        method: ``POST`` or ``GET``.
        url: absolute URL; None sends to the spec's URL.
        content: the body bytes, sent as the spec's ``Content-Type`` (JSON).
        files: multipart file parts (name -> (file name, bytes, type)), with
            ``data`` as the form fields.
        data: multipart form fields.
        repeatable: False for requests that must not run twice (an upload, creating
            a job): re-sent only after a failure before any connection existed.
    """

    method: str = "POST"
    url: str | None = None
    content: bytes | None = None
    files: Mapping[str, tuple[str, bytes, str]] | None = None
    data: Mapping[str, str] | None = None
    repeatable: bool = True


_NO_BODY_LIMIT = sys.maxsize  # a file's content: as large as the file


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
    response: httpx.Response,
    spec: RequestSpec,
    url: httpx.URL,
    hops: int,
    method: str = "POST",
) -> httpx.URL:
    """Where a 3xx answer sends the request, or raise when it is not followed."""
    location = response.headers.get("location")
    why = None
    target = url
    followed = (301, 302, 303, 307, 308) if method == "GET" else (307, 308)
    if response.status_code not in followed:
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
    return decoded


def _error_answer(
    decoded: dict[str, Any], response: httpx.Response, content: bytes
) -> httpx.Response | None:
    """A 200 answer whose body is an error, as the error answer it stands for.

    It then goes through the same mapping and retry rule as a real error status.
    """
    status = answer_error_status(decoded)
    if status is None:
        return None
    return httpx.Response(
        status, headers=response.headers, content=content, request=response.request
    )


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
    """One call: its request, deadline, attempts and where redirects have led."""

    __slots__ = ("attempts", "deadline", "headers", "hops", "out", "spec", "url")

    def __init__(self, spec: RequestSpec, out: Outgoing) -> None:
        self.spec = spec
        self.out = out
        self.deadline = _deadline(spec)
        self.attempts = Attempts(spec, self.deadline)
        self.url = (
            spec.http_url() if out.url is None else parsed_url(out.url, spec.query)
        )
        self.hops = 0
        headers = spec.headers.for_httpx()
        if out.content is None:  # multipart (httpx sets the boundary) or no body
            headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        self.headers = headers

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
        out = self.out
        return client.build_request(
            out.method,
            url,
            content=out.content,
            files=out.files,
            data=out.data,
            headers=self.headers,
            timeout=timeout,
        )

    def follow(self, response: httpx.Response) -> None:
        """Move to a redirect's target, or raise when it is not followed."""
        self.url = _redirect(response, self.spec, self.url, self.hops, self.out.method)
        self.hops += 1

    def error_body(self, request: httpx.Request) -> _Body:
        return _Body(request, _MAX_ERROR_BODY, self.spec, self.deadline)

    def answer_body(self, request: httpx.Request, *, raw: bool = False) -> _Body:
        limit = _NO_BODY_LIMIT if raw else self.spec.max_event_bytes * 4
        return _Body(request, limit, self.spec, self.deadline)

    def failed(self, exc: Exception, request: httpx.Request) -> float | Exception:
        """The wait before a retry, or the exception to raise."""
        if isinstance(exc, httpx.DecodingError):
            return stream_broken(exc, request, self.spec.headers.secrets())
        return self.attempts.after_transport_error(
            exc, request, repeatable=self.out.repeatable
        )


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


def request(
    client: httpx.Client,
    spec: RequestSpec,
    out: Outgoing,
    *,
    answer: Literal["json", "bytes"] = "json",
) -> tuple[Any, httpx.Response]:
    """Send ``out`` until an answer arrives; return it (decoded JSON or the bytes).

    A JSON answer must be an object, within ``spec.max_event_bytes * 4``; bytes (a
    file's content) are read whole.
    """
    call = _Call(spec, out)
    raw = answer == "bytes"
    while True:
        response = _open(call, client, stream=False)
        got = call.answer_body(response.request, raw=raw)
        outcome: float | Exception
        try:
            for piece in response.iter_bytes():
                got.add(piece)
        except _READ_ERRORS as exc:  # cut mid-body: nothing reached the caller
            outcome = call.failed(exc, response.request)
        else:
            content = got.content()
            if raw:
                return content, response
            decoded = _decode_answer(content, response, spec)
            failed = _error_answer(decoded, response, content)
            if failed is None:
                return decoded, response
            outcome = call.attempts.after_status(failed, content)
        finally:
            response.close()
        if isinstance(outcome, Exception):
            raise outcome
        time.sleep(outcome)


async def arequest(
    client: httpx.AsyncClient,
    spec: RequestSpec,
    out: Outgoing,
    *,
    answer: Literal["json", "bytes"] = "json",
) -> tuple[Any, httpx.Response]:
    """Async twin of :func:`request`."""
    call = _Call(spec, out)
    raw = answer == "bytes"
    while True:
        response = await _aopen(call, client, stream=False)
        got = call.answer_body(response.request, raw=raw)
        outcome: float | Exception
        try:
            async for piece in response.aiter_bytes():
                got.add(piece)
        except _READ_ERRORS as exc:
            outcome = call.failed(exc, response.request)
        else:
            content = got.content()
            if raw:
                return content, response
            decoded = _decode_answer(content, response, spec)
            failed = _error_answer(decoded, response, content)
            if failed is None:
                return decoded, response
            outcome = call.attempts.after_status(failed, content)
        finally:
            await response.aclose()
        if isinstance(outcome, Exception):
            raise outcome
        await asyncio.sleep(outcome)


def _json_post(body: dict[str, Any]) -> Outgoing:
    return Outgoing(content=encode_json(body))


def post(
    client: httpx.Client, spec: RequestSpec, body: dict[str, Any]
) -> tuple[dict[str, Any], httpx.Response]:
    """Send a non-streaming JSON request; return the decoded answer and response."""
    return request(client, spec, _json_post(body))


async def apost(
    client: httpx.AsyncClient, spec: RequestSpec, body: dict[str, Any]
) -> tuple[dict[str, Any], httpx.Response]:
    """Async twin of :func:`post`."""
    return await arequest(client, spec, _json_post(body))


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
    call = _Call(spec, _json_post(body))
    return EventStream(_open(call, client, stream=True), spec, call.deadline)


async def aopen_stream(
    client: httpx.AsyncClient, spec: RequestSpec, body: dict[str, Any]
) -> EventStream:
    """Async twin of :func:`open_stream`."""
    call = _Call(spec, _json_post(body))
    return EventStream(await _aopen(call, client, stream=True), spec, call.deadline)
