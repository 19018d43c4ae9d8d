"""Live checks of what the emulator assumes about caching, batches and rate limits.

Skipped without DASHSCOPE_API_KEY (see conftest). Each checks a vendor fact the unit
tests take from the emulator: the explicit cache's read/write figures, a Batch job's
progression and output lines, and that the rate limiter's answers reach it.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from langchain_qwen import ChatQwen, mark_cache_breakpoint
from langchain_qwen.batch import submit_batch
from langchain_qwen.rate_limiters import QwenRateLimiter

# Well over the explicit cache's 1,024-token minimum.
LONG_SYSTEM = "You answer questions about the following policy text. " + " ".join(
    f"Clause {i}: deliveries in zone {i % 7} ship within {i % 5 + 1} days."
    for i in range(200)
)


def _llm(**kwargs: Any) -> ChatQwen:
    return ChatQwen(
        model=os.environ.get("QWEN_MODEL", "qwen-plus"), max_retries=3, **kwargs
    )


def test_explicit_cache_writes_then_reads_live() -> None:
    llm = _llm()
    system = mark_cache_breakpoint(SystemMessage(LONG_SYSTEM))
    first = llm.invoke([system, HumanMessage("How fast does zone 3 ship?")])
    second = llm.invoke([system, HumanMessage("How fast does zone 4 ship?")])
    assert first.usage_metadata is not None
    assert second.usage_metadata is not None
    written = first.usage_metadata.get("input_token_details", {})
    read = second.usage_metadata.get("input_token_details", {})
    # The first call may itself hit an entry a recent run wrote.
    assert written.get("cache_creation", 0) > 0 or written.get("cache_read", 0) > 0
    assert read.get("cache_read", 0) >= 1024


@pytest.mark.timeout(1800)
def test_batch_job_on_the_test_model_live() -> None:
    # batch-test-model: the vendor's model for trying the Batch API (no inference).
    llm = ChatQwen(model="batch-test-model", max_retries=3)
    job = submit_batch(llm, ["Say one", "Say two"])
    state = job.wait(poll_interval=10, timeout=1500, progress=False)
    assert state.done
    answers = job.results()
    assert len(answers) == 2
    assert not [a for a in answers if isinstance(a, Exception)], answers


async def test_rate_limiter_live() -> None:
    limiter = QwenRateLimiter(requests_per_minute=60, tokens_per_minute=100_000)
    llm = _llm(rate_limiter=limiter, max_tokens=16)
    answers = await llm.abatch([f"Reply with the number {i}." for i in range(4)])
    assert all(a.usage_metadata for a in answers)
    streamed = [c async for c in llm.astream("Reply with the word ok.")]
    assert streamed
    assert limiter.throttled == 0
