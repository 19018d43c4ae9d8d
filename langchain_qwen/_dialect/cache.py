"""Explicit context cache: ``cache_control`` breakpoints on message content.

DashScope's explicit cache (Chat Completions compatible mode) reads
``"cache_control": {"type": "ephemeral"}`` on message content blocks. On a miss it
caches the prefix of ``messages`` up to each marker (at least 1024 tokens, valid 5
minutes, billed at 125% of the input price); later requests whose prefix matches are
served from it at 10% (searching back up to 20 content blocks from each marker). A
request may carry at most 4 markers. Explicit and implicit caching are exclusive per
request: a request with markers gets no implicit cache.

This module:

* ``mark_cache_breakpoint(message)``: a copy of a message whose last content block
  carries the marker (string content becomes one text block).
* ``restore_markers``: langchain-openai rebuilds assistant text blocks and sanitizes
  tool-message blocks without ``cache_control``; the markers are put back from the
  LangChain messages.
* ``check_markers`` / ``strip_markers``: at most 4 markers for DashScope; servers
  without explicit caching get none (with a warning).
* ``context_cache_middleware()``: a LangChain agent middleware (``langchain`` >= 1.0,
  imported only when used) marking the system message and the newest message of
  every model call, so each step of an agent reads the previous step's cache and
  writes one that includes its own turn.
"""

from __future__ import annotations

import copy
import functools
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

__all__ = [
    "CACHE_CONTROL",
    "MAX_CACHE_MARKERS",
    "check_markers",
    "context_cache_middleware",
    "count_markers",
    "has_marker",
    "mark_cache_breakpoint",
    "restore_markers",
    "strip_markers",
]

CACHE_CONTROL: dict[str, str] = {"type": "ephemeral"}
"""The marker DashScope reads (the only type it offers)."""

MAX_CACHE_MARKERS = 4
"""DashScope's limit of ``cache_control`` markers in one request."""


def _is_marked(part: Any) -> bool:
    return isinstance(part, dict) and part.get("cache_control") is not None


def has_marker(message: BaseMessage) -> bool:
    """Whether any content block of ``message`` carries ``cache_control``."""
    content = message.content
    return isinstance(content, list) and any(_is_marked(p) for p in content)


def mark_cache_breakpoint(
    message: BaseMessage, cache_control: dict[str, Any] | None = None
) -> BaseMessage:
    """A copy of ``message`` whose last content block is a cache breakpoint.

    The prefix of the conversation up to and including this message is cached by
    DashScope's explicit context cache (when it has at least 1024 tokens) and read
    back by later requests that start with the same prefix.

    Args:
        message: Any message (system, human, AI or tool). String content becomes a
            single text block; list content gets the marker on its last block.
        cache_control: The marker (default ``{"type": "ephemeral"}``).

    Returns:
        A new message (the input is not changed). A message whose last block is
        already marked is returned as a copy, unchanged.

    Example:
        ```python
        from langchain_core.messages import HumanMessage, SystemMessage

        messages = [
            mark_cache_breakpoint(SystemMessage(LONG_INSTRUCTIONS)),
            HumanMessage("First question"),
        ]
        ```
    """
    marker = dict(cache_control or CACHE_CONTROL)
    content = message.content
    if isinstance(content, str):
        blocks: list[Any] = [{"type": "text", "text": content, "cache_control": marker}]
    else:
        blocks = copy.deepcopy(list(content))
        if not blocks:
            blocks = [{"type": "text", "text": "", "cache_control": marker}]
        elif isinstance(blocks[-1], str):
            blocks[-1] = {"type": "text", "text": blocks[-1], "cache_control": marker}
        elif isinstance(blocks[-1], dict):
            blocks[-1].setdefault("cache_control", marker)
    return message.model_copy(update={"content": blocks})


def _text_parts(content: Any) -> list[dict[str, Any]]:
    """The text parts of converted content, in order (a string becomes one part)."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [p for p in content if isinstance(p, dict) and p.get("type") == "text"]
    return []


def _original_text_markers(message: BaseMessage) -> list[dict[str, Any] | None]:
    """One entry per text block of the LangChain message: its marker or None."""
    markers: list[dict[str, Any] | None] = []
    for part in message.content if isinstance(message.content, list) else ():
        if isinstance(part, str):
            markers.append(None)
        elif isinstance(part, dict) and part.get("type") == "text":
            markers.append(part.get("cache_control"))
    return markers


def restore_markers(
    messages: Sequence[BaseMessage], converted: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Put back markers langchain-openai dropped from assistant and tool messages.

    Its conversion rebuilds assistant text blocks as ``{"type", "text"}`` and keeps
    only ``type``/``text`` on tool-message text blocks; user and system blocks pass
    through untouched. Markers are matched by the position of the text block.

    Args:
        messages: The LangChain messages, aligned with ``converted``.
        converted: Their OpenAI-format dicts (changed in place).

    Returns:
        ``converted``.
    """
    for message, as_dict in zip(messages, converted, strict=False):
        if not isinstance(message, AIMessage | ToolMessage) or not has_marker(message):
            continue
        markers = _original_text_markers(message)
        content = as_dict.get("content")
        if isinstance(content, str) or content is None:
            content = [{"type": "text", "text": content or ""}]
        parts = _text_parts(content)
        if len(parts) == len(markers):
            for part, marker in zip(parts, markers, strict=True):
                if marker is not None:
                    part["cache_control"] = marker
        else:
            # Blocks were dropped or merged: keep the breakpoint on the last part.
            last = next(
                p.get("cache_control")
                for p in reversed(message.content)
                if isinstance(p, dict) and p.get("cache_control") is not None
            )
            if not parts:
                content.append({"type": "text", "text": "", "cache_control": last})
            else:
                parts[-1]["cache_control"] = last
        as_dict["content"] = content
    return converted


def count_markers(body_messages: Sequence[dict[str, Any]]) -> int:
    """Number of ``cache_control`` markers in a request's ``messages``."""
    total = 0
    for message in body_messages:
        content = message.get("content")
        if isinstance(content, list):
            total += sum(1 for part in content if _is_marked(part))
    return total


def check_markers(body_messages: Sequence[dict[str, Any]]) -> None:
    """Raise if a request carries more markers than DashScope accepts.

    Raises:
        ValueError: More than ``MAX_CACHE_MARKERS`` markers, naming where they are.
    """
    count = count_markers(body_messages)
    if count <= MAX_CACHE_MARKERS:
        return
    where = [
        f"messages[{i}] ({m.get('role')})"
        for i, m in enumerate(body_messages)
        if isinstance(m.get("content"), list)
        and any(_is_marked(p) for p in m["content"])
    ]
    msg = (
        f"This request carries {count} cache_control markers; DashScope's explicit "
        f"context cache accepts at most {MAX_CACHE_MARKERS} per request. Markers are "
        f"on: {', '.join(where)}. Keep the breakpoints that end long stable "
        "prefixes (system prompt, documents, the latest turn) and remove the others."
    )
    raise ValueError(msg)


def _plain_text(part: Any) -> bool:
    return (
        isinstance(part, dict)
        and part.get("type") == "text"
        and set(part)
        <= {
            "type",
            "text",
        }
    )


def strip_markers(body_messages: list[dict[str, Any]], server: str) -> None:
    """Remove markers for servers without DashScope's explicit cache (warns once).

    Text-only content lists left behind are collapsed back to strings.
    """
    removed = 0
    for message in body_messages:
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for part in content:
            if _is_marked(part):
                del part["cache_control"]
                removed += 1
        if all(_plain_text(p) for p in content):
            message["content"] = "".join(p.get("text", "") for p in content)
    if removed:
        warnings.warn(
            f"Removed {removed} cache_control marker(s): the explicit context cache is "
            f"a DashScope feature and server={server!r} has none (self-hosted servers "
            "cache prefixes on their own, e.g. vLLM's prefix caching).",
            UserWarning,
            stacklevel=4,
        )


# --------------------------------------------------------------------------- agents
def _mark_request_messages(
    messages: list[Any], budget: int, *, last: bool
) -> list[Any]:
    if not last or budget <= 0 or not messages:
        return messages
    newest = messages[-1]
    if has_marker(newest):
        return messages
    return [*messages[:-1], mark_cache_breakpoint(newest)]


@functools.cache
def _middleware_class() -> type:
    """Build the middleware class on first use (``langchain`` is optional)."""
    try:
        from langchain.agents.middleware import AgentMiddleware, ModelRequest
    except ImportError as e:  # pragma: no cover - langchain is a test dependency
        msg = (
            "context_cache_middleware needs LangChain's agent middleware: "
            "pip install 'langchain>=1.0'."
        )
        raise ImportError(msg) from e

    class QwenContextCacheMiddleware(AgentMiddleware):
        """Marks cache breakpoints on each model call of a LangChain agent.

        Marks the system message (instructions and, on DashScope, the tool schemas
        before it are part of the prefix) and the newest message of the request, so
        every agent step reads the cache written by the previous step and writes one
        that includes its own turn. Never adds markers beyond DashScope's limit of 4
        per request (markers already present count).

        Args:
            system: Mark the system message.
            last_message: Mark the newest message of each request.
        """

        def __init__(self, *, system: bool = True, last_message: bool = True) -> None:
            super().__init__()
            self.system = system
            self.last_message = last_message

        def _prepare(self, request: ModelRequest) -> ModelRequest:
            messages = list(request.messages)
            used = sum(
                1
                for m in messages
                for p in (m.content if isinstance(m.content, list) else ())
                if _is_marked(p)
            )
            overrides: dict[str, Any] = {}
            system = request.system_message
            if system is not None and has_marker(system):
                used += sum(1 for p in system.content if _is_marked(p))
            elif self.system and system is not None and used < MAX_CACHE_MARKERS:
                overrides["system_message"] = mark_cache_breakpoint(system)
                used += 1
            marked = _mark_request_messages(
                messages, MAX_CACHE_MARKERS - used, last=self.last_message
            )
            if marked is not messages:
                overrides["messages"] = marked
            return request.override(**overrides) if overrides else request

        def wrap_model_call(
            self,
            request: ModelRequest,
            handler: Callable[[ModelRequest], Any],
        ) -> Any:
            """Mark the breakpoints, then call the model."""
            return handler(self._prepare(request))

        async def awrap_model_call(
            self,
            request: ModelRequest,
            handler: Callable[[ModelRequest], Awaitable[Any]],
        ) -> Any:
            """Async twin of ``wrap_model_call``."""
            return await handler(self._prepare(request))

    return QwenContextCacheMiddleware


def context_cache_middleware(*, system: bool = True, last_message: bool = True) -> Any:
    """An agent middleware that marks explicit context cache breakpoints.

    For ``langchain.agents.create_agent(model=ChatQwen(...), middleware=[...])``:
    each model call gets a marker on the system message and on its newest message
    (a user turn or the last tool result), so the growing agent conversation is
    cached step by step. Needs ``langchain>=1.0`` (imported here, not by
    ``langchain_qwen``).

    Args:
        system: Mark the system message.
        last_message: Mark the newest message of each request.

    Returns:
        A ``QwenContextCacheMiddleware`` (a ``langchain`` ``AgentMiddleware``).

    Raises:
        ImportError: If ``langchain`` is not installed.
    """
    cls = _middleware_class()
    return cls(system=system, last_message=last_message)


def __getattr__(name: str) -> Any:
    if name == "QwenContextCacheMiddleware":
        return _middleware_class()
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
