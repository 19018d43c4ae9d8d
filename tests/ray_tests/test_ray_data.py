"""ChatQwen and QwenEmbeddings on Ray Data workers (local Ray) against the emulator.

Run by ``make test_ray``.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from langchain_qwen import ChatQwen, QwenEmbeddings
from langchain_qwen.rate_limiters import QwenRateLimiter
from langchain_qwen.testing import DashScopeEmulator

# Ray (>= 2.43) sees a driver started by `uv run` and starts its workers with `uv
# run` too, in a copy of the working directory: that needs `uv` on PATH (make keeps
# it in .tools/) and re-resolves the project per worker. The workers share this
# virtual environment instead.
os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
ray = pytest.importorskip("ray", reason="the ray dependency group is not installed")

EXAMPLES = Path(__file__).parents[2] / "examples"


def _example(name: str = "ray_data") -> object:
    spec = importlib.util.spec_from_file_location(
        f"{name}_example", EXAMPLES / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"{name}_example"] = module
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    # The raylet gives its agents 15 s to report the ports they picked and dies
    # otherwise (ray-project/ray#65983), which a busy 2-core machine can exceed:
    # give them free ports up front so there is nothing to wait for.
    params = ray._private.parameter.RayParams
    original = params.__init__

    def with_ports(self: object, *args: object, **kwargs: object) -> None:
        for name in (
            "metrics_agent_port",
            "metrics_export_port",
            "runtime_env_agent_port",
            "dashboard_agent_listen_port",
        ):
            if kwargs.get(name) is None:
                kwargs[name] = _free_port()
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    params.__init__ = with_ports  # type: ignore[method-assign]
    try:
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            ignore_reinit_error=True,
        )
    finally:
        params.__init__ = original  # type: ignore[method-assign]
    yield
    ray.shutdown()


@pytest.mark.timeout(600)
def test_map_batches_labels_a_data_set(local_ray: None) -> None:
    example = _example()
    ray.cloudpickle.register_pickle_by_value(example)
    with DashScopeEmulator() as emu:
        llm = ChatQwen(
            model="qwen-flash",
            base_url=emu.base_url,
            api_key=emu.api_key,
            temperature=0,
            max_tokens=32,
            rate_limiter=QwenRateLimiter(requests_per_minute=6000),
        )
        texts = [f"review number {i}" for i in range(40)]
        rows = example.label_texts(llm, texts, workers=2, batch_size=8)  # type: ignore[attr-defined]
        assert [int(r["id"]) for r in rows] == list(range(40))
        assert [r["error"] for r in rows] == [""] * 40
        assert [r["label"] for r in rows] == [f"You said: {t}" for t in texts]
        assert all(int(r["tokens"]) > 0 for r in rows)
        chat = emu.chat_requests
        assert len(chat) == 40
        # Every worker sent the configured settings with the key.
        assert {r.json["temperature"] for r in chat} == {0}
        assert {r.json["max_tokens"] for r in chat} == {32}
        assert {r.headers["authorization"] for r in chat} == {f"Bearer {emu.api_key}"}
        # Requests came from worker processes, not this one (several connections).
        assert len({r.connection for r in chat}) >= 2


@pytest.mark.timeout(600)
def test_map_batches_embeds_a_corpus(local_ray: None) -> None:
    example = _example("ray_embeddings")
    ray.cloudpickle.register_pickle_by_value(example)
    with DashScopeEmulator() as emu:
        embeddings = QwenEmbeddings(
            model="text-embedding-v4",
            dimensions=64,
            base_url=emu.base_url,
            api_key=emu.api_key,
        )
        texts = [f"support note {i} about topic {i % 7}" for i in range(120)]
        rows = example.embed_corpus(embeddings, texts, workers=2, batch_size=30)  # type: ignore[attr-defined]
        assert [int(r["id"]) for r in rows] == list(range(120))
        local = embeddings.embed_documents(texts)  # the driver's own answer
        worker_requests = emu.requests[: -len(local) // 10]
        for row, expected in zip(rows, local, strict=True):
            assert len(row["vector"]) == 64
            # The example stores float32: equal to the driver's floats within 1e-6.
            assert (
                max(
                    abs(float(x) - y)
                    for x, y in zip(row["vector"], expected, strict=True)
                )
                < 1e-6
            )
        # 4 blocks of 30 texts, 3 requests of 10 each, all with the key.
        assert len(worker_requests) == 12
        assert {len(r.json["input"]) for r in worker_requests} == {10}
        assert {r.headers["authorization"] for r in worker_requests} == {
            f"Bearer {emu.api_key}"
        }
        assert len({r.connection for r in worker_requests}) >= 2
