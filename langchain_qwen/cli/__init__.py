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
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import IO, TYPE_CHECKING, Any, Literal

from langchain_qwen._client.regions import normalize_region
from langchain_qwen._version import __version__

# Everything heavier is imported inside the command that needs it: `--help` and
# `--version` must not pay seconds for openai, langchain-core and ChatQwen.
if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages.ai import UsageMetadata

    from langchain_qwen.chat_models import ChatQwen
    from langchain_qwen.cli._checks import (
        DoctorReport,
        ModelRow,
        ModelsReport,
        Probe,
    )

__all__ = [
    "ChatEvent",
    "build_chat_model",
    "build_parser",
    "main",
    "render_doctor",
    "render_models",
    "run_chat",
    "stream_chat",
    "use_color",
]

_DIM = "\x1b[2m"
_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_GREEN = "\x1b[32m"
_YELLOW = "\x1b[33m"
_RESET = "\x1b[0m"
_REGION_ABBR = {"singapore": "sg", "us": "us", "china": "cn", "hongkong": "hk"}


# --------------------------------------------------------------------------- style
def use_color(stream: IO[str], mode: str = "auto") -> bool:
    """Whether to write ANSI codes to ``stream``.

    Args:
        stream: The output stream.
        mode: ``always``, ``never`` or ``auto`` (a terminal, ``NO_COLOR`` unset and
            ``TERM`` not ``dumb``).
    """
    if mode == "always":
        return True
    if mode == "never":
        return False
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color and text else text


# --------------------------------------------------------------------------- chat
@dataclass(frozen=True)
class ChatEvent:
    """One piece of a streamed answer.

    Attributes:
        kind: ``reasoning`` (thinking text), ``text`` (answer text), ``usage``
            (token counts, once at the end) or ``model`` (the answering model).
        text: The text of ``reasoning``/``text`` events, the name for ``model``.
        usage: The token usage of a ``usage`` event.
    """

    kind: Literal["reasoning", "text", "usage", "model"]
    text: str = ""
    usage: UsageMetadata | None = None


def build_chat_model(
    *,
    model: str | None = None,
    region: str | None = None,
    base_url: str | None = None,
    think: bool = False,
    urls: dict[str, str] | None = None,
) -> ChatQwen:
    """The ChatQwen the ``chat`` command uses.

    Args:
        model: Model name (default: ChatQwen's, ``qwen-plus``).
        region: Region or alias (default: ``DASHSCOPE_REGION``, else Singapore).
        base_url: Any compatible endpoint; wins over ``region``.
        think: Turn thinking on (``enable_thinking=True``).
        urls: A region -> base URL override table (the testing hook).

    Returns:
        A ``ChatQwen``.

    Raises:
        ValueError: No key for a DashScope host, or bad settings.
    """
    from langchain_qwen.chat_models import ChatQwen
    from langchain_qwen.cli._checks import resolve_target

    kwargs: dict[str, Any] = {}
    if model:
        kwargs["model"] = model
    if think:
        kwargs["enable_thinking"] = True
    if base_url:
        kwargs["base_url"] = base_url
    elif urls:
        endpoint = resolve_target(region=region, urls=urls)
        kwargs["base_url"] = endpoint.base_url
    elif region:
        kwargs["region"] = region
    return ChatQwen(**kwargs)


def stream_chat(
    llm: BaseChatModel, question: str, *, system: str | None = None
) -> Iterator[ChatEvent]:
    """Stream one answer as events (no printing).

    Args:
        llm: A ``ChatQwen`` (any chat model streaming ``AIMessageChunk``s works).
        question: The user's message.
        system: An optional system message.

    Yields:
        ``reasoning`` and ``text`` events as they arrive, then ``model`` and
        ``usage`` events.
    """
    messages: list[tuple[str, str]] = []
    if system:
        messages.append(("system", system))
    messages.append(("human", question))
    model_name: str | None = None
    usage: UsageMetadata | None = None
    for chunk in llm.stream(messages):
        reasoning = chunk.additional_kwargs.get("reasoning_content")
        if isinstance(reasoning, str) and reasoning:
            yield ChatEvent("reasoning", reasoning)
        if text := chunk.text:
            yield ChatEvent("text", text)
        model_name = chunk.response_metadata.get("model_name") or model_name
        if chunk.usage_metadata:
            usage = chunk.usage_metadata
    if model_name:
        yield ChatEvent("model", model_name)
    if usage is not None:
        yield ChatEvent("usage", usage=usage)


def format_usage(usage: UsageMetadata, model: str | None = None) -> str:
    """One line of token usage, e.g. ``usage: input 10, output 13 (reasoning 6)...``."""
    inputs = f"input {usage.get('input_tokens', 0)}"
    cached = (usage.get("input_token_details") or {}).get("cache_read")
    if cached:
        inputs += f" (cached {cached})"
    outputs = f"output {usage.get('output_tokens', 0)}"
    reasoning = (usage.get("output_token_details") or {}).get("reasoning")
    if reasoning:
        outputs += f" (reasoning {reasoning})"
    line = f"usage: {inputs}, {outputs}, total {usage.get('total_tokens', 0)} tokens"
    return f"{line} [{model}]" if model else line


def run_chat(
    llm: BaseChatModel,
    question: str,
    out: IO[str],
    *,
    system: str | None = None,
    color: bool = False,
) -> None:
    """Stream an answer to ``out``: reasoning (dimmed), answer, then usage.

    Reasoning is framed by ``[thinking]`` and ``[/thinking]`` lines (dimmed, with
    the reasoning text, when ``color``).
    """
    dim_on, dim_off = (_DIM, _RESET) if color else ("", "")
    state = "start"  # start -> reasoning -> answer
    model: str | None = None
    line_start = True

    def write(text: str) -> None:
        nonlocal line_start
        if text:
            out.write(text)
            line_start = text.endswith("\n")

    def close_reasoning() -> None:
        write(("" if line_start else "\n") + "[/thinking]" + dim_off + "\n\n")

    try:
        for event in stream_chat(llm, question, system=system):
            if event.kind == "reasoning":
                if state == "start":
                    write(dim_on + "[thinking]\n")
                    state = "reasoning"
                write(event.text)
            elif event.kind == "text":
                if state == "reasoning":
                    close_reasoning()
                state = "answer"
                write(event.text)
            elif event.kind == "model":
                model = event.text
            elif event.kind == "usage" and event.usage is not None:
                if state == "reasoning":
                    close_reasoning()
                    state = "answer"
                elif not line_start:
                    write("\n\n")
                else:
                    write("\n")
                write(dim_on + format_usage(event.usage, model) + dim_off + "\n")
            out.flush()
    except BaseException:
        # Failed or interrupted mid-answer: never leave the terminal dimmed.
        if state == "reasoning":
            write(dim_off)
        if not line_start:
            write("\n")
        out.flush()
        raise
    if state == "reasoning":
        close_reasoning()
    if not line_start:
        write("\n")
    out.flush()


def _error_text(exc: BaseException) -> str:
    """The message of an exception; pydantic validation errors without the noise."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            items = errors()
        except Exception:  # fall back to str() below
            items = None
        if isinstance(items, list) and items:
            msgs = [
                str(item.get("msg", "")) for item in items if isinstance(item, dict)
            ]
            text = "; ".join(m.removeprefix("Value error, ") for m in msgs if m)
            if text:
                return text
    return str(exc)


def _read_question(args: argparse.Namespace, err: IO[str]) -> str | None:
    """The question from argv; `-` (or nothing, when piped) reads standard input."""
    question = " ".join(args.question).strip()
    if question and question != "-":
        return question
    stdin = sys.stdin
    if stdin is None or (question != "-" and stdin.isatty()):
        return None  # nothing given and nobody piping: a usage error
    if stdin.isatty():
        err.write("Type your question, then Ctrl-D (Ctrl-Z Enter on Windows):\n")
        err.flush()
    return stdin.read().strip() or None


def _cmd_chat(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    import openai

    from langchain_qwen.cli._checks import region_urls

    question = _read_question(args, err)
    if question is None:
        err.write(
            'error: give a question: langchain-qwen chat "..." (or - for stdin)\n'
        )
        return 2
    try:
        urls, overridden = region_urls(args.region_url)
        llm = build_chat_model(
            model=args.model,
            region=args.region,
            base_url=args.base_url,
            think=args.think,
            urls=urls if overridden else None,
        )
    except ValueError as exc:
        err.write(f"error: {_error_text(exc)}\n")
        err.write("hint: `langchain-qwen doctor` checks the key and region.\n")
        return 1
    try:
        run_chat(
            llm,
            question,
            out,
            system=args.system,
            color=use_color(out, args.color),
        )
    except (openai.APIError, ValueError) as exc:
        out.flush()
        err.write(f"error: {_error_text(exc)}\n")
        return 1
    return 0


# --------------------------------------------------------------------------- doctor
_TAGS = {"ok": "ok", "info": "info", "warn": "warn", "fail": "FAIL"}
_TAG_COLOR = {"ok": _GREEN, "info": _DIM, "warn": _YELLOW, "fail": _RED}
_TOPICS = (
    ("key", "API key"),
    ("endpoint", "Endpoint"),
    ("regions", "Regions"),
    ("model", "Model"),
    ("clock", "Clock"),
    ("proxy", "Proxy"),
)


def _width() -> int:
    return max(60, min(110, shutil.get_terminal_size((100, 24)).columns))


def _wrap(text: str, first: str, rest: str) -> str:
    return textwrap.fill(
        text,
        width=_width(),
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _probe_line(probe: Probe, configured_url: str | None) -> str:
    name = probe.region or "(configured)"
    if probe.outcome == "accepted":
        n = len(probe.models) if probe.models is not None else 0
        what, detail = "ACCEPTED", f"{n} models listed"
    elif probe.outcome == "rejected":
        what, detail = "rejected", f"{probe.status_code} {probe.code or ''}".strip()
    elif probe.outcome == "denied":
        what, detail = "denied", f"{probe.status_code} {probe.code or ''}".strip()
    elif probe.outcome == "reachable":
        what, detail = "reachable", f"HTTP {probe.status_code} (no key sent)"
    elif probe.outcome == "error":
        what, detail = "error", f"HTTP {probe.status_code} {probe.code or ''}".strip()
    else:
        what, detail = "unreachable", probe.detail
    timing = f"{probe.elapsed * 1000:.0f} ms"
    mark = "  <- ChatQwen's endpoint" if probe.url == configured_url else ""
    return f"    {name:<11} {what:<11} {detail:<28} {timing:>8}{mark}"


def render_doctor(report: DoctorReport, *, color: bool = False) -> str:
    """The doctor report as text: findings by topic, probes, then the verdict."""
    style = _Style(color)
    lines = [style(f"langchain-qwen doctor (v{__version__})", _BOLD), ""]
    from langchain_qwen._client.redact import redact_url

    configured_url = (  # as the probes hold it: credentials hidden
        redact_url(report.endpoint.base_url.rstrip("/"))
        if report.endpoint is not None
        else None
    )
    for topic, title in _TOPICS:
        items = [f for f in report.findings if f.topic == topic]
        if topic == "regions":
            title = (
                f"Regions (GET <base>/models, {report.timeout:g} s timeout, "
                "in parallel)"
            )
        if not items and not (topic == "regions" and report.probes):
            continue
        lines.append(style(title, _BOLD))
        if topic == "regions":
            lines.extend(_probe_line(p, configured_url) for p in report.probes)
        for finding in items:
            tag = f"[{_TAGS[finding.status]}]"
            padded = f"  {tag:<7}"
            text = _wrap(finding.message, padded, " " * len(padded))
            lines.append(
                style(padded, _TAG_COLOR[finding.status]) + text[len(padded) :]
            )
        lines.append("")
    lines.extend(_verdict_lines(report, style))
    return "\n".join(lines) + "\n"


def _verdict_lines(report: DoctorReport, style: _Style) -> list[str]:
    problems, warnings = report.problems, report.warnings
    if problems:
        n = len(problems)
        head = style(f"Verdict: PROBLEMS ({n} found)", _BOLD + _RED)
    elif warnings:
        n = len(warnings)
        head = style(f"Verdict: OK, with {n} warning{'s' * (n != 1)}", _BOLD + _GREEN)
    else:
        head = style("Verdict: OK", _BOLD + _GREEN)
    lines = [head]
    if report.ok and report.suggested_region:
        lines.append(
            f"  ChatQwen can use region {report.suggested_region!r} with model "
            f"{report.model!r}."
        )
    seen_fixes: set[str] = set()
    for i, finding in enumerate([*problems, *warnings], start=1):
        prefix = f"  {i}. " if finding.status == "fail" else f"  {i}. (warning) "
        lines.append(_wrap(finding.message, prefix, " " * 5))
        if finding.fix and finding.fix not in seen_fixes:
            seen_fixes.add(finding.fix)
            lines.append("     fix: " + style(finding.fix, _BOLD))
    return lines


def _cmd_doctor(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from langchain_qwen.cli._checks import DEFAULT_TIMEOUT, region_urls, run_doctor

    try:
        urls, _ = region_urls(args.region_url)
    except ValueError as exc:
        err.write(f"error: {exc}\n")
        return 2
    report = run_doctor(
        region=args.region,
        model=args.model,
        urls=urls,
        timeout=args.timeout or DEFAULT_TIMEOUT,
    )
    if args.json:
        out.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(render_doctor(report, color=use_color(out, args.color)))
    return report.exit_code


# --------------------------------------------------------------------------- models
def _num(value: int | None) -> str:
    return f"{value:,}" if value else "?"


def _yes(flag: bool | None) -> str:
    return "yes" if flag else "-"


def _regions_text(regions: Sequence[str]) -> str:
    return ",".join(_REGION_ABBR.get(r, r) for r in regions) or "-"


def render_models(report: ModelsReport, *, color: bool = False) -> str:
    """The model profiles as a table, then what the server lists."""
    style = _Style(color)
    if report.error and not report.rows:
        return f"error: {report.error}\n"
    where = f"offered in {report.region}" if report.region else "all regions"
    lines = [
        style(
            f"Model profiles known to langchain-qwen {__version__} ({where}): "
            f"{len(report.rows)}",
            _BOLD,
        ),
        "",
    ]
    listed = report.probe is not None and report.probe.models is not None
    header = [
        "MODEL",
        "CONTEXT",
        "MAX OUT",
        "TOOLS",
        "STRUCT",
        "IMAGES",
        "REASON",
        "THINKING",
        "STREAM-ONLY",
        "REGIONS",
    ]
    if listed:
        header.append("LISTED")
    table = [header]
    for row in report.rows:
        cells = _row_cells(row)
        if listed:
            cells.append(_yes(row.listed))
        table.append(cells)
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    right = {1, 2}
    for n, cells in enumerate(table):
        text = "  ".join(
            c.rjust(widths[i]) if i in right else c.ljust(widths[i])
            for i, c in enumerate(cells)
        ).rstrip()
        lines.append(style(text, _BOLD) if n == 0 else text)
    lines += [
        "",
        "CONTEXT = max input tokens; STRUCT = native json_schema output; THINKING: "
        "hybrid (off by default), hybrid_default_on, always, never.",
        "REGIONS: sg = Singapore, us = US (Virginia), cn = China (Beijing), "
        "hk = Hong Kong.",
    ]
    lines += _server_lines(report)
    return "\n".join(lines) + "\n"


def _row_cells(row: ModelRow) -> list[str]:
    return [
        row.name,
        _num(row.context),
        _num(row.max_output),
        _yes(row.tools),
        _yes(row.structured_output),
        _yes(row.images),
        _yes(row.reasoning),
        row.thinking,
        _yes(row.stream_only),
        _regions_text(row.regions),
    ]


def _server_lines(report: ModelsReport) -> list[str]:
    probe = report.probe
    if probe is None:
        return [
            "",
            "Set DASHSCOPE_API_KEY to also see what the region's GET /models lists.",
        ]
    if probe.models is None:
        lines = ["", _wrap(f"Server model list unavailable: {report.error}", "", "  ")]
        if probe.outcome == "rejected":
            lines.append(
                "The key is not valid for this region: `langchain-qwen doctor` finds "
                "the region that accepts it."
            )
        return lines
    where = probe.region or "the configured endpoint"
    lines = [
        "",
        f"Server ({where}, GET {probe.url}/models): {len(probe.models)} models listed.",
    ]
    missing = [r.name for r in report.rows if r.listed is False]
    if report.unprofiled:
        lines.append(
            _wrap(
                f"Listed without a profile here ({len(report.unprofiled)}): "
                + ", ".join(report.unprofiled),
                "",
                "  ",
            )
        )
    else:
        lines.append("Every listed model has a profile here.")
    if missing:
        lines.append(
            _wrap(
                f"Profiles the server does not list ({len(missing)}): "
                + ", ".join(missing),
                "",
                "  ",
            )
        )
    return lines


def _cmd_models(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from langchain_qwen.cli._checks import DEFAULT_TIMEOUT, models_report, region_urls

    try:
        urls, _ = region_urls(args.region_url)
    except ValueError as exc:
        err.write(f"error: {exc}\n")
        return 2
    key = os.environ.get("DASHSCOPE_API_KEY")
    report = models_report(
        region=args.region,
        api_key=key,
        urls=urls,
        remote=not args.offline,
        timeout=args.timeout or DEFAULT_TIMEOUT,
    )
    if report.error and not report.rows:
        err.write(f"error: {report.error}\n")
        return 2
    if args.json:
        out.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(render_models(report, color=use_color(out, args.color)))
    return 0


# --------------------------------------------------------------------------- parser
def _timeout_arg(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 600:
        msg = f"expected seconds between 0 and 600, got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return seconds


def _region_arg(value: str) -> str:
    try:
        return normalize_region(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _models_region_arg(value: str) -> str:
    # `models` also lists the Coding Plan hosts' models.
    if value.strip().lower() in ("coding", "coding-intl", "coding-cn"):
        return value.strip().lower()
    return _region_arg(value)


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

    chat = sub.add_parser(
        "chat",
        parents=[common],
        help="stream an answer (reasoning dimmed, usage at the end)",
        description="Stream an answer from a Qwen model with ChatQwen.",
    )
    chat.add_argument("question", nargs="*", help="the question ('-' reads stdin)")
    chat.add_argument("--model", "-m", help="model name (default qwen-plus)")
    chat.add_argument(
        "--region", type=_region_arg, help="singapore, us, china, hongkong, ..."
    )
    chat.add_argument("--base-url", help="any OpenAI-compatible endpoint")
    chat.add_argument(
        "--think", action="store_true", help="turn thinking on (enable_thinking)"
    )
    chat.add_argument("--system", help="a system message")
    chat.set_defaults(func=_cmd_chat)

    doctor = sub.add_parser(
        "doctor",
        parents=[common],
        help="check key, region, model, clock and proxy settings",
        description="Check DASHSCOPE_API_KEY, find the region(s) that accept it, "
        "check the model is offered there, the clock and proxy settings. Exit "
        "code 0 when no problem is found, 1 otherwise.",
    )
    doctor.add_argument(
        "--region",
        type=_region_arg,
        help="the region you mean to use (default DASHSCOPE_REGION, else singapore)",
    )
    doctor.add_argument("--model", "-m", help="the model you mean to use")
    doctor.add_argument(
        "--timeout", type=_timeout_arg, help="seconds per probe (default 5)"
    )
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    doctor.set_defaults(func=_cmd_doctor)

    models = sub.add_parser(
        "models",
        parents=[common],
        help="model profiles (and the server's list when a key is set)",
        description="List the model profiles known to langchain-qwen: context "
        "window, max output, capabilities. With DASHSCOPE_API_KEY set, also what "
        "the region's GET /models lists.",
    )
    models.add_argument(
        "--region",
        type=_models_region_arg,
        help="only models offered in this region, or coding / coding-cn",
    )
    models.add_argument(
        "--offline", action="store_true", help="do not ask the server for its list"
    )
    models.add_argument(
        "--timeout", type=_timeout_arg, help="seconds for the server (default 5)"
    )
    models.add_argument("--json", action="store_true", help="machine-readable output")
    models.set_defaults(func=_cmd_models)

    from langchain_qwen.cli.batch import add_batch_command  # small; work is lazy

    add_batch_command(sub, common)
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
