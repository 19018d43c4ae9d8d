"""DashScope errors: exception classes, the code -> class map, and the retry policy.

Every exception raised for a DashScope answer subclasses both the matching ``openai``
exception (so code written for ``ChatOpenAI`` keeps catching it) and the matching
langchain-core ``Model*Error`` (so provider-agnostic code can too). Each keeps
DashScope's ``code``, ``request_id`` and the region that was called.

Every exception the package raises is built here, so one module decides what a user
sees. Messages never contain the API key or a URL password: they are built from the
response body and our own words, and any text from elsewhere (an httpx message, a URL)
goes through :func:`redact` first.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from typing import Any

import openai
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)
from langchain_core.messages import AIMessageChunk

from langchain_qwen._client.error_body import (
    NATIVE_PREFIX,
    error_fields,
    is_moderation_code,
)
from langchain_qwen._client.redact import redact, redact_url
from langchain_qwen._client.regions import plan_of_base_url
from langchain_qwen._compat import httpx

__all__ = [
    "ContentModerationError",
    "DashScopeAPIError",
    "DashScopeAuthenticationError",
    "DashScopeBadRequestError",
    "DashScopeBatchError",
    "DashScopeConnectionError",
    "DashScopeContextOverflowError",
    "DashScopeModelNotFoundError",
    "DashScopePermissionDeniedError",
    "DashScopeQuotaError",
    "DashScopeRateLimitError",
    "DashScopeServerError",
    "DashScopeStreamError",
    "DashScopeTimeoutError",
    "IncompleteStreamError",
]


class DashScopeAPIError(openai.APIStatusError):
    """An error answer from DashScope (or another compatible server).

    Attributes:
        code: DashScope's error code, e.g. ``invalid_api_key``, ``limit_requests``.
        request_id: DashScope's request id, for support tickets.
        region: the canonical region that was called, when known.
        status_code: the HTTP status.
    """

    region: str | None = None

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object | None,
        region: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, response=response, body=body)
        self.region = region
        self.request_id = request_id or self.request_id
        if isinstance(body, dict) and body.get("code") is not None:
            self.code = str(body["code"])


class DashScopeBadRequestError(
    DashScopeAPIError, openai.BadRequestError, ModelInvalidRequestError
):
    """400: a parameter DashScope refused."""


class DashScopeContextOverflowError(DashScopeBadRequestError, ContextOverflowError):
    """400: the input is longer than the model's context window.

    langchain-core's ``ContextOverflowError``: ``SummarizationMiddleware`` and other
    provider-agnostic code catch it to shorten the conversation and try again.
    Raised before a response and for an overflow reported inside a stream (then
    ``partial`` holds what had been streamed).
    """

    partial: AIMessageChunk | None = None


class ContentModerationError(DashScopeBadRequestError):
    """DashScope's content moderation refused the input or the output.

    Raised for ``data_inspection_failed`` both before a response and in the middle
    of a stream (then ``partial`` holds what had been streamed). Never retried.
    """

    partial: AIMessageChunk | None = None


class DashScopeQuotaError(DashScopeAPIError):
    """Quota used up (429 ``insufficient_quota``) or account overdue (``Arrearage``).

    Not retried: waiting seconds does not refill a quota (``is_retryable`` is False
    for LangChain's retry middleware too, although the 429 class says True).
    """

    is_retryable = False


class DashScopeAuthenticationError(
    DashScopeAPIError, openai.AuthenticationError, ModelAuthenticationError
):
    """401: the key is missing, wrong, or belongs to another region."""


class DashScopePermissionDeniedError(
    DashScopeAPIError, openai.PermissionDeniedError, ModelPermissionDeniedError
):
    """403: the account or key has no access to this model or feature."""


class DashScopeModelNotFoundError(
    DashScopeAPIError, openai.NotFoundError, ModelNotFoundError
):
    """404: the model name is unknown or not offered in this region."""


class DashScopeRateLimitError(
    DashScopeAPIError, openai.RateLimitError, ModelRateLimitError
):
    """429: rate limited (requests or tokens per minute); retried with backoff."""


class _QuotaRateLimitError(DashScopeQuotaError, DashScopeRateLimitError):
    """429 insufficient_quota: a rate-limit status that must not be retried."""


class _ArrearageError(DashScopeQuotaError, DashScopeBadRequestError):
    """400 Arrearage: the account is overdue."""


class DashScopeServerError(
    DashScopeAPIError, openai.InternalServerError, ModelAPIError
):
    """5xx: DashScope failed or is overloaded; retried with backoff."""


class DashScopeConnectionError(openai.APIConnectionError, ModelConnectionError):
    """The connection failed or dropped before an answer was complete."""

    partial: AIMessageChunk | None = None


class DashScopeTimeoutError(openai.APITimeoutError, ModelTimeoutError):
    """The server did not answer within ``timeout``."""

    partial: AIMessageChunk | None = None


class DashScopeBatchError(ModelAPIError):
    """A batch item without an answer, or a batch job that cannot answer yet.

    Raised (or put in place of an item's answer) when the item's batch failed,
    expired or was cancelled, when the job is still running, or when a submission
    stopped part-way.

    Attributes:
        code: DashScope's error code or the job status (``expired``, ...).
        batch_id: the DashScope batch the item was in, when known.
        job: on a submission that stopped half-way, the handle of what was
            submitted (its ``failed()`` lists the items still to send).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        batch_id: str | None = None,
        job: Any = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.batch_id = batch_id
        self.job = job


class DashScopeStreamError(openai.APIError, ModelAPIError):
    """A streamed answer failed part-way: an error event, or malformed data.

    Attributes:
        partial: the message streamed before the failure (text, reasoning, tool
            call chunks), never returned as if it were complete.
        code: DashScope's error code of an error event.
        request_id: DashScope's request id, when the stream told it.
    """

    partial: AIMessageChunk | None = None
    request_id: str | None = None

    def __init__(
        self,
        message: str,
        request: httpx.Request,
        *,
        body: object | None = None,
        partial: AIMessageChunk | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, request, body=body)
        self.partial = partial
        self.request_id = request_id
        if isinstance(body, dict) and body.get("code") is not None:
            self.code = str(body["code"])

    @property
    def partial_text(self) -> str:
        """Text streamed before the failure."""
        return self.partial.text if self.partial is not None else ""


class IncompleteStreamError(DashScopeStreamError):
    """The answer ended without a finish_reason: it is cut, not complete.

    Raised for a stream that ends without a finish_reason (or ``[DONE]``), and for a
    non-streamed body whose choice has ``finish_reason: null``.
    """


_PLAN_KEY_HINTS: dict[str, str] = {
    "coding": (
        " This is a Coding Plan host: it accepts only the plan's own key (sk-sp-...), "
        "not a pay-as-you-go key (sk-...), and only while the subscription is active. "
        "For a pay-as-you-go key drop plan='coding' (and DASHSCOPE_PLAN)."
    ),
    "token": (
        " This is a Token Plan host: it accepts only the Token Plan's own key (copy "
        "it from the Token Plan page), not a pay-as-you-go (sk-...) or Coding Plan "
        "(sk-sp-...) key."
    ),
}


def _request_plan(response: httpx.Response) -> str:
    """The billing plan of the host a response came from ("payg" when unknown)."""
    try:
        url = str(response.request.url)
    except RuntimeError:  # a Response built without its request
        return "payg"
    return plan_of_base_url(url)


def _key_sent(response: httpx.Response) -> bool:
    """Whether the request carried a real key (not none, not the "EMPTY" stand-in)."""
    try:
        value = response.request.headers.get("authorization")
    except RuntimeError:  # a Response built without its request
        return True
    if value is None:  # not ChatQwen's request: unknown
        return True
    return value.removeprefix("Bearer ").strip() not in ("", "EMPTY")


def _auth_hint(region_text: str, region: str | None, key_sent: bool) -> str | None:
    """401 advice when the region-specific key advice would mislead, else None."""
    if not key_sent:
        return (
            f" No API key was sent to {region_text}: set DASHSCOPE_API_KEY or pass "
            "api_key= (a key of the server's own, for a self-hosted server)."
        )
    overrides = [
        var
        for var in ("DASHSCOPE_BASE_URL", "DASHSCOPE_API_BASE")
        if os.environ.get(var)
    ]
    if region is None or overrides:
        chosen = (
            f"{overrides[0]} (which wins over region=)" if overrides else "base_url"
        )
        return (
            f" The request went to {region_text}, chosen by {chosen}: check that the "
            "key belongs to that endpoint. A Coding Plan key (sk-sp-...) works only "
            "on the Coding Plan hosts: set plan='coding'. `langchain-qwen doctor` "
            "finds which DashScope region accepts a key."
        )
    return None


def _hint(
    status: int,
    code: str,
    region_text: str,
    model: str | None,
    plan: str = "payg",
    *,
    region: str | None = None,
    key_sent: bool = True,
) -> str:
    low = code.lower()
    auth = status == 401 or low == "invalid_api_key"
    if (auth or status == 403) and plan in _PLAN_KEY_HINTS:
        return _PLAN_KEY_HINTS[plan]
    if auth and (special := _auth_hint(region_text, region, key_sent)):
        return special
    if auth:
        return (
            f" DashScope API keys are region-specific and this request went to "
            f"{region_text}: check that the key was created in that region. For "
            "another region set region= (or DASHSCOPE_REGION) to the key's region, "
            "or, when you pass base_url= (it wins over region=), that region's host. "
            "A Coding Plan key (sk-sp-...) works only on the Coding Plan hosts: set "
            "plan='coding' (or DASHSCOPE_PLAN=coding). "
            "`langchain-qwen doctor` finds which region or plan accepts a key."
        )
    if low == "insufficient_quota":
        return (
            " Your quota or token allowance is used up; retrying will not help. "
            "Check the billing/quota page of the Model Studio console."
        )
    if low == "arrearage":
        return " The Alibaba Cloud account is overdue; top it up to continue."
    if status == 404 or low in ("model_not_found", "model_not_supported"):
        return (
            f" Model {model!r} is not offered in compatible mode in {region_text}; "
            "model availability differs per region (`langchain-qwen models "
            "--region R` lists them)."
        )
    if status == 403:
        return (
            " The key has no access to this model or feature: enable the model in "
            "the Model Studio console of this workspace/region. A Coding Plan key "
            "(sk-sp-...) gets 403 'invalid api-key' here: set plan='coding'."
        )
    if is_moderation_code(code):
        return " Content moderation refused the input or the output; not retried."
    return ""


def make_status_error(
    response: httpx.Response,
    body: object,
    *,
    region: str | None,
    region_text: str,
    model: str | None,
) -> DashScopeAPIError:
    """Build the exception for an HTTP error answer."""
    fields = error_fields(body)
    status = response.status_code
    code = str(fields.get("code") or "")
    raw_message = fields.get("message") or (
        body if isinstance(body, str) and body else f"HTTP {status}"
    )
    message = NATIVE_PREFIX.sub("", str(raw_message))
    request_id = None
    if isinstance(body, dict):
        request_id = body.get("request_id") or None
    request_id = request_id or response.headers.get("x-request-id")
    cls = _class_for(status, code, message)
    text = f"Error code: {status} - {code or 'error'}: {message}"
    text += _hint(
        status,
        code,
        region_text,
        model,
        _request_plan(response),
        region=region,
        key_sent=_key_sent(response),
    )
    if request_id:
        text += f" (request_id: {request_id})"
    return cls(
        text,
        response=response,
        body=fields or body,
        region=region,
        request_id=request_id,
    )


# DashScope's and OpenAI-compatible servers' wordings of "input too long", and
# those ChatOpenAI maps to its ContextOverflowError (langchain-openai
# _handle_openai_bad_request / _handle_openai_api_error).
_CONTEXT_OVERFLOW = re.compile(
    r"range of input length should be|context_length_exceeded|maximum context "
    r"length|context length|input (is )?too long|prompt is too long|too many tokens"
    r"|reduce the length of the (messages|input)|input tokens exceed the "
    r"configured limit|contextwindowexceeded|exceeds the context window",
    re.IGNORECASE,
)


def _class_for(status: int, code: str, message: str) -> type[DashScopeAPIError]:
    low = code.lower()
    if is_moderation_code(low):
        return ContentModerationError
    if status in (400, 413) and _CONTEXT_OVERFLOW.search(f"{code} {message}"):
        return DashScopeContextOverflowError
    if low == "insufficient_quota":
        return _QuotaRateLimitError
    if low == "arrearage":
        return _ArrearageError
    by_status: dict[int, type[DashScopeAPIError]] = {
        400: DashScopeBadRequestError,
        401: DashScopeAuthenticationError,
        403: DashScopePermissionDeniedError,
        404: DashScopeModelNotFoundError,
        429: DashScopeRateLimitError,
    }
    if status in by_status:
        return by_status[status]
    if status >= 500:
        return DashScopeServerError
    return DashScopeAPIError


_StreamRefusal = ContentModerationError | DashScopeContextOverflowError


def stream_error(
    event: dict[str, Any],
    request: httpx.Request,
    response: httpx.Response,
    partial: AIMessageChunk | None,
) -> DashScopeStreamError | _StreamRefusal:
    """Exception for an ``{"error": ...}`` event inside a 200 stream.

    A refusal of the input (moderation, context overflow) gets the class the same
    code and message get before a response; any other error is a stream error.
    """
    fields = error_fields(event)
    code = str(fields.get("code") or "")
    message = NATIVE_PREFIX.sub("", str(fields.get("message") or "stream error"))
    request_id = event.get("request_id") or response.headers.get("x-request-id")
    received = len(partial.text) if partial is not None else 0
    text = (
        f"Error inside the stream after {received} characters of text - "
        f"{code or 'error'}: {message}"
    )
    tail = " The partial answer is on exc.partial." if received else ""
    tail += f" (request_id: {request_id})" if request_id else ""
    # Both refusals are 400s in DashScope's own words ("<400> ..."), even when they
    # arrive inside a 200 stream.
    cls = _class_for(400, code, message)
    if issubclass(cls, (ContentModerationError, DashScopeContextOverflowError)):
        text += _hint(400, code, "", None) + tail
        exc = cls(text, response=response, body=fields, request_id=request_id)
        exc.status_code = 400  # exc.response stays the real (200) one
        exc.partial = partial
        return exc
    return DashScopeStreamError(
        text + tail, request, body=fields, partial=partial, request_id=request_id
    )


# --------------------------------------------------------------- transport failures
def _connection_message(exc: BaseException, secrets: Iterable[str]) -> str:
    detail = redact(str(exc), secrets)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def connection_error(
    exc: BaseException,
    request: httpx.Request,
    where: str,
    secrets: Iterable[str] = (),
) -> DashScopeConnectionError | DashScopeTimeoutError:
    """A failure to get an answer (refused, reset, timed out) before a response."""
    if isinstance(exc, httpx.TimeoutException):
        return timeout_error(
            request, f"Request to {where} timed out ({type(exc).__name__})."
        )
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError):
        what = f"The connection to {where} broke before the answer was complete"
    else:
        what = f"Could not reach {where}"
    return DashScopeConnectionError(
        message=f"{what}: {_connection_message(exc, secrets)}", request=request
    )


def timeout_error(request: httpx.Request, message: str) -> DashScopeTimeoutError:
    """``DashScopeTimeoutError`` with our own message."""
    err = DashScopeTimeoutError(request=request)
    err.message = message
    err.args = (message,)
    return err


def deadline_error(request: httpx.Request, seconds: float) -> DashScopeTimeoutError:
    """The call's total ``timeout`` passed (retries and waits included)."""
    return timeout_error(
        request,
        f"The answer took longer than the request's timeout ({seconds:g} s for the "
        "whole call, retries included) and was abandoned.",
    )


def stream_broken(
    exc: BaseException, request: httpx.Request, secrets: Iterable[str] = ()
) -> DashScopeConnectionError | DashScopeTimeoutError | DashScopeStreamError:
    """The body of an answer could not be read to its end."""
    if isinstance(exc, httpx.TimeoutException):
        return timeout_error(request, "Timed out while reading the answer.")
    if isinstance(exc, httpx.DecodingError):
        return DashScopeStreamError(
            "The answer could not be decoded (its Content-Encoding is corrupt): "
            + _connection_message(exc, secrets),
            request,
        )
    return DashScopeConnectionError(
        message=(
            "The connection dropped before the answer was complete "
            f"({_connection_message(exc, secrets)})."
        ),
        request=request,
    )


def event_too_large(request: httpx.Request, limit: int) -> DashScopeStreamError:
    """One server-sent event grew past ``max_event_bytes``."""
    return DashScopeStreamError(
        f"A stream event is larger than max_event_bytes={limit} bytes (the "
        "ChatQwen field `max_event_bytes`); the stream was abandoned.",
        request,
    )


def body_too_large(request: httpx.Request, limit: int) -> DashScopeConnectionError:
    """A non-streamed answer grew past the size limit."""
    return DashScopeConnectionError(
        message=(
            f"The answer is larger than {limit} bytes (4 x the ChatQwen field "
            "`max_event_bytes`); it was abandoned."
        ),
        request=request,
    )


def _preview(data: bytes | str, size: int = 200) -> str:
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    return text if len(text) <= size else text[:size] + "..."


def not_json_answer(
    request: httpx.Request, content: bytes, where: str, exc: BaseException
) -> DashScopeConnectionError:
    """A non-streamed answer that is not JSON (or nested too deeply to decode)."""
    what = "nested too deeply" if isinstance(exc, RecursionError) else "got"
    msg = f"Expected a JSON answer from {where}, {what}: {_preview(content)!r}"
    return DashScopeConnectionError(message=msg, request=request)


def not_object_answer(
    request: httpx.Request, decoded: object, where: str
) -> DashScopeConnectionError:
    """A non-streamed JSON answer that is not an object."""
    kind = type(decoded).__name__
    msg = f"Expected a JSON object from {where}, got {kind}"
    return DashScopeConnectionError(message=msg, request=request)


def not_a_stream(
    content: bytes, request: httpx.Request, response: httpx.Response
) -> DashScopeStreamError | _StreamRefusal:
    """A JSON body where an event stream was expected (often a gateway's error)."""
    text = content.decode("utf-8", "replace")
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict) and body.get("error"):
        return stream_error(body, request, response, None)
    msg = f"Expected an event stream, got a JSON body: {_preview(text)!r}"
    return DashScopeStreamError(msg, request, body=body)


def malformed_data(
    request: httpx.Request, data: bytes, exc: BaseException, partial: AIMessageChunk
) -> DashScopeStreamError:
    """A ``data:`` payload that is not UTF-8 JSON (or nested too deeply)."""
    if isinstance(exc, UnicodeDecodeError):
        what = "not UTF-8"
    elif isinstance(exc, RecursionError):
        what = "JSON nested too deeply"
    else:
        what = "not JSON"
    text = data.decode("utf-8", "replace")
    msg = f"Malformed data in the stream ({what}): {_preview(text)!r}"
    return DashScopeStreamError(msg, request, body=text, partial=partial)


def malformed_event(
    request: httpx.Request,
    event: object,
    why: str,
    partial: AIMessageChunk | None,
    *,
    shown: bytes | None = None,
) -> DashScopeStreamError:
    """An event (or answer) whose fields have the wrong types."""
    if shown is None:
        shown = repr(event)[:400].encode()
    msg = f"Malformed answer from the server ({why})"
    if shown:
        msg += f": {_preview(shown)}"
    return DashScopeStreamError(msg, request, body=event, partial=partial)


def incomplete(
    request: httpx.Request,
    partial: AIMessageChunk,
    *,
    streamed: bool,
    done: bool = False,
    body: object | None = None,
) -> IncompleteStreamError:
    """The answer ended without a finish_reason: it is cut, not complete."""
    received = len(partial.text)
    if streamed:
        msg = (
            "The stream ended without a finish_reason"
            + ("" if done else " or [DONE]")
            + f" after {received} characters of text: the answer is incomplete "
            "(connection cut or server fault). The partial answer is on exc.partial."
        )
    else:
        msg = (
            f"The answer has no finish_reason after {received} characters of text: "
            "it is incomplete (server fault). The partial answer is on exc.partial."
        )
    return IncompleteStreamError(msg, request, body=body, partial=partial)


_PartialError = (
    DashScopeConnectionError
    | DashScopeTimeoutError
    | DashScopeStreamError
    | ContentModerationError
    | DashScopeContextOverflowError
)


def with_partial(exc: _PartialError, partial: AIMessageChunk) -> _PartialError:
    """Attach what was received before a failure the transport reported."""
    if exc.partial is None:
        exc.partial = partial
        exc.message += (
            f" {len(partial.text)} characters of text had arrived; the partial "
            "answer is on exc.partial."
        )
        exc.args = (exc.message,)
    return exc


def redirect_error(
    response: httpx.Response, why: str, *, region: str | None
) -> DashScopeAPIError:
    """A 3xx answer ChatQwen does not follow (only 2xx is an answer)."""
    location = response.headers.get("location")
    shown = f" to {redact_url(location)!r}" if location else " without a Location"
    text = (
        f"Error code: {response.status_code} - the server redirected{shown}: {why} "
        "Set base_url to the final address."
    )
    return DashScopeAPIError(text, response=response, body=None, region=region)


# --------------------------------------------------------------------- bad input
def non_finite_error(path: str, value: float) -> ValueError:
    """NaN/Infinity in a request body: JSON has no such values."""
    msg = (
        f"Invalid value {value!r} at {path} in the request: JSON has no NaN or "
        "Infinity, and the server would refuse (or misread) it. Nothing was sent."
    )
    return ValueError(msg)


def unencodable_error(path: str, value: object) -> TypeError:
    """A value ``json`` cannot encode in a request body."""
    msg = (
        f"Cannot send {type(value).__name__} at {path} in the request: only JSON "
        "types (dict, list, str, int, float, bool, None) can be sent. Nothing was sent."
    )
    return TypeError(msg)


def bad_key_error(field: str, position: int, what: str) -> ValueError:
    """An API key an HTTP header cannot carry; never echoes the key."""
    msg = (
        f"Invalid `{field}`: it contains {what} at position {position}, which an "
        "HTTP header cannot carry (the key is not shown). Check how the key was "
        "copied or loaded (env files, Kubernetes secrets)."
    )
    return ValueError(msg)


def bad_header_error(name: str, position: int, what: str) -> ValueError:
    """A header value an HTTP request cannot carry; never echoes the value."""
    msg = (
        f"Invalid header {name!r}: its value contains {what} at position "
        f"{position}, which an HTTP header cannot carry (the value is not shown)."
    )
    return ValueError(msg)
