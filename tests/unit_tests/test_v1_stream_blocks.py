"""v1 content blocks of streamed answers: reasoning stays apart from what follows."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk

from langchain_qwen import ChatQwen
from langchain_qwen.testing import DashScopeEmulator, Reply

REASONING = "First I look at the city, then I call the weather tool for it."
CALL = {"name": "get_weather", "arguments": {"city": "Hangzhou"}}


def _llm(emu: DashScopeEmulator) -> ChatQwen:
    return ChatQwen(
        model="qwen-plus",
        base_url=emu.base_url,
        api_key=emu.api_key,
        output_version="v1",
    )


async def _aggregate(llm: ChatQwen, mode: str) -> AIMessageChunk:
    chunks: list[Any] = []
    if mode == "stream":
        chunks = list(llm.stream("weather?"))
    else:
        chunks = [c async for c in llm.astream("weather?")]
    assert len(chunks) > 2  # really streamed, in several deltas
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_reasoning_then_tool_call_keeps_both_blocks(
    emulator: DashScopeEmulator, mode: str
) -> None:
    emulator.script(Reply.tool_calls([CALL], reasoning=REASONING))
    total = await _aggregate(_llm(emulator), mode)
    blocks = total.content_blocks
    assert [b["type"] for b in blocks] == ["reasoning", "tool_call"]
    assert blocks[0]["reasoning"] == REASONING
    assert blocks[1]["name"] == "get_weather"
    assert blocks[1]["args"] == {"city": "Hangzhou"}
    assert total.tool_calls[0]["args"] == {"city": "Hangzhou"}


@pytest.mark.parametrize("mode", ["stream", "astream"])
async def test_reasoning_then_text_keeps_both_blocks(
    emulator: DashScopeEmulator, mode: str
) -> None:
    emulator.script(Reply.text("It is 18 degrees.", reasoning=REASONING))
    total = await _aggregate(_llm(emulator), mode)
    blocks = total.content_blocks
    assert [b["type"] for b in blocks] == ["reasoning", "text"]
    assert blocks[0]["reasoning"] == REASONING
    assert blocks[1]["text"] == "It is 18 degrees."
    assert total.additional_kwargs["reasoning_content"] == REASONING
