"""DashScope's dialect: thinking-mode rules, the explicit cache limit, media checks.

Every DashScope key stays top level (see the registry). In thinking mode DashScope
refuses JSON output modes and forced tool choices, and some keys need thinking or a
stream: those rules live in the registry rows; here they are applied with the
request's thinking state, after ``settle_thinking`` (``_structured_output``) has made
the body acceptable where it can: thinking that is only a model's default is turned
off for a forced tool choice or JSON mode; asked-for thinking gets ``tool_choice=
"auto"`` and JSON by instruction (``thinking_tool_choice="auto"``, the default).
"""

from __future__ import annotations

from typing import Any, ClassVar

from langchain_qwen._dialect.base import Dialect, Settings
from langchain_qwen._dialect.cache import check_markers
from langchain_qwen._dialect.rules import THINKING, Family, check_body
from langchain_qwen._models.profiles import get_qwen_traits

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
        # Thinking that is only a default yields; asked-for thinking gets
        # tool_choice "auto" / JSON by instruction (see _structured_output).
        # Imported here: _structured_output reads the registry of this package.
        from langchain_qwen._chat.structured_output import settle_thinking

        settle_thinking(payload, policy=settings.thinking_tool_choice)  # type: ignore[arg-type]
        model = str(payload["model"])
        partial = payload["messages"][-1].get("partial")
        default_on = get_qwen_traits(model)["thinking"] == "hybrid_default_on"
        if partial and payload.get(THINKING) is None and default_on:
            payload[THINKING] = False  # partial mode needs it off: a default yields
        thinking = thinking_on(payload.get(THINKING), model)
        check_body(payload, thinking=thinking)
        check_markers(payload["messages"])
        if thinking and partial:
            msg = (
                "Partial mode (an AIMessage with additional_kwargs['partial']=True "
                "last) works without thinking only: set enable_thinking=False."
            )
            raise ValueError(msg)
