"""Rate limits like Model Studio's: requests and tokens per minute, per key and model.

Vendor page "Rate limits": limits are per account and model; besides RPM and TPM they
may be enforced per second (RPS = RPM/60, TPS = TPM/60), so a burst inside one second
is refused even when the minute's total is fine. Error messages tell them apart:
"Requests rate limit exceeded" (requests: ``limit_requests``), "You exceeded your
current quota" (tokens: ``insufficient_quota``), "Request rate increased too quickly"
(a sudden surge: ``limit_burst_rate``).

Tokens are counted as the answer reports them (prompt + completion) when the request
is admitted, over sliding windows of 60 s and 1 s.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass

from langchain_qwen.testing._replies import DEFAULT_ERROR_MESSAGES
from langchain_qwen.testing._rules import RuleError


@dataclass(frozen=True)
class RateLimit:
    """Limits of one model.

    Attributes:
        rpm: Requests per minute (None: unlimited).
        tpm: Tokens per minute, prompt + completion (None: unlimited).
        per_second: Also refuse more than RPM/60 requests or TPM/60 tokens in any
            one second.
    """

    rpm: int | None = None
    tpm: int | None = None
    per_second: bool = True


class _Window:
    """Admitted requests of one key and model: (time, tokens), oldest first."""

    def __init__(self) -> None:
        self.entries: collections.deque[list[float]] = collections.deque()
        self.minute_tokens = 0.0

    def trim(self, now: float) -> None:
        while self.entries and self.entries[0][0] <= now - 60:
            self.minute_tokens -= self.entries.popleft()[1]

    def last_second(self, now: float) -> tuple[int, float]:
        count, tokens = 0, 0.0
        for at, used in reversed(self.entries):
            if at <= now - 1:
                break
            count += 1
            tokens += used
        return count, tokens


class Ticket:
    """An admitted request; `charge` books its tokens once the answer is known."""

    def __init__(self, window: _Window | None, entry: list[float] | None) -> None:
        self._window = window
        self._entry = entry

    def charge(self, tokens: int) -> None:
        """Book the request's tokens (prompt + completion)."""
        if self._window is not None and self._entry is not None:
            self._entry[1] += tokens
            self._window.minute_tokens += tokens


class RateLimits:
    """Per-model limits, enforced per API key. Off until a limit is set.

    Example:
        ```python
        emu.rate_limits.set("qwen-plus", rpm=600, tpm=1_000_000)
        emu.rate_limits.set("*", rpm=60)  # every other model
        ```
    """

    def __init__(self) -> None:
        self._limits: dict[str, RateLimit] = {}
        self._windows: dict[tuple[str, str], _Window] = {}
        self._lock = threading.Lock()
        self.refused = 0
        """Requests refused with a 429 so far."""

    def set(
        self,
        model: str,
        *,
        rpm: int | None = None,
        tpm: int | None = None,
        per_second: bool = True,
    ) -> None:
        """Limit `model` (``"*"``: every model without its own limit)."""
        self._limits[model] = RateLimit(rpm, tpm, per_second)

    def clear(self) -> None:
        """Remove every limit and forget the windows."""
        with self._lock:
            self._limits.clear()
            self._windows.clear()
            self.refused = 0

    def admit(self, key: str, model: str, prompt_tokens: int) -> RuleError | Ticket:
        """A 429 for a request over a limit, else its ticket."""
        limit = self._limits.get(model) or self._limits.get("*")
        if limit is None:
            return Ticket(None, None)
        now = time.monotonic()
        with self._lock:
            window = self._windows.setdefault((key, model), _Window())
            window.trim(now)
            code = self._over(limit, window, now, prompt_tokens)
            if code is not None:
                self.refused += 1
                message, type_ = DEFAULT_ERROR_MESSAGES[code]
                return RuleError(429, code, message, type_)
            entry = [now, 0.0]
            window.entries.append(entry)
            return Ticket(window, entry)

    @staticmethod
    def _over(
        limit: RateLimit, window: _Window, now: float, prompt_tokens: int
    ) -> str | None:
        if limit.rpm is not None and len(window.entries) + 1 > limit.rpm:
            return "limit_requests"
        if limit.tpm is not None and window.minute_tokens + prompt_tokens > limit.tpm:
            return "insufficient_quota"
        if limit.per_second:
            count, tokens = window.last_second(now)
            if limit.rpm is not None and count + 1 > max(1.0, limit.rpm / 60):
                return "limit_requests"
            if limit.tpm is not None and tokens + prompt_tokens > limit.tpm / 60:
                return "insufficient_quota"
        return None
