"""Contract tests for rerankers (langchain-tests has no suite for them).

Subclass :class:`RerankContractTests` and provide a ``reranker`` fixture: a
``BaseDocumentCompressor`` with ``top_n`` and a Cohere-style ``rerank()`` (as
langchain-cohere's ``CohereRerank``). The documents below make the ranking
unambiguous for any reasonable model: one is about the query, one half, one not.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from langchain_core.documents import BaseDocumentCompressor, Document

QUERY = "Which city is the capital of France?"
DOCUMENTS = [
    Document("Bananas are yellow fruit.", metadata={"source": "fruit.txt"}, id="d0"),
    Document(
        "Paris is the capital city of France.",
        metadata={"source": "paris.txt", "page": 3, "tags": ["geo"]},
        id="d1",
    ),
    Document("France is a country in Europe.", metadata={"source": "eu.txt"}, id="d2"),
]
BEST = 1  # DOCUMENTS[1] answers QUERY


class RerankContractTests:
    """What every reranker promises, sync and async."""

    @pytest.fixture
    def reranker(self) -> Any:
        raise NotImplementedError

    def test_is_a_document_compressor(self, reranker: Any) -> None:
        assert isinstance(reranker, BaseDocumentCompressor)

    def test_rerank_shape_and_order(self, reranker: Any) -> None:
        results = reranker.rerank(DOCUMENTS, QUERY, top_n=None)
        assert [sorted(r) for r in results] == [["index", "relevance_score"]] * 3
        assert sorted(r["index"] for r in results) == [0, 1, 2]
        scores = [r["relevance_score"] for r in results]
        assert all(type(s) is float for s in scores)
        assert scores == sorted(scores, reverse=True)
        assert results[0]["index"] == BEST

    def test_rerank_top_n(self, reranker: Any) -> None:
        assert len(reranker.rerank(DOCUMENTS, QUERY, top_n=1)) == 1
        assert len(reranker.rerank(DOCUMENTS, QUERY)) == min(reranker.top_n, 3)
        assert reranker.rerank([], QUERY) == []

    def test_rerank_accepts_strings(self, reranker: Any) -> None:
        texts = [d.page_content for d in DOCUMENTS]
        assert reranker.rerank(texts, QUERY, top_n=1)[0]["index"] == BEST

    def test_compress_keeps_metadata_and_adds_score(self, reranker: Any) -> None:
        before = copy.deepcopy(DOCUMENTS)
        kept = reranker.compress_documents(DOCUMENTS, QUERY)
        assert before == DOCUMENTS  # the inputs are not modified
        assert len(kept) == min(reranker.top_n, 3)
        assert kept[0].page_content == DOCUMENTS[BEST].page_content
        assert kept[0].id == DOCUMENTS[BEST].id
        scores = [d.metadata["relevance_score"] for d in kept]
        assert all(type(s) is float for s in scores)
        assert scores == sorted(scores, reverse=True)
        for doc in kept:
            original = next(d for d in DOCUMENTS if d.id == doc.id)
            rest = {k: v for k, v in doc.metadata.items() if k != "relevance_score"}
            assert rest == original.metadata
            assert doc.page_content == original.page_content

    def test_compress_nothing(self, reranker: Any) -> None:
        assert list(reranker.compress_documents([], QUERY)) == []

    async def test_async_matches_sync(self, reranker: Any) -> None:
        sync = reranker.compress_documents(DOCUMENTS, QUERY)
        asynchronous = await reranker.acompress_documents(DOCUMENTS, QUERY)
        assert asynchronous == sync
