"""QwenRerank: Qwen rerank models on DashScope as a LangChain document compressor.

Vendor pages (facts used below):

* OpenAI compatible reranking: ``POST {host}/compatible-api/v1/reranks`` (SDK
  ``base_url`` ``…/compatible-api/v1``), body ``{model, query, documents, top_n,
  instruct, return_documents}``, answer ``results[{index, relevance_score}]``;
  "Supported model: qwen3-rerank only";
  https://docs.qwencloud.com/api-reference/rerank/openai-rerank
* Text rerank: the native ``POST /api/v1/services/rerank/text-rerank/text-rerank``
  (body under ``input``/``parameters``, answer under ``output.results``), models
  per region with their document caps; gte-rerank retired 2026-05-30;
  https://www.alibabacloud.com/help/en/model-studio/text-rerank-api
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from copy import deepcopy
from typing import Any

from langchain_core.callbacks import Callbacks
from langchain_core.documents import BaseDocumentCompressor, Document
from pydantic import Field

from langchain_qwen._client.errors import DashScopeConnectionError
from langchain_qwen._client.regions import is_dashscope_host
from langchain_qwen._client.service import Answer, ServiceClient
from langchain_qwen._models.prompt import estimate_tokens
from langchain_qwen._models.retrieval import RerankCaps, rerank_caps

__all__ = ["QwenRerank"]

_COMPATIBLE_PATH = "reranks"
_NATIVE_PATH = "/api/v1/services/rerank/text-rerank/text-rerank"
_COMPATIBLE_MODE = "/compatible-mode/v1"
_COMPATIBLE_API = "/compatible-api/v1"
_KEEP = -1  # rerank(top_n=-1): the instance's top_n (as in langchain-cohere)

Result = dict[str, Any]


def _used(data: dict[str, Any]) -> int | None:
    usage = data.get("usage")
    if isinstance(usage, dict) and isinstance(usage.get("total_tokens"), int):
        return int(usage["total_tokens"])
    return None


def _text(document: Any, position: int) -> str:
    if isinstance(document, Document):
        text = document.page_content
    elif isinstance(document, dict) and isinstance(document.get("text"), str):
        text = document["text"]
    else:
        text = document
    if not isinstance(text, str):
        msg = (
            f"documents[{position}] is a {type(document).__name__}: pass strings, "
            "Documents or {'text': ...} dicts."
        )
        raise ValueError(msg)
    if not text.strip():
        msg = f"documents[{position}] is empty: DashScope refuses empty documents."
        raise ValueError(msg)
    return text


class QwenRerank(ServiceClient, BaseDocumentCompressor):
    r"""Qwen rerank models on Alibaba Cloud DashScope (Model Studio).

    Scores documents against a query and keeps the ``top_n`` most relevant, for
    example after a vector store search (``ContextualCompressionRetriever``).

    Setup:
        Install ``langchain-qwen`` and set ``DASHSCOPE_API_KEY``.

        .. code-block:: bash

            pip install -U langchain-qwen
            export DASHSCOPE_API_KEY="sk-..."

    Key init args — rerank params:
        model: str
            Required: ``"qwen3-rerank"`` (Singapore, Beijing), or in Beijing
            ``"qwen3.7-text-rerank"``, ``"gte-rerank-v2"``, ``"qwen3-vl-rerank"``.
            There is no default: langchain-community's ``gte-rerank`` was retired.
        top_n: int | None
            Documents kept (default 3; None: all, ranked).
        instruct: str | None
            Task instruction (qwen3-rerank), e.g. "Retrieve semantically similar
            text."

    Key init args — client params:
        api_key, region, workspace_id, plan, timeout, max_retries, rate_limiter,
        max_concurrency:
            As for ``QwenEmbeddings``. ``base_url``, when given, is the
            ``…/compatible-api/v1`` base of the vendor's examples; a
            ``…/compatible-mode/v1`` base (ChatQwen's) is mapped to it.

    Instantiate:
        .. code-block:: python

            from langchain_qwen import QwenRerank

            reranker = QwenRerank(model="qwen3-rerank", top_n=3)

    Rerank:
        .. code-block:: python

            reranker.rerank(["Paris is in France.", "Bananas are yellow."], "France")
            # [{'index': 0, 'relevance_score': 0.93}, {'index': 1, ...}]

    Compress documents:
        .. code-block:: python

            from langchain_core.documents import Document

            docs = [Document("Paris is in France.", metadata={"source": "a.txt"})]
            reranker.compress_documents(docs, "Where is Paris?")
            # [Document(metadata={'source': 'a.txt', 'relevance_score': 0.93}, ...)]

    Async:
        .. code-block:: python

            await reranker.acompress_documents(docs, "Where is Paris?")

    Models served at ``/compatible-api/v1/reranks`` (qwen3-rerank) use it; the
    others use DashScope's native text-rerank endpoint. More documents than the
    model takes in one request (500 for qwen3-rerank) are sent in several
    requests, concurrently, and merged by score.

    From langchain-community's ``DashScopeRerank``: change the import and name the
    model (it replaced any ``model`` with the retired ``gte-rerank``);
    ``dashscope_api_key``/``api_key`` and ``top_n`` keep their meaning, and
    ``rerank(documents, query, top_n=...)`` answers the same shape.
    """

    model: str
    """Rerank model name (required)."""

    top_n: int | None = Field(default=3, ge=1)
    """Documents to keep (None: all, ranked)."""

    instruct: str | None = None
    """Task instruction sent with each request (None: the model's default)."""

    _community_class = "DashScopeRerank"

    @classmethod
    def _community_spellings(cls, values: dict[str, Any]) -> None:
        super()._community_spellings(values)
        if values.get("model") is None:
            msg = (
                "QwenRerank needs `model`, e.g. model='qwen3-rerank' (langchain-"
                "community's DashScopeRerank replaced any model with gte-rerank, "
                "which Alibaba retired on 2026-05-30)."
            )
            raise ValueError(msg)

    @classmethod
    def _map_base_url(cls, values: dict[str, Any]) -> None:
        base = values["base_url"]
        if base.endswith(_COMPATIBLE_MODE):
            values["base_url"] = base[: -len(_COMPATIBLE_MODE)] + _COMPATIBLE_API

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """Serialization namespace."""
        return ["langchain_qwen", "rerank"]

    # -- requests --
    def _native(self, caps: RerankCaps) -> bool:
        if caps.compatible:
            return False
        if caps.native:
            return True
        # A model we do not know: DashScope's native endpoint serves all its rerank
        # models; another server has only the OpenAI-style one.
        return is_dashscope_host(self.openai_api_base or "")

    def _top_n(self, top_n: int | None) -> int | None:
        if top_n == _KEEP:
            return self.top_n
        if top_n is None or (
            isinstance(top_n, int) and not isinstance(top_n, bool) and top_n > 0
        ):
            return top_n
        msg = (
            f"Invalid value for `top_n`: {top_n!r}. Allowed: a positive int, None "
            "(all documents) or -1 (this reranker's top_n)."
        )
        raise ValueError(msg)

    def _plan(
        self, documents: Sequence[Any], query: str, top_n: int | None
    ) -> tuple[list[tuple[int, list[str]]], int | None, bool]:
        if not isinstance(query, str) or not query.strip():
            msg = f"Invalid value for `query`: {query!r}. Allowed: a non-empty string."
            raise ValueError(msg)
        texts = [_text(d, i) for i, d in enumerate(documents)]
        caps = rerank_caps(self.model)
        size = caps.max_documents
        chunks = [(i, texts[i : i + size]) for i in range(0, len(texts), size)]
        return chunks, self._top_n(top_n), self._native(caps)

    def _body(
        self, query: str, texts: list[str], top_n: int | None, native: bool
    ) -> dict[str, Any]:
        options: dict[str, Any] = {"return_documents": False}
        if top_n is not None:
            options["top_n"] = min(top_n, len(texts))
        if self.instruct is not None:
            options["instruct"] = self.instruct
        if native:
            return {
                "model": self.model,
                "input": {"query": query, "documents": texts},
                "parameters": options,
            }
        return {"model": self.model, "query": query, "documents": texts, **options}

    def rerank(
        self,
        documents: Sequence[str | Document | dict[str, Any]],
        query: str,
        *,
        top_n: int | None = _KEEP,
    ) -> list[Result]:
        """Rank ``documents`` by relevance to ``query``, most relevant first.

        Args:
            documents: strings, Documents (their ``page_content``) or dicts with
                a ``"text"``.
            query: the query.
            top_n: results to return; -1 (default): this reranker's ``top_n``;
                None: all.

        Returns:
            ``[{"index": position in documents, "relevance_score": float}, ...]``.

        Raises:
            ValueError: an empty query or document (naming it), or a bad ``top_n``,
                before anything is sent.
        """
        chunks, keep, native = self._plan(documents, query, top_n)
        if not chunks:
            return []
        spec = self._spec(
            _NATIVE_PATH if native else _COMPATIBLE_PATH, self.model, None
        )

        def one(start: int, texts: list[str]) -> list[Result]:
            body = self._body(query, texts, keep, native)
            answer = self._post(spec, body, _estimate(query, texts), _used)
            return _results(answer, start, len(texts), native, spec.where)

        calls = [functools.partial(one, start, texts) for start, texts in chunks]
        return _merge(self._run_all(calls), keep)

    async def arerank(
        self,
        documents: Sequence[str | Document | dict[str, Any]],
        query: str,
        *,
        top_n: int | None = _KEEP,
    ) -> list[Result]:
        """Async twin of :meth:`rerank`."""
        chunks, keep, native = self._plan(documents, query, top_n)
        if not chunks:
            return []
        path = _NATIVE_PATH if native else _COMPATIBLE_PATH
        spec = await self._aspec(path, self.model)

        async def one(start: int, texts: list[str]) -> list[Result]:
            body = self._body(query, texts, keep, native)
            answer = await self._apost(spec, body, _estimate(query, texts), _used)
            return _results(answer, start, len(texts), native, spec.where)

        calls = [functools.partial(one, start, texts) for start, texts in chunks]
        return _merge(await self._arun_all(calls), keep)

    def compress_documents(
        self,
        documents: Sequence[Document],
        query: str,
        callbacks: Callbacks | None = None,
    ) -> Sequence[Document]:
        """The ``top_n`` most relevant documents, best first.

        Each keeps its metadata (copied) and gains a float ``relevance_score``.
        """
        return _scored(documents, self.rerank(documents, query))

    async def acompress_documents(
        self,
        documents: Sequence[Document],
        query: str,
        callbacks: Callbacks | None = None,
    ) -> Sequence[Document]:
        """Async twin of :meth:`compress_documents`."""
        return _scored(documents, await self.arerank(documents, query))


def _estimate(query: str, texts: list[str]) -> float:
    """Tokens of a request, for a rate limiter: the query goes with every document."""
    return estimate_tokens(query) * len(texts) + sum(estimate_tokens(t) for t in texts)


def _results(
    answer: Answer, start: int, count: int, native: bool, where: str
) -> list[Result]:
    """One answer's results, with indexes into the whole document list."""
    data, response = answer
    holder = data.get("output") if native else data
    items = holder.get("results") if isinstance(holder, dict) else None
    results: list[Result] = []
    seen: set[int] = set()
    problem = None if isinstance(items, list) else "no results list"
    for item in items if isinstance(items, list) else ():
        index = item.get("index") if isinstance(item, dict) else None
        score = item.get("relevance_score") if isinstance(item, dict) else None
        if not isinstance(index, int) or not 0 <= index < count or index in seen:
            problem = f"index {index!r} out of range or repeated"
            break
        if isinstance(score, bool) or not isinstance(score, int | float):
            problem = f"relevance_score {score!r} is not a number"
            break
        seen.add(index)
        results.append({"index": start + index, "relevance_score": float(score)})
    if problem is not None:
        msg = f"Malformed rerank answer from {where}: {problem}."
        raise DashScopeConnectionError(message=msg, request=response.request)
    return results


def _merge(parts: list[list[Result]], top_n: int | None) -> list[Result]:
    """All requests' results by score, best first (ties: earlier document first)."""
    merged = [result for part in parts for result in part]
    merged.sort(key=lambda r: (-r["relevance_score"], r["index"]))
    return merged if top_n is None else merged[:top_n]


def _scored(documents: Sequence[Document], results: list[Result]) -> list[Document]:
    scored = []
    for result in results:
        document = documents[result["index"]]
        metadata = deepcopy(document.metadata)
        metadata["relevance_score"] = result["relevance_score"]
        scored.append(
            Document(document.page_content, metadata=metadata, id=document.id)
        )
    return scored
