"""Diagnostics behind ``langchain-qwen doctor`` and ``langchain-qwen models``.

Everything here returns data (dataclasses); ``langchain_qwen.cli`` renders it. The
checks:

* the key's presence and shape (``sk-`` prefix, length, whitespace or quotes pasted
  by mistake, placeholders, an AccessKey ID instead of an API key);
* which regions accept the key: ``GET {base}/models`` of every region with a shared
  endpoint, in parallel, with a short timeout (keys are region-specific);
* whether the model is offered in the region that accepts the key (the server's
  model list, else this package's profile data);
* clock sanity, from the ``Date`` header of the responses;
* proxy variables, and whether the DashScope hosts bypass the proxy.

Testing hook: the region -> base URL table can be replaced with the environment
variable ``LANGCHAIN_QWEN_REGION_URLS`` (a JSON object, e.g.
``{"singapore": "http://127.0.0.1:8000/singapore/compatible-mode/v1"}``) or the
CLI's repeatable ``--region-url REGION=URL``. When given, only the regions named
are probed, so tests against the local emulator never reach the internet.
"""

from __future__ import annotations

import difflib
import email.utils
import json
import os
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Literal
from urllib.parse import urlparse

from langchain_qwen._client.errors import (
    error_fields,
    parse_error_body,
    redact,
    redact_url,
)
from langchain_qwen._client.regions import (
    CODING_KEY_PREFIX,
    REGIONS,
    Endpoint,
    coding_plan_urls,
    normalize_region,
    region_label,
    resolve_endpoint,
)
from langchain_qwen._compat import httpx
from langchain_qwen._models.profiles import (
    MODEL_REGIONS,
    all_models,
    get_model_profile,
    get_qwen_traits,
    models_in_region,
)
from langchain_qwen._version import __version__

__all__ = [
    "CLOCK_SKEW_LIMIT",
    "DEFAULT_MODEL",
    "DEFAULT_TIMEOUT",
    "REGION_URLS_ENV",
    "DoctorReport",
    "Finding",
    "KeyCheck",
    "ModelRow",
    "ModelsReport",
    "Probe",
    "check_clock",
    "check_key",
    "check_proxies",
    "clock_skew",
    "default_region_urls",
    "models_report",
    "no_proxy_matches",
    "probe_all",
    "proxy_settings",
    "redact_url",
    "region_urls",
    "resolve_target",
    "run_doctor",
    "set_env_command",
]

REGION_URLS_ENV = "LANGCHAIN_QWEN_REGION_URLS"
"""Testing hook: JSON object region -> base URL that replaces the probed regions."""

DEFAULT_MODEL = "qwen-plus"
"""ChatQwen's default model, checked when no model is named."""

DEFAULT_TIMEOUT = 5.0
"""Seconds per probe (connect and read each)."""

CLOCK_SKEW_LIMIT = 300.0
"""Seconds of clock difference with the server before a warning."""

_COMPAT_PATH = "/compatible-mode/v1"
_KEY_LENGTH = 35  # "sk-" + 32 hex characters
_SHORT_KEY = 20
_QUOTES = "\"'`\u201c\u201d\u2018\u2019"
_PLACEHOLDER = re.compile(r"\.\.\.|xxxx|<|>|your[-_ ]?(api[-_ ]?)?key", re.IGNORECASE)
_CONSOLE = (
    "API Keys page of the Model Studio console: "
    "https://modelstudio.console.alibabacloud.com, or "
    "https://bailian.console.aliyun.com for China"
)

Status = Literal["ok", "info", "warn", "fail"]
Outcome = Literal["accepted", "denied", "rejected", "reachable", "error", "unreachable"]


@dataclass(frozen=True)
class Finding:
    """One result of a check.

    Attributes:
        topic: ``key``, ``endpoint``, ``regions``, ``model``, ``clock`` or ``proxy``.
        status: ``ok``, ``info``, ``warn`` (worth a look) or ``fail`` (a problem).
        message: What was found, in one or two sentences.
        fix: The exact command or change that fixes it, when there is one.
    """

    topic: str
    status: Status
    message: str
    fix: str | None = None


@dataclass(frozen=True)
class Probe:
    """The answer of one ``GET {base}/models``.

    Attributes:
        region: Canonical region, or None for a custom endpoint.
        url: The base URL probed (``.../compatible-mode/v1``).
        outcome: ``accepted`` (200), ``denied`` (403: the region knows the key but
            refuses it), ``rejected`` (401), ``reachable`` (answered a request
            sent without a key), ``error`` (another status) or ``unreachable``.
        status_code: The HTTP status, None when there was no answer.
        code: DashScope's error code, if any.
        detail: The error message or exception text.
        models: Model ids listed (accepted probes only).
        date: The ``Date`` response header.
        local_time: Local epoch time halfway through the request.
        elapsed: Seconds the request took.
    """

    region: str | None
    url: str
    outcome: Outcome
    status_code: int | None = None
    code: str | None = None
    detail: str = ""
    models: tuple[str, ...] | None = None
    date: str | None = None
    local_time: float = 0.0
    elapsed: float = 0.0

    @property
    def knows_key(self) -> bool:
        """Whether this region recognised the key (200, or 403 access denied)."""
        return self.outcome in ("accepted", "denied")


@dataclass(frozen=True)
class KeyCheck:
    """What ``check_key`` found.

    Attributes:
        present: Whether a non-blank key is set.
        cleaned: The key with stray whitespace and quotes removed (what is probed).
        masked: A display form that reveals at most the last four characters.
        findings: The key findings.
    """

    present: bool
    cleaned: str | None
    masked: str
    findings: list[Finding]


@dataclass
class DoctorReport:
    """Everything ``run_doctor`` found.

    Attributes:
        model: The model checked.
        model_explicit: Whether the model was named (else ChatQwen's default).
        endpoint: The endpoint ChatQwen would use, None if the settings are invalid.
        region_source: Where the region came from (``--region``,
            ``DASHSCOPE_REGION``, ``default``, or the base URL/workspace setting).
        key: The key check.
        probes: One probe per region (and the configured endpoint when custom).
        key_regions: Regions that recognised the key.
        findings: All findings, in display order.
        timeout: Seconds per probe.
    """

    model: str
    model_explicit: bool
    endpoint: Endpoint | None
    region_source: str
    key: KeyCheck
    probes: list[Probe]
    key_regions: list[str]
    findings: list[Finding] = field(default_factory=list)
    timeout: float = DEFAULT_TIMEOUT

    @property
    def problems(self) -> list[Finding]:
        """Findings with status ``fail``."""
        return [f for f in self.findings if f.status == "fail"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings with status ``warn``."""
        return [f for f in self.findings if f.status == "warn"]

    @property
    def ok(self) -> bool:
        """True when nothing failed (warnings allowed)."""
        return not self.problems

    @property
    def exit_code(self) -> int:
        """0 when OK, 1 otherwise."""
        return 0 if self.ok else 1

    @property
    def suggested_region(self) -> str | None:
        """The configured region if it accepts the key, else the first that does."""
        if self.endpoint is not None and self.endpoint.region in self.key_regions:
            return self.endpoint.region
        return self.key_regions[0] if self.key_regions else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form (the key itself is never included)."""
        return {
            "ok": self.ok,
            "model": self.model,
            "model_explicit": self.model_explicit,
            "endpoint": asdict(self.endpoint) if self.endpoint else None,
            "region_source": self.region_source,
            "key": {"present": self.key.present, "masked": self.key.masked},
            "key_regions": self.key_regions,
            "suggested_region": self.suggested_region,
            "probes": [
                {**asdict(p), "models": list(p.models) if p.models else p.models}
                for p in self.probes
            ],
            "findings": [asdict(f) for f in self.findings],
        }


# --------------------------------------------------------------------------- regions
def default_region_urls(plan: str | None = None) -> dict[str, str]:
    """The base URL of every region to probe: shared hosts, or a plan's own hosts.

    Args:
        plan: ``"coding"`` probes the Coding Plan hosts (the only ones that accept
            ``sk-sp-`` keys); anything else the shared compatible-mode hosts.
    """
    if plan == "coding":
        return coding_plan_urls()
    out: dict[str, str] = {}
    for name in MODEL_REGIONS:
        host = REGIONS[name].shared_host
        if host:
            out[name] = f"https://{host}{_COMPAT_PATH}"
    return out


def region_urls(
    pairs: Sequence[str] = (), environ: Mapping[str, str] | None = None
) -> tuple[dict[str, str], bool]:
    """The region -> base URL table to probe, and whether it was overridden.

    Args:
        pairs: ``REGION=URL`` strings (the CLI's ``--region-url``).
        environ: Environment to read ``LANGCHAIN_QWEN_REGION_URLS`` from.

    Returns:
        ``(table, overridden)``. With overrides, the table holds only the regions
        named (env first, then ``pairs``), so nothing else is contacted.

    Raises:
        ValueError: On malformed JSON or pairs, or an unknown region name.
    """
    env = os.environ if environ is None else environ
    table: dict[str, str] = {}
    raw = env.get(REGION_URLS_ENV, "").strip()
    if raw:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            msg = f"{REGION_URLS_ENV} is not valid JSON: {exc}"
            raise ValueError(msg) from None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            msg = f"{REGION_URLS_ENV} must be a JSON object of region -> base URL"
            raise ValueError(msg)
        for name, url in data.items():
            table[normalize_region(name)] = url.rstrip("/")
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep or not name.strip() or not url.strip():
            msg = f"--region-url expects REGION=URL, got {pair!r}"
            raise ValueError(msg)
        table[normalize_region(name)] = url.strip().rstrip("/")
    if table:
        return table, True
    return default_region_urls(), False


def resolve_target(
    *,
    region: str | None = None,
    base_url: str | None = None,
    urls: Mapping[str, str] | None = None,
    plan: str | None = None,
) -> Endpoint:
    """The endpoint ChatQwen would use, with the region table applied.

    Same order as ChatQwen: ``base_url``, ``DASHSCOPE_BASE_URL`` /
    ``DASHSCOPE_API_BASE``, workspace host, then region. A region's URL comes
    from ``urls`` when it names that region (the testing hook).

    Raises:
        ValueError: For an unknown region, or Tokyo/Frankfurt without a workspace.
    """
    endpoint = resolve_endpoint(base_url=base_url, region=region, plan=plan)
    if endpoint.source in ("region", "plan") and urls and endpoint.region:
        url = urls.get(endpoint.region)
        if url:
            return Endpoint(url, endpoint.region, endpoint.source, endpoint.plan)
    return endpoint


def set_env_command(name: str, value: str) -> str:
    """The shell command that sets an environment variable (POSIX or PowerShell)."""
    if os.name == "nt":
        return f'$env:{name} = "{value}"'
    return f"export {name}={value}"


def _unset_env_command(name: str) -> str:
    if os.name == "nt":
        return f"Remove-Item Env:{name}"
    return f"unset {name}"


# --------------------------------------------------------------------------- key
def _mask(key: str) -> str:
    prefix = "sk-" if key.startswith("sk-") else ""
    tail = key[-4:] if len(key) >= _SHORT_KEY else ""
    return f"{prefix}...{tail}"


def check_key(raw: str | None, environ: Mapping[str, str] | None = None) -> KeyCheck:
    """Check the presence and shape of an API key.

    Args:
        raw: The key as found in the environment (None when unset).
        environ: Environment for hints (``OPENAI_API_KEY`` set instead).

    Returns:
        The findings and the cleaned key to probe with. The key itself never
        appears in any message.
    """
    env = os.environ if environ is None else environ
    findings: list[Finding] = []
    if raw is None or not raw.strip(_QUOTES + " \t\r\n"):
        what = "is not set" if raw is None else "is empty"
        hint = ""
        if env.get("OPENAI_API_KEY"):
            hint = " OPENAI_API_KEY is set, but ChatQwen reads DASHSCOPE_API_KEY."
        findings.append(
            Finding(
                "key",
                "fail",
                f"DASHSCOPE_API_KEY {what}: ChatQwen cannot authenticate.{hint} "
                "Create a key (keys are region-specific) on the "
                f"{_CONSOLE}.",
                set_env_command("DASHSCOPE_API_KEY", "sk-...") + "  # your key",
            )
        )
        return KeyCheck(False, None, "", findings)

    cleaned = raw.strip().strip(_QUOTES).strip()
    masked = _mask(cleaned)
    reclean = (
        'export DASHSCOPE_API_KEY="$(printf %s "$DASHSCOPE_API_KEY" '
        '| tr -d "[:space:]\\"\'")"'
    )
    if raw != raw.strip():
        findings.append(
            Finding(
                "key",
                "fail",
                "DASHSCOPE_API_KEY has leading or trailing whitespace (a pasted "
                "newline or space); it would be sent as part of the key.",
                reclean,
            )
        )
    stray = set(raw.strip()) - set(raw.strip().strip(_QUOTES)) if raw else set()
    if raw.strip() != raw.strip().strip(_QUOTES):
        findings.append(
            Finding(
                "key",
                "fail",
                "DASHSCOPE_API_KEY starts or ends with quote characters that are part "
                "of its value (quoted twice when it was set?).",
                reclean
                if all(ch.isascii() for ch in stray)
                else set_env_command("DASHSCOPE_API_KEY", "sk-...")
                + "  # re-copied without the typographic quotes",
            )
        )
    if any(ch.isspace() for ch in cleaned):
        findings.append(
            Finding(
                "key",
                "fail",
                "DASHSCOPE_API_KEY contains whitespace inside the key; copy it "
                "again from the console.",
                reclean,
            )
        )
    if not cleaned.isascii():
        findings.append(
            Finding(
                "key",
                "fail",
                "DASHSCOPE_API_KEY contains non-ASCII characters (smart quotes or "
                "look-alike letters from a document?); HTTP headers cannot carry "
                "them. Copy the key again from the console.",
                set_env_command("DASHSCOPE_API_KEY", "sk-...") + "  # re-copied key",
            )
        )
    if _PLACEHOLDER.search(cleaned):
        findings.append(
            Finding(
                "key",
                "fail",
                "DASHSCOPE_API_KEY looks like a placeholder from an example, not a "
                "real key.",
                set_env_command("DASHSCOPE_API_KEY", "sk-...") + "  # your real key",
            )
        )
    elif cleaned.startswith("LTAI"):
        findings.append(
            Finding(
                "key",
                "fail",
                "DASHSCOPE_API_KEY looks like an Alibaba Cloud AccessKey ID (LTAI...), "
                "not a Model Studio API key. Create an API key on the "
                f"{_CONSOLE}.",
                set_env_command("DASHSCOPE_API_KEY", "sk-...") + "  # API key",
            )
        )
    elif cleaned.startswith(CODING_KEY_PREFIX):
        findings.append(
            Finding(
                "key",
                "info",
                "DASHSCOPE_API_KEY is a Coding Plan key "
                f"({CODING_KEY_PREFIX}...): only the Coding Plan hosts accept it "
                "(coding-intl.dashscope.aliyuncs.com for Singapore, "
                "coding.dashscope.aliyuncs.com for China); ChatQwen uses them by "
                "itself for such a key (plan='coding').",
            )
        )
    elif not cleaned.startswith("sk-"):
        findings.append(
            Finding(
                "key",
                "warn",
                "DASHSCOPE_API_KEY does not start with 'sk-' as Model Studio API "
                "keys do.",
            )
        )
    if len(cleaned) < _SHORT_KEY:
        findings.append(
            Finding(
                "key",
                "warn",
                f"DASHSCOPE_API_KEY is only {len(cleaned)} characters long "
                f"(DashScope keys are usually {_KEY_LENGTH}): truncated?",
            )
        )
    elif len(cleaned) != _KEY_LENGTH and not cleaned.startswith(CODING_KEY_PREFIX):
        findings.append(
            Finding(
                "key",
                "info",
                f"DASHSCOPE_API_KEY has {len(cleaned)} characters; DashScope keys "
                f"are usually {_KEY_LENGTH} ('sk-' and 32 hex digits).",
            )
        )
    if not any(f.status == "fail" for f in findings):
        findings.insert(
            0,
            Finding(
                "key",
                "ok",
                f"DASHSCOPE_API_KEY is set ({masked}, {len(cleaned)} characters).",
            ),
        )
    return KeyCheck(True, cleaned, masked, findings)


# --------------------------------------------------------------------------- probes
def _models_of(body: object) -> tuple[str, ...] | None:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return None
    return tuple(
        str(item["id"])
        for item in body["data"]
        if isinstance(item, dict) and item.get("id")
    )


def _probe(
    client: httpx.Client, region: str | None, url: str, key: str | None
) -> Probe:
    headers = {
        "Accept": "application/json",
        "User-Agent": f"langchain-qwen-doctor/{__version__}",
    }
    if key:
        headers["Authorization"] = f"Bearer {key}"
    start_wall = time.time()
    start = time.perf_counter()
    try:
        response = client.get(f"{url.rstrip('/')}/models", headers=headers)
    except httpx.TimeoutException:
        return Probe(
            region,
            redact_url(url),
            "unreachable",
            detail=f"no answer within {client.timeout.connect or 0:g} s (timeout)",
            elapsed=time.perf_counter() - start,
        )
    except (httpx.HTTPError, OSError, ValueError) as exc:
        text = redact(str(exc) or type(exc).__name__, [key] if key else [])
        return Probe(
            region,
            redact_url(url),
            "unreachable",
            detail=f"{type(exc).__name__}: {text}",
            elapsed=time.perf_counter() - start,
        )
    elapsed = time.perf_counter() - start
    status = response.status_code
    body = parse_error_body(response.content)
    fields = error_fields(body) if status >= 400 else {}
    code = str(fields.get("code")) if fields.get("code") is not None else None
    detail = str(fields.get("message") or "") if fields else ""
    outcome: Outcome
    if status == 200:
        outcome = "accepted" if key else "reachable"
    elif status == 401:
        outcome = "rejected" if key else "reachable"
    elif status == 403:
        outcome = "denied" if key else "reachable"
    else:
        outcome = "error"
        detail = detail or (body if isinstance(body, str) else "")[:200]
    return Probe(
        region,
        redact_url(url),
        outcome,
        status_code=status,
        code=code,
        detail=detail,
        models=_models_of(body) if status == 200 else None,
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
        futures = [pool.submit(_probe, client, r, u, key) for r, u in targets]
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


# --------------------------------------------------------------------------- proxy
def no_proxy_matches(host: str, no_proxy: str) -> str | None:
    """The NO_PROXY entry that exempts ``host``, or None.

    Entries: ``*`` (everything), a domain (``aliyuncs.com``, ``.aliyuncs.com``,
    ``*.aliyuncs.com``: the domain and its subdomains), or an exact host or IP.
    Ports in entries are ignored.
    """
    host = host.lower().strip("[]")
    for entry in no_proxy.split(","):
        item = entry.strip().lower()
        if not item:
            continue
        if item == "*":
            return entry.strip()
        if "://" in item:
            item = item.split("://", 1)[1]
        if not item.startswith("[") and item.count(":") == 1:
            item = item.split(":", 1)[0]
        item = item.strip("[]")
        domain = item.lstrip("*").lstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return entry.strip()
    return None


def proxy_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Effective proxy variables: ``http``, ``https``, ``all``, ``no`` -> value.

    Lower-case names win over upper-case ones, as in urllib, curl and httpx.
    """
    env = os.environ if environ is None else environ
    out: dict[str, str] = {}
    for scheme in ("http", "https", "all", "no"):
        value = env.get(f"{scheme}_proxy") or env.get(f"{scheme.upper()}_PROXY")
        if value:
            out[scheme] = value
    return out


def check_proxies(
    urls: Iterable[str], environ: Mapping[str, str] | None = None
) -> list[Finding]:
    """Report proxy variables and whether requests to ``urls`` use the proxy.

    Args:
        urls: The base URLs ChatQwen would call.
        environ: The environment (default ``os.environ``).
    """
    env = os.environ if environ is None else environ
    proxies = proxy_settings(env)
    if not proxies:
        return [
            Finding("proxy", "ok", "No proxy variables set: connections are direct.")
        ]
    names = sorted(
        n
        for n in env
        if n.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
        and env[n]
    )
    shown = ", ".join(
        f"{n}={env[n]}" if n.lower() == "no_proxy" else f"{n}={redact_url(env[n])}"
        for n in names
    )
    findings = [Finding("proxy", "info", f"Proxy settings: {shown}.")]
    no_proxy = proxies.get("no", "")
    via: list[str] = []
    bypass: list[str] = []
    for url in urls:
        parsed = urlparse(url)
        host = parsed.hostname or ""
        proxy = proxies.get(parsed.scheme or "https") or proxies.get("all")
        if not proxy:
            continue
        entry = no_proxy_matches(host, no_proxy) if no_proxy else None
        if entry is not None:
            bypass.append(f"{host} (NO_PROXY entry {entry!r})")
        else:
            via.append(f"{host} via {redact_url(proxy)}")
    if via:
        findings.append(
            Finding(
                "proxy",
                "info",
                "Requests go through the proxy: "
                + "; ".join(dict.fromkeys(via))
                + ". If they fail, check the proxy or add .aliyuncs.com to NO_PROXY.",
            )
        )
    if bypass:
        findings.append(
            Finding(
                "proxy",
                "info",
                "These hosts bypass the proxy: "
                + "; ".join(dict.fromkeys(bypass))
                + ".",
            )
        )
    schemes = {urlparse(u).scheme for u in urls}
    if (
        "https" in schemes
        and proxies.get("http")
        and not (proxies.get("https") or proxies.get("all"))
    ):
        findings.append(
            Finding(
                "proxy",
                "info",
                "HTTP_PROXY is set but HTTPS_PROXY is not: DashScope uses https://, "
                "so no proxy is used for it.",
            )
        )
    return findings


# --------------------------------------------------------------------------- doctor
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
        return f"{_unset_env_command(var)}; {cmd}"
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
        "endpoint",
        "info",
        f"ChatQwen would call {where}: {redact_url(endpoint.base_url)} ({why}).",
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
    # Probes hold the URL as shown (credentials hidden): compare like with like.
    configured_url = redact_url(configured_url) if configured_url else None
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
        else redact_url(endpoint.base_url)
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
                + f"  # a key created on the {_CONSOLE}",
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


# --------------------------------------------------------------------------- models
@dataclass(frozen=True)
class ModelRow:
    """One model profile, flattened for a table.

    Attributes:
        name: Model id.
        context: Context window (``max_input_tokens``).
        max_output: Max output tokens.
        tools: Tool calling.
        structured_output: Native ``json_schema`` structured output.
        images: Image inputs.
        reasoning: Reasoning output.
        thinking: Thinking mode (``hybrid``, ``hybrid_default_on``, ``always``,
            ``never``).
        stream_only: Answers only streaming requests.
        regions: Regions whose shared endpoint offers it.
        listed: Whether the server's ``/models`` lists it (None: not checked).
    """

    name: str
    context: int | None
    max_output: int | None
    tools: bool
    structured_output: bool
    images: bool
    reasoning: bool
    thinking: str
    stream_only: bool
    regions: tuple[str, ...]
    listed: bool | None = None


@dataclass
class ModelsReport:
    """What ``models_report`` found.

    Attributes:
        region: The region filter (None: every profile).
        rows: One row per model profile.
        probe: The ``GET /models`` call, when a key was available.
        unprofiled: Models the server lists that have no profile here.
        error: Why the region filter or the server list failed, if it did.
    """

    region: str | None
    rows: list[ModelRow]
    probe: Probe | None = None
    unprofiled: list[str] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form."""
        probe = None
        if self.probe is not None:
            probe = {
                "region": self.probe.region,
                "url": self.probe.url,
                "outcome": self.probe.outcome,
                "status_code": self.probe.status_code,
                "code": self.probe.code,
                "models": list(self.probe.models or ()),
            }
        return {
            "region": self.region,
            "models": [asdict(r) for r in self.rows],
            "server": probe,
            "unprofiled": self.unprofiled,
            "error": self.error,
        }


def _row(name: str, listed: set[str] | None) -> ModelRow:
    profile: dict[str, Any] = dict(get_model_profile(name) or {})
    traits = get_qwen_traits(name)
    return ModelRow(
        name=name,
        context=profile.get("max_input_tokens"),
        max_output=profile.get("max_output_tokens"),
        tools=bool(profile.get("tool_calling")),
        structured_output=bool(profile.get("structured_output"))
        or traits["json_schema"],
        images=bool(profile.get("image_inputs") or profile.get("image_url_inputs")),
        reasoning=bool(profile.get("reasoning_output")),
        thinking=traits["thinking"],
        stream_only=traits["stream_only"],
        regions=traits["regions"],
        listed=None if listed is None else name.lower() in listed,
    )


# `models --region` also takes the Coding Plan lists: name -> region of its host.
_PLAN_LISTS: dict[str, str] = {
    "coding": "singapore",
    "coding-intl": "singapore",
    "coding-cn": "china",
}


def models_report(
    *,
    region: str | None = None,
    api_key: str | None = None,
    urls: Mapping[str, str] | None = None,
    remote: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> ModelsReport:
    """The model profiles known to the package, and what the server lists.

    Args:
        region: Keep only models offered in this region (aliases accepted), or on
            a Coding Plan host (``coding``/``coding-intl``, ``coding-cn``).
        api_key: A key; with one (and ``remote``), the region's ``GET /models``
            is fetched too: the configured endpoint when no region is given.
        urls: Region -> base URL (the testing hook).
        remote: Fetch the server's model list when a key is available.
        timeout: Seconds for the request.

    Returns:
        The report; ``error`` is set for an unknown region.
    """
    canonical: str | None = None
    if region:
        try:
            key = region.strip().lower()
            canonical = key if key in _PLAN_LISTS else normalize_region(region)
            names = models_in_region(canonical)
        except ValueError as exc:
            return ModelsReport(region=region, rows=[], error=str(exc))
    else:
        names = all_models()
    probe: Probe | None = None
    if remote and api_key:
        # A Coding Plan list is checked against that plan's host of its region.
        plan = "coding" if canonical in _PLAN_LISTS else None
        geo = _PLAN_LISTS.get(canonical or "", canonical)
        table = dict(urls) if urls is not None else default_region_urls(plan)
        try:
            endpoint = resolve_target(region=geo, urls=table, plan=plan)
        except ValueError as exc:
            return ModelsReport(
                region=canonical, rows=[_row(n, None) for n in names], error=str(exc)
            )
        probe = probe_all(
            [(endpoint.region, endpoint.base_url)], api_key.strip(), timeout=timeout
        )[0]
    listed_models = probe.models if probe is not None else None
    listed = {m.lower() for m in listed_models} if listed_models is not None else None
    rows = [_row(n, listed) for n in names]
    unprofiled = (
        sorted(m for m in listed_models if get_model_profile(m) is None)
        if listed_models is not None
        else []
    )
    error = None
    if probe is not None and probe.models is None:
        error = f"GET {probe.url}/models: " + (
            f"HTTP {probe.status_code} {probe.code or ''} {probe.detail}".strip()
            if probe.status_code
            else probe.detail
        )
    return ModelsReport(
        region=canonical, rows=rows, probe=probe, unprofiled=unprofiled, error=error
    )
