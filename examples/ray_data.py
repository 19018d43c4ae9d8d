"""Label a data set with ChatQwen on Ray Data (``map_batches``), for Ray users.

Ray ships the ChatQwen you configure to every worker by pickling it: the settings and
the key (a ``SecretStr``) travel, the HTTP clients are rebuilt in the worker.

    pip install "ray[data]" langchain-qwen
    export DASHSCOPE_API_KEY=sk-...      # without it, a local emulator answers
    python examples/ray_data.py

Add ``rate_limiter=QwenRateLimiter(...)`` with each worker's share of your RPM/TPM to
keep many workers under DashScope's limits. Started with ``uv run``, Ray starts its
workers with ``uv run`` too (``uv`` must be on PATH); ``RAY_ENABLE_UV_RUN_RUNTIME_ENV=0``
makes them use the driver's environment instead.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from langchain_qwen import ChatQwen


class QwenLabeler:
    """A Ray Data batch function: one ChatQwen per worker, a ``batch`` call a block."""

    def __init__(self, llm: ChatQwen, instruction: str) -> None:
        self.llm = llm  # unpickled in the worker: clients are rebuilt here
        self.instruction = instruction

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Label one block of rows (columns ``id``, ``text``)."""
        prompts = [
            [("system", self.instruction), ("human", str(text))]
            for text in batch["text"]
        ]
        answers = self.llm.batch(prompts, return_exceptions=True)
        batch["label"] = [None if isinstance(a, Exception) else a.text for a in answers]
        batch["error"] = [
            f"{type(a).__name__}: {a}" if isinstance(a, Exception) else ""
            for a in answers
        ]
        batch["tokens"] = [
            0
            if isinstance(a, Exception)
            else (a.usage_metadata or {}).get("total_tokens", 0)
            for a in answers
        ]
        return batch


def label_texts(
    llm: ChatQwen,
    texts: list[str],
    *,
    instruction: str = "Label the sentiment: positive, negative or neutral.",
    workers: int = 2,
    batch_size: int = 16,
) -> list[dict[str, Any]]:
    """Run ``llm`` over ``texts`` with Ray Data; rows come back in input order."""
    import ray

    ds = ray.data.from_items([{"id": i, "text": t} for i, t in enumerate(texts)])
    labelled = ds.map_batches(
        QwenLabeler,
        fn_constructor_args=(llm, instruction),
        batch_size=batch_size,
        compute=ray.data.ActorPoolStrategy(size=workers),
        batch_format="numpy",
    )
    return sorted(labelled.take_all(), key=lambda row: int(row["id"]))


@contextlib.contextmanager
def _model() -> Iterator[ChatQwen]:
    if os.environ.get("DASHSCOPE_API_KEY"):
        yield ChatQwen(model="qwen-flash", temperature=0)
        return
    from langchain_qwen.testing import DashScopeEmulator

    with DashScopeEmulator() as emu:
        yield ChatQwen(model="qwen-flash", base_url=emu.base_url, api_key=emu.api_key)


def main() -> None:
    """Label three reviews on a local Ray."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, ignore_reinit_error=True)
    texts = ["Arrived on time, works great.", "Broken on arrival.", "It is a box."]
    with _model() as llm:
        for row in label_texts(llm, texts):
            print(
                row["id"], row["text"], "->", row["label"], f"({row['tokens']} tokens)"
            )
    ray.shutdown()


if __name__ == "__main__":
    main()
