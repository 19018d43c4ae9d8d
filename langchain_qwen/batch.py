"""DashScope Batch jobs for ChatQwen: any list of inputs, answered at half price.

Model Studio's Batch API (OpenAI-compatible, vendor page "Batch inference") takes a
JSONL file of chat requests, runs it outside the real-time RPM/TPM limits, and returns
an output file (answers) and an error file (failed lines). :func:`submit_batch` turns
ChatQwen inputs into such files, with every request built by ChatQwen itself (so every
parameter rule, tool and structured-output setting applies), and returns a
:class:`BatchJob` handle.

Vendor limits per input file: 50,000 requests, 500 MB, 6 MB a line, one model. Larger
inputs are split over several DashScope batches, transparently: the handle covers them
all, and its id (the batch ids joined by commas) reattaches after a restart.

Example:
    .. code-block:: python

        from langchain_qwen import ChatQwen
        from langchain_qwen.batch import BatchJob, submit_batch

        llm = ChatQwen(model="qwen-plus", region="china")
        job = submit_batch(llm, ["Summarize: ...", "Translate: ..."])
        print(job.id)  # keep it: BatchJob.attach(llm, job.id) after a restart
        job.wait()  # progress bar in a terminal or notebook
        for answer in job.results():  # input order; an exception where an item failed
            ...
        job = job.retry_failed()  # resubmit only what failed or expired
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.runnables import (
    Runnable,
    RunnableBinding,
    RunnableLambda,
    RunnableParallel,
    RunnableSequence,
)

from langchain_qwen._client.errors import (
    DashScopeBatchError,
    DashScopeConnectionError,
    DashScopeTimeoutError,
    connection_error,
    is_retryable,
    make_status_error,
    parse_error_body,
)
from langchain_qwen._client.http import backoff_delay, split_user_info
from langchain_qwen._compat import httpx

if TYPE_CHECKING:
    from langchain_qwen.chat_models import ChatQwen

__all__ = ["BatchJob", "BatchStatus", "asubmit_batch", "submit_batch"]

#: One input file at most (vendor "Batch inference" page).
MAX_LINES = 50_000
MAX_FILE_BYTES = 500 * 1024 * 1024
MAX_LINE_BYTES = 6 * 1024 * 1024
ENDPOINT = "/v1/chat/completions"
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
_ORDER = ("validating", "in_progress", "finalizing", "cancelling")


# ---------------------------------------------------------------------- requests
def _unwrap(runnable: Runnable) -> tuple[ChatQwen, dict[str, Any], Runnable | None]:
    """(model, bound call kwargs, what runs on each answer) of a ChatQwen runnable.

    Accepts a ChatQwen, ``bind``/``bind_tools`` bindings of it, and
    ``with_structured_output`` pipelines (the parser then runs on each answer).
    """
    from langchain_qwen.chat_models import ChatQwen

    head: Runnable = runnable
    tail: list[Runnable] = []
    if isinstance(runnable, RunnableSequence):
        head, tail = runnable.first, [*runnable.middle, runnable.last]
    if isinstance(head, RunnableParallel) and list(head.steps__) == ["raw"]:
        # with_structured_output(include_raw=True): {"raw": answer} feeds the parser
        head = head.steps__["raw"]
        tail.insert(0, RunnableLambda(lambda message: {"raw": message}))
    kwargs: dict[str, Any] = {}
    while isinstance(head, RunnableBinding):
        kwargs = {**head.kwargs, **kwargs}
        head = head.bound
    if not isinstance(head, ChatQwen):
        msg = (
            "submit_batch needs a ChatQwen, a binding of it (bind, bind_tools) or "
            f"its with_structured_output pipeline; got {type(runnable).__name__}."
        )
        raise TypeError(msg)
    after: Runnable | None = None
    if tail:
        after = tail[0] if len(tail) == 1 else RunnableSequence(*tail)
    return head, kwargs, after


def _request_lines(
    llm: ChatQwen,
    inputs: Sequence[LanguageModelInput],
    kwargs: Mapping[str, Any],
    per_item: Sequence[Mapping[str, Any]] | None,
    start: int,
) -> list[dict[str, Any]]:
    if per_item is not None and len(per_item) != len(inputs):
        msg = (
            f"per_item_kwargs has {len(per_item)} entries for {len(inputs)} inputs; "
            "give one dict per input."
        )
        raise ValueError(msg)
    if kwargs.get("stream") or kwargs.get("stream_options"):
        msg = "stream/stream_options: batch jobs answer whole, not as streams."
        raise ValueError(msg)
    lines = []
    for i, item in enumerate(inputs):
        call = {**kwargs, **(per_item[i] if per_item is not None else {})}
        stop = call.pop("stop", None)
        # The same body ChatQwen sends live: every parameter rule applies here.
        body = llm._get_request_payload(item, stop=stop, **call)
        body.pop("stream", None)
        body.pop("stream_options", None)
        lines.append(
            {
                "custom_id": str(start + i),
                "method": "POST",
                "url": ENDPOINT,
                "body": body,
            }
        )
    return lines


def _encode(line: Mapping[str, Any]) -> bytes:
    return json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _split(
    lines: Sequence[Mapping[str, Any]], max_lines: int, max_bytes: int
) -> list[bytes]:
    """JSONL files within the limits; one model a file, input order kept."""
    by_model: dict[str, list[bytes]] = {}
    for line in lines:
        data = _encode(line)
        if len(data) > MAX_LINE_BYTES:
            msg = (
                f"Input {line['custom_id']} is {len(data)} bytes as a batch line; "
                f"DashScope takes at most {MAX_LINE_BYTES} bytes a line."
            )
            raise ValueError(msg)
        by_model.setdefault(str(line["body"].get("model")), []).append(data)
    files: list[bytes] = []
    for encoded in by_model.values():
        current: list[bytes] = []
        size = 0
        for data in encoded:
            if current and (len(current) >= max_lines or size + len(data) > max_bytes):
                files.append(b"".join(current))
                current, size = [], 0
            current.append(data)
            size += len(data)
        files.append(b"".join(current))
    return files


# ---------------------------------------------------------------------- HTTP
class _Api:
    """DashScope's /files and /batches, with ChatQwen's endpoint, key and timeout."""

    def __init__(self, llm: ChatQwen) -> None:
        self.llm = llm
        self.target = llm._request_target(None)
        # Credentials in the URL travel in the target's Authorization header: a URL
        # with them would be logged by httpx on every request.
        self.base, _ = split_user_info((llm.openai_api_base or "").rstrip("/"))
        self.headers = {
            k: v
            for k, v in self.target.headers.for_httpx().items()
            if k.lower() != "content-type"
        }

    def _request(
        self,
        client: httpx.Client | httpx.AsyncClient,
        method: str,
        path: str,
        **kw: Any,
    ) -> httpx.Request:
        return client.build_request(
            method,
            self.base + path,
            headers=self.headers,
            timeout=self.target.timeout,
            **kw,
        )

    def _retry_delay(
        self, attempt: int, response: httpx.Response | None, idempotent: bool
    ) -> float | None:
        """Seconds to wait before another try, or None to give up."""
        if attempt >= self.target.max_retries:
            return None
        if response is None:
            # No answer: only a request that cannot duplicate anything is re-sent.
            return backoff_delay(attempt, None) if idempotent else None
        if not is_retryable(response.status_code, parse_error_body(response.content)):
            return None
        return backoff_delay(attempt, response)

    def _lost(
        self, exc: Exception, request: httpx.Request
    ) -> DashScopeConnectionError | DashScopeTimeoutError:
        """One of our exceptions for a request that got no answer."""
        return connection_error(
            exc, request, self.target.where, self.target.headers.secrets()
        )

    def _value(self, response: httpx.Response, raw: bool) -> Any:
        if response.status_code >= 400:
            raise make_status_error(
                response,
                parse_error_body(response.content),
                region=self.target.region,
                region_text=self.target.where,
                model=None,
            )
        return response.content if raw else response.json()

    def call(self, method: str, path: str, *, raw: bool = False, **kw: Any) -> Any:
        client = self.llm.root_client._client
        attempt = 0
        while True:
            request = self._request(client, method, path, **kw)
            try:
                response = client.send(request)
            except httpx.TransportError as exc:
                delay = self._retry_delay(attempt, None, method == "GET")
                if delay is None:
                    raise self._lost(exc, request) from exc
            else:
                delay = self._retry_delay(attempt, response, True)
                if delay is None:
                    return self._value(response, raw)
            attempt += 1
            time.sleep(delay)

    async def acall(
        self, method: str, path: str, *, raw: bool = False, **kw: Any
    ) -> Any:
        client = self.llm._async_http()
        attempt = 0
        while True:
            request = self._request(client, method, path, **kw)
            try:
                response = await client.send(request)
            except httpx.TransportError as exc:
                delay = self._retry_delay(attempt, None, method == "GET")
                if delay is None:
                    raise self._lost(exc, request) from exc
            else:
                delay = self._retry_delay(attempt, response, True)
                if delay is None:
                    return self._value(response, raw)
            attempt += 1
            await asyncio.sleep(delay)


def _upload_args(data: bytes, name: str) -> dict[str, Any]:
    return {
        "files": {"file": (name, data, "application/jsonl")},
        "data": {"purpose": "batch"},
    }


def _create_args(
    file_id: str, window: str, metadata: Mapping[str, str]
) -> dict[str, Any]:
    return {
        "json": {
            "input_file_id": file_id,
            "endpoint": ENDPOINT,
            "completion_window": window,
            "metadata": dict(metadata),
        }
    }


# ---------------------------------------------------------------------- state
@dataclass(frozen=True)
class BatchStatus:
    """Where a job stands, over all its DashScope batches.

    Attributes:
        status: ``validating``, ``in_progress``, ``finalizing``, ``cancelling``
            (the least advanced batch, while any runs), then ``completed`` when every
            batch completed, else ``cancelled``, ``expired`` or ``failed``.
        total: requests in the job.
        completed: requests answered successfully so far.
        failed: requests answered with an error so far.
        batches: each DashScope batch object as last fetched.
    """

    status: str
    total: int
    completed: int
    failed: int
    batches: tuple[Mapping[str, Any], ...] = field(repr=False)

    @property
    def done(self) -> bool:
        """Whether every batch reached a final state."""
        return all(b.get("status") in TERMINAL for b in self.batches)

    @property
    def progress(self) -> float:
        """Fraction of requests answered (0..1)."""
        return (self.completed + self.failed) / self.total if self.total else 1.0


def _summarize(batches: Sequence[Mapping[str, Any]], total: int) -> BatchStatus:
    statuses = [str(b.get("status")) for b in batches]
    running = [s for s in statuses if s not in TERMINAL]
    if running:
        status = min(running, key=lambda s: _ORDER.index(s) if s in _ORDER else -1)
    elif all(s == "completed" for s in statuses):
        status = "completed"
    else:
        status = next(s for s in ("cancelled", "expired", "failed") if s in statuses)
    counts = [b.get("request_counts") or {} for b in batches]
    return BatchStatus(
        status=status,
        total=total,
        completed=sum(int(c.get("completed") or 0) for c in counts),
        failed=sum(int(c.get("failed") or 0) for c in counts),
        batches=tuple(batches),
    )


def _jsonl(data: bytes | None) -> list[dict[str, Any]]:
    if not data:
        return []
    return [json.loads(line) for line in data.splitlines() if line.strip()]


class _Progress:
    """A one-line progress bar on a terminal (nothing when not interactive)."""

    def __init__(self, enabled: bool | None, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        if enabled is None:  # a terminal or a notebook
            enabled = self.stream.isatty() or "ipykernel" in sys.modules
        self.enabled = enabled
        self.width = 30

    def update(self, state: BatchStatus) -> None:
        if not self.enabled:
            return
        filled = int(self.width * state.progress)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(
            f"\r[{bar}] {state.completed + state.failed}/{state.total} "
            f"({state.failed} failed) {state.status:<11}"
        )
        if state.done:
            self.stream.write("\n")
        self.stream.flush()


# ---------------------------------------------------------------------- the job
class BatchJob:
    """A handle on one logical batch job (one or more DashScope batches).

    Items are numbered by their position in the submitted inputs; each DashScope
    line carries that number as ``custom_id``. When a job is retried, the new
    batches join the handle and an item's answer is taken from whichever batch
    answered it successfully, so nothing is duplicated.

    Args:
        llm: the ChatQwen, binding or structured-output pipeline the job was
            submitted with (it gives the endpoint, key and answer parsing).
        batch_ids: the DashScope batch ids.
        total: number of items (learned from the input files when not given).
    """

    def __init__(
        self,
        llm: Runnable,
        batch_ids: Sequence[str],
        *,
        total: int | None = None,
        unsubmitted: Iterable[int] = (),
        lines: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.runnable = llm
        self.llm, _, self._after = _unwrap(llm)
        self.batch_ids = list(batch_ids)
        self._total = total
        self._unsubmitted = set(unsubmitted)
        self._lines: dict[str, Mapping[str, Any]] = dict(lines or {})
        self._batch_lines: dict[str, list[str]] = {}  # batch id -> its custom ids
        self._api = _Api(self.llm)

    @property
    def id(self) -> str:
        """Reattach with ``BatchJob.attach(llm, job.id)``."""
        return ",".join(self.batch_ids)

    def __repr__(self) -> str:
        return f"BatchJob(id={self.id!r}, total={self._total})"

    @classmethod
    def attach(cls, llm: Runnable, job_id: str) -> BatchJob:
        """The handle of a job submitted earlier (e.g. before a restart)."""
        ids = [part.strip() for part in job_id.split(",") if part.strip()]
        if not ids:
            msg = f"job_id {job_id!r} names no batch; pass BatchJob.id."
            raise ValueError(msg)
        return cls(llm, ids)

    # -- status --
    def status(self) -> BatchStatus:
        """Fetch every batch and sum up progress."""
        batches = [self._api.call("GET", f"/batches/{b}") for b in self.batch_ids]
        return _summarize(batches, self._count(batches))

    async def astatus(self) -> BatchStatus:
        """Async twin of :meth:`status`."""
        batches = await asyncio.gather(
            *(self._api.acall("GET", f"/batches/{b}") for b in self.batch_ids)
        )
        return _summarize(batches, self._count(batches))

    def _count(self, batches: Sequence[Mapping[str, Any]]) -> int:
        if self._total is None:
            # Retried items appear in several batches: count custom ids once.
            if len(batches) == 1:
                return int((batches[0].get("request_counts") or {}).get("total") or 0)
            return len(self._known_lines())
        return self._total

    def wait(
        self,
        *,
        poll_interval: float = 5.0,
        timeout: float | None = None,
        progress: bool | None = None,
    ) -> BatchStatus:
        """Poll until every batch is final; returns the final status.

        Args:
            poll_interval: seconds between polls.
            timeout: give up (TimeoutError) after this many seconds.
            progress: draw a progress bar (default: when stderr is a terminal).
        """
        bar = _Progress(progress)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            state = self.status()
            bar.update(state)
            if state.done:
                return state
            if deadline is not None and time.monotonic() > deadline:
                msg = f"Batch job {self.id} is still {state.status} after {timeout}s."
                raise TimeoutError(msg)
            time.sleep(poll_interval)

    async def await_(
        self,
        *,
        poll_interval: float = 5.0,
        timeout: float | None = None,
        progress: bool | None = None,
    ) -> BatchStatus:
        """Async twin of :meth:`wait`."""
        bar = _Progress(progress)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            state = await self.astatus()
            bar.update(state)
            if state.done:
                return state
            if deadline is not None and time.monotonic() > deadline:
                msg = f"Batch job {self.id} is still {state.status} after {timeout}s."
                raise TimeoutError(msg)
            await asyncio.sleep(poll_interval)

    def cancel(self) -> BatchStatus:
        """Cancel every batch still running; answered items stay available."""
        for b in self.status().batches:
            if b.get("status") not in TERMINAL and b.get("status") != "cancelling":
                self._api.call("POST", f"/batches/{b['id']}/cancel")
        return self.status()

    async def acancel(self) -> BatchStatus:
        """Async twin of :meth:`cancel`."""
        for b in (await self.astatus()).batches:
            if b.get("status") not in TERMINAL and b.get("status") != "cancelling":
                await self._api.acall("POST", f"/batches/{b['id']}/cancel")
        return await self.astatus()

    # -- results --
    def results(self) -> list[Any]:
        """Answers in input order, an exception in place of each failed item.

        Each answer is an ``AIMessage`` (with ``usage_metadata``) or, for structured
        output, the parsed value. Items that failed, expired or were cancelled hold
        the exception instead.

        Raises:
            DashScopeBatchError: a batch is still running (``wait()`` first).
        """
        state = self.status()
        self._check_done(state)
        files = {
            fid: self._api.call("GET", f"/files/{fid}/content", raw=True)
            for fid in _file_ids(
                state.batches, with_input=self._needs_inputs(state.batches)
            )
        }
        return self._assemble(state, files)

    async def aresults(self) -> list[Any]:
        """Async twin of :meth:`results`."""
        state = await self.astatus()
        self._check_done(state)
        ids = _file_ids(state.batches, with_input=self._needs_inputs(state.batches))
        contents = await asyncio.gather(
            *(self._api.acall("GET", f"/files/{f}/content", raw=True) for f in ids)
        )
        return self._assemble(state, dict(zip(ids, contents, strict=True)))

    def failed(self) -> list[int]:
        """Positions of the items without a successful answer (after ``wait()``)."""
        return [i for i, r in enumerate(self.results()) if isinstance(r, Exception)]

    async def afailed(self) -> list[int]:
        """Async twin of :meth:`failed`."""
        return [
            i for i, r in enumerate(await self.aresults()) if isinstance(r, Exception)
        ]

    def retry_failed(
        self, items: Sequence[int] | None = None, *, completion_window: str = "24h"
    ) -> BatchJob:
        """Resubmit failed items (default: all of them) as new batches.

        Returns a handle on the whole job: answered items keep their answers, the
        resubmitted ones are taken from the new batches.
        """
        todo = self.failed() if items is None else list(items)
        files = self._retry_files(todo)
        ids = [self._submit_file(data, completion_window, i) for i, data in files]
        return self._joined(ids)

    async def aretry_failed(
        self, items: Sequence[int] | None = None, *, completion_window: str = "24h"
    ) -> BatchJob:
        """Async twin of :meth:`retry_failed`."""
        todo = await self.afailed() if items is None else list(items)
        files = self._retry_files(todo)
        ids = [
            await self._asubmit_file(data, completion_window, i) for i, data in files
        ]
        return self._joined(ids)

    # -- internals --
    def _check_done(self, state: BatchStatus) -> None:
        if not state.done:
            msg = (
                f"Batch job {self.id} is {state.status} "
                f"({state.completed + state.failed}/{state.total} answered); call "
                "wait() first."
            )
            raise DashScopeBatchError(msg, code=state.status)

    def _needs_inputs(self, batches: Sequence[Mapping[str, Any]]) -> bool:
        return any(str(b.get("id")) not in self._batch_lines for b in batches)

    def _known_lines(self) -> dict[str, Mapping[str, Any]]:
        if not self._lines:
            for b in self.status_batches():
                data = self._api.call(
                    "GET", f"/files/{b['input_file_id']}/content", raw=True
                )
                self._remember(data)
        return self._lines

    def status_batches(self) -> list[Mapping[str, Any]]:
        """The DashScope batch objects as they are now."""
        return [self._api.call("GET", f"/batches/{b}") for b in self.batch_ids]

    def _remember(self, data: bytes) -> None:
        for line in _jsonl(data):
            self._lines.setdefault(str(line["custom_id"]), line)

    def _assemble(self, state: BatchStatus, files: Mapping[str, bytes]) -> list[Any]:
        for b in state.batches:
            if b.get("input_file_id") in files:
                self._remember(files[b["input_file_id"]])
        total = max([int(c) + 1 for c in self._lines] + [self._total or 0])
        self._total = total
        answers: dict[int, Any] = {}
        for b in state.batches:  # oldest first: a later success replaces an error
            for line in _jsonl(files.get(str(b.get("output_file_id")))):
                i = int(line["custom_id"])
                if not isinstance(answers.get(i), AIMessage):
                    answers[i] = self._answer(line)
            for line in _jsonl(files.get(str(b.get("error_file_id")))):
                i = int(line["custom_id"])
                if not isinstance(answers.get(i), AIMessage):
                    answers[i] = self._error(line, b)
            for custom_id in self._ids_in(b, files):
                if int(custom_id) not in answers:
                    answers[int(custom_id)] = self._unanswered(b)
        out: list[Any] = []
        for i in range(total):
            answer = answers.get(i)
            if answer is None:
                answer = DashScopeBatchError(
                    f"Item {i} was not submitted (the submission stopped); "
                    "retry_failed() sends it.",
                    code="not_submitted",
                )
            out.append(self._finish(answer))
        return out

    def _ids_in(
        self, batch: Mapping[str, Any], files: Mapping[str, bytes]
    ) -> list[str]:
        data = files.get(str(batch.get("input_file_id")))
        if data is not None:
            return [str(line["custom_id"]) for line in _jsonl(data)]
        wanted = self._batch_lines.get(str(batch.get("id")))
        return list(wanted or ())

    def _answer(self, line: Mapping[str, Any]) -> AIMessage:
        response = line.get("response") or {}
        info = {"request_id": response.get("request_id")} if response else {}
        result = self.llm._create_chat_result(response.get("body") or {}, info)
        message = result.generations[0].message
        assert isinstance(message, AIMessage)
        return message

    def _error(self, line: Mapping[str, Any], batch: Mapping[str, Any]) -> Exception:
        response = line.get("response") or {}
        body = response.get("body")
        status = int(response.get("status_code") or 0)
        if status >= 400 and isinstance(body, dict):
            headers = {"x-request-id": str(response.get("request_id") or "")}
            fake = httpx.Response(
                status,
                headers=headers,
                request=httpx.Request("POST", self._api.base + "/chat/completions"),
            )
            return make_status_error(
                fake,
                body,
                region=self._api.target.region,
                region_text=f"batch {batch.get('id')}",
                model=None,
            )
        error = line.get("error") or {}
        return DashScopeBatchError(
            f"Item {line.get('custom_id')} failed in batch {batch.get('id')}: "
            f"{error.get('code')}: {error.get('message')}",
            code=error.get("code"),
            batch_id=batch.get("id"),
        )

    @staticmethod
    def _unanswered(batch: Mapping[str, Any]) -> DashScopeBatchError:
        status = str(batch.get("status"))
        why = ""
        if status == "failed" and batch.get("errors"):
            data = (batch.get("errors") or {}).get("data") or []
            why = ": " + "; ".join(str(e.get("message")) for e in data[:3])
        return DashScopeBatchError(
            f"No answer: batch {batch.get('id')} {status}{why}. retry_failed() "
            "resubmits the item.",
            code=status,
            batch_id=batch.get("id"),
        )

    def _finish(self, answer: Any) -> Any:
        if self._after is None or isinstance(answer, Exception):
            return answer
        try:
            return self._after.invoke(answer)
        except Exception as exc:
            return exc

    def _retry_files(self, items: Sequence[int]) -> list[tuple[int, bytes]]:
        lines = self._known_lines()
        missing = [i for i in items if str(i) not in lines]
        if missing:
            msg = f"Items {missing[:10]} are unknown to this job; nothing to resubmit."
            raise ValueError(msg)
        chosen = [lines[str(i)] for i in items]
        return list(enumerate(_split(chosen, MAX_LINES, MAX_FILE_BYTES)))

    def _joined(self, new_ids: Sequence[str]) -> BatchJob:
        job = BatchJob(
            self.runnable,
            [*self.batch_ids, *new_ids],
            total=self._total,
            lines=self._lines,
        )
        job._batch_lines = dict(self._batch_lines)
        return job

    def _submit_file(self, data: bytes, window: str, part: int) -> str:
        uploaded = self._api.call("POST", "/files", **_upload_args(data, _name(part)))
        batch = self._api.call(
            "POST", "/batches", **_create_args(uploaded["id"], window, _meta(part))
        )
        self._note(batch["id"], data)
        return str(batch["id"])

    async def _asubmit_file(self, data: bytes, window: str, part: int) -> str:
        uploaded = await self._api.acall(
            "POST", "/files", **_upload_args(data, _name(part))
        )
        batch = await self._api.acall(
            "POST", "/batches", **_create_args(uploaded["id"], window, _meta(part))
        )
        self._note(batch["id"], data)
        return str(batch["id"])

    def _note(self, batch_id: str, data: bytes) -> None:
        ids = [str(line["custom_id"]) for line in _jsonl(data)]
        self._batch_lines = {**self._batch_lines, batch_id: ids}
        self._remember(data)


def _file_ids(batches: Sequence[Mapping[str, Any]], *, with_input: bool) -> list[str]:
    keys = ("output_file_id", "error_file_id", "input_file_id")
    ids = [
        str(b[k]) for b in batches for k in keys[: 3 if with_input else 2] if b.get(k)
    ]
    return list(dict.fromkeys(ids))


def _name(part: int) -> str:
    return f"langchain-qwen-{uuid.uuid4().hex[:8]}-{part}.jsonl"


def _meta(part: int) -> dict[str, str]:
    return {"source": "langchain-qwen", "part": str(part)}


# ---------------------------------------------------------------------- submit
def _prepare(
    llm: Runnable,
    inputs: Sequence[LanguageModelInput],
    per_item_kwargs: Sequence[Mapping[str, Any]] | None,
    max_lines: int,
    max_bytes: int,
    kwargs: Mapping[str, Any],
) -> tuple[BatchJob, list[bytes]]:
    if isinstance(inputs, str | bytes) or not isinstance(inputs, Sequence):
        msg = "inputs must be a list of inputs (strings, message lists, prompts)."
        raise TypeError(msg)
    if not inputs:
        msg = "inputs is empty: nothing to submit."
        raise ValueError(msg)
    if not 1 <= max_lines <= MAX_LINES:
        msg = f"max_lines must be in [1, {MAX_LINES}], got {max_lines}."
        raise ValueError(msg)
    if not 1 <= max_bytes <= MAX_FILE_BYTES:
        msg = f"max_bytes must be in [1, {MAX_FILE_BYTES}], got {max_bytes}."
        raise ValueError(msg)
    model, bound, _ = _unwrap(llm)
    lines = _request_lines(model, inputs, {**bound, **kwargs}, per_item_kwargs, 0)
    files = _split(lines, max_lines, max_bytes)
    return BatchJob(llm, [], total=len(inputs)), files


def _stopped(job: BatchJob, files: Sequence[bytes], done: int, exc: Exception) -> None:
    for data in files[done:]:
        job._remember(data)  # the unsent lines stay resubmittable
    msg = (
        f"Submission stopped after {done} of {len(files)} files ({exc}); the job "
        f"handle on exc.job covers what was sent ({job.id or 'nothing'}), and its "
        "retry_failed() sends the rest."
    )
    raise DashScopeBatchError(msg, code="submission_incomplete", job=job) from exc


def submit_batch(
    llm: Runnable,
    inputs: Sequence[LanguageModelInput],
    *,
    per_item_kwargs: Sequence[Mapping[str, Any]] | None = None,
    completion_window: str = "24h",
    max_lines: int = MAX_LINES,
    max_bytes: int = MAX_FILE_BYTES,
    **kwargs: Any,
) -> BatchJob:
    """Submit inputs as DashScope batch jobs; returns the job handle.

    Args:
        llm: a ChatQwen, a binding of it (``bind``, ``bind_tools``) or its
            ``with_structured_output`` pipeline.
        inputs: what you would pass to ``llm.batch``: strings, message lists,
            prompt values.
        per_item_kwargs: one dict of call parameters per input (e.g. ``max_tokens``,
            ``model``), over ``kwargs``.
        completion_window: how long DashScope may take, ``"24h"`` to ``"336h"``.
        max_lines: requests per file (vendor limit 50,000).
        max_bytes: bytes per file (vendor limit 500 MB).
        kwargs: call parameters for every input (as for ``invoke``).

    Raises:
        DashScopeBatchError: the submission stopped part-way (``exc.job`` holds
            what was sent; its ``retry_failed()`` sends the rest).
    """
    job, files = _prepare(llm, inputs, per_item_kwargs, max_lines, max_bytes, kwargs)
    for part, data in enumerate(files):
        try:
            job.batch_ids.append(job._submit_file(data, completion_window, part))
        except Exception as exc:
            _stopped(job, files, part, exc)
    return job


async def asubmit_batch(
    llm: Runnable,
    inputs: Sequence[LanguageModelInput],
    *,
    per_item_kwargs: Sequence[Mapping[str, Any]] | None = None,
    completion_window: str = "24h",
    max_lines: int = MAX_LINES,
    max_bytes: int = MAX_FILE_BYTES,
    **kwargs: Any,
) -> BatchJob:
    """Async twin of :func:`submit_batch`."""
    job, files = _prepare(llm, inputs, per_item_kwargs, max_lines, max_bytes, kwargs)
    for part, data in enumerate(files):
        try:
            job.batch_ids.append(await job._asubmit_file(data, completion_window, part))
        except Exception as exc:
            _stopped(job, files, part, exc)
    return job
