"""Embedding and rerank model facts: request caps, dimensions, regions, endpoints.

The data is generated (``make profiles``) from ``data/profile_augmentations.toml``,
whose ``[embedding_models]`` and ``[rerank_models]`` entries name their vendor page.
A model without an entry gets safe caps: DashScope's smallest embedding batch (10
inputs) and rerank request (100 documents), and no check of ``dimensions`` (the
server decides).
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_qwen.data._profiles import _EMBEDDING_MODELS, _RERANK_MODELS

__all__ = [
    "EmbeddingCaps",
    "RerankCaps",
    "embedding_caps",
    "embedding_regions",
    "rerank_caps",
]

SAFE_EMBEDDING_BATCH = 10
SAFE_RERANK_DOCUMENTS = 100


@dataclass(frozen=True)
class EmbeddingCaps:
    """What one embeddings request to a model may carry."""

    known: bool
    max_batch: int
    max_tokens: int | None
    dimensions: tuple[int, ...]  # allowed values; empty: fixed or unknown
    default_dimension: int | None
    regions: tuple[str, ...]


@dataclass(frozen=True)
class RerankCaps:
    """What one rerank request to a model may carry, and where it is served."""

    known: bool
    max_documents: int
    max_tokens: int | None
    regions: tuple[str, ...]
    compatible: bool  # served at /compatible-api/v1/reranks
    native: bool  # served at /api/v1/services/rerank/text-rerank/text-rerank


def embedding_caps(model: str) -> EmbeddingCaps:
    """The caps of embedding ``model`` (safe ones when it has no entry)."""
    entry = _EMBEDDING_MODELS.get(model.strip().lower())
    if entry is None:
        return EmbeddingCaps(False, SAFE_EMBEDDING_BATCH, None, (), None, ())
    return EmbeddingCaps(
        True,
        entry["max_batch"],
        entry["max_tokens"],
        entry["dimensions"],
        entry["default_dimension"],
        entry["regions"],
    )


def embedding_regions() -> tuple[str, ...]:
    """Regions where the vendor lists at least one embedding model."""
    found = {r for entry in _EMBEDDING_MODELS.values() for r in entry["regions"]}
    order = ("singapore", "china", "hongkong", "us")
    return tuple(r for r in order if r in found)


def rerank_caps(model: str) -> RerankCaps:
    """The caps and endpoints of rerank ``model`` (no endpoint known: neither)."""
    entry = _RERANK_MODELS.get(model.strip().lower())
    if entry is None:
        return RerankCaps(False, SAFE_RERANK_DOCUMENTS, None, (), False, False)
    return RerankCaps(
        True,
        entry["max_documents"],
        entry["max_tokens"],
        entry["regions"],
        "compatible" in entry["endpoints"],
        "native" in entry["endpoints"],
    )
