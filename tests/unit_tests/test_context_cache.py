"""Explicit context cache: markers on the wire, the 4-marker rule, usage, middleware."""

from __future__ import annotations

import time
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import tool

from langchain_qwen import ChatQwen
from langchain_qwen._dialect.cache import (
    MAX_CACHE_MARKERS,
    context_cache_middleware,
    count_markers,
    mark_cache_breakpoint,
)
from langchain_qwen.testing import DashScopeEmulator, Reply, pytest_plugin

emulator_factory = pytest_plugin.dashscope_emulator_factory

EPHEMERAL = {"type": "ephemeral"}
LONG = "You are a careful assistant. " * 200


def _marked_text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text, "cache_control": EPHEMERAL}


# -- mark_cache_breakpoint ----------------------------------------------------------


def test_mark_cache_breakpoint_shapes() -> None:
    system = SystemMessage(LONG)
    marked = mark_cache_breakpoint(system)
    assert marked.content == [_marked_text(LONG)]
    assert system.content == LONG  # not mutated
    assert isinstance(marked, SystemMessage)

    human = HumanMessage(
        [{"type": "text", "text": "a"}, {"type": "image", "url": "https://x/y.png"}]
    )
    marked_human = mark_cache_breakpoint(human)
    assert marked_human.content[-1]["cache_control"] == EPHEMERAL  # type: ignore[index]
    assert "cache_control" not in human.content[-1]  # type: ignore[operator]

    assert mark_cache_breakpoint(HumanMessage(["plain"])).content == [
        _marked_text("plain")
    ]
    assert mark_cache_breakpoint(AIMessage("")).content == [_marked_text("")]
    custom = mark_cache_breakpoint(HumanMessage("x"), {"type": "ephemeral", "ttl": 1})
    assert custom.content[0]["cache_control"] == {  # type: ignore[index]
        "type": "ephemeral",
        "ttl": 1,
    }


# -- markers on the wire --------------------------------------------------------------


def test_markers_reach_the_body_on_every_role(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    messages = [
        mark_cache_breakpoint(SystemMessage(LONG)),
        HumanMessage("What time is it?"),
        mark_cache_breakpoint(
            AIMessage(
                "Let me check.",
                tool_calls=[{"name": "now", "args": {}, "id": "call_1"}],
            )
        ),
        mark_cache_breakpoint(ToolMessage("12:00", tool_call_id="call_1")),
    ]
    llm.invoke(messages)
    sent = emulator.last_request.json["messages"]
    assert sent[0] == {"role": "system", "content": [_marked_text(LONG)]}
    assert sent[1] == {"role": "user", "content": "What time is it?"}
    assert sent[2]["role"] == "assistant"
    assert sent[2]["content"] == [_marked_text("Let me check.")]
    assert sent[2]["tool_calls"][0]["id"] == "call_1"
    assert sent[3] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": [_marked_text("12:00")],
    }
    assert count_markers(sent) == 3


def test_marker_inside_a_longer_user_message(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    content = [
        {"type": "text", "text": LONG, "cache_control": EPHEMERAL},
        {"type": "text", "text": "Question about the text above?"},
    ]
    llm.invoke([HumanMessage(content)])
    assert emulator.last_request.json["messages"][0]["content"] == content


def test_unmarked_tool_message_stays_a_string(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    llm.invoke(
        [
            HumanMessage("hi"),
            AIMessage("", tool_calls=[{"name": "now", "args": {}, "id": "c1"}]),
            ToolMessage([{"type": "text", "text": "12:00"}], tool_call_id="c1"),
        ]
    )
    assert emulator.last_request.json["messages"][2]["content"] == "12:00"


def test_two_system_messages_keep_their_markers(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    llm.invoke(
        [
            mark_cache_breakpoint(SystemMessage(LONG)),
            SystemMessage("Answer in French."),
            HumanMessage("hi"),
        ]
    )
    system = emulator.last_request.json["messages"][0]
    assert system["content"] == [
        _marked_text(LONG),
        {"type": "text", "text": "Answer in French."},
    ]


def test_more_than_four_markers_is_refused(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    messages: list[Any] = [mark_cache_breakpoint(SystemMessage(LONG))]
    for i in range(MAX_CACHE_MARKERS):
        messages.append(mark_cache_breakpoint(HumanMessage(f"q{i}")))
        messages.append(AIMessage(f"a{i}"))
    messages.append(HumanMessage("last"))
    with pytest.raises(ValueError, match="5 cache_control markers") as info:
        llm.invoke(messages)
    assert "at most 4" in str(info.value)
    assert "messages[0] (system)" in str(info.value)
    assert emulator.chat_requests == []
    llm.invoke(messages[1:])  # exactly four is fine
    assert count_markers(emulator.last_request.json["messages"]) == 4


# -- usage: cache reads and writes ------------------------------------------------------


def test_cache_usage_invoke(emulator: DashScopeEmulator, llm: ChatQwen) -> None:
    emulator.script(
        Reply.text("first", prompt_tokens=2000, cache_creation_tokens=1800),
        Reply.text("second", prompt_tokens=2010, cached_tokens=1800),
    )
    messages = [mark_cache_breakpoint(SystemMessage(LONG)), HumanMessage("hi")]
    first = llm.invoke(messages)
    assert first.usage_metadata is not None
    details = first.usage_metadata["input_token_details"]
    assert details == {"cache_read": 0, "cache_creation": 1800}
    second = llm.invoke(messages)
    assert second.usage_metadata is not None
    assert second.usage_metadata["input_token_details"] == {"cache_read": 1800}
    assert second.usage_metadata["input_tokens"] == 2010


async def test_cache_usage_stream(emulator: DashScopeEmulator, llm: ChatQwen) -> None:
    emulator.script(
        Reply.text("streamed", cached_tokens=1024, cache_creation_tokens=64)
    )
    chunks = [
        c
        async for c in llm.astream(
            [mark_cache_breakpoint(SystemMessage(LONG)), HumanMessage("hi")]
        )
    ]
    with_usage = [c for c in chunks if c.usage_metadata]
    assert len(with_usage) == 1
    usage = with_usage[0].usage_metadata
    assert usage is not None
    assert usage["input_token_details"] == {"cache_read": 1024, "cache_creation": 64}


def _prefix_tokens(*texts: str) -> int:
    """The emulator's count for a prefix of one-block messages (4 chars a token)."""
    return sum(len(t) for t in texts) // 4 + 4 * len(texts)


def _cache(message: AIMessage) -> dict[str, int]:
    assert message.usage_metadata is not None
    return dict(message.usage_metadata.get("input_token_details", {}))


def test_emulator_reads_a_repeated_marked_prefix(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    system = mark_cache_breakpoint(SystemMessage(LONG))
    written = _prefix_tokens(LONG)
    assert written >= 1024  # DashScope caches no shorter prefix
    first = llm.invoke([system, HumanMessage("hi")])
    assert _cache(first) == {"cache_read": 0, "cache_creation": written}
    second = llm.invoke([system, HumanMessage("another question")])
    assert _cache(second) == {"cache_read": written}
    # The same prompt without a marker reads nothing (explicit cache only).
    assert _cache(llm.invoke([SystemMessage(LONG), HumanMessage("hi")])) == {
        "cache_read": 0
    }
    # Another model has its own cache.
    other = llm.model_copy(update={"model_name": "qwen-flash"})
    assert _cache(other.invoke([system, HumanMessage("hi")]))["cache_read"] == 0


def test_emulator_cache_follows_the_moving_marker(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    # An agent marks the newest message each turn: turn 2 reads what turn 1 wrote
    # (its prefix up to the then-newest message), found by looking back from the
    # new marker, and writes the longer prefix.
    system = mark_cache_breakpoint(SystemMessage(LONG))
    llm.invoke([system, mark_cache_breakpoint(HumanMessage("q1"))])
    second = llm.invoke(
        [
            system,
            HumanMessage("q1"),
            AIMessage("a1"),
            mark_cache_breakpoint(HumanMessage("q2")),
        ]
    )
    read = _prefix_tokens(LONG, "q1")
    assert _cache(second) == {
        "cache_read": read,
        "cache_creation": _prefix_tokens(LONG, "q1", "a1", "q2") - read,
    }


def test_emulator_cache_minimum_size_and_expiry(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    short = [mark_cache_breakpoint(SystemMessage("Be brief.")), HumanMessage("hi")]
    llm.invoke(short)
    assert _cache(llm.invoke(short)) == {"cache_read": 0}  # under 1024 tokens
    emulator.context_cache.ttl = 0.2
    messages = [mark_cache_breakpoint(SystemMessage(LONG)), HumanMessage("hi")]
    llm.invoke(messages)
    assert _cache(llm.invoke(messages))["cache_read"] > 0
    time.sleep(0.3)  # the entry expired (a hit would have reset its clock)
    assert _cache(llm.invoke(messages))["cache_read"] == 0


# -- self-hosted servers have no explicit cache -----------------------------------------


def test_markers_removed_for_self_hosted_with_warning(emulator_factory: Any) -> None:
    emu = emulator_factory(flavor="vllm")
    llm = ChatQwen(model="Qwen/Qwen3-8B", base_url=emu.base_url, max_retries=0)
    with pytest.warns(UserWarning, match="cache_control marker"):
        llm.invoke([mark_cache_breakpoint(SystemMessage("sys")), HumanMessage("hi")])
    assert emu.last_request.json["messages"][0] == {
        "role": "system",
        "content": "sys",
    }


# -- agent middleware -------------------------------------------------------------------


@tool
def get_time(city: str) -> str:
    """Current time in a city."""
    return f"12:00 in {city}"


def _script_agent(emulator: DashScopeEmulator) -> None:
    emulator.script(
        Reply.tool_calls(
            [{"name": "get_time", "arguments": {"city": "Hangzhou"}, "id": "call_a"}],
            cache_creation_tokens=1500,
        ),
        Reply.text("It is 12:00.", cached_tokens=1500, cache_creation_tokens=40),
    )


def _check_agent_markers(emulator: DashScopeEmulator) -> None:
    first, second = (r.json["messages"] for r in emulator.chat_requests[-2:])
    assert first[0]["content"] == [_marked_text(LONG)]
    assert first[1] == {"role": "user", "content": [_marked_text("Time in Hangzhou?")]}
    assert count_markers(first) == 2
    # Second call: the system prompt and the newest message (the tool result) are
    # breakpoints; the earlier user turn is back to plain text.
    assert second[0]["content"] == [_marked_text(LONG)]
    assert second[1] == {"role": "user", "content": "Time in Hangzhou?"}
    assert second[-1]["role"] == "tool"
    assert second[-1]["content"] == [_marked_text("12:00 in Hangzhou")]
    assert count_markers(second) == 2


async def test_agent_middleware_marks_each_call(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    from langchain.agents import create_agent

    agent = create_agent(
        llm,
        tools=[get_time],
        system_prompt=LONG,
        middleware=[context_cache_middleware()],
    )
    _script_agent(emulator)
    result = agent.invoke({"messages": [("user", "Time in Hangzhou?")]})
    assert result["messages"][-1].content == "It is 12:00."
    # The agent's state keeps unmarked messages; only requests carry markers.
    assert result["messages"][0].content == "Time in Hangzhou?"
    _check_agent_markers(emulator)
    last = result["messages"][-1]
    assert last.usage_metadata["input_token_details"] == {
        "cache_read": 1500,
        "cache_creation": 40,
    }

    _script_agent(emulator)
    await agent.ainvoke({"messages": [("user", "Time in Hangzhou?")]})
    _check_agent_markers(emulator)


def test_agent_middleware_respects_the_marker_budget(
    emulator: DashScopeEmulator, llm: ChatQwen
) -> None:
    from langchain.agents import create_agent

    agent = create_agent(
        llm, system_prompt=LONG, middleware=[context_cache_middleware()]
    )
    history: list[Any] = []
    for i in range(MAX_CACHE_MARKERS):
        history += [mark_cache_breakpoint(HumanMessage(f"q{i}")), AIMessage(f"a{i}")]
    agent.invoke({"messages": [*history, HumanMessage("last")]})
    sent = emulator.last_request.json["messages"]
    assert count_markers(sent) == MAX_CACHE_MARKERS
    assert sent[0]["content"] == LONG  # no room left for the system marker
    assert sent[-1]["content"] == "last"


def test_agent_middleware_options(emulator: DashScopeEmulator, llm: ChatQwen) -> None:
    from langchain.agents import create_agent
    from langchain.agents.middleware import AgentMiddleware

    middleware = context_cache_middleware(system=False)
    assert isinstance(middleware, AgentMiddleware)
    assert type(middleware).__name__ == "QwenContextCacheMiddleware"
    agent = create_agent(llm, system_prompt=LONG, middleware=[middleware])
    agent.invoke({"messages": [("user", "hi")]})
    sent = emulator.last_request.json["messages"]
    assert sent[0]["content"] == LONG
    assert sent[1]["content"] == [_marked_text("hi")]


def test_marked_chunks_aggregate(emulator: DashScopeEmulator, llm: ChatQwen) -> None:
    # Markers are request-side only: streamed answers are ordinary chunks.
    chunks = list(llm.stream([mark_cache_breakpoint(HumanMessage("hi"))]))
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert emulator.last_request.json["messages"][0]["content"] == [_marked_text("hi")]
