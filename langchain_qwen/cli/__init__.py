"""``langchain-qwen``: chat with Qwen, diagnose a DashScope set-up, list model profiles.

Usage::

    langchain-qwen chat "Why is the sky blue?" [--model M] [--region R]
                   [--base-url URL] [--think] [--system TEXT]
    langchain-qwen doctor [--region R] [--model M] [--timeout S] [--json]
    langchain-qwen models [--region R] [--offline] [--json]

Also ``python -m langchain_qwen ...``. Exit codes: 0 success (``doctor``: no
problem found), 1 failure (``doctor``: problems found), 2 bad usage, 130 interrupted.

Colour (ANSI dim for reasoning) is used only when stdout is a terminal and
``NO_COLOR`` is unset, unless ``--color always|never`` says otherwise.

Testing hook: ``LANGCHAIN_QWEN_REGION_URLS`` (a JSON object region -> base URL) or
the repeatable ``--region-url REGION=URL`` replace the region table, e.g. to point
every region at a local ``DashScopeEmulator``; only the regions named are probed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import IO, Any

from langchain_qwen._version import __version__
from langchain_qwen.cli import batch, chat, doctor, models

__all__ = ["build_parser", "main", "version_text"]


def version_text() -> str:
    """``langchain-qwen X (langchain-core Y, langchain-openai Z, openai W)``.

    Read from the installed distributions' metadata: nothing is imported.
    """
    parts = []
    for dist in ("langchain-core", "langchain-openai", "openai"):
        try:
            parts.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{dist} not installed")
    return f"langchain-qwen {__version__} ({', '.join(parts)})"


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        sys.stdout.write(version_text() + "\n")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``langchain-qwen``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="ANSI colour (auto: only on a terminal with NO_COLOR unset)",
    )
    common.add_argument(
        "--region-url",
        action="append",
        default=[],
        metavar="REGION=URL",
        help="testing hook: use URL as REGION's base URL (repeatable; replaces the "
        "region table, like the LANGCHAIN_QWEN_REGION_URLS JSON variable)",
    )
    parser = argparse.ArgumentParser(
        prog="langchain-qwen",
        description="Qwen on DashScope (Alibaba Cloud Model Studio) from the command "
        "line: chat, diagnose your set-up, list model profiles.",
        epilog="Environment: DASHSCOPE_API_KEY, DASHSCOPE_REGION, DASHSCOPE_BASE_URL, "
        "DASHSCOPE_WORKSPACE_ID, NO_COLOR.",
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="show the versions of langchain-qwen and what it runs on, and exit",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    # Each command registers its parser; what it runs is imported when it runs.
    for command in (chat, doctor, models, batch):
        command.add_parser(sub, common)
    return parser


def _tolerant(stream: IO[str]) -> None:
    """Never crash on characters the terminal's encoding cannot show."""
    if isinstance(stream, io.TextIOWrapper):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run the CLI.

    Args:
        argv: Arguments (default ``sys.argv[1:]``).
        stdout: Output stream (default ``sys.stdout``).
        stderr: Error stream (default ``sys.stderr``).

    Returns:
        The exit code.
    """
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    _tolerant(out)
    _tolerant(err)
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args, out, err))
    except KeyboardInterrupt:
        out.write("\n")
        err.write("interrupted\n")
        return 130
    except BrokenPipeError:  # e.g. `langchain-qwen models | head`
        # Python flushes stdout at exit; point it at /dev/null so that flush
        # cannot raise again.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 1
