"""Load: many concurrent astreams against one emulator, with injected faults.

N streams share one ChatQwen (one connection pool) and one emulator. The emulator's
script is a single FIFO shared by all requests, so which stream gets which reply is
arbitrary; every check is therefore on multisets and totals, not on stream i:

* every scripted text reply is consumed by exactly one stream (N streams, N text
  replies, retries consume only the 429/reset replies);
* the texts of successful streams are, as a multiset, byte for byte the texts of the
  scripted successes (each carries a unique token);
* each dropped or error-event stream raised the proper exception, and its
  ``exc.partial`` is exactly the prefix the emulator sent of one scripted reply;
* nothing hung (each stream is bounded by ``asyncio.wait_for``), the emulator saw
  N + (429s + resets) requests, and tracemalloc's peak stayed under a generous bound.

Default N=200 (CI). Long mode: ``LANGCHAIN_QWEN_LOAD_STREAMS=1000 pytest -m slow
tests/unit_tests/test_load.py -s`` prints the figures.
"""

from __future__ import annotations

import asyncio
import collections
import os
import random
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from langchain_qwen import (
    ChatQwen,
    DashScopeConnectionError,
    DashScopeStreamError,
)
from langchain_qwen._client.http import retry as _retry
from langchain_qwen.testing import DashScopeEmulator, Reply
from langchain_qwen.testing.pytest_plugin import _allow_loopback

CI_STREAMS = 200
LONG_STREAMS = int(os.environ.get("LANGCHAIN_QWEN_LOAD_STREAMS", "0") or 0)
CHUNK = 4  # the emulator's default characters per content delta


def hang_limit(n: int) -> float:
    """Seconds after which a stream still open counts as hung (and times out).

    Generous: ~8 s for 200 streams on a quiet 2-core machine, but `make test` runs
    it beside another worker on a machine that may be shared; a real hang never ends.
    """
    return 120.0 + 0.3 * n


def _text(i: int) -> str:
    # Unique token first, then mixed scripts so multi-byte UTF-8 characters cross
    # TCP read boundaries; lengths vary from stream to stream.
    body = "流式输出 test ✓ émoji 🚀 " * (1 + i % 5)
    return f"<{i:05d}> {body}end-{i:05d}"


@dataclass
class Plan:
    """The scripted mix: what N streams should end up with, in any order."""

    n: int
    successes: list[str] = field(default_factory=list)
    drops: dict[str, int] = field(default_factory=dict)  # text -> drop_after
    errors: dict[str, int] = field(default_factory=dict)  # text -> error_after
    rate_limits: int = 0
    resets: int = 0
    replies: list[Reply] = field(default_factory=list)

    @property
    def retries_needed(self) -> int:
        # One stream could meet every 429 and reset in turn: never run out.
        return self.rate_limits + self.resets


def make_plan(n: int, seed: int = 7) -> Plan:
    """~10% dropped, ~5% error events, 20% 429s and 3% resets before answers."""
    rng = random.Random(seed)
    plan = Plan(n)
    for i in range(n):
        text = _text(i)
        kind = i % 20
        if kind in (3, 13):
            plan.drops[text] = rng.randint(3, 6)
            plan.replies.append(Reply.text(text, drop_after=plan.drops[text]))
        elif kind == 7:
            plan.errors[text] = rng.randint(3, 6)
            plan.replies.append(Reply.text(text, error_after=plan.errors[text]))
        else:
            plan.successes.append(text)
            plan.replies.append(Reply.text(text))
    plan.rate_limits = n // 5
    plan.resets = max(1, 3 * n // 100)
    headers = {"retry-after-ms": "5"}
    faults = [Reply.error(429, "limit_requests", headers=headers)] * plan.rate_limits
    faults += [Reply.reset()] * plan.resets
    # Spread the faults through the script: early requests meet them, and so do
    # retries of requests that met one. The script still ends with a text reply, so
    # (FIFO) everything is consumed by the time the last stream gets its answer.
    for fault in faults:
        plan.replies.insert(rng.randint(0, len(plan.replies) - 1), fault)
    return plan


def _sent_prefix(text: str, events: int) -> str:
    """Text sent in the first `events` SSE events (event 1 is the role chunk).

    From 3 events on, that includes the 7-character unique token.
    """
    return text[: CHUNK * (events - 1)]


@dataclass
class Tally:
    texts: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    hung: int = 0
    open_now: int = 0
    open_max: int = 0


async def _one_stream(llm: ChatQwen, tally: Tally, i: int) -> None:
    chunks: list[str] = []
    opened = False
    try:
        async for chunk in llm.astream(f"stream {i}"):
            if not opened:
                opened = True
                tally.open_now += 1
                tally.open_max = max(tally.open_max, tally.open_now)
            chunks.append(chunk.text)
        tally.texts.append("".join(chunks))
    finally:
        if opened:
            tally.open_now -= 1


async def _guarded(llm: ChatQwen, tally: Tally, i: int, limit: float) -> None:
    try:
        await asyncio.wait_for(_one_stream(llm, tally, i), limit)
    except asyncio.TimeoutError:
        tally.hung += 1
    except Exception as exc:  # checked by the caller
        tally.errors.append(exc)


@pytest.fixture
def load_emulator(request: pytest.FixtureRequest) -> Iterator[DashScopeEmulator]:
    _allow_loopback(request)
    # Events 5 ms apart: streams stay open long enough to overlap.
    with DashScopeEmulator(stream_delay=0.005) as emu:
        yield emu


async def run_load(
    emulator: DashScopeEmulator, n: int, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    monkeypatch.setattr(_retry, "_INITIAL_BACKOFF", 0.005)
    monkeypatch.setattr(_retry, "_MAX_BACKOFF", 0.05)
    plan = make_plan(n)
    emulator.script(*plan.replies)
    llm = ChatQwen(
        base_url=emulator.base_url,
        api_key=emulator.api_key,
        max_retries=plan.retries_needed,
        timeout=hang_limit(n) + 5,  # wait_for below fires first
    )
    tally = Tally()
    tracemalloc.start()
    start = time.monotonic()
    try:
        await asyncio.gather(
            *(_guarded(llm, tally, i, hang_limit(n)) for i in range(n))
        )
        elapsed = time.monotonic() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # Nothing hung, and every stream ended one way or the other.
    assert tally.hung == 0
    assert len(tally.texts) + len(tally.errors) == n

    # Successful streams: byte-identical to the scripted texts, as a multiset.
    assert collections.Counter(tally.texts) == collections.Counter(plan.successes)

    # Failures: the proper class, and exactly the prefix sent of one scripted reply.
    dropped: list[str] = []
    errored: list[str] = []
    for exc in tally.errors:
        assert exc.partial is not None, repr(exc)
        partial = exc.partial.text
        token = partial[:7]
        matches = [t for t in (*plan.drops, *plan.errors) if t.startswith(token)]
        assert len(matches) == 1, (partial, exc)
        text = matches[0]
        if text in plan.drops:
            assert type(exc) is DashScopeConnectionError, repr(exc)
            assert partial == _sent_prefix(text, plan.drops[text])
            dropped.append(text)
        else:
            assert type(exc) is DashScopeStreamError, repr(exc)
            assert exc.code == "internal_error"
            assert partial == _sent_prefix(text, plan.errors[text])
            errored.append(text)
    assert sorted(dropped) == sorted(plan.drops)
    assert sorted(errored) == sorted(plan.errors)

    # The emulator's view: every reply consumed once; 429s and resets were retried.
    requests = emulator.chat_requests
    assert emulator.pending == 0
    assert len(requests) == n + plan.rate_limits + plan.resets
    statuses = collections.Counter(r.status for r in requests)
    assert statuses[429] == plan.rate_limits
    assert statuses[200] == n
    assert all(r.stream for r in requests)

    # Memory: a few hundred KB per stream at most, however many there are.
    bound = 32 * 2**20 + n * 200 * 2**10
    assert peak < bound, f"tracemalloc peak {peak / 2**20:.1f} MiB"

    figures = {
        "streams": n,
        "succeeded": len(tally.texts),
        "dropped": len(dropped),
        "error_events": len(errored),
        "rate_limited_replies": plan.rate_limits,
        "resets": plan.resets,
        "requests": len(requests),
        "max_open_streams": tally.open_max,
        "seconds": round(elapsed, 2),
        "peak_mib": round(peak / 2**20, 1),
    }
    print(f"\nload figures: {figures}")
    return figures


@pytest.mark.load
@pytest.mark.timeout(600)
async def test_concurrent_streams_with_faults(
    load_emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures = await run_load(load_emulator, CI_STREAMS, monkeypatch)
    # The streams really overlapped (held open together), not one after another.
    assert figures["max_open_streams"] >= CI_STREAMS // 4


@pytest.mark.load
@pytest.mark.slow
@pytest.mark.skipif(
    not LONG_STREAMS,
    reason="long mode: set LANGCHAIN_QWEN_LOAD_STREAMS (e.g. 1000)",
)
@pytest.mark.timeout(900)
async def test_concurrent_streams_long(
    load_emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures = await run_load(load_emulator, LONG_STREAMS, monkeypatch)
    assert figures["max_open_streams"] >= LONG_STREAMS // 4
