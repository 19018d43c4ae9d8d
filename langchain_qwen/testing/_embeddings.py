"""DashScope's text embedding endpoints, with the rules the vendor documents.

* OpenAI-compatible: ``POST {prefix}/compatible-mode/v1/embeddings`` with
  ``{model, input, dimensions?, encoding_format?}`` ->
  ``{data: [{embedding, index, object}], model, object, usage, id}``.
* Native: ``POST {prefix}/api/v1/services/embeddings/text-embedding/text-embedding``
  with ``{model, input: {texts}, parameters: {dimension?, text_type?, output_type?,
  instruct?}}`` -> ``{output: {embeddings: [{text_index, embedding,
  sparse_embedding?}]}, usage: {total_tokens}, request_id}``.

Vendor pages: "Synchronous API details" (models, caps, dimensions, endpoints),
https://www.alibabacloud.com/help/en/model-studio/text-embedding-synchronous-api ;
`text_type`, `instruct` and sparse output are documented for the native endpoint only.
Error wording is DashScope's as quoted in public issues: "<400> InternalError.Algo.
InvalidParameter: Value error, batch size is invalid, it should not be larger than
10.: input.contents" (memodb-io/memobase#142), "contents is neither str nor list of
str.: payload.input.contents" for token arrays (langchain-ai/langchain#31970).

Answers list the inputs in a deterministic shuffled order (each item carries its
`index` / `text_index`), as DashScope's answers may come out of order; turn it off
with ``emu.retrieval.shuffle = False``.

The facts here are the emulator's own: it imports nothing from the client.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from langchain_qwen.testing import _lexical
from langchain_qwen.testing._rules import RuleError, model_not_found

_ALGO = "<400> InternalError.Algo.InvalidParameter: "


@dataclass(frozen=True)
class EmbeddingModel:
    """One embedding model's limits.

    Attributes:
        name: Model id.
        max_inputs: Inputs per request.
        max_tokens: Tokens per input.
        dimensions: Allowed `dimensions` values.
        default_dimension: The dimension without a `dimensions` field.
    """

    name: str
    max_inputs: int
    max_tokens: int
    dimensions: tuple[int, ...]
    default_dimension: int


_V4_DIMS = (2048, 1536, 1024, 768, 512, 256, 128, 64)
_QWEN37_DIMS = (2560, 2048, 1536, 1024, 768, 512, 256)

EMBEDDING_MODELS: dict[str, EmbeddingModel] = {
    m.name: m
    for m in (
        EmbeddingModel("text-embedding-v4", 10, 8192, _V4_DIMS, 1024),
        EmbeddingModel("text-embedding-v3", 10, 8192, (1024, 768, 512), 1024),
        EmbeddingModel("qwen3.7-text-embedding", 20, 128_000, _QWEN37_DIMS, 1024),
        EmbeddingModel("text-embedding-v2", 25, 2048, (1536,), 1536),
        EmbeddingModel("text-embedding-v1", 25, 2048, (1536,), 1536),
    )
}
"""Models and caps from the vendor's model table (issue 21's "Vendor facts")."""

# A name that looks like an embedding model but is in no list (a model newer than
# this table) is served with the strictest cap and any dimension in this range.
_UNKNOWN_CAP = 10
_UNKNOWN_DIMS = range(64, 4097)

EMBEDDING_REGIONS: dict[str, frozenset[str]] = {
    # No embedding model is listed for the US region (Virginia).
    "us": frozenset(),
    "singapore": frozenset({"text-embedding-v4", "text-embedding-v3"}),
    "hongkong": frozenset({"text-embedding-v4"}),
    "china": frozenset(EMBEDDING_MODELS),
}
"""Catalogue region name -> embedding models it serves; other names serve all."""

COMPATIBLE_KEYS = frozenset({"model", "input", "dimensions", "encoding_format", "user"})
"""Top-level keys the compatible endpoint knows (others are recorded as unknown)."""
NATIVE_KEYS = frozenset({"model", "input", "parameters"})


def _invalid(message: str) -> RuleError:
    return RuleError(400, "InvalidParameter", message, "InvalidParameter")


def _is_embedding_name(model: str) -> bool:
    return "embedding" in model.lower()


def find_model(model: Any, region: str | None) -> EmbeddingModel | RuleError:
    """The model's limits, or the error DashScope answers for it here."""
    if not isinstance(model, str) or not model:
        return _invalid("Model not exist.")
    known = EMBEDDING_MODELS.get(model)
    served = EMBEDDING_REGIONS.get(region or "")
    if served is not None and model not in served and (known or not served):
        return model_not_found(model)
    if known is not None:
        return known
    if _is_embedding_name(model):
        return EmbeddingModel(model, _UNKNOWN_CAP, 8192, tuple(_UNKNOWN_DIMS), 1024)
    return model_not_found(model)


def check_texts(
    texts: Any, model: EmbeddingModel, *, where: str
) -> list[str] | RuleError:
    """The inputs as a list of strings, or DashScope's 400 for them.

    Args:
        texts: The `input` (compatible) or `input.texts` (native) value.
        model: The model's limits.
        where: The field path DashScope names in its messages.
    """
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        # Token arrays (OpenAIEmbeddings' default) end here.
        return _invalid(f"contents is neither str nor list of str.: {where}")
    if not texts:
        return _invalid(f"{_ALGO}Value error, contents must not be empty.: {where}")
    if len(texts) > model.max_inputs:
        return _invalid(
            f"{_ALGO}Value error, batch size is invalid, it should not be larger "
            f"than {model.max_inputs}.: {where}"
        )
    for text in texts:
        if not text or _lexical.token_count(text) > model.max_tokens:
            return _invalid(
                f"{_ALGO}Range of input length should be [1, {model.max_tokens}]"
            )
    return texts


def check_dimension(value: Any, model: EmbeddingModel, field: str) -> int | RuleError:
    """The dimension to answer with, or the 400 for a value the model refuses."""
    if value is None:
        return model.default_dimension
    if isinstance(value, bool) or not isinstance(value, int):
        return _invalid(f"{_ALGO}{field} must be an integer")
    if value not in model.dimensions:
        allowed = ", ".join(str(d) for d in model.dimensions)
        if model.name not in EMBEDDING_MODELS:
            allowed = f"{_UNKNOWN_DIMS.start}..{_UNKNOWN_DIMS.stop - 1}"
        return _invalid(
            f"{_ALGO}Value error, {field} is invalid for {model.name}, "
            f"it should be one of [{allowed}]"
        )
    return value


@dataclass(frozen=True)
class Embedded:
    """A successful answer: the body, the tokens it used and the model."""

    body: dict[str, Any]
    tokens: int
    model: str


def _order(texts: list[str], shuffle: bool) -> list[int]:
    return _lexical.shuffled(texts) if shuffle else list(range(len(texts)))


def compatible(
    body: Any, region: str | None, request_id: str, *, shuffle: bool
) -> Embedded | RuleError:
    """Answer ``POST .../compatible-mode/v1/embeddings``."""
    if not isinstance(body, Mapping):
        return _invalid(f"{_ALGO}The request body is not valid JSON.")
    model = find_model(body.get("model"), region)
    if isinstance(model, RuleError):
        return model
    texts = check_texts(body.get("input"), model, where="input.contents")
    if isinstance(texts, RuleError):
        return texts
    dimension = check_dimension(body.get("dimensions"), model, "dimensions")
    if isinstance(dimension, RuleError):
        return dimension
    encoding = body.get("encoding_format")
    # Float is the only documented format; DashScope answers floats for "base64".
    if encoding not in (None, "float", "base64"):
        return _invalid(f"{_ALGO}encoding_format should be 'float', got {encoding!r}")
    tokens = sum(_lexical.token_count(t) for t in texts)
    data = [
        {
            "embedding": list(_lexical.vector(texts[i], dimension)),
            "index": i,
            "object": "embedding",
        }
        for i in _order(texts, shuffle)
    ]
    answer = {
        "data": data,
        "model": model.name,
        "object": "list",
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        "id": request_id,
    }
    return Embedded(answer, tokens, model.name)


_OUTPUT_TYPES = ("dense", "sparse", "dense&sparse")
_TEXT_TYPES = ("query", "document")


def native(
    body: Any, region: str | None, request_id: str, *, shuffle: bool
) -> Embedded | RuleError:
    """Answer ``POST .../api/v1/services/embeddings/text-embedding/text-embedding``."""
    if not isinstance(body, Mapping):
        return _invalid("The request body is not valid JSON.")
    model = find_model(body.get("model"), region)
    if isinstance(model, RuleError):
        return _invalid("Model not exist.") if model.status == 404 else model
    source = body.get("input")
    texts_value = source.get("texts") if isinstance(source, Mapping) else None
    texts = check_texts(texts_value, model, where="payload.input.contents")
    if isinstance(texts, RuleError):
        return texts
    params = body.get("parameters") or {}
    if not isinstance(params, Mapping):
        return _invalid("parameters must be an object")
    dimension = check_dimension(params.get("dimension"), model, "dimension")
    if isinstance(dimension, RuleError):
        return dimension
    text_type = params.get("text_type", "document")
    if text_type not in _TEXT_TYPES:
        return _invalid(f"text_type should be one of {list(_TEXT_TYPES)}")
    output_type = params.get("output_type", "dense")
    if output_type not in _OUTPUT_TYPES:
        return _invalid(f"output_type should be one of {list(_OUTPUT_TYPES)}")
    tokens = sum(_lexical.token_count(t) for t in texts)
    items = []
    for i in _order(texts, shuffle):
        item: dict[str, Any] = {"text_index": i}
        if output_type != "sparse":
            item["embedding"] = list(_lexical.vector(texts[i], dimension))
        if output_type != "dense":
            item["sparse_embedding"] = _sparse(texts[i])
        items.append(item)
    answer = {
        "output": {"embeddings": items},
        "usage": {"total_tokens": tokens},
        "request_id": request_id,
    }
    return Embedded(answer, tokens, model.name)


def _sparse(text: str) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for token in _lexical.tokens(text):
        counts[token] = counts.get(token, 0) + 1
    return [
        {"index": zlib.crc32(tok.encode()) % 250_000, "value": n, "token": tok}
        for tok, n in sorted(counts.items())
    ]


def unknown_keys(body: Any, known: frozenset[str]) -> tuple[str, ...]:
    """Top-level keys of `body` the endpoint does not know (DashScope ignores them)."""
    if not isinstance(body, Mapping):
        return ()
    return tuple(k for k in body if k not in known)
