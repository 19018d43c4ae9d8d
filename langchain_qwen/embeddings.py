"""QwenEmbeddings: Qwen text embedding models on DashScope (Model Studio).

Vendor pages (facts used below):

* Synchronous API details: models per region, ``dimensions`` and their default,
  inputs per request and tokens per input;
  https://www.alibabacloud.com/help/en/model-studio/text-embedding-synchronous-api
* OpenAI compatible embedding: ``POST {host}/compatible-mode/v1/embeddings``, a
  string or a list of strings, "Only float is supported" as ``encoding_format``;
  https://docs.qwencloud.com/api-reference/text-embedding/openai-embedding
* DashScope (native) embedding: ``POST /api/v1/services/embeddings/text-embedding/
  text-embedding`` with ``input.texts`` and ``parameters`` (``dimension``,
  ``text_type`` query/document "for asymmetric tasks like retrieval", ``instruct``
  for v4), answers ``output.embeddings[{text_index, embedding}]``;
  https://docs.qwencloud.com/api-reference/text-embedding/dashscope-embedding
"""

from __future__ import annotations

import functools
import threading
import warnings
from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from pydantic import Field, field_validator, model_validator
from typing_extensions import Self

from langchain_qwen._client.errors import DashScopeConnectionError
from langchain_qwen._client.regions import region_label
from langchain_qwen._client.service import Answer, ServiceClient
from langchain_qwen._models.prompt import estimate_tokens
from langchain_qwen._models.retrieval import (
    EmbeddingCaps,
    embedding_caps,
    embedding_regions,
)

__all__ = ["QwenEmbeddings"]

_PATH = "embeddings"
_NATIVE_PATH = "/api/v1/services/embeddings/text-embedding/text-embedding"
_warned_regions: set[str] = set()
_warn_lock = threading.Lock()


def _used(data: dict[str, Any]) -> int | None:
    usage = data.get("usage")
    if isinstance(usage, dict):
        tokens = usage.get("prompt_tokens", usage.get("total_tokens"))
        if isinstance(tokens, int):
            return tokens
    return None


def _vectors(answer: Answer, count: int, where: str, native: bool) -> list[list[float]]:
    """The answer's vectors in input order (answers may list them out of order)."""
    data, response = answer
    output = data.get("output")
    if native:
        items = output.get("embeddings") if isinstance(output, dict) else None
    else:
        items = data.get("data")
    key = "text_index" if native else "index"
    vectors: list[list[float] | None] = [None] * count
    if isinstance(items, list):
        for item in items:
            index = item.get(key) if isinstance(item, dict) else None
            vector = item.get("embedding") if isinstance(item, dict) else None
            if (
                isinstance(index, int)
                and 0 <= index < count
                and vectors[index] is None
                and isinstance(vector, list)
            ):
                vectors[index] = [float(x) for x in vector]
    missing = [i for i, v in enumerate(vectors) if v is None]
    if missing or not isinstance(items, list) or len(items) != count:
        msg = (
            f"Malformed embeddings answer from {where}: expected {count} vectors "
            f"with index 0..{count - 1}"
            + (f"; missing index {missing[:5]}" if missing else "")
            + "."
        )
        raise DashScopeConnectionError(message=msg, request=response.request)
    return vectors  # type: ignore[return-value]


class QwenEmbeddings(ServiceClient, Embeddings):
    r"""Qwen text embedding models on Alibaba Cloud DashScope (Model Studio).

    Sends DashScope's OpenAI-compatible ``/embeddings`` requests, on the same hosts
    as ``ChatQwen`` (same region, workspace, plan, ``base_url`` and key settings),
    or to any OpenAI-compatible server given by ``base_url``.

    Setup:
        Install ``langchain-qwen`` and set ``DASHSCOPE_API_KEY`` (keys are
        region-specific; set ``DASHSCOPE_REGION`` too if yours is not Singapore).

        .. code-block:: bash

            pip install -U langchain-qwen
            export DASHSCOPE_API_KEY="sk-..."
            export DASHSCOPE_REGION="singapore"  # or china, hongkong

    Key init args — embedding params:
        model: str
            Embedding model, default ``"text-embedding-v4"``; also
            ``"text-embedding-v3"``, ``"qwen3.7-text-embedding"`` (Beijing) and the
            legacy ``"text-embedding-v1"``/``"-v2"``.
        dimensions: int | None
            Vector size, one of the model's allowed values (text-embedding-v4:
            2048, 1536, 1024 (default), 768, 512, 256, 128, 64); checked before
            sending.
        chunk_size: int | None
            Inputs per request (default and maximum: the model's cap, 10 for
            text-embedding-v4; 10 for models we do not know).
        max_concurrency: int
            Requests in flight at once, in ``embed_documents`` and
            ``aembed_documents`` alike (default 8).
        endpoint: str
            ``"compatible"`` (default, OpenAI-style) or ``"native"`` (DashScope's
            own, which takes ``text_type`` and ``instruct``).

    Key init args — client params:
        api_key: SecretStr | None
            DashScope API key; read from ``DASHSCOPE_API_KEY`` if not given
            (``dashscope_api_key`` is accepted too).
        region, workspace_id, plan, base_url:
            Where requests go, resolved exactly as for ``ChatQwen``.
        timeout: float | None
            Seconds one call may take, retries included.
        max_retries: int
            Retries of a failed request (default 2), with ``Retry-After``; only
            that request is sent again, never the batches that succeeded.
        rate_limiter: BaseRateLimiter | None
            E.g. a ``QwenRateLimiter`` with the model's RPM and TPM.

    Instantiate:
        .. code-block:: python

            from langchain_qwen import QwenEmbeddings

            embeddings = QwenEmbeddings(model="text-embedding-v4", dimensions=1024)

    Embed single text:
        .. code-block:: python

            vector = embeddings.embed_query("What is the capital of France?")
            len(vector)  # 1024

    Embed multiple texts:
        .. code-block:: python

            vectors = embeddings.embed_documents(["Paris is in France.", "Rome"])
            len(vectors), len(vectors[0])  # (2, 1024)

        More texts than one request carries (10 for text-embedding-v4) are split
        into batches sent concurrently; the vectors come back in input order.

    Async:
        .. code-block:: python

            vector = await embeddings.aembed_query("What is the capital of France?")
            vectors = await embeddings.aembed_documents(["Paris is in France."])

    ``text_type`` (query/document) and ``instruct`` are documented only for
    DashScope's native embedding endpoint, not for the OpenAI-compatible one used
    by default, so they are not sent there: queries and documents are embedded
    alike. With ``endpoint="native"``, ``embed_query`` sends ``text_type="query"``
    (and ``instruct``), ``embed_documents`` ``text_type="document"``. Inputs are
    strings only (no token arrays), and vectors are floats.

    From langchain-community's ``DashScopeEmbeddings``: change the import; its
    ``dashscope_api_key``, ``model`` and ``max_retries`` are accepted (``client`` is
    ignored, with a warning). Its default model was ``text-embedding-v1``: pass
    ``model="text-embedding-v1"`` to keep querying an index built with it.
    """

    model: str = "text-embedding-v4"
    """Embedding model name."""

    dimensions: int | None = None
    """Vector size (None: the model's default)."""

    chunk_size: int | None = Field(default=None, ge=1)
    """Inputs per request (None: the model's cap)."""

    endpoint: Literal["compatible", "native"] = "compatible"
    """``"compatible"``: the OpenAI-compatible ``/embeddings``. ``"native"``:
    DashScope's own endpoint, which also takes ``text_type`` (sent as ``"query"``
    by ``embed_query``, ``"document"`` by ``embed_documents``) and ``instruct``."""

    instruct: str | None = None
    """Task description for queries (native endpoint, text-embedding-v4)."""

    _community_class = "DashScopeEmbeddings"

    @classmethod
    def _community_spellings(cls, values: dict[str, Any]) -> None:
        # langchain-community's spelling without a model: its default was another.
        old_default = "dashscope_api_key" in values and "model" not in values
        super()._community_spellings(values)
        if old_default:
            warnings.warn(
                "QwenEmbeddings defaults to model='text-embedding-v4'; langchain-"
                "community's DashScopeEmbeddings defaulted to 'text-embedding-v1', "
                "whose vectors (1536 floats) do not match an index built with the "
                "other: pass model='text-embedding-v1' to keep using that index.",
                DeprecationWarning,
                stacklevel=6,
            )

    @field_validator("dimensions", mode="before")
    @classmethod
    def _raw_dimensions(cls, value: Any) -> Any:
        # Before pydantic's lax mode turns True into 1 and "512" into 512.
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            msg = f"Invalid value for `dimensions`: {value!r}. Allowed: a positive int."
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _check_embedding_settings(self) -> Self:
        caps = embedding_caps(self.model)
        _check_dimensions(self.model, self.dimensions, caps)
        if (
            self.chunk_size is not None
            and caps.known
            and self.chunk_size > caps.max_batch
        ):
            msg = (
                f"Invalid value for `chunk_size`: {self.chunk_size}. {self.model} "
                f"takes at most {caps.max_batch} inputs per request."
            )
            raise ValueError(msg)
        if self.instruct is not None and self.endpoint != "native":
            msg = (
                "`instruct` is documented for DashScope's native embedding endpoint "
                "only: pass endpoint='native' with it."
            )
            raise ValueError(msg)
        _warn_region(self.region)
        return self

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """Serialization namespace."""
        return ["langchain_qwen", "embeddings"]

    # -- requests --
    def _batch_size(self) -> int:
        return self.chunk_size or embedding_caps(self.model).max_batch

    def _batches(self, texts: list[str]) -> list[list[str]]:
        _check_texts(texts)
        size = self._batch_size()
        return [texts[i : i + size] for i in range(0, len(texts), size)]

    def _path(self) -> str:
        return _NATIVE_PATH if self.endpoint == "native" else _PATH

    def _body(self, batch: list[str], text_type: str) -> dict[str, Any]:
        if self.endpoint == "native":
            parameters: dict[str, Any] = {"text_type": text_type}
            if self.dimensions is not None:
                parameters["dimension"] = self.dimensions
            if self.instruct is not None and text_type == "query":
                parameters["instruct"] = self.instruct
            return {
                "model": self.model,
                "input": {"texts": batch},
                "parameters": parameters,
            }
        body: dict[str, Any] = {
            "model": self.model,
            "input": batch,
            "encoding_format": "float",
        }
        if self.dimensions is not None:
            body["dimensions"] = self.dimensions
        return body

    def _embed(self, texts: list[str], text_type: str) -> list[list[float]]:
        batches = self._batches(list(texts))
        if not batches:
            return []
        spec = self._spec(self._path(), self.model, None)
        native = self.endpoint == "native"

        def one(batch: list[str]) -> list[list[float]]:
            body = self._body(batch, text_type)
            answer = self._post(spec, body, _estimate(batch), _used)
            return _vectors(answer, len(batch), spec.where, native)

        results = self._run_all([functools.partial(one, b) for b in batches])
        return [vector for result in results for vector in result]

    async def _aembed(self, texts: list[str], text_type: str) -> list[list[float]]:
        batches = self._batches(list(texts))
        if not batches:
            return []
        spec = await self._aspec(self._path(), self.model)
        native = self.endpoint == "native"

        async def one(batch: list[str]) -> list[list[float]]:
            body = self._body(batch, text_type)
            answer = await self._apost(spec, body, _estimate(batch), _used)
            return _vectors(answer, len(batch), spec.where, native)

        results = await self._arun_all([functools.partial(one, b) for b in batches])
        return [vector for result in results for vector in result]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed ``texts``, in batches sent concurrently; vectors in input order.

        Raises:
            ValueError: an empty or non-string text (naming its position), before
                anything is sent.
        """
        return self._embed(texts, "document")

    def embed_query(self, text: str) -> list[float]:
        """Embed one query (``text_type="query"`` on the native endpoint)."""
        return self._embed([text], "query")[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Async twin of :meth:`embed_documents`."""
        return await self._aembed(texts, "document")

    async def aembed_query(self, text: str) -> list[float]:
        """Async twin of :meth:`embed_query`."""
        return (await self._aembed([text], "query"))[0]


def _estimate(batch: list[str]) -> float:
    """Tokens of a batch, for a rate limiter (the estimate chat and rerank use)."""
    return sum(estimate_tokens(text) for text in batch)


def _check_texts(texts: list[Any]) -> None:
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            msg = (
                f"texts[{position}] is a {type(text).__name__}: DashScope embeds "
                "strings only (no token arrays)."
            )
            raise ValueError(msg)
        if not text:
            # DashScope answers 400 for an empty input, failing the whole batch.
            msg = f"texts[{position}] is an empty string: DashScope refuses it."
            raise ValueError(msg)


def _check_dimensions(model: str, dimensions: Any, caps: EmbeddingCaps) -> None:
    if dimensions is None or not caps.known:
        return  # the server decides for models we do not know
    allowed = caps.dimensions or (caps.default_dimension,)
    if dimensions not in allowed:
        shown = ", ".join(str(d) for d in allowed)
        default = f" (default {caps.default_dimension})" if caps.dimensions else ""
        msg = (
            f"Invalid value for `dimensions`: {dimensions}. {model} allows: "
            f"{shown}{default}."
        )
        raise ValueError(msg)


def _warn_region(region: str | None) -> None:
    """Once per region: the vendor lists no embedding model there (US today)."""
    served = embedding_regions()
    if region is None or region in served:
        return
    with _warn_lock:
        if region in _warned_regions:
            return
        _warned_regions.add(region)
    names = ", ".join(f"{r} ({region_label(r)})" for r in served)
    warnings.warn(
        f"The vendor lists no embedding model in {region_label(region)}; requests "
        f"are sent anyway (the server decides). Regions with embedding models: "
        f"{names}.",
        UserWarning,
        stacklevel=4,
    )
