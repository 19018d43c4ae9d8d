"""Explicit context cache, kept the way Model Studio keeps it for ``cache_control``.

Vendor page "Context cache" (alibabacloud.com/help/model-studio/context-cache, updated
Mar 2026): a ``cache_control`` marker on a message content block caches the request's
prefix up to that block when it holds at least 1024 tokens; the entry lives 5 minutes,
reset by each hit; a later request reads it when its prefix up to a marker, or up to
one of the 20 content blocks before a marker, is the same (``cached_tokens``); a miss
writes it (``cache_creation_input_tokens``, billed at 125%). Entries belong to one API
key and model. Markers themselves are not part of the prefix: moving the marker to a
newer message still reads the entry an older request wrote.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

from langchain_qwen.testing._rules import message_text

MIN_TOKENS = 1024
TTL_SECONDS = 300.0
LOOKBACK_BLOCKS = 20


def _blocks(message: Mapping[str, Any]) -> Iterator[tuple[Any, bool]]:
    """A message's content blocks (a string is one) with whether each is marked."""
    content = message.get("content")
    if isinstance(content, str):
        yield content, False
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, Mapping):
                marked = part.get("cache_control") is not None
                if part.get("type") == "text":
                    # The template renders a text block and a string the same.
                    yield part.get("text"), marked
                else:
                    block = {k: v for k, v in part.items() if k != "cache_control"}
                    yield block, marked
            else:
                yield part, False
    calls = message.get("tool_calls")
    if calls:
        yield {"tool_calls": calls}, False


def _prefixes(body: Mapping[str, Any]) -> list[tuple[str, int, bool]]:
    """(digest, tokens, marked) of the prefix ending at each content block.

    Tokens follow the emulator's prompt estimate (4 characters a token, 4 a message).
    """
    tools = body.get("tools")
    head = json.dumps([body.get("model"), tools], sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(head.encode())
    chars = len(json.dumps(tools, ensure_ascii=False)) if tools else 0
    out: list[tuple[str, int, bool]] = []
    messages = body.get("messages")
    for count, message in enumerate(messages if isinstance(messages, list) else []):
        if not isinstance(message, Mapping):
            continue
        for first, (block, marked) in enumerate(_blocks(message)):
            role = message.get("role") if first == 0 else ""
            part = json.dumps([count, role, block], sort_keys=True, ensure_ascii=False)
            digest.update(part.encode())
            if isinstance(block, Mapping) and "tool_calls" in block:
                chars += len(json.dumps(block["tool_calls"], ensure_ascii=False))
            else:
                chars += len(message_text([block]))
            tokens = chars // 4 + 4 * (count + 1)
            out.append((digest.copy().hexdigest(), tokens, marked))
    return out


class ContextCache:
    """Explicit cache entries per API key; usage figures for each request.

    Example:
        ```python
        emu.context_cache.ttl = 1.0  # expire entries after a second in a test
        emu.context_cache.clear()
        ```
    """

    def __init__(self) -> None:
        self.ttl = TTL_SECONDS
        self.min_tokens = MIN_TOKENS
        self._entries: dict[tuple[str, str], float] = {}  # (key, digest) -> expiry
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def use(self, key: str, body: Mapping[str, Any]) -> tuple[int, int]:
        """(cached, created) prompt tokens of this request; writes its entries."""
        prefixes = _prefixes(body)
        marks = [i for i, (_, _, marked) in enumerate(prefixes) if marked]
        if not marks:
            return 0, 0
        now = time.monotonic()
        with self._lock:
            entries = self._entries
            for stale in [k for k, expiry in entries.items() if expiry <= now]:
                del entries[stale]
            cached = 0
            for mark in marks:
                for i in range(mark, max(-1, mark - LOOKBACK_BLOCKS - 1), -1):
                    digest, tokens, _ = prefixes[i]
                    if (key, digest) in entries:
                        entries[key, digest] = now + self.ttl  # a hit resets it
                        cached = max(cached, tokens)
                        break
            written = 0
            for mark in marks:
                digest, tokens, _ = prefixes[mark]
                if tokens >= self.min_tokens and (key, digest) not in entries:
                    entries[key, digest] = now + self.ttl
                    written = max(written, tokens)
        return cached, max(0, written - cached)
