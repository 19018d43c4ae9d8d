"""Batch input files: ChatQwen requests as JSONL lines, within the vendor limits."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.runnables import (
    Runnable,
    RunnableBinding,
    RunnableLambda,
    RunnableParallel,
    RunnableSequence,
)

from langchain_qwen.chat_models import ChatQwen

__all__ = [
    "ENDPOINT",
    "MAX_FILE_BYTES",
    "MAX_LINES",
    "MAX_LINE_BYTES",
    "jsonl",
    "meta",
    "name",
    "request_lines",
    "split",
    "unwrap",
]

#: One input file at most (vendor "Batch inference" page).
MAX_LINES = 50_000
MAX_FILE_BYTES = 500 * 1024 * 1024
MAX_LINE_BYTES = 6 * 1024 * 1024
ENDPOINT = "/v1/chat/completions"


def unwrap(runnable: Runnable) -> tuple[ChatQwen, dict[str, Any], Runnable | None]:
    """(model, bound call kwargs, what runs on each answer) of a ChatQwen runnable.

    Accepts a ChatQwen, ``bind``/``bind_tools`` bindings of it, and
    ``with_structured_output`` pipelines (the parser then runs on each answer).
    """
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


def request_lines(
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


def split(
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


def jsonl(data: bytes | None) -> list[dict[str, Any]]:
    if not data:
        return []
    return [json.loads(line) for line in data.splitlines() if line.strip()]


def name(part: int) -> str:
    return f"langchain-qwen-{uuid.uuid4().hex[:8]}-{part}.jsonl"


def meta(part: int) -> dict[str, str]:
    return {"source": "langchain-qwen", "part": str(part)}
