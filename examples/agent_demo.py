"""The demo: a LangGraph agent on ChatQwen with two tools (current time, weather).

With ``DASHSCOPE_API_KEY`` set it runs on DashScope (region from ``DASHSCOPE_REGION``,
model from ``QWEN_MODEL``, default qwen-plus). Without a key it starts the embedded
DashScope emulator with a scripted conversation and says plainly that it is offline.

Run: ``make demo`` (or ``python examples/agent_demo.py``).
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from datetime import datetime
from typing import Any

from langchain.agents import create_agent
from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage
from langchain_core.tools import tool

from langchain_qwen import ChatQwen
from langchain_qwen.testing import DashScopeEmulator, Reply

QUESTION = "What time is it now, and what's the weather like in Hangzhou?"
_WEATHER = {"hangzhou": "light rain, 18°C", "beijing": "sunny, 24°C"}


@tool
def get_current_time() -> str:
    """Get the current local date and time."""
    return f"Current time: {datetime.now().strftime('%Y-%m-%d %H:%M')}."


@tool
def get_current_weather(location: str) -> str:
    """Get the current weather of a city.

    Args:
        location: A city or district name, such as Beijing, Hangzhou or Yuhang.
    """
    weather = _WEATHER.get(location.strip().lower(), "cloudy, 21°C")
    return f"{location}: {weather}."


def _offline_script(emulator: DashScopeEmulator) -> None:
    """What the emulator answers: two tool calls in parallel, then a final answer."""

    def final_answer(request: dict[str, Any]) -> Reply:
        results = [m["content"] for m in request["messages"] if m.get("role") == "tool"]
        return Reply.text(
            "Here is what I found. " + " ".join(results) + " Enjoy your day!",
            chunks=12,
        )

    emulator.script(
        Reply.tool_calls(
            [
                {"name": "get_current_time", "arguments": {}},
                {"name": "get_current_weather", "arguments": {"location": "Hangzhou"}},
            ],
            reasoning=None,
        ),
        final_answer,
    )


def main() -> int:
    """Run the agent once and print streamed tokens, tool calls and usage."""
    with ExitStack() as stack:
        if os.environ.get("DASHSCOPE_API_KEY"):
            llm = ChatQwen(model=os.environ.get("QWEN_MODEL", "qwen-plus"))
            print(
                f"Online: DashScope {llm.region} ({llm.openai_api_base}), {llm.model_name}"
            )
        else:
            emulator = stack.enter_context(DashScopeEmulator())
            _offline_script(emulator)
            llm = ChatQwen(
                model="qwen-plus", base_url=emulator.base_url, api_key=emulator.api_key
            )
            print(
                "OFFLINE: no DASHSCOPE_API_KEY set, so this runs against the embedded "
                f"DashScope emulator at {emulator.base_url} with a scripted conversation."
            )
        agent = create_agent(llm, tools=[get_current_time, get_current_weather])
        print(f"\nUser: {QUESTION}\n")
        totals = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
        printing_answer = False
        for message, _meta in agent.stream(
            {"messages": [("user", QUESTION)]}, stream_mode="messages"
        ):
            if isinstance(message, AIMessageChunk):
                if message.text:
                    if not printing_answer:
                        print("Assistant: ", end="")
                        printing_answer = True
                    print(message.text, end="", flush=True)
                for call in message.tool_call_chunks:
                    if call.get("name"):
                        print(f"[tool call] {call['name']}", flush=True)
                if message.usage_metadata:
                    for key in totals:
                        totals[key] += message.usage_metadata[key]  # type: ignore[literal-required]
            elif isinstance(message, ToolMessage):
                print(f"[tool result] {message.name}: {message.content}")
            elif isinstance(message, AIMessage) and message.text:
                print(f"Assistant: {message.text}")
        print(
            f"\n\nUsage: {totals['input_tokens']} input + {totals['output_tokens']} "
            f"output = {totals['total_tokens']} tokens"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
