"""QwenEmbeddings and QwenRerank against live DashScope (skipped without a key).

They check the vendor facts the emulator assumes: caps, dimensions, answers'
``index`` order, both rerank endpoints. Region from DASHSCOPE_REGION (default
singapore, which serves text-embedding-v4 and qwen3-rerank).
"""

from __future__ import annotations

import os

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests

from langchain_qwen import DashScopeBadRequestError, QwenEmbeddings, QwenRerank
from tests.unit_tests.rerank_contract import DOCUMENTS, QUERY, RerankContractTests

_IN_CHINA = os.environ.get("DASHSCOPE_REGION", "singapore").lower() in (
    "china",
    "beijing",
    "cn",
    "cn-beijing",
)


class TestQwenEmbeddingsLive(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[QwenEmbeddings]:
        return QwenEmbeddings

    @property
    def embedding_model_params(self) -> dict:
        return {"model": "text-embedding-v4", "max_retries": 3}


def test_batches_over_the_cap_and_dimensions() -> None:
    embeddings = QwenEmbeddings(model="text-embedding-v4", dimensions=256)
    texts = [f"sentence number {i}" for i in range(23)]  # 3 requests of <= 10
    vectors = embeddings.embed_documents(texts)
    assert [len(v) for v in vectors] == [256] * 23
    assert vectors[5] == embeddings.embed_query(texts[5])


def test_the_server_refuses_a_batch_over_the_cap() -> None:
    # We refuse chunk_size over the cap when built; assignment skips that check.
    embeddings = QwenEmbeddings(model="text-embedding-v4", chunk_size=10)
    embeddings.chunk_size = 11
    with pytest.raises(DashScopeBadRequestError, match="batch size"):
        embeddings.embed_documents([f"t{i}" for i in range(11)])


class TestQwenRerankLive(RerankContractTests):
    @pytest.fixture
    def reranker(self) -> QwenRerank:
        return QwenRerank(model="qwen3-rerank", top_n=2, max_retries=3)


@pytest.mark.skipif(not _IN_CHINA, reason="gte-rerank-v2 is served in Beijing only")
def test_native_endpoint_model() -> None:
    reranker = QwenRerank(model="gte-rerank-v2", top_n=1)
    assert reranker.rerank(DOCUMENTS, QUERY)[0]["index"] == 1
