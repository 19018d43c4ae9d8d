"""What the structured-output tests share: a schema, an answer, tools, helpers."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import tool
from pydantic import BaseModel, Field

from langchain_qwen import ChatQwen
from langchain_qwen.testing import DashScopeEmulator

__all__ = [
    "ADA",
    "REASONING",
    "Person",
    "get_current_time",
    "get_current_weather",
    "qwen",
    "sent",
]


class Person(BaseModel):
    """A person named in the text."""

    name: str = Field(description="Full name")
    age: int = Field(ge=0, description="Age in years")


ADA = {"name": "Ada Lovelace", "age": 36}
REASONING = "The text names one person; I will report her."


@tool
def get_current_time() -> str:
    """Get the current time."""
    return "12:00"


@tool
def get_current_weather(location: str) -> str:
    """Get the weather of a city."""
    return f"{location}: light rain."


def qwen(emulator: DashScopeEmulator, model: str, **kwargs: Any) -> ChatQwen:
    """A ChatQwen for ``model`` on the emulator, without retries."""
    return ChatQwen(
        model=model,
        base_url=emulator.base_url,
        api_key=emulator.api_key,
        max_retries=0,
        **kwargs,
    )


def sent(emulator: DashScopeEmulator) -> list[dict[str, Any]]:
    """The bodies of the requests the emulator recorded."""
    return [r.json for r in emulator.requests]
