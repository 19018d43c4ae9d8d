"""The Batch API of DashScope's compatible mode: ``/files`` and ``/batches``.

Like Model Studio's OpenAI-compatible batch interface: upload a JSONL file with purpose
``batch``, create a batch for ``/v1/chat/completions``, poll it through ``validating``
-> ``in_progress`` -> ``finalizing`` -> ``completed`` (or ``failed`` at validation,
``expired`` when its time runs out, ``cancelling`` -> ``cancelled``), then download the
output file (successful answers) and the error file (failed lines).

Time is scaled (`BatchTiming`): a job validates, runs its lines and finalizes in
fractions of a second, so tests see every state. The state is computed from the clock
on each request, so nothing runs in the background. Each line is answered by the
server's own chat rules and replies (`answer`), so scripted replies and faults apply
to batch lines as to live calls, one line at a time in file order.
"""

from __future__ import annotations

import email.parser
import email.policy
import fnmatch
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_qwen.testing._rules import RuleError

Answer = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]
"""Answers one request body: (HTTP status, response body)."""

FaultKind = Literal["reset", "hang"]


@dataclass(frozen=True)
class TransportFault:
    """A connection failure the server causes on one ``/files`` or ``/batches`` call.

    Attributes:
        kind: ``reset`` (TCP RST, no answer) or ``hang`` (no answer until the client
            gives up).
        handled: Whether the request was carried out first (file stored, job
            created, cancel applied): the client cannot tell it from a lost request.
    """

    kind: FaultKind
    handled: bool


#: Vendor limits of one input file (Model Studio "Batch inference" page).
MAX_LINES = 50_000
MAX_FILE_BYTES = 500 * 1024 * 1024
MAX_LINE_BYTES = 6 * 1024 * 1024
_ENDPOINTS = ("/v1/chat/completions",)
_TERMINAL = ("completed", "failed", "expired", "cancelled")


@dataclass
class BatchTiming:
    """How long each phase of a batch takes on the emulator, in seconds.

    Attributes:
        validating: Time spent validating the input file.
        per_line: Time to answer one line while ``in_progress``.
        finalizing: Time spent writing the output files (and cancelling).
        expire_after: Seconds after creation at which an unfinished batch expires
            (None: never; the real window is ``completion_window``, hours to days).
    """

    validating: float = 0.05
    per_line: float = 0.002
    finalizing: float = 0.05
    expire_after: float | None = None


@dataclass
class _File:
    id: str
    filename: str
    purpose: str
    data: bytes
    created_at: int

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.data),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "status_details": None,
        }


@dataclass
class _Batch:
    id: str
    input_file_id: str
    endpoint: str
    completion_window: str
    metadata: dict[str, Any] | None
    created: float
    lines: list[dict[str, Any]] = field(default_factory=list)
    status: str = "validating"
    errors: list[dict[str, Any]] = field(default_factory=list)
    done: int = 0  # lines answered so far
    outputs: list[bytes] = field(default_factory=list)
    failures: list[bytes] = field(default_factory=list)
    stamps: dict[str, float] = field(default_factory=dict)
    output_file_id: str | None = None
    error_file_id: str | None = None


class Refused(Exception):  # noqa: N818 - a refusal, answered as an HTTP error
    """A request the Batch API refuses; `error` is what to answer."""

    def __init__(self, error: RuleError) -> None:
        super().__init__(error.message)
        self.error = error


def _refuse(*args: Any, **kwargs: Any) -> Refused:
    return Refused(RuleError(*args, **kwargs))


def new_id(prefix: str) -> str:
    """A DashScope-like object id."""
    return f"{prefix}{secrets.token_hex(12)}"


class BatchService:
    """Files and batches of one emulator (thread-safe; state advanced on access).

    Attributes:
        timing: How long each phase takes (`BatchTiming`).
        clock: Where "now" comes from (default ``time.time``); a test that steps a
            fake clock sees every state without depending on the machine's load.
    """

    def __init__(
        self,
        answer: Answer,
        *,
        timing: BatchTiming | None = None,
        max_lines: int = MAX_LINES,
        max_file_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        self._answer = answer
        self.timing = timing or BatchTiming()
        self.clock: Callable[[], float] = time.time
        self.max_lines = max_lines
        self.max_file_bytes = max_file_bytes
        self._files: dict[str, _File] = {}
        self._batches: dict[str, _Batch] = {}
        self._faults: list[tuple[str, str, TransportFault]] = []
        self._lock = threading.RLock()

    def fail_next(
        self,
        method: str,
        endpoint: str,
        *,
        kind: FaultKind = "reset",
        handled: bool = True,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` matching requests fail at the transport.

        Args:
            method: HTTP method (``POST``, ``GET``, ...).
            endpoint: The path under the base URL, a glob: ``files``, ``batches``,
                ``batches/*``, ``files/*/content``.
            kind: ``reset`` or ``hang`` (see `TransportFault`).
            handled: Carry the request out before failing (default), as a server
                that did the work and lost the answer; False fails before.
            times: How many matching requests fail.
        """
        fault = TransportFault(kind, handled)
        with self._lock:
            self._faults.extend([(method.upper(), endpoint, fault)] * times)

    def take_fault(self, method: str, endpoint: str) -> TransportFault | None:
        """The fault queued for this request, if any (consumed)."""
        with self._lock:
            for i, (want_method, pattern, fault) in enumerate(self._faults):
                if want_method == method and fnmatch.fnmatchcase(endpoint, pattern):
                    del self._faults[i]
                    return fault
        return None

    @property
    def batch_ids(self) -> list[str]:
        """Ids of every batch created, oldest first."""
        with self._lock:
            return list(self._batches)

    @property
    def file_ids(self) -> list[str]:
        """Ids of every file stored (uploads and results), oldest first."""
        with self._lock:
            return list(self._files)

    def file_content(self, file_id: str) -> bytes:
        """The bytes of a stored file (for tests)."""
        with self._lock:
            return self._files[file_id].data

    # ------------------------------------------------------------------ dispatch
    def handle(
        self, method: str, endpoint: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, Any] | bytes]:
        """Answer one request under ``/files`` or ``/batches``.

        Returns:
            (status, JSON object or raw file bytes).

        Raises:
            Refused: a refused request (404 unknown id, 400 bad input, 405).
        """
        parts = endpoint.split("/")
        with self._lock:
            if parts[0] == "files":
                return 200, self._files_route(method, parts[1:], headers, body)
            return 200, self._batches_route(method, parts[1:], body)

    def _files_route(
        self, method: str, rest: list[str], headers: Mapping[str, str], body: bytes
    ) -> dict[str, Any] | bytes:
        if not rest:
            if method == "POST":
                return self._upload(headers, body)
            if method == "GET":
                data = [f.wire() for f in self._files.values()]
                return {"object": "list", "data": data, "has_more": False}
            raise _not_allowed()
        file = self._files.get(rest[0])
        if file is None:
            raise _not_found("file", rest[0])
        if rest[1:] == ["content"] and method == "GET":
            return file.data
        if len(rest) == 1 and method == "GET":
            return file.wire()
        if len(rest) == 1 and method == "DELETE":
            del self._files[file.id]
            return {"id": file.id, "object": "file", "deleted": True}
        raise _not_allowed()

    def _batches_route(
        self, method: str, rest: list[str], body: bytes
    ) -> dict[str, Any]:
        if not rest:
            if method == "POST":
                return self._wire(self._create(body))
            if method == "GET":
                for each in self._batches.values():
                    self._advance(each)
                data = [self._wire(b) for b in reversed(self._batches.values())]
                return {"object": "list", "data": data, "has_more": False}
            raise _not_allowed()
        found = self._batches.get(rest[0])
        if found is None:
            raise _not_found("batch", rest[0])
        batch = found
        self._advance(batch)
        if len(rest) == 1 and method == "GET":
            return self._wire(batch)
        if rest[1:] == ["cancel"] and method == "POST":
            if batch.status in ("validating", "in_progress", "finalizing"):
                batch.status = "cancelling"
                batch.stamps["cancelling_at"] = self.clock()
            elif batch.status != "cancelling":
                raise _refuse(
                    400,
                    "invalid_request",
                    f"Batch {batch.id} is {batch.status} and cannot be cancelled.",
                )
            return self._wire(batch)
        raise _not_allowed()

    # ------------------------------------------------------------------ files
    def _upload(self, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        fields = _multipart(headers.get("content-type", ""), body)
        purpose = fields.get("purpose", (None, b""))[1].decode("utf-8", "replace")
        if purpose != "batch":
            raise _refuse(
                400,
                "invalid_parameter_error",
                f"purpose must be 'batch' for this endpoint, got {purpose!r}.",
                param="purpose",
            )
        if "file" not in fields:
            raise _refuse(
                400, "invalid_parameter_error", "No file was uploaded.", param="file"
            )
        filename, data = fields["file"]
        if len(data) > self.max_file_bytes:
            raise _refuse(
                400,
                "invalid_parameter_error",
                f"The file is larger than {self.max_file_bytes} bytes.",
                param="file",
            )
        file = _File(
            new_id("file-batch-"),
            filename or "upload.jsonl",
            purpose,
            data,
            int(self.clock()),
        )
        self._files[file.id] = file
        return file.wire()

    def _store(self, filename: str, purpose: str, data: bytes) -> str:
        file = _File(new_id("file-batch_output-"), filename, purpose, data, 0)
        file.created_at = int(self.clock())
        self._files[file.id] = file
        return file.id

    # ------------------------------------------------------------------ batches
    def _create(self, body: bytes) -> _Batch:
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        if not isinstance(request, dict):
            raise _refuse(400, "invalid_parameter_error", "Body must be JSON.")
        file_id = request.get("input_file_id")
        if file_id not in self._files:
            raise _not_found("file", str(file_id))
        endpoint = request.get("endpoint")
        if endpoint not in _ENDPOINTS:
            raise _refuse(
                400,
                "invalid_parameter_error",
                f"endpoint must be one of {list(_ENDPOINTS)}, got {endpoint!r}.",
                param="endpoint",
            )
        window = request.get("completion_window", "24h")
        if not _valid_window(window):
            raise _refuse(
                400,
                "invalid_parameter_error",
                "completion_window must be between 24h and 336h (e.g. '24h', '7d'), "
                f"got {window!r}.",
                param="completion_window",
            )
        metadata = request.get("metadata")
        batch = _Batch(
            id=new_id("batch_"),
            input_file_id=file_id,
            endpoint=endpoint,
            completion_window=window,
            metadata=metadata if isinstance(metadata, dict) else None,
            created=self.clock(),
        )
        self._batches[batch.id] = batch
        return batch

    def _validate(self, batch: _Batch) -> None:
        data = self._files[batch.input_file_id].data
        lines: list[dict[str, Any]] = []
        ids: set[str] = set()
        models: set[str] = set()
        problems: list[str] = []
        for number, raw in enumerate(data.splitlines(), start=1):
            if not raw.strip():
                continue
            if len(raw) > MAX_LINE_BYTES:
                problems.append(f"line {number} is larger than 6 MB")
                continue
            try:
                line = json.loads(raw)
            except ValueError:
                problems.append(f"line {number} is not valid JSON")
                continue
            if not isinstance(line, dict) or not isinstance(line.get("body"), dict):
                problems.append(f"line {number} has no request body")
                continue
            custom_id = line.get("custom_id")
            if not isinstance(custom_id, str) or not custom_id or custom_id in ids:
                problems.append(f"line {number}: custom_id missing or repeated")
            elif line.get("url") != batch.endpoint or line.get("method") != "POST":
                problems.append(
                    f"line {number}: method/url must be POST {batch.endpoint}"
                )
            ids.add(str(custom_id))
            models.add(str(line["body"].get("model")))
            lines.append(line)
        if not lines:
            problems.append("the file has no requests")
        if len(lines) > self.max_lines:
            problems.append(f"the file has more than {self.max_lines} requests")
        if len(models) > 1:
            problems.append(
                f"all requests of a file must use one model, got {sorted(models)}"
            )
        batch.errors = [
            {"code": "invalid_file", "message": text, "line": None}
            for text in problems[:10]
        ]
        batch.lines = [] if problems else lines

    def _advance(self, batch: _Batch) -> None:
        """Bring the batch to where the clock says it is."""
        now = self.clock()
        t = self.timing
        if batch.status == "validating" and now >= batch.created + t.validating:
            self._validate(batch)
            batch.stamps["in_progress_at"] = batch.created + t.validating
            if batch.errors:
                batch.status = "failed"
                batch.stamps["failed_at"] = batch.stamps["in_progress_at"]
                return
            batch.status = "in_progress"
        expires = batch.created + t.expire_after if t.expire_after is not None else None
        if batch.status == "in_progress":
            started = batch.stamps["in_progress_at"]
            until = min(now, expires) if expires is not None else now
            due = int((until - started) / t.per_line) if t.per_line > 0 else 10**9
            self._run_lines(batch, min(due, len(batch.lines)))
            if batch.done == len(batch.lines):
                batch.status = "finalizing"
                batch.stamps["finalizing_at"] = started + batch.done * t.per_line
            elif expires is not None and now >= expires:
                batch.status = "expired"
                batch.stamps["expired_at"] = expires
                self._write_files(batch)
                return
        if (
            batch.status == "finalizing"
            and now >= batch.stamps["finalizing_at"] + t.finalizing
        ):
            batch.status = "completed"
            batch.stamps["completed_at"] = now
            self._write_files(batch)
        if (
            batch.status == "cancelling"
            and now >= batch.stamps["cancelling_at"] + t.finalizing
        ):
            batch.status = "cancelled"
            batch.stamps["cancelled_at"] = now
            self._write_files(batch)

    def _run_lines(self, batch: _Batch, upto: int) -> None:
        while batch.done < upto:
            line = batch.lines[batch.done]
            batch.done += 1
            status, body = self._answer(line["body"])
            completion_id = str(body.get("id") or "")
            request_id = body.get("request_id") or completion_id.removeprefix(
                "chatcmpl-"
            )
            record: dict[str, Any] = {
                "id": new_id("batch_req_"),
                "custom_id": line["custom_id"],
                "response": {
                    "status_code": status,
                    "request_id": request_id,
                    "body": body,
                },
                "error": None,
            }
            if status == 200:
                batch.outputs.append(_line(record))
            else:
                error = body.get("error") if isinstance(body, dict) else None
                error = error if isinstance(error, dict) else {}
                record["error"] = {
                    "code": error.get("code"),
                    "message": error.get("message"),
                }
                batch.failures.append(_line(record))

    def _write_files(self, batch: _Batch) -> None:
        if batch.outputs:
            batch.output_file_id = self._store(
                f"{batch.id}_success.jsonl", "batch_output", b"".join(batch.outputs)
            )
        if batch.failures:
            batch.error_file_id = self._store(
                f"{batch.id}_error.jsonl", "batch_output", b"".join(batch.failures)
            )

    def _wire(self, batch: _Batch) -> dict[str, Any]:
        s = batch.stamps
        failed = len(batch.failures)
        return {
            "id": batch.id,
            "object": "batch",
            "endpoint": batch.endpoint,
            "errors": {"object": "list", "data": batch.errors}
            if batch.errors
            else None,
            "input_file_id": batch.input_file_id,
            "completion_window": batch.completion_window,
            "status": batch.status,
            "output_file_id": batch.output_file_id,
            "error_file_id": batch.error_file_id,
            "created_at": int(batch.created),
            "in_progress_at": _int(s.get("in_progress_at")),
            "expires_at": int(batch.created + 24 * 3600),
            "finalizing_at": _int(s.get("finalizing_at")),
            "completed_at": _int(s.get("completed_at")),
            "failed_at": _int(s.get("failed_at")),
            "expired_at": _int(s.get("expired_at")),
            "cancelling_at": _int(s.get("cancelling_at")),
            "cancelled_at": _int(s.get("cancelled_at")),
            "request_counts": {
                "total": len(batch.lines),
                "completed": batch.done - failed,
                "failed": failed,
            },
            "metadata": batch.metadata,
        }


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _line(record: dict[str, Any]) -> bytes:
    return (
        json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    )


def _valid_window(window: object) -> bool:
    if not isinstance(window, str) or len(window) < 2 or window[-1] not in "hd":
        return False
    if not window[:-1].isdigit():
        return False
    hours = int(window[:-1]) * (24 if window[-1] == "d" else 1)
    return 24 <= hours <= 336


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """Form fields of a multipart/form-data body: name -> (filename, bytes)."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise _refuse(
            400,
            "invalid_parameter_error",
            "Upload the file as multipart/form-data.",
            param="file",
        )
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        payload = payload if isinstance(payload, bytes) else b""
        if name:
            fields[str(name)] = (part.get_filename(), payload)
    return fields


def _not_found(kind: str, object_id: str) -> Refused:
    return _refuse(
        404, "not_found", f"No such {kind}: {object_id}.", "invalid_request_error"
    )


def _not_allowed() -> Refused:
    return _refuse(405, "method_not_allowed", "Method Not Allowed", gateway=True)
