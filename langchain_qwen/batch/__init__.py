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

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.runnables import Runnable

from langchain_qwen._client.errors import DashScopeBatchError
from langchain_qwen.batch._job import BatchJob, BatchStatus
from langchain_qwen.batch._lines import (
    MAX_FILE_BYTES,
    MAX_LINES,
    request_lines,
    split,
    unwrap,
)

__all__ = ["BatchJob", "BatchStatus", "asubmit_batch", "submit_batch"]


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
    model, bound, _ = unwrap(llm)
    lines = request_lines(model, inputs, {**bound, **kwargs}, per_item_kwargs, 0)
    files = split(lines, max_lines, max_bytes)
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
