"""One prompt estimate: a shared QwenRateLimiter books the same for the same text."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_qwen import QwenEmbeddings, QwenRerank
from langchain_qwen.rate_limiters import QwenRateLimiter
from langchain_qwen.testing import DashScopeEmulator

# CJK and English: a characters-per-token guess and Qwen's tokenizer disagree here.
TEXT = "退货政策 allows returns within thirty days 如果商品未拆封"
OTHER = "short note"


class _Recording(QwenRateLimiter):
    """Keeps the prompt estimate each answered request was booked with."""

    def __init__(self) -> None:
        super().__init__(requests_per_minute=60_000)
        self.estimates: list[float] = []

    def settle(self, booked: float, **kwargs: Any) -> None:
        self.estimates.append(kwargs["prompt_estimate"])
        super().settle(booked, **kwargs)


def _client(emulator: DashScopeEmulator, cls: Any, model: str, limiter: Any) -> Any:
    return cls(
        model=model,
        base_url=emulator.base_url,
        api_key=emulator.api_key,
        max_retries=0,
        rate_limiter=limiter,
    )


def test_chat_embeddings_and_rerank_book_one_estimate(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    limiter = _Recording()
    llm = make_llm(rate_limiter=limiter)
    embeddings = _client(emulator, QwenEmbeddings, "text-embedding-v4", limiter)
    reranker = _client(emulator, QwenRerank, "qwen3-rerank", limiter)

    embeddings.embed_documents([TEXT])
    embeddings.embed_documents([OTHER])
    reranker.rerank([TEXT], TEXT)  # the query goes with each document: TEXT twice
    llm.invoke(TEXT)
    llm.invoke(OTHER)
    embedded, other, reranked, chat, chat_other = limiter.estimates

    assert embedded > 0
    assert reranked == pytest.approx(2 * embedded)
    # Chat adds each message's overhead (role, ChatML markers), the same for both
    # messages: the texts' difference is the same as the embedding client's.
    assert chat > embedded
    assert chat - chat_other == pytest.approx(embedded - other)
