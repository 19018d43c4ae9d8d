"""Embed a corpus with QwenEmbeddings on Ray Data (``map_batches``), for Ray users.

A corpus too big for one machine is split into blocks; each Ray worker holds one
unpickled ``QwenEmbeddings`` (settings and the ``SecretStr`` key travel, HTTP clients
are rebuilt in the worker) and embeds its blocks, sending each block's requests
concurrently at the model's cap (10 texts per request for text-embedding-v4).

    pip install "ray[data]" langchain-qwen
    export DASHSCOPE_API_KEY=sk-...      # without it, a local emulator answers
    python examples/ray_embeddings.py

Give each worker a ``QwenRateLimiter`` with its share of your RPM/TPM to keep the
whole job under DashScope's limits. See ``examples/ray_data.py`` for chat.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from langchain_qwen import QwenEmbeddings


class QwenEmbedder:
    """A Ray Data batch function: one QwenEmbeddings per worker, one call a block."""

    def __init__(self, embeddings: QwenEmbeddings) -> None:
        self.embeddings = embeddings  # unpickled in the worker: clients rebuilt here

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Embed one block of rows (columns ``id``, ``text``): adds ``vector``."""
        import numpy as np

        vectors = self.embeddings.embed_documents([str(t) for t in batch["text"]])
        batch["vector"] = np.asarray(vectors, dtype=np.float32)
        return batch


def embed_corpus(
    embeddings: QwenEmbeddings,
    texts: list[str],
    *,
    workers: int = 2,
    batch_size: int = 100,
) -> list[dict[str, Any]]:
    """Embed ``texts`` on Ray Data; rows (``id``, ``text``, ``vector``) in input order."""
    import ray

    ds = ray.data.from_items([{"id": i, "text": t} for i, t in enumerate(texts)])
    embedded = ds.map_batches(
        QwenEmbedder,
        fn_constructor_args=(embeddings,),
        batch_size=batch_size,
        compute=ray.data.ActorPoolStrategy(size=workers),
        batch_format="numpy",
    )
    return sorted(embedded.take_all(), key=lambda row: int(row["id"]))


@contextlib.contextmanager
def _embeddings() -> Iterator[QwenEmbeddings]:
    if os.environ.get("DASHSCOPE_API_KEY"):
        yield QwenEmbeddings(model="text-embedding-v4", dimensions=256)
        return
    from langchain_qwen.testing import DashScopeEmulator

    with DashScopeEmulator() as emu:
        yield QwenEmbeddings(
            model="text-embedding-v4",
            dimensions=256,
            base_url=emu.base_url,
            api_key=emu.api_key,
        )


def main() -> None:
    """Embed 1,000 short notes on a local Ray."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True)
    texts = [f"Support note {i}: question about topic {i % 17}." for i in range(1000)]
    with _embeddings() as embeddings:
        rows = embed_corpus(embeddings, texts)
    print(len(rows), "vectors of", len(rows[0]["vector"]), "floats")
    norm = sum(float(x) ** 2 for x in rows[0]["vector"]) ** 0.5
    print(rows[0]["text"], "-> a unit vector:", round(norm, 3))
    ray.shutdown()


if __name__ == "__main__":
    main()
