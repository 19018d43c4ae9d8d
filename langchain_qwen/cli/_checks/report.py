"""What the doctor and ``models`` find: data classes, no behaviour, no output."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from langchain_qwen._client.regions import (
    Endpoint,
)

DEFAULT_MODEL = "qwen-plus"
"""ChatQwen's default model, checked when no model is named."""

DEFAULT_TIMEOUT = 5.0
"""Seconds per probe (connect and read each)."""

CLOCK_SKEW_LIMIT = 300.0
"""Seconds of clock difference with the server before a warning."""

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
