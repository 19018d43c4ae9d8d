"""ChatQwen against the emulator: bodies sent, messages built, sync and async."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_qwen import ChatQwen
from langchain_qwen.testing import DashScopeEmulator, Reply


def _aggregate(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


# -- invoke ------------------------------------------------------------------------


def test_invoke_text_usage_and_metadata(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    emulator.script(
        Reply.text("Bonjour !", prompt_tokens=12, completion_tokens=3, cached_tokens=4)
    )
    msg = llm.invoke("Say hello in French")
    assert isinstance(msg, AIMessage)
    assert msg.content == "Bonjour !"
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["input_tokens"] == 12
    assert msg.usage_metadata["output_tokens"] == 3
    assert msg.usage_metadata["total_tokens"] == 15
    assert msg.usage_metadata.get("input_token_details", {}).get("cache_read") == 4
    meta = msg.response_metadata
    assert meta["model_provider"] == "dashscope"
    assert meta["model_name"] == "qwen-plus"
    assert meta["finish_reason"] == "stop"
    assert meta["id"].startswith("chatcmpl-")
    # DashScope's response id is chatcmpl-<request id>; the x-request-id header
    # carries the same id (test_guards checks that the header is what is read).
    assert meta["id"] == f"chatcmpl-{meta['request_id']}"
    assert len(meta["request_id"]) > 8
    body = emulator.last_request.json
    assert body["model"] == "qwen-plus"
    assert body["messages"] == [{"role": "user", "content": "Say hello in French"}]
    assert "stream" not in body or body["stream"] is False


async def test_ainvoke_matches_invoke(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    emulator.script(Reply.text("async answer", reasoning="thinking hard"))
    msg = await llm.ainvoke("q", enable_thinking=True)
    assert msg.content == "async answer"
    assert msg.additional_kwargs["reasoning_content"] == "thinking hard"
    assert emulator.last_request.json["enable_thinking"] is True


def test_reasoning_content_block_and_v1(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(
        Reply.text("42", reasoning="6 times 7"), Reply.text("42", reasoning="6x7")
    )
    msg = make_llm(enable_thinking=True).invoke("q")
    blocks = msg.content_blocks
    assert blocks[0] == {"type": "reasoning", "reasoning": "6 times 7"}
    assert blocks[1]["type"] == "text"
    v1 = make_llm(enable_thinking=True, output_version="v1").invoke("q")
    assert isinstance(v1.content, list)
    assert [b["type"] for b in v1.content] == ["reasoning", "text"]


# -- stream ------------------------------------------------------------------------


def test_stream_yields_many_chunks_and_one_usage(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    emulator.script(
        Reply.text("one two three four five six", chunks=6, completion_tokens=6)
    )
    chunks = list(llm.stream("count"))
    assert len(chunks) >= 6  # really streamed, not one aggregated message
    assert "".join(c.text for c in chunks) == "one two three four five six"
    with_usage = [c for c in chunks if c.usage_metadata]
    assert len(with_usage) == 1
    assert with_usage[0].usage_metadata["output_tokens"] == 6  # type: ignore[index]
    total = _aggregate(chunks)
    assert total.response_metadata["finish_reason"] == "stop"
    assert total.response_metadata["model_provider"] == "dashscope"
    body = emulator.last_request.json
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


async def test_astream_reasoning_then_text(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    emulator.script(Reply.text("Paris", reasoning="The capital of France is Paris."))
    chunks = [c async for c in llm.astream("capital?", enable_thinking=True)]
    total = _aggregate(chunks)
    assert total.content == "Paris"
    assert (
        total.additional_kwargs["reasoning_content"]
        == "The capital of France is Paris."
    )
    assert total.content_blocks[0]["type"] == "reasoning"
    assert sum(1 for c in chunks if c.usage_metadata) == 1


def test_stream_usage_can_be_turned_off(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text("hi"))
    chunks = list(make_llm(stream_usage=False).stream("x"))
    assert "stream_options" not in emulator.last_request.json
    assert not any(c.usage_metadata for c in chunks)


def test_streaming_flag_makes_invoke_stream(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text("streamed"))
    msg = make_llm(streaming=True).invoke("x")
    assert msg.content == "streamed"
    assert emulator.last_request.json["stream"] is True
    assert msg.usage_metadata is not None


def test_stream_only_model_invoke_streams(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text("qwq answer", reasoning="hmm"))
    msg = make_llm(model="qwq-plus").invoke("x")
    assert emulator.last_request.json["stream"] is True
    assert msg.content == "qwq answer"
    assert msg.additional_kwargs["reasoning_content"] == "hmm"


@pytest.mark.parametrize("use_async", [False, True])
async def test_legacy_nonstream_thinking_falls_back_to_stream(use_async: bool) -> None:
    with DashScopeEmulator(legacy_nonstream_thinking=True) as emu:
        llm = ChatQwen(
            model="qwen-plus",
            base_url=emu.base_url,
            api_key=emu.api_key,
            max_retries=0,
            enable_thinking=True,
        )
        emu.script(Reply.text("fine", reasoning="r"))
        msg = await llm.ainvoke("x") if use_async else llm.invoke("x")
        assert msg.content == "fine"
        assert msg.additional_kwargs["reasoning_content"] == "r"
        assert [r.json.get("stream", False) for r in emu.requests] == [False, True]


# -- request bodies -------------------------------------------------------------------


def test_dashscope_params_top_level_and_extra_body_merge(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(
        enable_thinking=True,
        thinking_budget=100,
        top_k=20,
        enable_search=True,
        search_options={"forced_search": True},
        extra_body={"incremental_output": True, "custom_flag": 1},
    )
    emulator.script(Reply.text("ok"))
    llm.invoke("x", extra_body={"another": "v"}, top_k=5)
    body = emulator.last_request.json
    assert body["enable_thinking"] is True
    assert body["thinking_budget"] == 100
    assert body["top_k"] == 5  # per call wins
    assert body["enable_search"] is True
    assert body["search_options"] == {"forced_search": True}
    assert body["custom_flag"] == 1
    assert body["another"] == "v"
    assert body["incremental_output"] is True
    assert "extra_body" not in body


def test_per_call_extra_body_does_not_wipe_thinking(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text("ok"))
    make_llm(enable_thinking=False).invoke("x", extra_body={"enable_search": True})
    body = emulator.last_request.json
    assert body["enable_thinking"] is False
    assert body["enable_search"] is True


def test_bind_and_model_kwargs_reach_body(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text("ok"))
    # A typed field passed through model_kwargs still works, and LangChain says so.
    with pytest.warns(UserWarning, match="enable_search"):
        llm = make_llm(model_kwargs={"enable_search": True})
    llm.bind(seed=7, presence_penalty=0.5).invoke("x")
    body = emulator.last_request.json
    assert body["enable_search"] is True
    assert body["seed"] == 7
    assert body["presence_penalty"] == 0.5


def test_stop_token_ids_at_construction_and_per_call(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text("a"), Reply.text("b"))
    make_llm(stop=[[108386, 103924]]).invoke("x")
    assert emulator.last_request.json["stop"] == [[108386, 103924]]
    make_llm().invoke("x", stop=["END", "STOP"])
    assert emulator.last_request.json["stop"] == ["END", "STOP"]


def test_system_messages_merged_into_one_leading(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    emulator.script(Reply.text("ok"))
    llm.invoke(
        [
            HumanMessage("hi"),
            SystemMessage("Be brief."),
            AIMessage("hello"),
            SystemMessage("Answer in French."),
            HumanMessage("how are you"),
        ]
    )
    messages = emulator.last_request.json["messages"]
    assert messages[0] == {
        "role": "system",
        "content": "Be brief.\n\nAnswer in French.",
    }
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]


def test_history_tool_calls_unicode_and_reasoning(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    history = [
        HumanMessage("北京天气?"),
        AIMessage(
            "",
            tool_calls=[
                {"name": "get_weather", "args": {"city": "北京"}, "id": "call_1"}
            ],
            additional_kwargs={"reasoning_content": "need weather"},
        ),
        ToolMessage([{"type": "text", "text": "晴"}], tool_call_id="call_1"),
        ToolMessage("error: timeout", tool_call_id="call_1", status="error"),
    ]
    emulator.script(Reply.text("ok"), Reply.text("ok"))
    make_llm().invoke(history)
    sent = emulator.last_request.json["messages"]
    assistant = sent[1]
    assert assistant["content"] == ""
    assert "reasoning_content" not in assistant
    arguments = assistant["tool_calls"][0]["function"]["arguments"]
    assert arguments == '{"city": "北京"}'  # text, not \\u escapes
    assert json.loads(arguments) == {"city": "北京"}
    assert sent[2] == {"role": "tool", "tool_call_id": "call_1", "content": "晴"}
    make_llm(include_reasoning_in_history=True).invoke(history)
    assert (
        emulator.last_request.json["messages"][1]["reasoning_content"] == "need weather"
    )


def test_two_regions_in_one_process() -> None:
    regions = {"singapore": "sk-sg", "us": "sk-us"}
    with DashScopeEmulator(regions=regions) as emu:
        sg = ChatQwen(base_url=emu.region_base_url("singapore"), api_key="sk-sg")
        us = ChatQwen(base_url=emu.region_base_url("us"), api_key="sk-us")
        emu.script(Reply.text("from sg"), Reply.text("from us"))
        assert sg.invoke("x").content == "from sg"
        assert us.invoke("x").content == "from us"
        assert [r.region for r in emu.requests] == ["singapore", "us"]


def test_async_calls_across_event_loops(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    """Notebooks and scripts call asyncio.run repeatedly; pooled connections must not
    outlive their loop (ChatOpenAI fails here with "Event loop is closed")."""
    import asyncio

    async def stream_text() -> str:
        return "".join([c.text async for c in llm.astream("x")])

    for i in range(3):
        emulator.script(Reply.text(f"answer {i}"), Reply.text(f"stream {i}"))
        assert asyncio.run(llm.ainvoke("x")).content == f"answer {i}"
        assert asyncio.run(stream_text()) == f"stream {i}"


def test_profile_from_model_name() -> None:
    profile = ChatQwen(api_key="k", model="qwen3-max").profile
    assert profile is not None
    assert profile["max_input_tokens"] == 262144
    assert profile["max_output_tokens"] == 65536
    assert profile["tool_calling"] is True
    snapshot = ChatQwen(api_key="k", model="qwen-plus-2025-12-01").profile
    assert snapshot is not None
    assert snapshot["max_input_tokens"] == 1_000_000
    assert ChatQwen(api_key="k", model="my-finetune").profile in (None, {})
