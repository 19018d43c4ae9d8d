"""What each server kind accepts, and how a request body is shaped for it.

``rules`` holds the one registry of request keys; ``dashscope``, ``chat_template`` and
``ollama`` are the dialects; ``servers`` resolves which one an endpoint speaks.
"""

from __future__ import annotations

import functools

from langchain_qwen._dialect.base import Dialect, Settings
from langchain_qwen._dialect.chat_template import ChatTemplateDialect
from langchain_qwen._dialect.dashscope import DashScopeDialect
from langchain_qwen._dialect.ollama import OllamaDialect
from langchain_qwen._dialect.servers import ServerChoice, ServerKind, resolve_server
from langchain_qwen._dialect.thinking import thinking_on

__all__ = [
    "Dialect",
    "ServerChoice",
    "ServerKind",
    "Settings",
    "dialect_for",
    "resolve_server",
    "thinking_on",
]

_BY_KIND: dict[str, type[Dialect]] = {
    "dashscope": DashScopeDialect,
    "ollama": OllamaDialect,
}


@functools.lru_cache(maxsize=16)
def dialect_for(kind: ServerKind) -> Dialect:
    """The dialect of a resolved server kind (vLLM, SGLang, openai: chat template)."""
    return _BY_KIND.get(kind, ChatTemplateDialect)(kind)
