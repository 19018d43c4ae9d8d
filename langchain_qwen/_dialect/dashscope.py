"""DashScope's dialect: thinking-mode rules, the explicit cache limit, media checks.

Every DashScope key stays top level (see the registry). In thinking mode DashScope
refuses JSON output modes and forced tool choices, and some keys need thinking or a
stream: those rules live in the registry rows; here they are applied with the
request's thinking state, after the optional ``thinking_tool_choice="auto"`` fallback.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

from langchain_qwen._cache import check_markers
from langchain_qwen._dialect.base import Dialect, Settings
from langchain_qwen._dialect.rules import THINKING, Family, check_body
from langchain_qwen._model_profiles import get_qwen_traits

__all__ = ["DashScopeDialect", "thinking_on"]


def thinking_on(flag: Any, model: str) -> bool:
    """Whether DashScope thinks: the explicit switch, else the model's default."""
    if flag is not None:
        return bool(flag)
    return get_qwen_traits(model)["thinking"] in ("always", "hybrid_default_on")


class DashScopeDialect(Dialect):
    """Alibaba Cloud DashScope (Model Studio), compatible mode."""

    family: ClassVar[Family] = "dashscope"
    check_media_profile: ClassVar[bool] = True

    def server_rules(self, payload: dict[str, Any], settings: Settings) -> None:
        """Thinking-mode rules and the cache-marker limit."""
        thinking = thinking_on(payload.get(THINKING), str(payload["model"]))
        choice = payload.get("tool_choice")
        if (
            thinking
            and settings.thinking_tool_choice == "auto"
            and payload.get("tools")
            and choice not in (None, "auto", "none")
        ):
            warnings.warn(
                f"tool_choice={choice!r} is refused by DashScope in thinking mode; "
                "sending tool_choice='auto' instead (thinking_tool_choice='auto').",
                stacklevel=6,
            )
            payload["tool_choice"] = "auto"
        check_body(payload, thinking=thinking)
        check_markers(payload["messages"])
        if thinking and payload["messages"][-1].get("partial"):
            msg = (
                "Partial mode (an AIMessage with additional_kwargs['partial']=True "
                "last) works without thinking only: set enable_thinking=False."
            )
            raise ValueError(msg)
