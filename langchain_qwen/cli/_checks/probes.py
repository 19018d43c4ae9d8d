"""Region probes (``GET {base}/models`` on the one HTTP path) and the clock check."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

from langchain_qwen._client import http as _http
from langchain_qwen._client.error_body import error_fields
from langchain_qwen._client.errors import (
    DashScopeAPIError,
    DashScopeConnectionError,
    DashScopeStreamError,
    DashScopeTimeoutError,
)
from langchain_qwen._client.redact import redact, redact_url
from langchain_qwen._compat import httpx
from langchain_qwen._version import __version__
from langchain_qwen.cli._checks.report import (
    CLOCK_SKEW_LIMIT,
    DEFAULT_TIMEOUT,
    Finding,
    Outcome,
    Probe,
)


def _models_of(body: object) -> tuple[str, ...] | None:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return None
    return tuple(
        str(item["id"])
        for item in body["data"]
        if isinstance(item, dict) and item.get("id")
    )


def _spec(
    region: str | None, url: str, key: str | None, timeout: float
) -> _http.RequestSpec:
    headers = {
        "Accept": "application/json",
        "User-Agent": f"langchain-qwen-doctor/{__version__}",
    }
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return _http.RequestSpec(
        url=f"{url.rstrip('/')}/models",
        headers=_http.Headers(headers),
        # Per phase, no whole-call deadline; a diagnosis reports, it does not retry.
        timeout=httpx.Timeout(timeout),
        max_retries=0,
        where=url,
        region=region,
    )


def _outcome(status: int, key: str | None) -> Outcome:
    if status == 200:
        return "accepted" if key else "reachable"
    if status == 401:
        return "rejected" if key else "reachable"
    if status == 403:
        return "denied" if key else "reachable"
    return "error"


def _probe(
    client: httpx.Client,
    region: str | None,
    url: str,
    key: str | None,
    timeout: float,
) -> Probe:
    start_wall = time.time()
    start = time.perf_counter()
    shown = redact_url(url)  # what reports show: no credentials
    try:
        spec = _spec(region, url, key, timeout)
        body, response = _http.request(client, spec, _http.Outgoing("GET"))
    except DashScopeTimeoutError:
        return Probe(
            region,
            shown,
            "unreachable",
            detail=f"no answer within {timeout:g} s (timeout)",
            elapsed=time.perf_counter() - start,
        )
    except DashScopeAPIError as exc:  # an answer, but no model list
        response = exc.response
        body = exc.body
        status = exc.status_code
        fields = error_fields(body)
        code = fields.get("code")
        outcome = _outcome(status, key)
        detail = str(fields.get("message") or "")
        if outcome == "error" and not detail:
            detail = (body if isinstance(body, str) else "")[:200]
        return Probe(
            region,
            shown,
            outcome,
            status_code=status,
            code=str(code) if code is not None else None,
            detail=detail,
            date=response.headers.get("date"),
            local_time=start_wall + (time.perf_counter() - start) / 2,
            elapsed=time.perf_counter() - start,
        )
    except (DashScopeConnectionError, DashScopeStreamError, ValueError) as exc:
        text = redact(str(exc) or type(exc).__name__, [key] if key else [])
        return Probe(
            region,
            shown,
            "unreachable",
            detail=f"{type(exc).__name__}: {text}",
            elapsed=time.perf_counter() - start,
        )
    elapsed = time.perf_counter() - start
    return Probe(
        region,
        shown,
        _outcome(response.status_code, key),
        status_code=response.status_code,
        models=_models_of(body),
        date=response.headers.get("date"),
        local_time=start_wall + elapsed / 2,
        elapsed=elapsed,
    )


def probe_all(
    targets: Sequence[tuple[str | None, str]],
    key: str | None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[Probe]:
    """``GET {url}/models`` for every ``(region, url)`` target, in parallel.

    Proxy variables apply as they do for ChatQwen (the same HTTP library).

    Args:
        targets: ``(region or None, base URL)`` pairs.
        key: The API key; None probes reachability only.
        timeout: Seconds for each of connect and read.

    Returns:
        One probe per target, in the targets' order.
    """
    if not targets:
        return []
    with (
        httpx.Client(
            timeout=httpx.Timeout(timeout), trust_env=True, follow_redirects=False
        ) as client,
        ThreadPoolExecutor(max_workers=len(targets)) as pool,
    ):
        futures = [pool.submit(_probe, client, r, u, key, timeout) for r, u in targets]
        return [f.result() for f in futures]


# --------------------------------------------------------------------------- clock
def clock_skew(date_header: str | None, local_time: float) -> float | None:
    """Local time minus server time, in seconds (None without a usable header).

    Args:
        date_header: The response's ``Date`` header (1 s resolution).
        local_time: Local epoch time when the response was produced.
    """
    if not date_header:
        return None
    try:
        server = email.utils.parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError):
        return None
    if server is None or server.tzinfo is None:
        return None
    return local_time - server.timestamp()


def _duration(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def check_clock(probes: Iterable[Probe], limit: float = CLOCK_SKEW_LIMIT) -> Finding:
    """Compare the local clock with the first server ``Date`` header."""
    for probe in probes:
        skew = clock_skew(probe.date, probe.local_time)
        if skew is None:
            continue
        host = urlparse(probe.url).netloc.rpartition("@")[2]
        if abs(skew) <= limit:
            return Finding(
                "clock",
                "ok",
                f"Local clock agrees with {host} (difference under "
                f"{max(1.0, abs(skew)):.0f} s).",
            )
        direction = "ahead of" if skew > 0 else "behind"
        return Finding(
            "clock",
            "warn",
            f"Local clock is {_duration(skew)} {direction} the server time of {host}. "
            "TLS certificate checks and signed Alibaba Cloud requests fail with a "
            "wrong clock; timestamps in logs and traces will be off.",
            "sync the system clock (Linux: sudo timedatectl set-ntp true; macOS/"
            "Windows: enable 'Set time automatically')",
        )
    return Finding(
        "clock", "info", "Clock not checked: no response carried a Date header."
    )
