"""`python -m langchain_qwen.testing serve`: run the emulator in the foreground.

Prints the base URL on its first line once the port is bound (scripts read that
line), then the key it accepts and the `export` line that points ChatQwen and the
`langchain-qwen` CLI at it, and serves until interrupted (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from langchain_qwen.testing._flavors import FLAVORS
from langchain_qwen.testing._replies import Reply
from langchain_qwen.testing._server import DashScopeEmulator


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m langchain_qwen.testing",
        description="DashScope (OpenAI-compatible mode) emulator on loopback.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve in the foreground")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--api-key", default=None, help="the accepted key")
    serve.add_argument("--flavor", choices=FLAVORS, default="dashscope")
    serve.add_argument(
        "--region",
        action="append",
        default=[],
        metavar="NAME=KEY",
        help="serve a region under /NAME/... with its own key (repeatable)",
    )
    serve.add_argument(
        "--script",
        type=Path,
        default=None,
        help="JSON file: a list of reply specs, e.g. "
        '[{"type": "text", "content": "Hi"}]',
    )
    serve.add_argument(
        "--text-chunks",
        type=int,
        default=None,
        metavar="N",
        help="make the default streamed answer exactly N content deltas",
    )
    serve.add_argument("--chunk-size", type=int, default=4)
    serve.add_argument("--stream-delay", type=float, default=0.0)
    serve.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long before answering each request",
    )
    serve.add_argument(
        "--legacy-nonstream-thinking",
        action="store_true",
        help="refuse non-streaming thinking calls like older DashScope",
    )
    return parser


def _load_script(path: Path) -> list[Reply]:
    specs = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(specs, list):
        msg = f"{path}: the script must be a JSON list of reply specs"
        raise ValueError(msg)
    return [Reply.from_dict(spec) for spec in specs]


def _regions(pairs: Sequence[str]) -> dict[str, str] | None:
    if not pairs:
        return None
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, key = pair.partition("=")
        if not sep or not name or not key:
            msg = f"--region expects NAME=KEY, got {pair!r}"
            raise ValueError(msg)
        out[name] = key
    return out


def _banner(emu: DashScopeEmulator, regions: dict[str, str] | None) -> str:
    """The base URL alone on the first line, then how to use it."""
    lines = [emu.base_url]
    if regions:
        lines += [
            f"# region {name}: {emu.region_base_url(name)}  key {key}"
            for name, key in regions.items()
        ]
        key = next(iter(regions.values()))
    else:
        key = emu.api_key
        lines.append(f"# API key: {key}")
    lines += [
        "# Point ChatQwen and the CLI at it (then: langchain-qwen chat hi):",
        f"export DASHSCOPE_BASE_URL={emu.base_url} DASHSCOPE_API_KEY={key}",
        "# Serving until Ctrl-C.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point.

    Args:
        argv: Arguments (default: `sys.argv[1:]`).

    Returns:
        The process exit code.
    """
    args = _parser().parse_args(argv)
    try:
        regions = _regions(args.region)
        replies = _load_script(args.script) if args.script else []
        emu = DashScopeEmulator(
            api_key=args.api_key,
            host=args.host,
            port=args.port,
            regions=regions,
            flavor=args.flavor,
            legacy_nonstream_thinking=args.legacy_nonstream_thinking,
            chunk_size=args.chunk_size,
            stream_delay=args.stream_delay,
            default_chunks=args.text_chunks,
            latency=args.latency,
        )
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    emu.script(*replies)
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    emu.start()
    try:
        sys.stdout.write(_banner(emu, regions))
        sys.stdout.flush()
        while not stop.wait(timeout=0.5):
            pass
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
