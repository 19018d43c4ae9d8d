"""``langchain-qwen models``: the model profiles and what the servers list."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from langchain_qwen._version import __version__
from langchain_qwen.cli._args import models_region_arg, timeout_arg
from langchain_qwen.cli._style import BOLD, REGION_ABBR, Style, use_color, wrap

if TYPE_CHECKING:
    from langchain_qwen.cli._checks.report import ModelRow, ModelsReport


def _num(value: int | None) -> str:
    return f"{value:,}" if value else "?"


def _yes(flag: bool | None) -> str:
    return "yes" if flag else "-"


def _regions_text(regions: Sequence[str]) -> str:
    return ",".join(REGION_ABBR.get(r, r) for r in regions) or "-"


def render_models(report: ModelsReport, *, color: bool = False) -> str:
    """The model profiles as a table, then what the server lists."""
    style = Style(color)
    if report.error and not report.rows:
        return f"error: {report.error}\n"
    where = f"offered in {report.region}" if report.region else "all regions"
    lines = [
        style(
            f"Model profiles known to langchain-qwen {__version__} ({where}): "
            f"{len(report.rows)}",
            BOLD,
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
        lines.append(style(text, BOLD) if n == 0 else text)
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
        lines = ["", wrap(f"Server model list unavailable: {report.error}", "", "  ")]
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
            wrap(
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
            wrap(
                f"Profiles the server does not list ({len(missing)}): "
                + ", ".join(missing),
                "",
                "  ",
            )
        )
    return lines


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run ``models``; returns the exit code."""
    from langchain_qwen.cli._checks.catalogue import models_report
    from langchain_qwen.cli._checks.report import DEFAULT_TIMEOUT
    from langchain_qwen.cli._checks.targets import region_urls

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


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register ``models`` on the CLI's subparsers."""
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
        type=models_region_arg,
        help="only models offered in this region, or coding / coding-cn",
    )
    models.add_argument(
        "--offline", action="store_true", help="do not ask the server for its list"
    )
    models.add_argument(
        "--timeout", type=timeout_arg, help="seconds for the server (default 5)"
    )
    models.add_argument("--json", action="store_true", help="machine-readable output")
    models.set_defaults(func=run)
