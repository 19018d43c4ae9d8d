"""QwenRateLimiter against the emulator's RPM/TPM enforcement (scaled down)."""

from __future__ import annotations

import asyncio
import pickle
import time
from typing import Any

import pytest
from langchain_core.rate_limiters import BaseRateLimiter

from langchain_qwen._client.errors import (
    DashScopeBadRequestError,
    DashScopeRateLimitError,
)
from langchain_qwen.rate_limiters import QwenRateLimiter
from langchain_qwen.testing import DashScopeEmulator, Reply

PROMPTS = [
    f"Review {i}: " + "the parcel came late but the price was fair " * 8
    for i in range(24)
]


def test_is_a_langchain_rate_limiter() -> None:
    limiter = QwenRateLimiter(requests_per_minute=600, tokens_per_minute=100_000)
    assert isinstance(limiter, BaseRateLimiter)
    clone = pickle.loads(pickle.dumps(limiter))  # travels to Ray/multiprocessing
    assert clone.acquire(blocking=True)
    assert "600" in repr(clone)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"requests_per_minute": 0}, "requests_per_minute"),
        ({"requests_per_minute": 60, "tokens_per_minute": -1}, "tokens_per_minute"),
        ({"requests_per_minute": 60, "utilization": 1.5}, "utilization"),
    ],
)
def test_bad_settings_name_the_parameter(kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        QwenRateLimiter(**kwargs)


def test_paces_requests_evenly() -> None:
    limiter = QwenRateLimiter(requests_per_minute=1200, utilization=1.0)  # 20/s
    assert limiter.acquire(blocking=False)
    assert not limiter.acquire(blocking=False)  # the next slot is 50 ms away
    start = time.monotonic()
    for _ in range(10):
        limiter.acquire()
    assert time.monotonic() - start >= 0.45


def test_emulator_enforces_rpm_and_tpm(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.rate_limits.set("qwen-plus", rpm=120, tpm=200_000)  # 2 a second
    llm = make_llm()
    answers = llm.batch(PROMPTS, config={"max_concurrency": 12}, return_exceptions=True)
    refused = [a for a in answers if isinstance(a, DashScopeRateLimitError)]
    assert refused, "a burst of 24 requests at 2 RPS must meet 429s"
    assert refused[0].code == "limit_requests"
    assert emulator.rate_limits.refused == len(refused)

    emulator.rate_limits.clear()
    emulator.rate_limits.set("*", tpm=6_000)  # 100 tokens a second
    answers = llm.batch(
        PROMPTS[:12], config={"max_concurrency": 12}, return_exceptions=True
    )
    quota = [a for a in answers if isinstance(a, DashScopeRateLimitError)]
    assert quota
    assert quota[0].code == "insufficient_quota"  # DashScope's words for TPM


def test_zero_failures_within_the_limits(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.rate_limits.set("qwen-plus", rpm=1200, tpm=120_000)  # 20 req/s, 2k tok/s
    limiter = QwenRateLimiter(requests_per_minute=1200, tokens_per_minute=120_000)
    llm = make_llm(rate_limiter=limiter)
    answers = llm.batch(PROMPTS, config={"max_concurrency": 12}, return_exceptions=True)
    assert [a for a in answers if isinstance(a, Exception)] == []
    assert all(a.usage_metadata["total_tokens"] > 0 for a in answers)
    # Tokens bound here (~150 a request): the books learned the real sizes.
    assert limiter._output < 256


async def test_async_zero_failures(emulator: DashScopeEmulator, make_llm: Any) -> None:
    emulator.rate_limits.set("qwen-plus", rpm=1200, tpm=120_000)
    limiter = QwenRateLimiter(requests_per_minute=1200, tokens_per_minute=120_000)
    llm = make_llm(rate_limiter=limiter)
    answers = await llm.abatch(PROMPTS, return_exceptions=True)
    assert [a for a in answers if isinstance(a, Exception)] == []


async def test_a_cancelled_waiter_leaves_the_queue() -> None:
    limiter = QwenRateLimiter(requests_per_minute=600, utilization=1.0)  # 10/s
    assert await limiter.aacquire()
    waiter = asyncio.ensure_future(limiter.aacquire())
    await asyncio.sleep(0.01)  # queued behind the first slot
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await asyncio.sleep(0.15)  # past the slot
    assert limiter.acquire(blocking=False)  # nobody left queued ahead


async def test_queued_requests_follow_what_the_first_answers_teach(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    # Booked at 4,000 output tokens each, 12 queued requests would take ~12 s at
    # 4,000 tokens a second; the answers are ~150 tokens, and the queue must
    # re-estimate its waits from them (24 requests: ~1 s of real tokens).
    emulator.rate_limits.set("qwen-plus", tpm=240_000)
    limiter = QwenRateLimiter(
        requests_per_minute=6000,
        tokens_per_minute=240_000,
        expected_output_tokens=4000,
    )
    llm = make_llm(rate_limiter=limiter)
    start = time.monotonic()
    answers = await llm.abatch(
        PROMPTS, config={"max_concurrency": 12}, return_exceptions=True
    )
    assert [a for a in answers if isinstance(a, Exception)] == []
    assert time.monotonic() - start < 6
    assert emulator.rate_limits.refused == 0


def test_streams_are_retried_like_calls(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    # The limiter turns the HTTP layer's retries off: streams must get them back.
    limiter = QwenRateLimiter(requests_per_minute=6000, tokens_per_minute=1_000_000)
    llm = make_llm(rate_limiter=limiter, max_retries=1)
    emulator.script(Reply.error(500, "internal_error"), Reply.text("after a 500"))
    assert "".join(c.text for c in llm.stream("hi")) == "after a 500"
    emulator.script(Reply.error(429, "limit_requests"), Reply.text("after a 429"))
    assert "".join(c.text for c in llm.stream("hi")) == "after a 429"
    assert limiter.throttled == 1
    assert len(emulator.chat_requests) == 4
    assert limiter._answers == 2  # the usage chunks settled the books


async def test_async_streams_book_their_full_size(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    # langchain-core takes a stream's slot with the average size (here ~1 token);
    # the limiter must book the prompt too, or 24 streams overrun 2,000 tokens/s.
    emulator.rate_limits.set("qwen-plus", rpm=1200, tpm=120_000)
    limiter = QwenRateLimiter(
        requests_per_minute=1200, tokens_per_minute=120_000, expected_output_tokens=1
    )
    llm = make_llm(rate_limiter=limiter)

    async def one(prompt: str) -> str:
        return "".join([c.text async for c in llm.astream(prompt)])

    answers = await asyncio.gather(*(one(p) for p in PROMPTS))
    assert all(a.startswith("You said") for a in answers)
    assert emulator.rate_limits.refused == 0
    emulator.script(Reply.error(429, "insufficient_quota"), Reply.text("retried"))
    assert await one("hi") == "retried"


@pytest.mark.parametrize(
    ("code", "slowed"),
    [
        ("limit_requests", "_request_rate"),
        ("limit_burst_rate", "_request_rate"),
        ("insufficient_quota", "_token_rate"),
    ],
)
def test_adapts_to_429s_and_retries_after_its_slot(
    emulator: DashScopeEmulator, make_llm: Any, code: str, slowed: str
) -> None:
    limiter = QwenRateLimiter(requests_per_minute=6000, tokens_per_minute=1_000_000)
    full = getattr(limiter, slowed)
    llm = make_llm(rate_limiter=limiter, max_retries=0)
    emulator.script(Reply.error(429, code), Reply.text("fine"))
    assert llm.invoke("hi").content == "fine"
    assert limiter.throttled == 1
    assert len(emulator.chat_requests) == 2
    # Slowed down by the 429, then creeping back with the success.
    assert getattr(limiter, slowed) < full


def test_gives_up_after_max_throttle_retries(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    limiter = QwenRateLimiter(requests_per_minute=60_000, max_throttle_retries=2)
    llm = make_llm(rate_limiter=limiter)
    emulator.script(*[Reply.error(429, "limit_requests")] * 3)
    with pytest.raises(DashScopeRateLimitError):
        llm.invoke("hi")
    assert len(emulator.chat_requests) == 3


def test_other_errors_are_not_retried_by_the_limiter(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(rate_limiter=QwenRateLimiter(requests_per_minute=6000))
    emulator.script(Reply.error(400, "invalid_parameter_error"))
    with pytest.raises(DashScopeBadRequestError, match="400 - invalid_parameter_error"):
        llm.invoke("hi")
    assert len(emulator.chat_requests) == 1
    # What the HTTP layer retries (its retries are off with this limiter), the
    # limiter retries: 5xx, and 408/409 too.
    retrying = make_llm(
        rate_limiter=QwenRateLimiter(requests_per_minute=6000), max_retries=1
    )
    for status, code in ((500, "internal_error"), (408, "RequestTimeOut")):
        emulator.script(Reply.error(status, code), Reply.text("ok"))
        assert retrying.invoke("x").content == "ok"


# --------------------------------------------------- one overload, one slowdown
@pytest.fixture
def short_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pause after a 429 in milliseconds (the cool-down stays 1 s)."""
    from langchain_qwen._client import limiter

    monkeypatch.setattr(limiter, "_PAUSE", 0.002)


@pytest.mark.usefixtures("short_pause")
@pytest.mark.parametrize(
    ("code", "slowed", "kept"),
    [
        ("limit_requests", "_request_rate", "_token_rate"),
        ("limit_burst_rate", "_request_rate", "_token_rate"),
        ("insufficient_quota", "_token_rate", "_request_rate"),
    ],
)
@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
def test_the_429s_of_one_overload_cut_the_rate_once(
    emulator: DashScopeEmulator,
    make_llm: Any,
    code: str,
    slowed: str,
    kept: str,
    mode: str,
) -> None:
    from tests.call_modes import run

    limiter = QwenRateLimiter(requests_per_minute=6000, tokens_per_minute=1_000_000)
    full, other = getattr(limiter, slowed), getattr(limiter, kept)
    emulator.script(*[Reply.error(429, code)] * 4, Reply.text("fine"))
    assert run(make_llm(rate_limiter=limiter), "hi", mode).text == "fine"
    assert limiter.throttled == 4
    assert len(emulator.chat_requests) == 5
    # One cut (x0.8) for four 429s within the cool-down, then one success's
    # recovery (+1% of the full rate); four cuts would leave 0.8**4 = 41%.
    assert getattr(limiter, slowed) == pytest.approx(full * 0.81)
    assert getattr(limiter, kept) == pytest.approx(other)


@pytest.mark.usefixtures("short_pause")
def test_a_429_after_the_cool_down_cuts_again(
    emulator: DashScopeEmulator, make_llm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from langchain_qwen._client import limiter as module

    monkeypatch.setattr(module, "_COOLDOWN", 0.05)
    limiter = QwenRateLimiter(requests_per_minute=6000, max_throttle_retries=1)
    full = limiter._request_rate
    llm = make_llm(rate_limiter=limiter)
    emulator.script(Reply.error(429, "limit_requests"), Reply.text("a"))
    assert llm.invoke("hi").text == "a"
    time.sleep(0.06)  # a new overload
    emulator.script(Reply.error(429, "limit_requests"), Reply.text("b"))
    assert llm.invoke("hi").text == "b"
    assert limiter._request_rate == pytest.approx((full * 0.81) * 0.8 + full * 0.01)


# -------------------------------------------- the books follow the real usage
_USAGE = {"prompt_tokens": 700, "completion_tokens": 50, "total_tokens": 750}


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
def test_settle_rewrites_the_last_seconds_log_with_the_real_usage(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    from tests.call_modes import run

    # Booked at 5,000 output tokens; the answer used 750 tokens in all. The server
    # counts 750 in this second, so must the books (or the next requests wait for
    # 4,250 tokens that were never used).
    limiter = QwenRateLimiter(
        requests_per_minute=6000,
        tokens_per_minute=6_000_000,
        expected_output_tokens=5000,
    )
    emulator.script(Reply.text("ok", usage=_USAGE), Reply.text("ok", usage=_USAGE))
    llm = make_llm(rate_limiter=limiter)
    assert run(llm, "hi", mode).text == "ok"
    assert [entry[1] for entry in limiter._sent] == [750]
    assert limiter._sent_tokens == 750
    assert limiter._output == 50  # the first answer replaces the assumed length
    assert run(llm, "hi", mode).text == "ok"
    assert [entry[1] for entry in limiter._sent] == [750, 750]
    assert limiter._sent_tokens == 1500


def test_nothing_is_sent_during_the_pause_after_a_429(
    emulator: DashScopeEmulator, make_llm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from langchain_qwen._client import limiter as module

    monkeypatch.setattr(module, "_PAUSE", 0.08)
    limiter = QwenRateLimiter(requests_per_minute=60_000)  # 1 ms spacing
    emulator.script(Reply.error(429, "limit_requests"), Reply.text("after"))
    assert make_llm(rate_limiter=limiter).invoke("hi").text == "after"
    refused, retried = emulator.chat_requests
    assert retried.received_at - refused.received_at >= 0.07
