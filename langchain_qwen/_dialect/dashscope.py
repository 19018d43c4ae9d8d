"""DashScope's dialect: thinking-mode rules, the explicit cache limit, media checks.

Every DashScope key stays top level (see the registry). In thinking mode DashScope
refuses JSON output modes and forced tool choices, and some keys need thinking or a
stream: those rules live in the registry rows; here they are applied with the
request's thinking state, after the thinking rules (:mod:`.thinking`) have made the
body acceptable where they can.
"""

from __future__ import annotations

from typing import Any, ClassVar

from langchain_qwen._dialect.base import Dialect, Settings
from langchain_qwen._dialect.cache import check_markers
from langchain_qwen._dialect.rules import THINKING, Family, check_body
from langchain_qwen._dialect.thinking import (
    settle_partial,
    settle_thinking,
    thinking_on,
)

__all__ = ["DashScopeDialect"]


class DashScopeDialect(Dialect):
    """Alibaba Cloud DashScope (Model Studio), compatible mode."""

    family: ClassVar[Family] = "dashscope"
    check_media_profile: ClassVar[bool] = True

    def server_rules(self, payload: dict[str, Any], settings: Settings) -> None:
        """Thinking-mode rules and the cache-marker limit."""
        settle_thinking(payload, policy=settings.thinking_tool_choice)  # type: ignore[arg-type]
        settle_partial(payload)
        thinking = thinking_on(payload.get(THINKING), str(payload["model"]))
        check_body(payload, thinking=thinking)
        check_markers(payload["messages"])
