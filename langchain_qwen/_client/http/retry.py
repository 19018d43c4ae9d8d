"""Retry policy, the one place it is decided: which failures are retried, and when.

Retries (``max_retries``, default 2) cover rate limits (429 ``limit_requests``,
``limit_burst_rate``, ``Throttling``), 408/409, 5xx and connection failures before a
response, with exponential backoff and jitter, honouring ``Retry-After``. Quota
(``insufficient_quota``, ``Arrearage``), moderation and other 4xx answers are raised at
once. A 200 answer whose body is an error counts as the status its code implies
(``error_body.answer_error_status``), so a server error there is retried, a quota one is
not. A request that must not run twice (an upload, a batch job's creation) is re-sent
after a connection failure only when no connection was made, so it cannot have reached
the server. With a total deadline, a retry whose wait would end past it is not
attempted: the last failure is raised at once.

The transport asks :class:`Attempts`; callers that retry whole calls themselves (the
rate limiter, with the transport's retries off) ask :func:`retryable_error`.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from typing import NoReturn

from langchain_qwen._client.error_body import (
    error_fields,
    is_moderation_code,
    parse_error_body,
)
from langchain_qwen._client.errors import (
    DashScopeAPIError,
    DashScopeConnectionError,
    connection_error,
    make_status_error,
)
from langchain_qwen._client.http.spec import RequestSpec
from langchain_qwen._compat import NOT_SENT_ERRORS, httpx

__all__ = [
    "Attempts",
    "backoff_delay",
    "retryable_error",
    "retryable_status",
    "retryable_transport",
]

logger = logging.getLogger("langchain_qwen")

_MAX_RETRY_AFTER = 60.0
_INITIAL_BACKOFF = 0.5
_MAX_BACKOFF = 8.0
# Waiting does not refill a quota or an unpaid account.
_QUOTA_CODES = frozenset({"insufficient_quota", "arrearage"})
# A request with these faults is malformed: sending it again fails again.
_PROTOCOL_ERRORS = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


def retryable_status(status: int, body: object) -> bool:
    """Whether an error answer is worth another try: rate limits and server faults.

    Never quota, moderation or other client errors.
    """
    code = str(error_fields(body).get("code") or "").lower()
    if code in _QUOTA_CODES or is_moderation_code(code):
        return False
    return status in (408, 409, 429) or status >= 500


def retryable_transport(exc: Exception, *, repeatable: bool = True) -> bool:
    """Whether a connection failure is worth another try.

    Args:
        exc: the httpx exception.
        repeatable: whether the request may reach the server twice; when not, only
            a failure before any connection existed is retried.
    """
    if isinstance(exc, _PROTOCOL_ERRORS):
        return False
    return repeatable or isinstance(exc, NOT_SENT_ERRORS)


def retryable_error(exc: BaseException) -> bool:
    """Whether the transport would have retried a failure it raised.

    For callers that retry a whole call themselves (with the transport's own
    retries off): the same rule as :class:`Attempts`.
    """
    if isinstance(exc, DashScopeAPIError):
        return retryable_status(exc.status_code, exc.body)
    return isinstance(exc, DashScopeConnectionError)


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


def backoff_delay(attempt: int, response: httpx.Response | None) -> float:
    """Wait before retry ``attempt + 1``: ``Retry-After``, else backoff with jitter."""
    after = _retry_after(response)
    if after is not None and 0 <= after <= _MAX_RETRY_AFTER:  # NaN fails both
        return after
    backoff = min(_INITIAL_BACKOFF * (2**attempt), _MAX_BACKOFF)
    return backoff * (1 - 0.25 * random.random())  # noqa: S311 - jitter, not crypto


class Attempts:
    """Counts attempts and decides, for each failure, to wait and retry or raise."""

    __slots__ = ("deadline", "n", "spec")

    def __init__(self, spec: RequestSpec, deadline: float | None) -> None:
        self.spec = spec
        self.deadline = deadline
        self.n = 0

    def _next(self, why: str, response: httpx.Response | None) -> float | None:
        """The wait before the next try, or None when no retry is left or fits."""
        if self.n >= self.spec.max_retries:
            return None
        delay = backoff_delay(self.n, response)
        if self.deadline is not None and time.monotonic() + delay >= self.deadline:
            return None
        self.n += 1
        logger.info(
            "retrying request to %s (retry %d of %d) after %s; waiting %.2fs",
            self.spec.where,
            self.n,
            self.spec.max_retries,
            why,
            delay,
        )
        return delay

    def after_transport_error(
        self, exc: Exception, request: httpx.Request, *, repeatable: bool = True
    ) -> float | Exception:
        """Delay before the next try, or the mapped connection error to raise."""
        if retryable_transport(exc, repeatable=repeatable):
            delay = self._next(type(exc).__name__, None)
            if delay is not None:
                return delay
        return connection_error(
            exc, request, self.spec.where, self.spec.headers.secrets()
        )

    def after_status(self, response: httpx.Response, content: bytes) -> float:
        """Delay before the next try, or raise the mapped status error."""
        body = parse_error_body(content)
        if retryable_status(response.status_code, body):
            delay = self._next(f"HTTP {response.status_code}", response)
            if delay is not None:
                return delay
        self.fail(response, body)

    def fail(self, response: httpx.Response, body: object) -> NoReturn:
        """Raise the mapped status error."""
        raise make_status_error(
            response,
            body,
            region=self.spec.region,
            region_text=self.spec.where,
            model=self.spec.model,
        )
