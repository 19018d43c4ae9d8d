"""``run_doctor``: every check, and the findings about key, regions and model."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from urllib.parse import urlparse

from langchain_qwen._client.regions import (
    CODING_KEY_PREFIX,
    REGIONS,
    Endpoint,
    region_label,
)
from langchain_qwen._models.profiles import (
    get_model_profile,
    get_qwen_traits,
)
from langchain_qwen.cli._checks.key import CONSOLE, check_key
from langchain_qwen.cli._checks.network import check_proxies, proxy_settings
from langchain_qwen.cli._checks.probes import check_clock, probe_all
from langchain_qwen.cli._checks.report import (
    DEFAULT_MODEL,
    DEFAULT_TIMEOUT,
    DoctorReport,
    Finding,
    Probe,
    Status,
)
from langchain_qwen.cli._checks.targets import (
    default_region_urls,
    resolve_target,
    set_env_command,
    unset_env_command,
)


def _label(region: str | None) -> str:
    return region_label(region) if region in REGIONS else str(region)


def _where(probe: Probe) -> str:
    return probe.region or probe.url


def _status_text(probe: Probe) -> str:
    return " ".join(str(x) for x in (probe.status_code, probe.code) if x)


def _similar(model: str, listed: Sequence[str]) -> list[str]:
    low = model.lower()
    lowered = {m.lower(): m for m in listed}
    starts = [m for m in listed if m.lower().startswith(low + "-")]
    close = [
        lowered[m]
        for m in difflib.get_close_matches(low, list(lowered), n=3, cutoff=0.75)
    ]
    return [m for m in dict.fromkeys([*starts[:3], *close]) if m.lower() != low][:4]


def _model_findings(
    model: str, explicit: bool, primary: Probe | None, knowing: Sequence[Probe]
) -> list[Finding]:
    """Whether ``model`` is offered where the key works (primary probe first)."""
    severity: Status = "fail" if explicit else "warn"
    which = f"Model {model!r}" if explicit else f"ChatQwen's default model {model!r}"
    profile = get_model_profile(model)
    profile_regions = list(get_qwen_traits(model)["regions"]) if profile else []
    if primary is None:
        where = (
            f" The package's data lists it for: {', '.join(profile_regions)}."
            if profile_regions
            else ""
        )
        return [
            Finding(
                "model",
                "info",
                f"{which} not checked: no region accepted the key." + where,
            )
        ]
    label = _label(primary.region) if primary.region else primary.url
    findings: list[Finding] = []
    if primary.models is not None:
        if model.lower() in {m.lower() for m in primary.models}:
            findings.append(Finding("model", "ok", f"{which} is offered in {label}."))
        else:
            elsewhere = [
                _where(p)
                for p in knowing
                if p is not primary
                and p.models
                and model.lower() in {m.lower() for m in p.models}
            ]
            similar = _similar(model, primary.models)
            parts = [f"{which} is not offered in {label}: its model list lacks it."]
            if elsewhere:
                parts.append(
                    f"Regions accepting your key that offer it: {', '.join(elsewhere)}."
                )
            elif profile_regions:
                parts.append(
                    "Per the package's data it is offered in: "
                    f"{', '.join(profile_regions)}."
                )
            if similar:
                parts.append(f"Similar models there: {', '.join(similar)}.")
            listing = "`langchain-qwen models" + (
                f" --region {primary.region}`" if primary.region else "`"
            )
            fix = (
                f"use model={similar[0]!r} ({listing} lists the region's models)"
                if similar
                else f"pick a model from {listing}"
            )
            findings.append(Finding("model", severity, " ".join(parts), fix))
    elif profile is not None and primary.region in profile_regions:
        findings.append(
            Finding(
                "model",
                "ok",
                f"{which} is offered in {label} per the package's data (the server's "
                "model list was not available).",
            )
        )
    elif profile is not None:
        findings.append(
            Finding(
                "model",
                "warn",
                f"{which}: the package's data does not list it for {label} (listed "
                f"for: {', '.join(profile_regions) or 'no region'}); the server's "
                "model list was not available to confirm.",
            )
        )
    else:
        findings.append(
            Finding(
                "model",
                "warn",
                f"{which} could not be checked: no server model list and no profile "
                "in this package.",
            )
        )
    if profile is None and findings[-1].status == "ok":
        findings.append(
            Finding(
                "model",
                "info",
                f"{model!r} has no profile in langchain-qwen: ChatQwen works, but "
                "llm.profile is None (capabilities unknown to LangChain).",
            )
        )
    return findings


def _region_fix(endpoint: Endpoint | None, region_source: str, target: str) -> str:
    cmd = set_env_command("DASHSCOPE_REGION", target)
    if endpoint is not None and endpoint.source.startswith("env:"):
        var = endpoint.source.split(":", 1)[1]
        return f"{unset_env_command(var)}; {cmd}"
    if region_source == "--region":
        return f'{cmd}  (or pass region="{target}" / --region {target})'
    return f'{cmd}  (or pass region="{target}" to ChatQwen)'


def _endpoint_finding(
    endpoint: Endpoint, region_source: str, region_arg: str | None
) -> Finding:
    if endpoint.source == "region":
        why = {
            "--region": "--region",
            "DASHSCOPE_REGION": "DASHSCOPE_REGION="
            + os.environ.get("DASHSCOPE_REGION", ""),
            "default": "default region; DASHSCOPE_REGION is not set",
        }[region_source]
    elif endpoint.source == "workspace":
        why = "workspace host from DASHSCOPE_WORKSPACE_ID"
    else:
        why = f"{endpoint.source.split(':', 1)[-1]} is set"
        if region_arg:
            why += f" and wins over --region {region_arg}"
    where = _label(endpoint.region) if endpoint.region else "a custom endpoint"
    return Finding(
        "endpoint", "info", f"ChatQwen would call {where}: {endpoint.base_url} ({why})."
    )


def run_doctor(
    *,
    region: str | None = None,
    model: str | None = None,
    urls: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> DoctorReport:
    """Run every check and return the report (nothing is printed).

    Reads ``DASHSCOPE_API_KEY``, ``DASHSCOPE_REGION``, ``DASHSCOPE_BASE_URL``,
    ``DASHSCOPE_WORKSPACE_ID`` and the proxy variables from the environment.

    Args:
        region: The region to check (default ``DASHSCOPE_REGION``, else Singapore).
        model: The model to check (default: ChatQwen's ``qwen-plus``, whose absence
            is only a warning).
        urls: Region -> base URL to probe (default: the four shared endpoints; see
            ``region_urls`` for the testing hook). Only these regions are probed,
            plus the configured endpoint when it is a base URL or workspace host.
        timeout: Seconds per probe.

    Returns:
        The report; ``report.exit_code`` is 0 when nothing failed.
    """
    env = os.environ
    findings: list[Finding] = []

    key = check_key(env.get("DASHSCOPE_API_KEY"), env)
    findings.extend(key.findings)
    # A Coding Plan key is checked against the Coding Plan hosts, as ChatQwen uses.
    coding_key = bool(key.cleaned and key.cleaned.startswith(CODING_KEY_PREFIX))
    plan = env.get("DASHSCOPE_PLAN") or ("coding" if coding_key else None)
    table = dict(urls) if urls is not None else default_region_urls(plan)

    if region:
        region_source = "--region"
    elif env.get("DASHSCOPE_REGION"):
        region_source = "DASHSCOPE_REGION"
    else:
        region_source = "default"
    endpoint: Endpoint | None
    try:
        endpoint = resolve_target(region=region, urls=table, plan=plan)
    except ValueError as exc:
        endpoint = None
        var = "--region" if region_source == "--region" else "DASHSCOPE_REGION"
        findings.append(
            Finding(
                "endpoint",
                "fail",
                f"{var}: {exc}",
                set_env_command("DASHSCOPE_REGION", "singapore")
                + "  # or us, china, hongkong",
            )
        )
    else:
        findings.append(_endpoint_finding(endpoint, region_source, region))
        if endpoint.source != "region":
            region_source = endpoint.source

    # Every region of the table, plus the configured endpoint when it is custom.
    targets: list[tuple[str | None, str]] = list(table.items())
    configured_url = endpoint.base_url.rstrip("/") if endpoint else None
    if (
        endpoint is not None
        and endpoint.source != "region"
        and configured_url not in {u for _, u in targets}
    ):
        targets.append((endpoint.region, endpoint.base_url.rstrip("/")))
    # A key that cannot travel in an HTTP header is not sent: the probes then only
    # check reachability (the key findings already say what to fix).
    sendable = key.cleaned if key.cleaned and key.cleaned.isascii() else None
    probes = probe_all(targets, sendable, timeout=timeout)
    key_regions = list(
        dict.fromkeys(p.region for p in probes if p.knows_key and p.region)
    )
    configured = next((p for p in probes if p.url == configured_url), None)
    if key.present and sendable is None:
        findings.append(
            Finding(
                "regions",
                "info",
                "The key was not sent (it cannot be part of an HTTP header); the "
                "regions were only checked for reachability.",
            )
        )
    findings.extend(
        _key_region_findings(
            sendable is not None,
            probes,
            configured,
            endpoint,
            region_source,
            key_regions,
        )
    )

    knowing = [p for p in probes if p.knows_key]
    primary = configured if configured is not None and configured.knows_key else None
    if primary is None and knowing:
        primary = knowing[0]
    model_name = model or DEFAULT_MODEL
    if key.present:
        findings.extend(_model_findings(model_name, bool(model), primary, knowing))

    findings.append(check_clock(probes))
    findings.extend(check_proxies([u for _, u in targets], env))

    if key_regions:  # shape doubts matter less once a region accepted the key
        findings = [
            Finding(f.topic, "info", f.message + " It was accepted, though.", f.fix)
            if f.topic == "key" and f.status == "warn"
            else f
            for f in findings
        ]
    return DoctorReport(
        model=model_name,
        model_explicit=bool(model),
        endpoint=endpoint,
        region_source=region_source,
        key=key,
        probes=probes,
        key_regions=key_regions,
        findings=findings,
        timeout=timeout,
    )


def _unreachable_fix(probes: Sequence[Probe]) -> str:
    if proxy_settings().keys() & {"https", "all"}:
        return "check HTTPS_PROXY/ALL_PROXY, or add .aliyuncs.com to NO_PROXY"
    host = urlparse(probes[0].url).hostname if probes else "dashscope-intl.aliyuncs.com"
    return f"check the network, firewall or DNS (e.g. curl -sI https://{host})"


def _key_region_findings(
    key_sent: bool,
    probes: Sequence[Probe],
    configured: Probe | None,
    endpoint: Endpoint | None,
    region_source: str,
    key_regions: list[str],
) -> list[Finding]:
    """Which regions know the key, against the one ChatQwen would call."""
    out: list[Finding] = []
    if not probes:
        return out
    unreachable = [p for p in probes if p.outcome == "unreachable"]
    if len(unreachable) == len(probes):
        out.append(
            Finding(
                "regions",
                "fail",
                "No DashScope endpoint could be reached: "
                + "; ".join(f"{_where(p)}: {p.detail}" for p in probes)
                + ".",
                _unreachable_fix(probes),
            )
        )
        return out
    if unreachable and configured not in unreachable:
        out.append(
            Finding(
                "regions",
                "info",
                "Not reachable (not checked): "
                + "; ".join(f"{_where(p)} ({p.detail})" for p in unreachable)
                + ".",
            )
        )
    if not key_sent:
        return out
    for p in probes:
        if p.outcome == "denied":
            out.append(
                Finding(
                    "regions",
                    "warn",
                    f"{_where(p)} recognised the key but refused access "
                    f"({_status_text(p)}): {p.detail or 'no detail'}",
                    "check the key's permissions and the account in the Model "
                    "Studio console",
                )
            )
    if key_regions:
        out.append(
            Finding(
                "regions", "ok", f"The key is accepted in: {', '.join(key_regions)}."
            )
        )
    if endpoint is None:
        if key_regions:
            out.append(
                Finding(
                    "regions",
                    "fail",
                    f"Your key belongs to {key_regions[0]} [{_label(key_regions[0])}].",
                    _region_fix(None, region_source, key_regions[0]),
                )
            )
        return out
    target_text = (
        f"{endpoint.region} [{_label(endpoint.region)}]"
        if endpoint.region
        else endpoint.base_url
    )
    if configured is None:
        out.append(
            Finding(
                "regions",
                "info" if key_regions else "warn",
                f"{target_text}, the endpoint ChatQwen would use, was not probed (it "
                "is not in the region URL table).",
            )
        )
        return out
    if configured.knows_key:
        return out
    if configured.outcome == "rejected" and key_regions:
        target = key_regions[0]
        also = f" (and {', '.join(key_regions[1:])})" if key_regions[1:] else ""
        out.append(
            Finding(
                "regions",
                "fail",
                f"Your key is valid in {target} [{_label(target)}]{also}, but ChatQwen "
                f"is set up for {target_text}, which rejects it "
                f"({_status_text(configured)}). API keys are region-specific.",
                _region_fix(endpoint, region_source, target),
            )
        )
    elif configured.outcome == "rejected":
        unchecked = (
            " Not checked (unreachable): "
            + ", ".join(_where(p) for p in unreachable)
            + "."
            if unreachable
            else ""
        )
        out.append(
            Finding(
                "regions",
                "fail",
                "No region accepts this key (401 invalid_api_key wherever it was "
                f"tried).{unchecked} It may be revoked, incomplete, or from another "
                "account.",
                set_env_command("DASHSCOPE_API_KEY", "sk-...")
                + f"  # a key created on the {CONSOLE}",
            )
        )
    elif configured.outcome == "unreachable":
        fix = (
            _region_fix(endpoint, region_source, key_regions[0])
            if key_regions
            else _unreachable_fix([configured])
        )
        out.append(
            Finding(
                "regions",
                "fail",
                f"{target_text}, the endpoint ChatQwen would use, is unreachable: "
                f"{configured.detail}.",
                fix,
            )
        )
    elif configured.outcome == "error" and not key_regions:
        # Nothing anywhere said yes: an OK verdict would claim what was not checked.
        out.append(
            Finding(
                "regions",
                "fail",
                f"{target_text} answered {_status_text(configured)} to GET /models "
                "and no region accepted the key: nothing was verified. Check the "
                "base URL (it must end in /compatible-mode/v1) and the region.",
                "langchain-qwen doctor --region REGION  # the region of your key",
            )
        )
    else:
        out.append(
            Finding(
                "regions",
                "warn",
                f"{target_text} answered {_status_text(configured)} to GET /models; "
                "the key could not be verified there.",
            )
        )
    return out
