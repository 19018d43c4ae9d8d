"""One call in each of the four modes (invoke, ainvoke, stream, astream)."""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk

MODES = ["invoke", "ainvoke", "stream", "astream"]
STREAMS = ["stream", "astream"]


def run(runnable: Any, value: Any, mode: str, **kwargs: Any) -> AIMessage:
    """One call in the given mode; streams are aggregated into one message."""
    if mode == "invoke":
        return runnable.invoke(value, **kwargs)  # type: ignore[no-any-return]
    if mode == "ainvoke":
        return asyncio.run(runnable.ainvoke(value, **kwargs))  # type: ignore[no-any-return]
    if mode == "stream":
        chunks = list(runnable.stream(value, **kwargs))
    else:

        async def collect() -> list[Any]:
            return [c async for c in runnable.astream(value, **kwargs)]

        chunks = asyncio.run(collect())
    assert chunks, "the stream yielded nothing"
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert isinstance(total, AIMessageChunk)
    return total
