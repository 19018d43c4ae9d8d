"""``langchain-qwen doctor``: run the checks of ``cli._checks``, render the report."""

from __future__ import annotations

import argparse
import json
from typing import IO, TYPE_CHECKING, Any

from langchain_qwen._version import __version__
from langchain_qwen.cli._args import region_arg, timeout_arg
from langchain_qwen.cli._style import (
    BOLD,
    DIM,
    GREEN,
    RED,
    YELLOW,
    Style,
    use_color,
    wrap,
)

if TYPE_CHECKING:
    from langchain_qwen.cli._checks.report import DoctorReport, Probe


_TAGS = {"ok": "ok", "info": "info", "warn": "warn", "fail": "FAIL"}
_TAG_COLOR = {"ok": GREEN, "info": DIM, "warn": YELLOW, "fail": RED}
_TOPICS = (
    ("key", "API key"),
    ("endpoint", "Endpoint"),
    ("regions", "Regions"),
    ("model", "Model"),
    ("clock", "Clock"),
    ("proxy", "Proxy"),
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
    style = Style(color)
    lines = [style(f"langchain-qwen doctor (v{__version__})", BOLD), ""]
    configured_url = (
        report.endpoint.base_url.rstrip("/") if report.endpoint is not None else None
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
        lines.append(style(title, BOLD))
        if topic == "regions":
            lines.extend(_probe_line(p, configured_url) for p in report.probes)
        for finding in items:
            tag = f"[{_TAGS[finding.status]}]"
            padded = f"  {tag:<7}"
            text = wrap(finding.message, padded, " " * len(padded))
            lines.append(
                style(padded, _TAG_COLOR[finding.status]) + text[len(padded) :]
            )
        lines.append("")
    lines.extend(_verdict_lines(report, style))
    return "\n".join(lines) + "\n"


def _verdict_lines(report: DoctorReport, style: Style) -> list[str]:
    problems, warnings = report.problems, report.warnings
    if problems:
        n = len(problems)
        head = style(f"Verdict: PROBLEMS ({n} found)", BOLD + RED)
    elif warnings:
        n = len(warnings)
        head = style(f"Verdict: OK, with {n} warning{'s' * (n != 1)}", BOLD + GREEN)
    else:
        head = style("Verdict: OK", BOLD + GREEN)
    lines = [head]
    if report.ok and report.suggested_region:
        lines.append(
            f"  ChatQwen can use region {report.suggested_region!r} with model "
            f"{report.model!r}."
        )
    seen_fixes: set[str] = set()
    for i, finding in enumerate([*problems, *warnings], start=1):
        prefix = f"  {i}. " if finding.status == "fail" else f"  {i}. (warning) "
        lines.append(wrap(finding.message, prefix, " " * 5))
        if finding.fix and finding.fix not in seen_fixes:
            seen_fixes.add(finding.fix)
            lines.append("     fix: " + style(finding.fix, BOLD))
    return lines


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run ``doctor``; returns the exit code."""
    from langchain_qwen.cli._checks.report import DEFAULT_TIMEOUT
    from langchain_qwen.cli._checks.targets import region_urls
    from langchain_qwen.cli._checks.verdict import run_doctor

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


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register ``doctor`` on the CLI's subparsers."""
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
        type=region_arg,
        help="the region you mean to use (default DASHSCOPE_REGION, else singapore)",
    )
    doctor.add_argument("--model", "-m", help="the model you mean to use")
    doctor.add_argument(
        "--timeout", type=timeout_arg, help="seconds per probe (default 5)"
    )
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    doctor.set_defaults(func=run)
