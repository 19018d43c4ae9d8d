"""Client overhead of ChatQwen vs ChatOpenAI, langchain-qwq's ChatQwen and the raw SDK.

Usage::

    python bench/run.py               # full run (a few minutes on 2 cores)
    python bench/run.py --quick       # tiny counts: proves the benchmark still runs
    python bench/run.py --json out.json

Every client talks to the same local DashScope emulator
(``python -m langchain_qwen.testing serve``), which runs in its own process so that
its CPU time never counts as client time. The emulator's streams are N deltas long
by default (``--text-chunks``, 2,000 for (a)-(d)); the memory workers of (e) ask
the same server for 20-delta streams with the ``x-emulator-text-chunks`` header.
Measured, side by side in one run, on the same requests (``model="qwen-plus"``, one
user message "hi"; runs interleaved across clients so drift hits all alike):

(a) stream  client CPU (``time.process_time``) per chunk while reading one N-chunk
            stream with ``llm.stream(...)``; the mean over several runs, divided by
            N (the content deltas; role/finish/usage events are not counted).
(b) invoke  wall ms per sequential non-streaming ``invoke`` (median) and the
            client CPU per call (mean).
(c) ainvoke wall seconds for N concurrent ``ainvoke`` calls (``asyncio.gather``;
            the median over rounds) and the client CPU they cost.
(d) init    ms to construct one instance (median, the first excluded; clients
            taking tens of ms stop after 5 s, at least 20 samples).
(e) memory  peak memory while 1,000 (quick: 50) streams of 20 chunks run
            concurrently (``astream`` + ``asyncio.gather``), in a fresh subprocess
            per client: the tracemalloc peak (``--rss``: also the RSS growth).

Floor rows: ``httpx2 + json`` reads the same bytes with the SDK's HTTP library and
``json.loads`` only; ``langchain-core`` is ``BaseChatModel.stream`` over a
``_stream`` that builds an ``AIMessageChunk`` + ``ChatGenerationChunk`` per delta
from pre-decoded text and calls ``run_manager.on_llm_new_token``, i.e. the per-chunk
work langchain-core imposes on every integration. ``floor`` = the two added.

Import-time objects are frozen out of the garbage collector (``gc.freeze()``) after
set-up, so no client pays for full collections over the other clients' modules.

The targets (ChatQwen's overhead no more than ChatOpenAI's on the same bytes, and
well under langchain-qwq's) are printed with the numbers; the exit status never depends
on them (CI runs ``--quick`` only to prove the benchmark runs). Other processes on a
small machine skew wall-clock rows most; the 1-min load average is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEY = "sk-emulator-0000000000000000"
MODEL = "qwen-plus"
PROMPT = "hi"
RAW_MESSAGES = [{"role": "user", "content": PROMPT}]

QWEN = "ChatQwen"
OPENAI = "ChatOpenAI"
QWQ = "langchain-qwq"
SDK = "openai SDK"
FLOOR_IO = "httpx2+json"
FLOOR_CORE = "lc-core"
FLOOR = "floor"
CLIENTS = (QWEN, OPENAI, QWQ, SDK)


@dataclass(frozen=True)
class Sizes:
    chunks: int  # deltas per stream in (a)
    stream_runs: int
    invokes: int
    concurrent: int
    concurrent_rounds: int
    constructs: int
    mem_streams: int
    mem_chunks: int


_MEM_TIMEOUT = 600.0
_CONSTRUCT_BUDGET = 5.0
FULL = Sizes(2000, 5, 200, 500, 5, 200, 1000, 20)
# Quick mode: tiny counts; streams and memory streams are both 20 deltas.
QUICK = Sizes(20, 3, 20, 50, 1, 10, 50, 20)


# --------------------------------------------------------------------------- server
class Emulator:
    """``python -m langchain_qwen.testing serve`` in a child process."""

    def __init__(self, text_chunks: int) -> None:
        self.text_chunks = text_chunks
        self._log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "langchain_qwen.testing",
                "serve",
                "--port",
                "0",
                "--api-key",
                KEY,
                "--text-chunks",
                str(text_chunks),
            ],
            stdout=subprocess.PIPE,
            stderr=self._log,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        self._url: str | None = None

    @property
    def base_url(self) -> str:
        if self._url is None:
            timer = threading.Timer(120, self.proc.kill)
            timer.start()
            try:
                line = self.proc.stdout.readline().strip() if self.proc.stdout else ""
            finally:
                timer.cancel()
            if not line.startswith("http"):
                self._log.seek(0)
                msg = f"the emulator did not start: {line!r}\n{self._log.read()}"
                raise RuntimeError(msg)
            self._url = line
        return self._url

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log.close()

    def cpu_seconds(self) -> float | None:
        """CPU the server process used so far (Linux /proc), for the report."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1]
            utime, stime = fields.split()[11:13]
            return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None


# --------------------------------------------------------------------------- clients
def chat_completions_url(base_url: str) -> str:
    return base_url.rstrip("/") + "/chat/completions"


def make_client(
    name: str,
    base_url: str,
    timeout: float | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """One instance of a client (for the raw SDK: ``(OpenAI, AsyncOpenAI)``).

    ``timeout`` None keeps every client's default (the timed phases); the memory
    workers pass a long one, as 1,000 streams opened at once on one event loop can
    take longer than the SDK's 5 s connect timeout to be scheduled.
    """
    extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    if headers:
        extra["default_headers"] = headers
        _HEADERS.update(headers)  # the floor's raw requests
    if name == QWEN:
        from langchain_qwen import ChatQwen

        return ChatQwen(model=MODEL, base_url=base_url, api_key=KEY, **extra)
    if name == OPENAI:
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=MODEL, base_url=base_url, api_key=KEY, stream_usage=True, **extra
        )
    if name == QWQ:
        from langchain_qwq import ChatQwen as QwqChatQwen

        return QwqChatQwen(model=MODEL, api_base=base_url, api_key=KEY, **extra)
    if name == SDK:
        import openai

        return (
            openai.OpenAI(base_url=base_url, api_key=KEY, **extra),
            openai.AsyncOpenAI(base_url=base_url, api_key=KEY, **extra),
        )
    if name == FLOOR_IO:
        from openai._constants import DEFAULT_CONNECTION_LIMITS, DEFAULT_TIMEOUT

        from langchain_qwen._compat import httpx

        extra.pop("default_headers", None)
        http_timeout = DEFAULT_TIMEOUT if timeout is None else httpx.Timeout(timeout)
        return (
            httpx.Client(limits=DEFAULT_CONNECTION_LIMITS, timeout=http_timeout),
            httpx.AsyncClient(limits=DEFAULT_CONNECTION_LIMITS, timeout=http_timeout),
            chat_completions_url(base_url),
        )
    msg = f"unknown client {name!r}"
    raise ValueError(msg)


def construct_once(name: str, base_url: str) -> Any:
    """What (d) times: constructing one instance the way users do."""
    if name == SDK:
        import openai

        return openai.OpenAI(base_url=base_url, api_key=KEY)
    return make_client(name, base_url)


_HEADERS = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
_STREAM_BODY = json.dumps(
    {
        "model": MODEL,
        "messages": RAW_MESSAGES,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
).encode()
_BODY = json.dumps({"model": MODEL, "messages": RAW_MESSAGES}).encode()


def _sse_events(buffer: bytes, raw: bytes) -> tuple[list[bytes], bytes]:
    events = (buffer + raw).split(b"\n\n")
    return events, events.pop()


def _floor_decode(events: list[bytes]) -> int:
    n = 0
    for event in events:
        if event.startswith(b"data: ") and event != b"data: [DONE]":
            json.loads(event[6:])
            n += 1
    return n


def stream_sync(name: str, client: Any) -> int:
    """Read one whole stream; returns the number of items the client yielded."""
    n = 0
    if name == SDK:
        stream = client[0].chat.completions.create(
            model=MODEL,
            messages=RAW_MESSAGES,
            stream=True,
            stream_options={"include_usage": True},
        )
        for _ in stream:
            n += 1
        return n
    if name == FLOOR_IO:
        http, _, url = client
        buffer = b""
        with http.stream("POST", url, content=_STREAM_BODY, headers=_HEADERS) as r:
            r.raise_for_status()
            for raw in r.iter_bytes():
                events, buffer = _sse_events(buffer, raw)
                n += _floor_decode(events)
        return n
    for _ in client.stream(PROMPT):
        n += 1
    return n


async def astream(name: str, client: Any) -> int:
    n = 0
    if name == SDK:
        stream = await client[1].chat.completions.create(
            model=MODEL,
            messages=RAW_MESSAGES,
            stream=True,
            stream_options={"include_usage": True},
        )
        async for _ in stream:
            n += 1
        return n
    if name == FLOOR_IO:
        _, http, url = client
        buffer = b""
        async with http.stream(
            "POST", url, content=_STREAM_BODY, headers=_HEADERS
        ) as r:
            r.raise_for_status()
            async for raw in r.aiter_bytes():
                events, buffer = _sse_events(buffer, raw)
                n += _floor_decode(events)
        return n
    async for _ in client.astream(PROMPT):
        n += 1
    return n


def invoke(name: str, client: Any) -> Any:
    if name == SDK:
        return client[0].chat.completions.create(model=MODEL, messages=RAW_MESSAGES)
    if name == FLOOR_IO:
        http, _, url = client
        response = http.post(url, content=_BODY, headers=_HEADERS)
        response.raise_for_status()
        return json.loads(response.content)
    return client.invoke(PROMPT)


async def ainvoke(name: str, client: Any) -> Any:
    if name == SDK:
        return await client[1].chat.completions.create(
            model=MODEL, messages=RAW_MESSAGES
        )
    if name == FLOOR_IO:
        _, http, url = client
        response = await http.post(url, content=_BODY, headers=_HEADERS)
        response.raise_for_status()
        return json.loads(response.content)
    return await client.ainvoke(PROMPT)


# ------------------------------------------------------------- langchain-core floor
def make_core_floor(chunks: int) -> tuple[Any, Callable[[], int], Callable[[], int]]:
    """``BaseChatModel.stream`` over a ``_stream`` with nothing of its own.

    Returns the model and two runners: one whose ``_stream`` builds
    ``AIMessageChunk`` + ``ChatGenerationChunk`` from pre-decoded text and calls
    ``on_llm_new_token`` (what every integration must do), and one that only
    yields chunks built beforehand (``stream()``'s own machinery).
    """
    from langchain_core.callbacks import CallbackManagerForLLMRun
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessageChunk, BaseMessage
    from langchain_core.outputs import ChatGenerationChunk, ChatResult

    texts = [f"t{i % 10} " for i in range(chunks)]
    prebuilt: list[ChatGenerationChunk] = []

    class FloorChatModel(BaseChatModel):
        mode: str = "build"

        @property
        def _llm_type(self) -> str:
            return "floor"

        def _generate(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> ChatResult:
            raise NotImplementedError

        def _stream(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: CallbackManagerForLLMRun | None = None,
            **kwargs: Any,
        ) -> Iterator[ChatGenerationChunk]:
            if self.mode == "prebuilt":
                yield from prebuilt
                return
            for text in texts:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                if run_manager:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk

    model = FloorChatModel()
    prebuilt_model = FloorChatModel(mode="prebuilt")

    def run_build() -> int:
        return sum(1 for _ in model.stream(PROMPT))

    def run_prebuilt() -> int:
        # Rebuilt before each run (not timed by the caller: see bench_stream).
        return sum(1 for _ in prebuilt_model.stream(PROMPT))

    def rebuild() -> None:
        prebuilt[:] = [
            ChatGenerationChunk(message=AIMessageChunk(content=t)) for t in texts
        ]

    run_prebuilt.rebuild = rebuild  # type: ignore[attr-defined]
    return model, run_build, run_prebuilt


# --------------------------------------------------------------------------- phases
@dataclass
class Results:
    sizes: Sizes
    data: dict[str, dict[str, Any]] = field(default_factory=dict)

    def put(self, metric: str, client: str, value: Any) -> None:
        self.data.setdefault(metric, {})[client] = value

    def get(self, metric: str, client: str) -> Any:
        return self.data.get(metric, {}).get(client)


def _progress(text: str) -> None:
    print(f"  .. {text}", file=sys.stderr, flush=True)


def bench_stream(res: Results, clients: dict[str, Any], sizes: Sizes) -> None:
    """(a) client CPU per chunk, runs interleaved across clients."""
    _, run_build, run_prebuilt = make_core_floor(sizes.chunks)
    runners: dict[str, Callable[[], int]] = {
        name: (lambda name=name: stream_sync(name, clients[name]))
        for name in (*CLIENTS, FLOOR_IO)
    }
    runners[FLOOR_CORE] = run_build
    runners["lc-core stream() only"] = run_prebuilt
    times: dict[str, list[float]] = {name: [] for name in runners}
    counts: dict[str, int] = {}
    for name, run in runners.items():  # warm-up: imports, pools, caches
        if name == "lc-core stream() only":
            run_prebuilt.rebuild()  # type: ignore[attr-defined]
        counts[name] = run()
    for i in range(sizes.stream_runs):
        _progress(f"stream run {i + 1}/{sizes.stream_runs}")
        for name, run in runners.items():
            if name == "lc-core stream() only":
                run_prebuilt.rebuild()  # type: ignore[attr-defined]
            gc.collect()
            t0 = time.process_time()
            run()
            times[name].append(time.process_time() - t0)
    for name, samples in times.items():
        per_chunk = statistics.fmean(samples) / sizes.chunks * 1e6
        res.put("stream_us_per_chunk", name, per_chunk)
        res.put("stream_us_per_chunk_min", name, min(samples) / sizes.chunks * 1e6)
        res.put("stream_items", name, counts[name])
    floor = res.get("stream_us_per_chunk", FLOOR_IO) + res.get(
        "stream_us_per_chunk", FLOOR_CORE
    )
    res.put("stream_us_per_chunk", FLOOR, floor)


def bench_invoke(res: Results, clients: dict[str, Any], sizes: Sizes) -> None:
    """(b) sequential invoke: wall ms per call (median) and CPU ms per call."""
    names = (*CLIENTS, FLOOR_IO)
    for name in names:
        for _ in range(5):
            invoke(name, clients[name])
    blocks = 10 if sizes.invokes >= 10 else 1
    per_block = max(1, sizes.invokes // blocks)
    walls: dict[str, list[float]] = {name: [] for name in names}
    cpus: dict[str, float] = dict.fromkeys(names, 0.0)
    for b in range(blocks):
        _progress(f"invoke block {b + 1}/{blocks}")
        for name in names:
            client = clients[name]
            gc.collect()
            c0 = time.process_time()
            for _ in range(per_block):
                t0 = time.perf_counter()
                invoke(name, client)
                walls[name].append(time.perf_counter() - t0)
            cpus[name] += time.process_time() - c0
    for name in names:
        res.put("invoke_ms", name, statistics.median(walls[name]) * 1e3)
        res.put("invoke_cpu_ms", name, cpus[name] / len(walls[name]) * 1e3)


async def _bench_concurrent(
    res: Results, clients: dict[str, Any], sizes: Sizes
) -> None:
    names = (*CLIENTS, FLOOR_IO)
    n = sizes.concurrent

    async def round_of(name: str) -> tuple[float, float]:
        client = clients[name]
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(ainvoke(name, client) for _ in range(n)))
        return time.perf_counter() - t0, time.process_time() - c0

    for name in names:  # warm-up: imports, and the connection pool
        await round_of(name)
    walls: dict[str, list[float]] = {name: [] for name in names}
    cpus: dict[str, list[float]] = {name: [] for name in names}
    for r in range(sizes.concurrent_rounds):
        _progress(f"{n} concurrent ainvoke, round {r + 1}/{sizes.concurrent_rounds}")
        for name in names:
            wall, cpu = await round_of(name)
            walls[name].append(wall)
            cpus[name].append(cpu)
    for name in names:
        res.put("concurrent_s", name, statistics.median(walls[name]))
        res.put("concurrent_cpu_s", name, statistics.median(cpus[name]))


def bench_concurrent(res: Results, clients: dict[str, Any], sizes: Sizes) -> None:
    """(c) N concurrent ainvoke; one event loop for every client."""
    asyncio.run(_bench_concurrent(res, clients, sizes))


def bench_construct(res: Results, base_url: str, sizes: Sizes) -> None:
    """(d) construction time, median over N (the first, cold one excluded).

    Clients that take tens of ms per instance stop after ``_CONSTRUCT_BUDGET``
    seconds (at least 20 samples); the count is in the JSON.
    """
    for name in CLIENTS:
        samples = []
        started = time.perf_counter()
        for i in range(sizes.constructs + 1):
            t0 = time.perf_counter()
            obj = construct_once(name, base_url)
            samples.append(time.perf_counter() - t0)
            del obj
            if i >= 20 and time.perf_counter() - started > _CONSTRUCT_BUDGET:
                break
        res.put("construct_ms", name, statistics.median(samples[1:]) * 1e3)
        res.put("construct_first_ms", name, samples[0] * 1e3)
        res.put("construct_samples", name, len(samples) - 1)
    gc.collect()


def bench_memory(
    res: Results, base_url: str, sizes: Sizes, *, shared: bool, rss: bool
) -> None:
    """(e) memory of N concurrent streams, measured in child processes.

    Full mode: one fresh process per client; they import and warm up in parallel,
    then measure one at a time. Quick mode (``shared``): one process measures every
    client in turn (tracemalloc peaks stay per client).

    The tracemalloc peak counts Python allocations only, and is repeatable. ``rss``
    adds a first run without tracemalloc for the RSS growth: the high-water RSS
    (``ru_maxrss``) during the run minus the RSS before it. It includes malloc
    fragmentation (asyncio reads into 256 KiB buffers), which varies from run to
    run by a factor of up to 2-3, so it is opt-in.
    """
    names = [*CLIENTS, FLOOR_IO]
    groups = [names] if shared else [[name] for name in names]
    workers = [
        (
            group,
            subprocess.Popen(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--mem-worker",
                    ",".join(group),
                    "--url",
                    base_url,
                    "--streams",
                    str(sizes.mem_streams),
                    "--mem-chunks",
                    str(sizes.mem_chunks),
                    *(["--rss"] if rss else []),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            ),
        )
        for group in groups
    ]
    try:
        for group, proc in workers:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != "ready":
                msg = f"memory worker {group} failed to start: {line!r}"
                raise RuntimeError(msg)
        for group, proc in workers:
            assert proc.stdin is not None
            assert proc.stdout is not None
            for name in group:
                _progress(f"memory: {sizes.mem_streams} concurrent streams, {name}")
                proc.stdin.write("go\n")
                proc.stdin.flush()
                out = json.loads(proc.stdout.readline())
                res.put("mem_tracemalloc_mb", name, out["tracemalloc_peak"] / 2**20)
                if out["rss_delta"] is not None:
                    res.put("mem_rss_mb", name, out["rss_delta"] / 2**20)
                res.put("mem_items_per_stream", name, out["items_per_stream"])
            proc.stdin.close()
            proc.wait(timeout=60)
    finally:
        for _, proc in workers:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _rss_now() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        import psutil

        return psutil.Process().memory_info().rss


def _rss_peak() -> int:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def mem_worker(
    names: list[str], base_url: str, streams: int, rss: bool, chunks: int
) -> int:
    """Child process of (e).

    Builds and warms up its clients, prints ``ready``; then for each client waits
    for a ``go`` line and prints one JSON line of results.
    """
    import tracemalloc

    headers = {"x-emulator-text-chunks": str(chunks)}
    clients = {
        name: make_client(name, base_url, _MEM_TIMEOUT, headers) for name in names
    }

    async def many(name: str, n: int) -> list[int]:
        client = clients[name]
        return await asyncio.gather(*(astream(name, client) for _ in range(n)))

    async def main() -> None:
        for name in names:  # warm-up: lazy imports, caches
            await many(name, min(20, streams))
        gc.collect()
        print("ready", flush=True)
        loop = asyncio.get_running_loop()
        for name in names:
            await loop.run_in_executor(None, sys.stdin.readline)
            rss_delta = None
            if rss:  # first: tracemalloc's own bookkeeping would inflate RSS
                gc.collect()
                rss0 = _rss_now()
                await many(name, streams)
                rss_delta = max(0, _rss_peak() - rss0)
            gc.collect()
            tracemalloc.start()
            counts = await many(name, streams)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            result = {
                "tracemalloc_peak": peak,
                "rss_delta": rss_delta,
                "items_per_stream": statistics.mean(counts),
            }
            print(json.dumps(result), flush=True)

    asyncio.run(main())
    return 0


# --------------------------------------------------------------------------- report
ROWS: list[tuple[str, str, str, str]] = [
    # metric key, label, format, ratio baseline
    ("stream_us_per_chunk", "(a) stream CPU µs/chunk", "{:.1f}", OPENAI),
    ("invoke_ms", "(b) invoke ms (median wall)", "{:.2f}", OPENAI),
    ("invoke_cpu_ms", "    invoke client CPU ms", "{:.2f}", OPENAI),
    ("concurrent_s", "(c) {n} ainvoke wall s", "{:.3f}", OPENAI),
    ("concurrent_cpu_s", "    {n} ainvoke CPU s", "{:.3f}", OPENAI),
    ("construct_ms", "(d) construct ms (median)", "{:.3f}", OPENAI),
    ("mem_tracemalloc_mb", "(e) {m} streams MB tracemalloc", "{:.1f}", OPENAI),
    ("mem_rss_mb", "    {m} streams MB RSS growth", "{:.1f}", OPENAI),
]
COLUMNS = (*CLIENTS, FLOOR_IO, FLOOR_CORE, FLOOR)


def render_table(res: Results) -> str:
    sizes = res.sizes
    width = 17
    label_w = 34
    lines = [
        "".ljust(label_w) + "".join(c.rjust(width) for c in COLUMNS),
    ]
    for key, label, fmt, base_name in ROWS:
        values = res.data.get(key)
        if not values:
            continue
        base = values.get(base_name)
        cells = []
        for col in COLUMNS:
            value = values.get(col)
            if value is None:
                cells.append("-".rjust(width))
                continue
            text = fmt.format(value)
            if base and col != base_name:
                text += f" ({value / base:.2f}x)"
            cells.append(text.rjust(width))
        name = label.format(n=sizes.concurrent, m=sizes.mem_streams)
        lines.append(name.ljust(label_w) + "".join(cells))
    return "\n".join(lines)


def render_targets(res: Results) -> str:
    def v(metric: str, client: str) -> float | None:
        return res.get(metric, client)

    out = []

    def check(desc: str, ok: bool | None, detail: str) -> None:
        mark = "n/a " if ok is None else ("met " if ok else "MISS")
        out.append(f"  [{mark}] {desc}: {detail}")

    q, o = v("stream_us_per_chunk", QWEN), v("stream_us_per_chunk", OPENAI)
    f = v("stream_us_per_chunk", FLOOR)
    if q and o and f:
        check(
            "stream per chunk <= 1/3 ChatOpenAI",
            q <= o / 3,
            f"{q:.1f} vs {o / 3:.1f} µs ({q / o:.2f}x)",
        )
        check(
            "stream per chunk <= 2x floor",
            q <= 2 * f,
            f"{q:.1f} vs {2 * f:.1f} µs ({q / f:.2f}x floor)",
        )
    q, o, s = v("invoke_ms", QWEN), v("invoke_ms", OPENAI), v("invoke_ms", SDK)
    if q and o and s:
        check(
            "invoke <= 0.6x ChatOpenAI",
            q <= 0.6 * o,
            f"{q:.2f} vs {0.6 * o:.2f} ms ({q / o:.2f}x)",
        )
        check("invoke <= raw SDK", q <= s, f"{q:.2f} vs {s:.2f} ms ({q / s:.2f}x)")
    q, s = v("concurrent_s", QWEN), v("concurrent_s", SDK)
    if q and s:
        check(
            f"{res.sizes.concurrent} ainvoke <= raw SDK",
            q <= s,
            f"{q:.3f} vs {s:.3f} s ({q / s:.2f}x)",
        )
    q = v("construct_ms", QWEN)
    if q:
        check("construct < 5 ms", q < 5, f"{q:.3f} ms")
    return "\n".join(out)


def environment() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for dist in (
        "langchain-qwen",
        "langchain-core",
        "langchain-openai",
        "langchain-qwq",
        "openai",
        "httpx2",
        "pydantic",
    ):
        with contextlib.suppress(PackageNotFoundError):
            versions[dist] = version(dist)
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "versions": versions,
    }


# --------------------------------------------------------------------------- main
PHASES = ("stream", "invoke", "concurrent", "construct", "memory")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny counts (CI)")
    parser.add_argument("--json", type=Path, default=None, help="write results")
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help=f"comma-separated subset of {','.join(PHASES)}",
    )
    parser.add_argument(
        "--rss",
        action="store_true",
        help="(e): also the RSS growth (one more run per client; noisy)",
    )
    parser.add_argument("--mem-worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--url", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--streams", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--mem-chunks", type=int, default=20, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> Results:
    sizes = QUICK if args.quick else FULL
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        msg = f"unknown phases {sorted(unknown)}"
        raise SystemExit(msg)
    res = Results(sizes)
    timed = [p for p in phases if p != "memory"]
    # One emulator for every phase: its streams are `chunks` deltas long; the
    # memory workers ask for `mem_chunks` per request (x-emulator-text-chunks).
    first_chunks = sizes.chunks if timed else sizes.mem_chunks
    t_start = time.perf_counter()
    with contextlib.suppress(OSError, AttributeError):
        res.put("loadavg_1min", "start", os.getloadavg()[0])
    server = Emulator(first_chunks)
    try:
        t0 = time.perf_counter()
        import langchain_openai  # noqa: F401
        import langchain_qwq  # noqa: F401
        import openai  # noqa: F401

        import langchain_qwen  # noqa: F401

        res.put("import_s", "all clients", time.perf_counter() - t0)
        base_url = server.base_url
        print(f"emulator: {base_url} ({first_chunks} deltas per stream)", flush=True)
        clients = {name: make_client(name, base_url) for name in (*CLIENTS, FLOOR_IO)}
        # Import-time objects out of the collector's way: gc.collect() between runs
        # stays cheap, and no client pays for collecting the others' modules.
        gc.collect()
        gc.freeze()
        for phase, bench in (
            ("stream", lambda: bench_stream(res, clients, sizes)),
            ("invoke", lambda: bench_invoke(res, clients, sizes)),
            ("concurrent", lambda: bench_concurrent(res, clients, sizes)),
            ("construct", lambda: bench_construct(res, base_url, sizes)),
        ):
            if phase in phases:
                t0 = time.perf_counter()
                bench()
                res.put("phase_s", phase, time.perf_counter() - t0)
        if "memory" in phases:
            t0 = time.perf_counter()
            bench_memory(
                res,
                base_url,
                sizes,
                shared=args.quick,
                rss=args.rss,
            )
            res.put("phase_s", "memory", time.perf_counter() - t0)
    finally:
        server.stop()
    res.put("total_s", "run", time.perf_counter() - t_start)
    with contextlib.suppress(OSError, AttributeError):
        res.put("loadavg_1min", "end", os.getloadavg()[0])
    return res


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.mem_worker:
        return mem_worker(
            args.mem_worker.split(","),
            args.url,
            args.streams,
            args.rss,
            args.mem_chunks,
        )
    res = run(args)
    sizes = res.sizes
    mode = "quick" if args.quick else "full"
    print()
    print(
        f"langchain-qwen client overhead ({mode}): stream {sizes.chunks} deltas x "
        f"{sizes.stream_runs} runs; {sizes.invokes} invokes; {sizes.concurrent} "
        f"concurrent ainvoke x {sizes.concurrent_rounds}; {sizes.constructs} "
        f"constructions; {sizes.mem_streams} concurrent streams of "
        f"{sizes.mem_chunks} deltas. Ratios are against {OPENAI}."
    )
    print(render_table(res))
    extra = res.data.get("stream_us_per_chunk", {}).get("lc-core stream() only")
    if extra is not None:
        print(
            f"  lc-core = {FLOOR_CORE} per chunk (build chunk + on_llm_new_token + "
            f"stream()); stream() alone over pre-built chunks: {extra:.1f} µs"
        )
    load = res.data.get("loadavg_1min", {})
    if load:
        print(
            f"  machine: {os.cpu_count()} CPUs, 1-min load average "
            f"{load.get('start', float('nan')):.2f} at start, "
            f"{load.get('end', float('nan')):.2f} at end (anything above ~1 means "
            "other processes competed with client + server; wall rows suffer most)"
        )
    note = "; quick mode: counts too small to judge" if args.quick else ""
    print(f"targets (informational, never fails the run{note}):")
    print(render_targets(res))
    phases = ", ".join(f"{k} {v:.0f} s" for k, v in res.data.get("phase_s", {}).items())
    print(f"total {res.get('total_s', 'run'):.1f} s ({phases})")
    if args.json:
        payload = {
            "mode": mode,
            "sizes": sizes.__dict__,
            "environment": environment(),
            "results": res.data,
        }
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
