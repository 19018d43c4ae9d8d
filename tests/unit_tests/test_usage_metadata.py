"""Every shape of ``usage`` a server sends becomes the same ``usage_metadata``.

DashScope reports explicit-cache writes per TTL (``cache_creation`` dict), flat
(``cache_creation_input_tokens``), or both with the same figure; other servers leave
fields out, name them the Responses way (``input_tokens``), or repeat usage on every
streamed chunk. Each shape is answered over HTTP by the emulator and read back on
every call path.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from langchain_qwen.batch import submit_batch
from langchain_qwen.testing import DashScopeEmulator, Reply
from langchain_qwen.testing._batches import BatchTiming
from tests.call_modes import MODES, run

_BASE = {"prompt_tokens": 3000, "completion_tokens": 20, "total_tokens": 3020}

# (name, usage as sent, usage_metadata expected)
SHAPES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "cache-creation-per-ttl",
        {
            **_BASE,
            "prompt_tokens_details": {
                "cached_tokens": 0,
                "cache_creation": {
                    "ephemeral_5m_input_tokens": 1000,
                    "ephemeral_1h_input_tokens": 500,
                },
                "cache_type": "ephemeral",
            },
        },
        {
            **{"input_tokens": 3000, "output_tokens": 20, "total_tokens": 3020},
            "input_token_details": {"cache_read": 0, "cache_creation": 1500},
        },
    ),
    (
        "cache-creation-one-ttl-no-cached-key",
        {
            **_BASE,
            "prompt_tokens_details": {
                "cache_creation": {"ephemeral_1h_input_tokens": 2048}
            },
        },
        {
            **{"input_tokens": 3000, "output_tokens": 20, "total_tokens": 3020},
            "input_token_details": {"cache_creation": 2048},
        },
    ),
    (
        "cache-creation-flat-and-per-ttl-counted-once",
        {
            **_BASE,
            "prompt_tokens_details": {
                "cached_tokens": 1024,
                "cache_creation_input_tokens": 1013,
                "cache_creation": {"ephemeral_5m_input_tokens": 1013},
            },
        },
        {
            **{"input_tokens": 3000, "output_tokens": 20, "total_tokens": 3020},
            "input_token_details": {"cache_read": 1024, "cache_creation": 1013},
        },
    ),
    (
        "cache-creation-flat-only",
        {**_BASE, "prompt_tokens_details": {"cache_creation_input_tokens": 77}},
        {
            **{"input_tokens": 3000, "output_tokens": 20, "total_tokens": 3020},
            "input_token_details": {"cache_creation": 77},
        },
    ),
    (
        "reasoning-and-audio-details",
        {
            **_BASE,
            "prompt_tokens_details": {"cached_tokens": 64, "audio_tokens": 30},
            "completion_tokens_details": {"reasoning_tokens": 12, "audio_tokens": 5},
        },
        {
            **{"input_tokens": 3000, "output_tokens": 20, "total_tokens": 3020},
            "input_token_details": {"cache_read": 64, "audio": 30},
            "output_token_details": {"reasoning": 12, "audio": 5},
        },
    ),
    (
        "no-details-at-all",
        dict(_BASE),
        {"input_tokens": 3000, "output_tokens": 20, "total_tokens": 3020},
    ),
    (
        "empty-details",
        {**_BASE, "prompt_tokens_details": None, "completion_tokens_details": {}},
        {"input_tokens": 3000, "output_tokens": 20, "total_tokens": 3020},
    ),
    (
        "no-total",
        {"prompt_tokens": 7, "completion_tokens": 5},
        {"input_tokens": 7, "output_tokens": 5, "total_tokens": 12},
    ),
    (
        # As ChatOpenAI: the server's total is reported, not recomputed (servers
        # that bill extra tokens, e.g. for tools or media, count them there).
        "server-total-kept",
        {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 18},
        {"input_tokens": 10, "output_tokens": 5, "total_tokens": 18},
    ),
    (
        "responses-style-names",
        {"input_tokens": 9, "output_tokens": 4, "total_tokens": 13},
        {"input_tokens": 9, "output_tokens": 4, "total_tokens": 13},
    ),
    (
        "zero-cached-kept",
        {**_BASE, "prompt_tokens_details": {"cached_tokens": 0}},
        {
            **{"input_tokens": 3000, "output_tokens": 20, "total_tokens": 3020},
            "input_token_details": {"cache_read": 0},
        },
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("usage", "expected"), [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES]
)
def test_usage_shapes_on_every_call_path(
    emulator: DashScopeEmulator,
    make_llm: Any,
    mode: str,
    usage: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    emulator.script(Reply.text("ok", usage=usage))
    message = run(make_llm(), "hi", mode)
    assert message.text == "ok"
    assert message.usage_metadata == expected


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_streamed_usage_arrives_once(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    usage = SHAPES[0][1]
    emulator.script(Reply.text("one two three", usage=usage, chunks=3))
    llm = make_llm()
    chunks = (
        list(llm.stream("hi"))
        if mode == "stream"
        else _collect_async(llm.astream("hi"))
    )
    carrying = [c for c in chunks if c.usage_metadata]
    assert len(carrying) == 1
    assert carrying[0].usage_metadata == SHAPES[0][2]


def _collect_async(iterator: Any) -> list[Any]:
    async def go() -> list[Any]:
        return [c async for c in iterator]

    return asyncio.run(go())


def test_usage_repeated_on_every_chunk_counts_the_last_figures(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    # vLLM's continuous usage stats: every chunk carries the running totals.
    events = []
    for i, piece in enumerate(["a", "b", "c"]):
        events.append(
            {
                "id": "chatcmpl-1",
                "choices": [{"index": 0, "delta": {"content": piece}}],
                "usage": {"prompt_tokens": 10, "completion_tokens": i + 1},
            }
        )
    events.append(
        {
            "id": "chatcmpl-1",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": 10,
                "completion_tokens": 3,
                "prompt_tokens_details": {
                    "cache_creation": {"ephemeral_5m_input_tokens": 8}
                },
            },
        }
    )
    body = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    emulator.script(Reply.raw(200, body))
    chunks = list(make_llm().stream("hi"))
    carrying = [c.usage_metadata for c in chunks if c.usage_metadata]
    assert carrying == [
        {
            "input_tokens": 10,
            "output_tokens": 3,
            "total_tokens": 13,
            "input_token_details": {"cache_creation": 8},
        }
    ]


def test_batch_answers_read_usage_the_same_way(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.batches.timing = BatchTiming(validating=0.0, per_line=0.0, finalizing=0.0)
    emulator.script(*(Reply.text("ok", usage=shape[1]) for shape in SHAPES[:3]))
    job = submit_batch(make_llm(), ["a", "b", "c"])
    job.wait(poll_interval=0.005)
    answers = job.results()
    assert all(isinstance(a, AIMessage) for a in answers)
    assert [a.usage_metadata for a in answers] == [s[2] for s in SHAPES[:3]]
