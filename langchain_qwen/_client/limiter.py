"""DashScope's RPM/TPM limits: the engine of ``rate_limiters.QwenRateLimiter``.

See the public module for the user-facing description. Booking, slot spacing, the
429 slow-down and the limiter's own retries live here, beside the transport.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import itertools
import threading
import time
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterator,
)
from typing import Any, TypeVar

from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.rate_limiters import BaseRateLimiter

from langchain_qwen._client.errors import (
    DashScopeRateLimitError,
)
from langchain_qwen._client.http import backoff_delay, retryable_error

__all__ = ["QwenRateLimiter"]

T = TypeVar("T")


class _Request:
    """The request about to call acquire() (set by ChatQwen around it).

    Holds its prompt estimate, the tokens booked for it at release (with the
    freshest estimates) and its entry in the last-second log, which the answer's
    usage corrects.
    """

    __slots__ = ("booked", "estimate", "sent")

    def __init__(self, estimate: float, booked: float) -> None:
        self.estimate = estimate
        self.booked = booked
        self.sent: list[float] | None = None


_COST: contextvars.ContextVar[_Request | None] = contextvars.ContextVar(
    "langchain_qwen_rate_cost", default=None
)
# The log entry of a slot taken without a _Request: langchain-core's own acquire()
# before a stream, which ChatQwen then prices in full (QwenRateLimiter.stream).
_UNPRICED: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar(
    "langchain_qwen_rate_unpriced", default=None
)
_REQUEST_CODES = ("limit_requests", "limit_burst_rate", "throttling")
_SLOWDOWN = 0.8  # rate kept after a 429
_RECOVERY = 0.01  # fraction of the full rate regained per success
_COOLDOWN = 1.0  # 429s within this many seconds are one overload: one cut
_PAUSE = 0.25  # seconds nothing is sent after a 429
_TOLERANCE = 0.02  # jitter between our clock and the server's
_CATCH_UP = 0.25  # seconds of pacing a late release may catch up (window permitting)
_RECHECK = 0.25  # queue waits longer than this are re-estimated half-way,
_RECHECK_MAX = 1.0  # ... or after this many seconds at the latest


def in_limited_call() -> bool:
    """Whether a limiter is running the current call (a stream inside invoke)."""
    return _COST.get() is not None


def _usage(chunk: ChatGenerationChunk) -> Any:
    return getattr(chunk.message, "usage_metadata", None)


class QwenRateLimiter(BaseRateLimiter):
    """Paces requests under an RPM and a TPM limit; adapts to DashScope's 429s.

    Args:
        requests_per_minute: the model's RPM limit.
        tokens_per_minute: the model's TPM limit (prompt + completion; None: only
            requests are limited).
        utilization: fraction of the limits to aim at (default 0.95: a little room
            for clock skew between you and the server).
        expected_output_tokens: completion length assumed until answers show the
            real one.
        max_throttle_retries: retries of a request refused with a 429.
    """

    def __init__(
        self,
        *,
        requests_per_minute: float,
        tokens_per_minute: float | None = None,
        utilization: float = 0.95,
        expected_output_tokens: float = 256,
        max_throttle_retries: int = 8,
    ) -> None:
        if not requests_per_minute > 0:
            msg = f"requests_per_minute must be > 0, got {requests_per_minute!r}."
            raise ValueError(msg)
        if tokens_per_minute is not None and not tokens_per_minute > 0:
            msg = f"tokens_per_minute must be > 0 or None, got {tokens_per_minute!r}."
            raise ValueError(msg)
        if not 0 < utilization <= 1:
            msg = f"utilization must be in (0, 1], got {utilization!r}."
            raise ValueError(msg)
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.utilization = utilization
        self.max_throttle_retries = max_throttle_retries
        self._full_requests = requests_per_minute * utilization / 60
        self._full_tokens = (tokens_per_minute or 0) * utilization / 60
        self._request_rate = self._full_requests  # per second, lowered by 429s
        self._token_rate = self._full_tokens
        self._gate = 0.0  # monotonic time the next release may happen
        # The queue: tickets handed out, those still waiting, the oldest waiting.
        # Waiters sleep by their distance from the head, so they wake apart.
        self._booked = 0
        self._waiting: set[int] = set()
        self._head = 0
        self._last_cut = -1e9  # when a 429 last slowed us down
        # What was sent in the last second, as the server counts it: [time, tokens].
        self._sent: collections.deque[list[float]] = collections.deque()
        self._sent_tokens = 0.0
        self._output = float(expected_output_tokens)  # running mean completion
        self._prompt_ratio = 1.0  # server's prompt count / our estimate, so far
        self._prompts_seen = [0.0, 0.0]  # (server's counts, our estimates)
        self._largest = 0.0  # most tokens one answer has used
        self._answers = 0  # answers with usage seen
        self.throttled = 0
        """429 answers seen."""
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]  # travels to Ray/multiprocessing workers without it
        state["_sent"], state["_sent_tokens"] = collections.deque(), 0.0
        state["_booked"], state["_waiting"], state["_head"] = 0, set(), 0
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"QwenRateLimiter(requests_per_minute={self.requests_per_minute}, "
            f"tokens_per_minute={self.tokens_per_minute})"
        )

    # -- pacing --
    def booked_tokens(self, prompt_estimate: float) -> float:
        """Tokens to book for a request whose prompt we estimate at this size."""
        return prompt_estimate * self._prompt_ratio + self._output

    def _spacing(self, tokens: float) -> float:
        """Seconds this request occupies under both limits."""
        spacing = 1 / self._request_rate
        if self._token_rate:
            # A second that ends just after a large request must still fit the
            # per-second share (TPM/60): keep one request's worth of headroom.
            largest = max(self._largest, tokens)
            per_second = (self.tokens_per_minute or 0) / 60
            room = (per_second - largest) / (1 + _TOLERANCE)
            rate = min(self._token_rate, max(room, 0.5 * self._token_rate))
            spacing = max(spacing, tokens / rate)
        return spacing

    def _tokens(self) -> float:
        """Tokens to book for the current request (and note them on it)."""
        request = _COST.get()
        if request is None:
            return self._output
        request.booked = self.booked_tokens(request.estimate)
        return request.booked

    def _wait(self, ticket: int, now: float) -> float:
        """Seconds ``ticket`` should sleep: until the gate, or longer.

        Waiters sleep by their distance from the head of the queue, so they wake
        one spacing apart. A long queue wait is slept in halves (a second at
        most): the estimates it was computed from (the output length above all)
        change as answers arrive.
        """
        queue = (ticket - self._head) * self._spacing(self._tokens())
        if queue > _RECHECK:
            queue /= 2
        return min(max(self._gate - now, queue), _RECHECK_MAX)

    def _book(self) -> tuple[int, float]:
        """A place in the queue and a first sleep hint."""
        with self._lock:
            ticket = self._booked
            self._booked += 1
            self._waiting.add(ticket)
            return ticket, self._wait(ticket, time.monotonic())

    def _release(self, ticket: int) -> float:
        """0 when the request may go now (and books it), else seconds to wait.

        The wait is recomputed at each wake-up from the place in the queue and the
        freshest estimates, so a queue booked with early (wrong) estimates does
        not keep their pace; the gate keeps an event loop that woke several
        waiters late from sending them together (the server counts each second).
        """
        with self._lock:
            now = time.monotonic()
            if now < self._gate:
                return self._wait(ticket, now)
            tokens = self._tokens()  # with what the answers taught so far
            # The server's own rule, over the last second: a late wake-up may catch
            # up (up to _CATCH_UP) only while that second has room.
            sent = self._trim(now)
            full = len(sent) + 1 > self._request_rate or (
                self._token_rate and self._sent_tokens + tokens > self._token_rate
            )
            if full and sent:
                return max(0.001, sent[0][0] + 1 - now, self._wait(ticket, now))
            # A late release catches up (the gate stays where it was); after an idle
            # spell the pacing starts afresh instead of sending a burst.
            start = self._gate if self._gate > now - _CATCH_UP else now
            self._gate = start + self._spacing(tokens)
            entry = [now, tokens]
            sent.append(entry)
            self._sent_tokens += tokens
            request = _COST.get()
            if request is not None:
                request.sent = entry
            _UNPRICED.set(None if request is not None else entry)
            return 0.0

    def _rebook(self, entry: list[float], tokens: float) -> None:
        """Change what a logged request counts in the last second (lock held)."""
        now = time.monotonic()
        if entry[0] > now - 1:
            self._trim(now)
            self._sent_tokens += tokens - entry[1]
        entry[1] = tokens

    def _trim(self, now: float) -> collections.deque[list[float]]:
        """The last second's log (caller holds the lock)."""
        sent = self._sent
        while sent and sent[0][0] <= now - 1:
            self._sent_tokens -= sent.popleft()[1]
        return sent

    def _leave(self, ticket: int) -> None:
        """A waiter left the queue (sent, or cancelled while waiting)."""
        with self._lock:
            self._waiting.discard(ticket)
            while self._head < self._booked and self._head not in self._waiting:
                self._head += 1

    def _busy(self) -> bool:
        with self._lock:
            return time.monotonic() < self._gate or bool(self._waiting)

    def _queue(self) -> Generator[float, None, None]:
        """The sleeps of one waiter until its slot (shared by both twins)."""
        ticket, wait = self._book()
        try:
            while True:
                if wait > 0:
                    yield wait
                wait = self._release(ticket)
                if wait == 0:
                    return
        finally:
            self._leave(ticket)

    def acquire(self, *, blocking: bool = True) -> bool:
        """Wait for the next slot under both limits."""
        if not blocking and self._busy():
            return False
        with contextlib.closing(self._queue()) as waits:
            for wait in waits:
                time.sleep(wait)
        return True

    async def aacquire(self, *, blocking: bool = True) -> bool:
        """Async twin of :meth:`acquire`."""
        if not blocking and self._busy():
            return False
        # closing(): a cancelled sleep leaves the queue now, not when collected.
        with contextlib.closing(self._queue()) as waits:
            for wait in waits:
                await asyncio.sleep(wait)
        return True

    def settle(
        self,
        booked: float,
        *,
        prompt_estimate: float | None,
        prompt_tokens: int | None,
        completion_tokens: int | None,
        sent: list[float] | None = None,
    ) -> None:
        """Correct the books with an answer's real usage; regain speed.

        ``sent`` is the request's entry in the last-second log, if it has one.
        """
        with self._lock:
            if prompt_tokens is not None and completion_tokens is not None:
                used = prompt_tokens + completion_tokens
                if sent is not None:  # the server counts the real figure: so do we
                    self._rebook(sent, used)
                if self._token_rate:
                    # Took more (less) than booked: later requests wait the
                    # difference (or go sooner by it, but not in a burst).
                    later = self._gate + (used - booked) / self._token_rate
                    self._gate = max(later, min(self._gate, time.monotonic()))
                self._largest = max(self._largest, used)
                # The first answers replace the assumed output length (a mean),
                # later ones move it (a running average).
                self._answers += 1
                weight = max(0.1, 1 / self._answers)
                self._output += weight * (completion_tokens - self._output)
                if prompt_estimate:
                    seen = self._prompts_seen
                    seen[0] += prompt_tokens
                    seen[1] += prompt_estimate
                    self._prompt_ratio = seen[0] / seen[1]
            self._request_rate = min(
                self._full_requests,
                self._request_rate + _RECOVERY * self._full_requests,
            )
            self._token_rate = min(
                self._full_tokens, self._token_rate + _RECOVERY * self._full_tokens
            )

    def refused(self, booked: float, code: str) -> None:
        """A 429: slow down the limit that was hit (once per cool-down)."""
        with self._lock:
            self.throttled += 1
            now = time.monotonic()
            if now - self._last_cut < _COOLDOWN:
                return  # the same overload: one cut is enough
            self._last_cut = now
            if code.lower().startswith(_REQUEST_CODES) or not self._token_rate:
                self._request_rate *= _SLOWDOWN
            else:
                self._token_rate *= _SLOWDOWN
            self._gate = max(self._gate, now + _PAUSE)

    # -- one request through ChatQwen --
    def _retry_reason(self, exc: Exception, attempt: int, retries: int) -> str | None:
        """The 429 code to adapt to ('' for other retryable faults), or None."""
        if isinstance(exc, DashScopeRateLimitError):
            code = str(getattr(exc, "code", "") or "")
            # "insufficient_quota" is how DashScope reports TPM: retry it here, where
            # the token books make the wait meaningful (a used-up quota persists and
            # runs out of retries).
            if attempt < self.max_throttle_retries:
                return code or "limit_requests"
            return None
        if attempt >= retries:
            return None
        # Faults the HTTP layer would have retried (its retries are off here).
        return "" if retryable_error(exc) else None

    def _retrying(self, call: Callable[[], T], request: _Request, retries: int) -> T:
        """``call()`` (which takes its slot) until it succeeds or may not retry."""
        attempt = 0
        while True:
            token = _COST.set(request)
            try:
                return call()
            except Exception as exc:
                wait = self._wait_after(exc, request, attempt, retries)
                attempt += 1
            finally:
                _COST.reset(token)
            time.sleep(wait)

    async def _aretrying(
        self, call: Callable[[], Awaitable[T]], request: _Request, retries: int
    ) -> T:
        """Async twin of :meth:`_retrying`."""
        attempt = 0
        while True:
            token = _COST.set(request)
            try:
                return await call()
            except Exception as exc:
                wait = self._wait_after(exc, request, attempt, retries)
                attempt += 1
            finally:
                _COST.reset(token)
            await asyncio.sleep(wait)

    def run(
        self, call: Callable[[], ChatResult], prompt_estimate: float, retries: int
    ) -> ChatResult:
        """Send one request through the limiter, retrying what it may."""
        request = _Request(prompt_estimate, self.booked_tokens(prompt_estimate))
        result = self._retrying(call, request, retries)
        self._after_success(result, request)
        return result

    async def arun(
        self,
        call: Callable[[], Awaitable[ChatResult]],
        prompt_estimate: float,
        retries: int,
    ) -> ChatResult:
        """Async twin of :meth:`run`."""
        request = _Request(prompt_estimate, self.booked_tokens(prompt_estimate))
        result = await self._aretrying(call, request, retries)
        self._after_success(result, request)
        return result

    def request(
        self,
        send: Callable[[], T],
        prompt_estimate: float,
        retries: int,
        used: Callable[[T], int | None],
    ) -> T:
        """One request of another kind (embeddings, rerank) through the limiter.

        ``send()`` goes out in its own slot; a 429 is retried after a new one (and
        other retryable faults up to ``retries`` times); ``used(answer)`` is the
        answer's token count, which corrects the books (no completion tokens).
        """
        request = _Request(prompt_estimate, self.booked_tokens(prompt_estimate))

        def attempt() -> T:
            self.acquire()
            return send()

        result = self._retrying(attempt, request, retries)
        self._settle(request, used(result), 0)
        return result

    async def arequest(
        self,
        send: Callable[[], Awaitable[T]],
        prompt_estimate: float,
        retries: int,
        used: Callable[[T], int | None],
    ) -> T:
        """Async twin of :meth:`request`."""
        request = _Request(prompt_estimate, self.booked_tokens(prompt_estimate))

        async def attempt() -> T:
            await self.aacquire()
            return await send()

        result = await self._aretrying(attempt, request, retries)
        self._settle(request, used(result), 0)
        return result

    def _wait_after(
        self, exc: Exception, request: _Request, attempt: int, retries: int
    ) -> float:
        """Seconds before retrying a failed attempt; re-raises what is not retried."""
        reason = self._retry_reason(exc, attempt, retries)
        if reason is None:
            raise exc
        if reason:
            self.refused(request.booked, reason)
            return 0.0  # the new slot, pushed back, is the wait
        return backoff_delay(attempt, getattr(exc, "response", None))

    def _after_success(self, result: ChatResult, request: _Request) -> None:
        usage = (result.llm_output or {}).get("token_usage") or {}
        self._settle(
            request, usage.get("prompt_tokens"), usage.get("completion_tokens")
        )

    def _price(self, request: _Request) -> None:
        """Book a stream's full size: langchain-core took its slot at the average."""
        entry = _UNPRICED.get()
        _UNPRICED.set(None)
        if entry is None:
            return
        with self._lock:
            request.booked = self.booked_tokens(request.estimate)
            extra = request.booked - entry[1]
            if extra > 0:
                self._rebook(entry, request.booked)
                if self._token_rate:
                    self._gate += extra / self._token_rate
        request.sent = entry

    def stream(
        self,
        open_stream: Callable[[], Iterator[ChatGenerationChunk]],
        prompt_estimate: float,
        retries: int,
    ) -> Iterator[ChatGenerationChunk]:
        """One streamed request: priced in full, retried until its first chunk."""
        request = _Request(prompt_estimate, self.booked_tokens(prompt_estimate))
        self._price(request)
        retry = itertools.count()

        def first() -> tuple[Iterator[ChatGenerationChunk], Any]:
            if next(retry):  # langchain-core took the first slot, retries take theirs
                self.acquire()
            chunks = open_stream()
            return chunks, next(chunks, None)

        chunks, chunk = self._retrying(first, request, retries)
        usage = None
        while chunk is not None:
            usage = _usage(chunk) or usage
            yield chunk
            chunk = next(chunks, None)
        self._settle_stream(request, usage)

    async def astream(
        self,
        open_stream: Callable[[], AsyncIterator[ChatGenerationChunk]],
        prompt_estimate: float,
        retries: int,
    ) -> AsyncIterator[ChatGenerationChunk]:
        """Async twin of :meth:`stream`."""
        request = _Request(prompt_estimate, self.booked_tokens(prompt_estimate))
        self._price(request)
        retry = itertools.count()

        async def first() -> tuple[AsyncIterator[ChatGenerationChunk], Any]:
            if next(retry):
                await self.aacquire()
            chunks = open_stream()
            return chunks, await anext(chunks, None)

        chunks, chunk = await self._aretrying(first, request, retries)
        usage = None
        while chunk is not None:
            usage = _usage(chunk) or usage
            yield chunk
            chunk = await anext(chunks, None)
        self._settle_stream(request, usage)

    def _settle_stream(self, request: _Request, usage: Any) -> None:
        usage = usage or {}
        self._settle(request, usage.get("input_tokens"), usage.get("output_tokens"))

    def _settle(
        self, request: _Request, prompt: int | None, completion: int | None
    ) -> None:
        self.settle(
            request.booked,
            prompt_estimate=request.estimate,
            prompt_tokens=prompt,
            completion_tokens=completion,
            sent=request.sent,
        )
