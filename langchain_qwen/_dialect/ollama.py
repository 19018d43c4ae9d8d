"""Ollama's OpenAI-compatible API: thinking as ``reasoning_effort``, fewer keys."""

from __future__ import annotations

from typing import ClassVar

from langchain_qwen._dialect.chat_template import ChatTemplateDialect
from langchain_qwen._dialect.rules import Family

__all__ = ["OllamaDialect"]


class OllamaDialect(ChatTemplateDialect):
    """Ollama (the registry drops what its OpenAI API ignores)."""

    family: ClassVar[Family] = "ollama"
