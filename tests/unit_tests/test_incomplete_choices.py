"""An answer is complete only when every choice it carries has finished.

With ``n`` > 1 a body holds several choices; one without a ``finish_reason`` (null or
absent) was cut, whichever its index or place in the list, and the call raises
``IncompleteStreamError`` with that choice's text on ``exc.partial`` instead of
returning cut answers as whole. A stream carries choice 0 only: it is complete when
choice 0 finishes, never because another index did.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from langchain_qwen import IncompleteStreamError
from langchain_qwen.testing import DashScopeEmulator, Reply

_MISSING = object()


def _choice(index: int, text: str, finish: Any) -> dict[str, Any]:
    choice: dict[str, Any] = {
        "index": index,
        "message": {"role": "assistant", "content": text},
    }
    if finish is not _MISSING:
        choice["finish_reason"] = finish
    return choice


def _body(*choices: dict[str, Any]) -> str:
    return json.dumps(
        {
            "id": "chatcmpl-abc",
            "object": "chat.completion",
            "model": "qwen-plus",
            "choices": list(choices),
            "usage": {"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14},
        }
    )


# (name, choices, text of the cut choice)
CUT: list[tuple[str, list[dict[str, Any]], str]] = [
    (
        "second-null",
        [_choice(0, "whole one", "stop"), _choice(1, "cut tw", None)],
        "cut tw",
    ),
    (
        "second-missing",
        [_choice(0, "whole one", "stop"), _choice(1, "cut tw", _MISSING)],
        "cut tw",
    ),
    (
        "first-null",
        [_choice(0, "cut on", None), _choice(1, "whole two", "length")],
        "cut on",
    ),
    (
        "out-of-order-cut-listed-first",
        [_choice(1, "cut tw", None), _choice(0, "whole one", "stop")],
        "cut tw",
    ),
    (
        "third-of-three",
        [
            _choice(0, "whole one", "stop"),
            _choice(1, "whole two", "tool_calls"),
            _choice(2, "cut thr", None),
        ],
        "cut thr",
    ),
]


def _generate(llm: Any, mode: str, n: int) -> Any:
    messages = [[HumanMessage("hi")]]
    if mode == "generate":
        return llm.generate(messages, n=n)
    if mode == "agenerate":
        return asyncio.run(llm.agenerate(messages, n=n))
    if mode == "invoke":
        return llm.invoke("hi", n=n)
    if mode == "ainvoke":
        return asyncio.run(llm.ainvoke("hi", n=n))
    return llm.batch(["hi"], n=n)


MODES = ["generate", "agenerate", "invoke", "ainvoke", "batch"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("choices", "cut_text"), [c[1:] for c in CUT], ids=[c[0] for c in CUT]
)
def test_any_unfinished_choice_makes_the_answer_incomplete(
    emulator: DashScopeEmulator,
    make_llm: Any,
    mode: str,
    choices: list[dict[str, Any]],
    cut_text: str,
) -> None:
    emulator.script(Reply.raw(200, _body(*choices)))
    with pytest.raises(IncompleteStreamError, match="no finish_reason") as info:
        _generate(make_llm(), mode, len(choices))
    assert info.value.partial is not None
    assert info.value.partial.text == cut_text
    assert "incomplete" in str(info.value)
    assert len(emulator.chat_requests) == 1


@pytest.mark.parametrize("mode", ["generate", "agenerate"])
def test_every_choice_finished_returns_them_all(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    choices = [_choice(1, "two", "length"), _choice(0, "one", "stop")]
    emulator.script(Reply.raw(200, _body(*choices)))
    result = _generate(make_llm(), mode, 2)
    generations = result.generations[0]
    assert [g.message.text for g in generations] == ["one", "two"]
    assert [g.generation_info["finish_reason"] for g in generations] == [
        "stop",
        "length",
    ]


def _sse(*events: dict[str, Any], done: bool = True) -> str:
    text = "".join(f"data: {json.dumps(e)}\n\n" for e in events)
    return text + ("data: [DONE]\n\n" if done else "")


def _delta(index: int, text: str | None, finish: str | None = None) -> dict[str, Any]:
    delta = {} if text is None else {"content": text}
    return {
        "id": "chatcmpl-abc",
        "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
    }


STREAM_CUT: list[tuple[str, str]] = [
    # Only another choice finished: choice 0, the one streamed, is cut.
    (
        "other-index-finished",
        _sse(_delta(0, "cut"), _delta(1, "x"), _delta(1, None, "stop")),
    ),
    ("done-without-finish", _sse(_delta(0, "cut"))),
    ("no-done-no-finish", _sse(_delta(0, "cut"), done=False)),
]


@pytest.mark.parametrize("mode", ["stream", "astream"])
@pytest.mark.parametrize(
    "body", [c[1] for c in STREAM_CUT], ids=[c[0] for c in STREAM_CUT]
)
def test_a_stream_whose_choice_0_never_finished_is_incomplete(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, body: str
) -> None:
    emulator.script(Reply.raw(200, body))
    llm = make_llm()

    async def collect() -> list[Any]:
        return [c async for c in llm.astream("hi")]

    with pytest.raises(IncompleteStreamError, match="without a finish_reason") as info:
        list(llm.stream("hi")) if mode == "stream" else asyncio.run(collect())
    assert info.value.partial is not None
    assert info.value.partial.text == "cut"


def test_a_stream_whose_choice_0_finished_is_complete(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    body = _sse(_delta(0, "whole"), _delta(0, None, "stop"))
    emulator.script(Reply.raw(200, body))
    chunks = list(make_llm().stream("hi"))
    assert "".join(c.text for c in chunks) == "whole"
    assert [
        c.response_metadata.get("finish_reason")
        for c in chunks
        if c.response_metadata.get("finish_reason")
    ] == ["stop"]
