"""Hostile-server and resource measurements (issue 11): numbers, not pass/fail.

Usage::

    python bench/hostile.py                 # everything (about a minute)
    python bench/hostile.py --runs 1000     # asyncio.run rounds (default 1000)
    python bench/hostile.py --quick         # tiny counts: proves it still runs

(a) loops   ``asyncio.run(llm.ainvoke(...))`` N times against the emulator (own
            process): open file descriptors, RSS and tracemalloc'd memory every
            N/10 runs, the number of per-loop pools still alive, and the wall ms of
            one ``asyncio.run`` (new loop, first call on it) for ChatQwen and
            ChatOpenAI.
(b) line    client CPU (``time.process_time``) to refuse a stream whose server
            sends one unterminated 100 MB line, at the default ``max_event_bytes``
            (32 MiB), and to read it whole with ``max_event_bytes`` raised to 128 MiB
            (the decoder is linear: CPU grows with the bytes, not their square).
(c) big     client CPU to stream one 20 MB tool-argument event.
The servers of (b) and (c) run in their own processes, so their CPU never counts.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import textwrap
import time
import tracemalloc
import warnings
from pathlib import Path
from typing import Any

KEY = "sk-emulator-0000000000000000"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close()
        except OSError:
            time.sleep(0.05)
        else:
            return
    msg = f"server on {port} did not start"
    raise RuntimeError(msg)


def _emulator() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "langchain_qwen.testing", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait(port)
    return proc, f"http://127.0.0.1:{port}/compatible-mode/v1"


_RAW_SERVER = textwrap.dedent(
    """
    import socket, sys
    port, mode, size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port)); srv.listen(8)
    head = (b"HTTP/1.1 200 OK\\r\\ncontent-type: text/event-stream\\r\\n"
            b"connection: close\\r\\n\\r\\n")
    while True:
        conn, _ = srv.accept()
        data = b""
        while b"\\r\\n\\r\\n" not in data:
            piece = conn.recv(65536)
            if not piece:  # the start-up probe connects and leaves
                break
            data += piece
        if not data:
            conn.close()
            continue
        # Read the body too: closing with unread bytes sends a reset, which would
        # cut the client off in the middle of the answer.
        head_end = data.index(b"\\r\\n\\r\\n") + 4
        length = 0
        for line in data[:head_end].split(b"\\r\\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        while len(data) - head_end < length:
            piece = conn.recv(65536)
            if not piece:
                break
            data += piece
        try:
            conn.sendall(head)
            if mode == "line":
                conn.sendall(b"data: ")
                piece = b"x" * 65536
                for _ in range(size // len(piece)):
                    conn.sendall(piece)
            else:
                args = '{"blob": "' + "y" * size + '"}'
                import json
                call = {"index": 0, "id": "c1", "type": "function",
                        "function": {"name": "f", "arguments": args}}
                ev = {"id": "x", "choices": [{"index": 0,
                      "delta": {"tool_calls": [call]}}]}
                fin = {"id": "x", "choices": [{"index": 0, "delta": {},
                       "finish_reason": "tool_calls"}]}
                conn.sendall(b"data: " + json.dumps(ev).encode() + b"\\n\\n")
                conn.sendall(b"data: " + json.dumps(fin).encode() + b"\\n\\n")
                conn.sendall(b"data: [DONE]\\n\\n")
        except OSError:
            pass
        conn.close()
    """
)


def _raw_server(mode: str, size: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", _RAW_SERVER, str(port), mode, str(size)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait(port)
    return proc, f"http://127.0.0.1:{port}/compatible-mode/v1"


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _rss_mb() -> float:
    with Path("/proc/self/statm").open() as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def bench_loops(url: str, runs: int) -> dict[str, Any]:
    from langchain_openai import ChatOpenAI

    from langchain_qwen import ChatQwen
    from langchain_qwen._client.http import pools

    llm = ChatQwen(model="qwen-plus", base_url=url, api_key=KEY, max_retries=0)
    asyncio.run(llm.ainvoke("hi"))  # imports, SSL context
    gc.collect()
    tracemalloc.start()
    rows = []
    step = max(runs // 10, 1)
    wall = []
    for i in range(runs + 1):
        if i % step == 0:
            gc.collect()
            rows.append(
                {
                    "run": i,
                    "fds": _fds(),
                    "rss_mb": round(_rss_mb(), 1),
                    "traced_mb": round(tracemalloc.get_traced_memory()[0] / 2**20, 2),
                    "live_pools": pools.open_loop_clients(),
                }
            )
        if i < runs:
            start = time.perf_counter()
            asyncio.run(llm.ainvoke("hi"))
            wall.append((time.perf_counter() - start) * 1000)
    tracemalloc.stop()
    openai = ChatOpenAI(model="qwen-plus", base_url=url, api_key=KEY, max_retries=0)
    openai_wall = []
    openai_outcome = "ok"
    for _ in range(min(runs, 50)):
        start = time.perf_counter()
        try:
            asyncio.run(openai.ainvoke("hi"))
        except Exception as exc:
            openai_outcome = f"run {len(openai_wall) + 1} failed: {exc!r}"[:120]
            break
        openai_wall.append((time.perf_counter() - start) * 1000)
    return {
        "rows": rows,
        "qwen_ms_per_new_loop_call": round(statistics.median(wall), 2),
        "openai_ms_per_new_loop_call": (
            round(statistics.median(openai_wall), 2) if openai_wall else None
        ),
        "openai_outcome": openai_outcome,
    }


def _timed_stream(url: str, **kwargs: Any) -> tuple[float, str]:
    from langchain_qwen import ChatQwen

    llm = ChatQwen(
        model="qwen-plus", base_url=url, api_key=KEY, max_retries=0, **kwargs
    )
    start = time.process_time()
    try:
        for _ in llm.stream("hi"):
            pass
        outcome = "completed"
    except Exception as exc:
        outcome = f"{type(exc).__name__}: {str(exc)[:90]}"
    return time.process_time() - start, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs = 20 if args.quick else args.runs
    line = 8 * 2**20 if args.quick else 100 * 2**20
    big = 2 * 2**20 if args.quick else 20 * 2**20
    warnings.simplefilter("ignore")
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores shared)")
    proc, url = _emulator()
    try:
        loops = bench_loops(url, runs)
    finally:
        proc.terminate()
    print(f"(a) {runs} x asyncio.run(llm.ainvoke('hi')):")
    for row in loops["rows"]:
        print("    " + json.dumps(row))
    print(
        f"    wall ms per asyncio.run + ainvoke (new loop each): ChatQwen "
        f"{loops['qwen_ms_per_new_loop_call']}, ChatOpenAI "
        f"{loops['openai_ms_per_new_loop_call']} ({loops['openai_outcome']})"
    )
    proc, url = _raw_server("line", line)
    try:
        cpu, outcome = _timed_stream(url)
        print(f"(b) {line >> 20} MB unterminated line, default max_event_bytes:")
        print(f"    client CPU {cpu:.3f} s -> {outcome}")
        cpu, outcome = _timed_stream(url, max_event_bytes=128 * 2**20)
        print(f"    with max_event_bytes=128 MiB (read to the end): CPU {cpu:.3f} s")
        print(f"    -> {outcome}")
    finally:
        proc.terminate()
    proc, url = _raw_server("big", big)
    try:
        cpu, outcome = _timed_stream(url)
        print(
            f"(c) one {big >> 20} MB tool-argument event: CPU {cpu:.3f} s -> {outcome}"
        )
    finally:
        proc.terminate()
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
