"""What every dialect does: shape the messages, merge ``extra_body``, place the keys.

A request goes down once: ``ChatQwen._get_request_payload`` converts the input,
:meth:`Dialect.messages_in` shapes media for the parent's converter, the parent's
``_get_request_payload`` runs once, then :meth:`Dialect.body` finishes the body for
the server kind: messages, ``extra_body``, checks, the server's own rules and key
placement from the registry. Subclasses override only :meth:`server_rules`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from langchain_core.messages import BaseMessage

from langchain_qwen._dialect.cache import restore_markers
from langchain_qwen._dialect.media import prepare_media
from langchain_qwen._dialect.messages import shape_messages
from langchain_qwen._dialect.rules import RULES, Family, check_body
from langchain_qwen._dialect.tools import check_tools, ensure_json_word

__all__ = ["Dialect", "Settings"]


class Settings:
    """The ChatQwen settings a dialect reads (no reference back to ChatQwen)."""

    __slots__ = ("disabled", "extra_body", "include_reasoning", "thinking_tool_choice")

    def __init__(
        self,
        *,
        extra_body: Mapping[str, Any] | None,
        include_reasoning: bool,
        thinking_tool_choice: str,
        disabled: Mapping[str, Any] | None = None,
    ) -> None:
        self.extra_body = extra_body
        self.include_reasoning = include_reasoning
        self.thinking_tool_choice = thinking_tool_choice
        self.disabled = disabled


class Dialect:
    """The request shape of one server kind."""

    family: ClassVar[Family]
    check_media_profile: ClassVar[bool] = False

    def __init__(self, server: str) -> None:
        self.server = server

    def messages_in(
        self, messages: Sequence[BaseMessage], model: str
    ) -> list[BaseMessage]:
        """Media blocks in the wire shape (before the parent converts them)."""
        return prepare_media(
            messages, model=model, check_profile=self.check_media_profile
        )

    def body(
        self,
        messages: Sequence[BaseMessage],
        payload: dict[str, Any],
        settings: Settings,
        *,
        call_extra: Mapping[str, Any],
        call_keys: frozenset[str] | set[str],
        explicit_stop: bool,
    ) -> dict[str, Any]:
        """Finish the parent's payload into the body this server kind takes."""
        payload["messages"] = shape_messages(
            messages,
            restore_markers(messages, payload["messages"]),
            # preserve_thinking keeps earlier turns' reasoning: send it back.
            include_reasoning=settings.include_reasoning
            or payload.get("preserve_thinking") is True,
        )
        # Precedence, low to high: instance extra_body, instance fields, per-call
        # extra_body, per-call keywords (already in payload as the parent put them).
        # Keys are merged one by one, so neither extra_body can wipe out the other.
        for key, value in call_extra.items():
            if key not in call_keys:
                payload[key] = value
        for key, value in (settings.extra_body or {}).items():
            payload.setdefault(key, value)
        if not explicit_stop and payload.get("stop") in ([], None):
            payload.pop("stop", None)
        for key, values in (settings.disabled or {}).items():
            # langchain-openai's disabled_params: None disables a key, a list some
            # of its values.
            if key in payload and (values is None or payload[key] in values):
                del payload[key]
        if payload.get("tools"):
            check_tools(payload["tools"])
        response_format = payload.get("response_format")
        if isinstance(response_format, dict) and (
            response_format.get("type") == "json_object"
        ):
            ensure_json_word(payload["messages"])
        self.server_rules(payload, settings)
        return self.place(payload)

    def server_rules(self, payload: dict[str, Any], settings: Settings) -> None:
        """Checks and message rules of this server kind (none: values only)."""
        check_body(payload, thinking=None)

    def place(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Move or drop keys as the registry says for this family (in place)."""
        dropped: dict[str, str] = {}
        template: dict[str, Any] = {}
        for name in [n for n in payload if n in RULES]:
            rule = RULES[name]
            where = rule.place[self.family]
            if where == "top":
                continue
            value = payload.pop(name)
            if value is None:
                continue
            if where == "drop":
                dropped[name] = rule.why
            elif where == "template":
                template[name] = value
            else:  # "effort": Ollama maps any effort but "none" to thinking on
                payload.setdefault("reasoning_effort", "medium" if value else "none")
        if template:
            explicit = payload.get("chat_template_kwargs")
            payload["chat_template_kwargs"] = {
                **template,
                **(explicit if isinstance(explicit, dict) else {}),
            }
        if dropped:
            details = "; ".join(f"{k} ({why})" for k, why in dropped.items())
            warnings.warn(
                f"Not sent to server={self.server!r}, which does not take: {details}. "
                "Set server='dashscope' if the endpoint is DashScope.",
                UserWarning,
                stacklevel=5,
            )
        return payload
