"""Embedding 10,000 short documents: QwenEmbeddings vs community and OpenAI classes.

Usage::

    python bench/embeddings.py            # 10,000 documents (about 2 minutes)
    python bench/embeddings.py --quick    # 500 documents: proves the benchmark runs
    python bench/embeddings.py --json out.json

Every client talks to the same local DashScope emulator, in its own process so that
its CPU time never counts as client time, answering each request after 20 ms
(``latency``, as network and model time would) with DashScope's rules: at most 10
inputs per request for ``text-embedding-v4``, strings only, answers listed in a
shuffled order with each vector's ``index``. All rows ask for 256-dimensional vectors,
so they move the same bytes.

Rows:

* ``sequential batches``: ``QwenEmbeddings(max_concurrency=1).embed_documents``, one
  batch of 10 after the other: the reference for the speed-up column.
* ``QwenEmbeddings sync`` / ``async``: ``embed_documents`` / ``aembed_documents``
  with the default ``max_concurrency=8`` (batches in flight at once).
* ``DashScopeEmbeddings (community)``: langchain-community's class, unchanged, on a
  stub ``dashscope`` SDK (``bench/stub_dashscope``) whose ``TextEmbedding.call``
  sends the real SDK's request over HTTP to the emulator's native endpoint (it does
  not sleep: the 20 ms are the emulator's). It has no async of its own
  (``aembed_documents`` is langchain-core's thread fallback), so only sync runs.
* ``OpenAIEmbeddings (workaround)``: ``OpenAIEmbeddings(base_url=..., model=
  "text-embedding-v4", check_embedding_ctx_length=False, chunk_size=10,
  dimensions=256)``, the usual way around its token arrays and tokenizer download;
  sync and async.

Reported per row: wall seconds (the QwenEmbeddings rows: the median of ``--repeat``
runs, 3 by default; the slow rows run once), requests the server answered, failures
(requests not answered 200, plus an exception that ended the run), vectors in the
wrong place (compared with the emulator's vector for each text: a client that
ignores ``index`` puts them where the shuffled answer listed them), and the speed-up
over sequential batches. ``--in-order`` makes the emulator list vectors in input
order (DashScope's pages document ``index`` but not how often answers come out of
order): the misplaced column then drops to 0 for every client. The goal (issue 21):
at least 5x faster than sequential batches, 0 failures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KEY = "sk-emulator-0000000000000000"
MODEL = "text-embedding-v4"
DIMENSIONS = 256
LATENCY = 0.02

_SERVER = """
import json, sys
from langchain_qwen.testing import DashScopeEmulator
emu = DashScopeEmulator(api_key={key!r}, latency={latency!r})
emu.retrieval.shuffle = {shuffle!r}
emu.start()
print(emu.url, flush=True)
import time
cpu = time.process_time()
for line in sys.stdin:
    done = emu.requests
    emu.clear()
    used, cpu = time.process_time() - cpu, time.process_time()
    print(json.dumps({{"requests": len(done), "cpu": used,
                      "failed": sum(r.status != 200 for r in done)}}), flush=True)
emu.stop()
"""


class Server:
    """The emulator in a child process; `stats()` reads and clears its request log."""

    def __init__(self, *, shuffle: bool) -> None:
        code = _SERVER.format(key=KEY, latency=LATENCY, shuffle=shuffle)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http"):
            msg = f"the emulator did not start: {self.url!r}"
            raise RuntimeError(msg)

    def stats(self) -> dict[str, Any]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        return dict(json.loads(self.proc.stdout.readline()))

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


@dataclass
class Row:
    client: str
    wall_s: float
    requests: int
    failures: int
    misplaced: int
    server_cpu_s: float = 0.0
    error: str = ""
    speedup: float = 0.0


def documents(count: int) -> list[str]:
    """Short, distinct documents (a few words each, like chunked notes)."""
    topics = ("billing", "regions", "rerank", "embeddings", "limits", "keys", "models")
    return [
        f"Note {i}: {topics[i % len(topics)]} question {i // 7} from user {i % 31}"
        for i in range(count)
    ]


def misplaced(texts: Sequence[str], vectors: Sequence[Sequence[float]]) -> int:
    """Vectors that are not the emulator's vector for their text."""
    from langchain_qwen.testing._lexical import vector

    if len(vectors) != len(texts):
        return len(texts)
    return sum(
        list(vector(text, DIMENSIONS)) != [round(x, 6) for x in got]
        for text, got in zip(texts, vectors, strict=True)
    )


def measure(
    server: Server,
    name: str,
    run: Callable[[], list[list[float]]],
    texts: list[str],
    repeat: int,
) -> Row:
    """Run a client ``repeat`` times: the median wall time, every failure counted."""
    walls: list[float] = []
    failures, wrong, requests = 0, 0, 0
    server_cpu: list[float] = []
    error = ""
    for _ in range(repeat):
        server.stats()  # forget earlier requests
        vectors: list[list[float]] = []
        start = time.perf_counter()
        try:
            vectors = run()
        except Exception as exc:  # a failed run is a result, reported in its row
            error = f"{type(exc).__name__}: {str(exc)[:120]}"
        walls.append(time.perf_counter() - start)
        stats = server.stats()
        requests = stats["requests"]
        server_cpu.append(stats["cpu"])
        failures += stats["failed"] + (1 if error else 0)
        wrong = max(wrong, misplaced(texts, vectors) if vectors else len(texts))
    wall = statistics.median(walls)
    cpu = round(statistics.median(server_cpu), 2)
    row = Row(name, round(wall, 2), requests, failures, wrong, cpu, error)
    print(
        f"{name:48s} {wall:7.2f} s (runs: {', '.join(f'{w:.2f}' for w in walls)})  "
        f"{requests} requests  {failures} failures  {wrong} misplaced  "
        f"emulator CPU {cpu:.2f} s {error}",
        flush=True,
    )
    return row


def clients(base: str) -> dict[str, Callable[[list[str]], list[list[float]]]]:
    """Each row's embedding function, built before timing starts."""
    sys.path.insert(0, str(HERE / "stub_dashscope"))
    os.environ["DASHSCOPE_API_KEY"] = KEY
    import dashscope  # the stub

    dashscope.base_http_api_url = f"{base}/api/v1"
    dashscope.bench_dimension = DIMENSIONS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the community sunset
        from langchain_community.embeddings import DashScopeEmbeddings
    from langchain_openai import OpenAIEmbeddings

    from langchain_qwen import QwenEmbeddings

    compat = f"{base}/compatible-mode/v1"
    common: dict[str, Any] = {"base_url": compat, "api_key": KEY, "model": MODEL}
    sequential = QwenEmbeddings(**common, dimensions=DIMENSIONS, max_concurrency=1)
    qwen = QwenEmbeddings(**common, dimensions=DIMENSIONS)
    community = DashScopeEmbeddings(model=MODEL)
    openai = OpenAIEmbeddings(
        **common,
        dimensions=DIMENSIONS,
        check_embedding_ctx_length=False,
        chunk_size=10,
    )
    # One event loop for every async run, as in a long-running async application
    # (its connection pools stay warm between runs).
    loop = asyncio.new_event_loop()
    return {
        "sequential batches (QwenEmbeddings, 1 at a time)": sequential.embed_documents,
        "QwenEmbeddings sync": qwen.embed_documents,
        "QwenEmbeddings async": (
            lambda t: loop.run_until_complete(qwen.aembed_documents(t))
        ),
        "DashScopeEmbeddings (community, stub SDK)": community.embed_documents,
        "OpenAIEmbeddings (workaround) sync": openai.embed_documents,
        "OpenAIEmbeddings (workaround) async": (
            lambda t: loop.run_until_complete(openai.aembed_documents(t))
        ),
    }


def table(rows: list[Row], count: int) -> str:
    lines = [
        f"Embedding {count:,} short documents, {LATENCY * 1000:.0f} ms per request, "
        f"{MODEL} ({DIMENSIONS} dims, 10 inputs per request):",
        "",
        "| client | wall | requests | failures | vectors misplaced | vs sequential |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.client} | {row.wall_s:.2f} s | {row.requests:,} | "
            f"{row.failures} | {row.misplaced:,} | {row.speedup:.1f}x |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 documents")
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of the fast rows (median reported); the slow rows run once",
    )
    parser.add_argument(
        "--in-order",
        action="store_true",
        help="the emulator lists vectors in input order (default: shuffled)",
    )
    args = parser.parse_args(argv)
    count = args.count or (500 if args.quick else 10_000)
    texts = documents(count)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"1-min load average at the start: {load:.2f}", flush=True)
    server = Server(shuffle=not args.in_order)
    try:
        runs = clients(server.url)
        rows = [
            measure(
                server,
                name,
                lambda f=f: f(texts),
                texts,
                args.repeat if name.startswith("QwenEmbeddings") else 1,
            )
            for name, f in runs.items()
        ]
    finally:
        server.stop()
    base = rows[0].wall_s or 1.0
    for row in rows:
        row.speedup = round(base / row.wall_s, 1) if row.wall_s else 0.0
    print()
    print(table(rows, count))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n1-min load average at the end: {load:.2f}")
    qwen = [r for r in rows if r.client.startswith("QwenEmbeddings")]
    goal = all(r.speedup >= 5 and r.failures == 0 and r.misplaced == 0 for r in qwen)
    print(
        "goal (QwenEmbeddings >= 5x sequential, 0 failures):",
        "met" if goal else "NOT met",
    )
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
