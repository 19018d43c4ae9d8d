"""The handle on a batch job: status, waiting, results, cancel and retries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable

from langchain_qwen._client.errors import DashScopeBatchError, make_status_error
from langchain_qwen._compat import httpx
from langchain_qwen.batch._api import BatchApi
from langchain_qwen.batch._lines import (
    MAX_FILE_BYTES,
    MAX_LINES,
    jsonl,
    meta,
    name,
    split,
    unwrap,
)
from langchain_qwen.batch._progress import Progress

__all__ = ["TERMINAL", "BatchJob", "BatchStatus"]

TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
_ORDER = ("validating", "in_progress", "finalizing", "cancelling")


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
        self.llm, _, self._after = unwrap(llm)
        self.batch_ids = list(batch_ids)
        self._total = total
        self._unsubmitted = set(unsubmitted)
        self._lines: dict[str, Mapping[str, Any]] = dict(lines or {})
        self._batch_lines: dict[str, list[str]] = {}  # batch id -> its custom ids
        self._api = BatchApi(self.llm)

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
        batches = [self._api.batch(b) for b in self.batch_ids]
        return _summarize(batches, self._count(batches))

    async def astatus(self) -> BatchStatus:
        """Async twin of :meth:`status`."""
        batches = await asyncio.gather(*(self._api.abatch(b) for b in self.batch_ids))
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
        bar = Progress(progress)
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
        bar = Progress(progress)
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
                self._api.cancel(b["id"])
        return self.status()

    async def acancel(self) -> BatchStatus:
        """Async twin of :meth:`cancel`."""
        for b in (await self.astatus()).batches:
            if b.get("status") not in TERMINAL and b.get("status") != "cancelling":
                await self._api.acancel(b["id"])
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
            fid: self._api.content(fid)
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
        contents = await asyncio.gather(*(self._api.acontent(f) for f in ids))
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
                data = self._api.content(b["input_file_id"])
                self._remember(data)
        return self._lines

    def status_batches(self) -> list[Mapping[str, Any]]:
        """The DashScope batch objects as they are now."""
        return [self._api.batch(b) for b in self.batch_ids]

    def _remember(self, data: bytes) -> None:
        for line in jsonl(data):
            self._lines.setdefault(str(line["custom_id"]), line)

    def _assemble(self, state: BatchStatus, files: Mapping[str, bytes]) -> list[Any]:
        for b in state.batches:
            if b.get("input_file_id") in files:
                self._remember(files[b["input_file_id"]])
        total = max([int(c) + 1 for c in self._lines] + [self._total or 0])
        self._total = total
        answers: dict[int, Any] = {}
        for b in state.batches:  # oldest first: a later success replaces an error
            for line in jsonl(files.get(str(b.get("output_file_id")))):
                i = int(line["custom_id"])
                if not isinstance(answers.get(i), AIMessage):
                    answers[i] = self._answer(line)
            for line in jsonl(files.get(str(b.get("error_file_id")))):
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
            return [str(line["custom_id"]) for line in jsonl(data)]
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
                region=self._api.region,
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
        return list(enumerate(split(chosen, MAX_LINES, MAX_FILE_BYTES)))

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
        uploaded = self._api.upload(data, name(part))
        batch = self._api.create(uploaded["id"], window, meta(part))
        self._note(batch["id"], data)
        return str(batch["id"])

    async def _asubmit_file(self, data: bytes, window: str, part: int) -> str:
        uploaded = await self._api.aupload(data, name(part))
        batch = await self._api.acreate(uploaded["id"], window, meta(part))
        self._note(batch["id"], data)
        return str(batch["id"])

    def _note(self, batch_id: str, data: bytes) -> None:
        ids = [str(line["custom_id"]) for line in jsonl(data)]
        self._batch_lines = {**self._batch_lines, batch_id: ids}
        self._remember(data)


def _file_ids(batches: Sequence[Mapping[str, Any]], *, with_input: bool) -> list[str]:
    keys = ("output_file_id", "error_file_id", "input_file_id")
    ids = [
        str(b[k]) for b in batches for k in keys[: 3 if with_input else 2] if b.get(k)
    ]
    return list(dict.fromkeys(ids))
