"""Self-hosted servers running Qwen's chat template: vLLM, SGLang, generic OpenAI.

The thinking switch travels in ``chat_template_kwargs``; DashScope-only keys are
dropped with a warning (the registry says which); cache markers are removed, since
explicit caching is a DashScope feature. No DashScope thinking-mode limits apply.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

from langchain_qwen._dialect.base import Dialect, Settings
from langchain_qwen._dialect.cache import strip_markers
from langchain_qwen._dialect.rules import Family

__all__ = ["ChatTemplateDialect"]


class ChatTemplateDialect(Dialect):
    """vLLM, SGLang, LMDeploy and other chat-template servers."""

    family: ClassVar[Family] = "chat_template"

    def server_rules(self, payload: dict[str, Any], settings: Settings) -> None:
        """Values checked (no thinking limits); cache markers removed."""
        super().server_rules(payload, settings)
        strip_markers(payload["messages"], self.server)
        if payload["messages"][-1].pop("partial", None):
            warnings.warn(
                f"Partial mode is a DashScope feature; server={self.server!r} gets "
                "the last AIMessage as an ordinary turn (partial flag not sent).",
                UserWarning,
                stacklevel=5,
            )
