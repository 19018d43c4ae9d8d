r"""Outbound messages: DashScope's rules for the ``messages`` list we send.

- One system message, first. Extra or misplaced system messages are merged, in order,
  into one leading system message (DashScope only reads ``messages[0]`` as system).
- Assistant tool calls are rebuilt from ``AIMessage.tool_calls`` with arguments as JSON
  text that keeps Chinese/Japanese characters as they are (no ``\\uXXXX``), and
  ``content`` is ``""`` rather than null, as DashScope itself answers.
- Reasoning is not sent back unless asked (``include_reasoning_in_history``).
- Text-only content lists are collapsed to a string (some deployments reject arrays
  for text-only models); lists that carry other parts or ``cache_control`` stay lists.
- Tool messages get string content, and each must answer a tool call made earlier;
  one carrying a ``cache_control`` marker is sent as a single marked text part.
- Partial mode: an ``AIMessage`` with ``additional_kwargs={"partial": True}`` as the
  last message is sent with ``"partial": true``: the model continues its text.
- Audio a Qwen-Omni answer carried is not sent back (DashScope takes assistant turns
  as text): its transcript stands in when the turn has no text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

__all__ = ["shape_messages"]

_TEXT_KEYS = frozenset({"type", "text"})


def _collapse_text(content: Any) -> Any:
    """A list of plain text parts becomes one string; anything richer is kept."""
    if not isinstance(content, list):
        return content
    if all(
        isinstance(part, dict)
        and part.get("type") == "text"
        and set(part) <= _TEXT_KEYS
        for part in content
    ):
        return "".join(part.get("text", "") for part in content)
    if all(isinstance(part, str) for part in content):
        return "".join(content)
    return content


def _as_text(content: Any) -> str:
    """String form of tool-message content (DashScope wants a string)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        pieces: list[str] = []
        for part in content:
            if isinstance(part, str):
                pieces.append(part)
            elif isinstance(part, dict) and part.get("type") == "text":
                pieces.append(str(part.get("text", "")))
            else:
                pieces.append(json.dumps(part, ensure_ascii=False))
        return "".join(pieces)
    return json.dumps(content, ensure_ascii=False)


def _tool_content(content: Any) -> Any:
    """Tool-message content: a string, or one text part when it carries a marker."""
    if isinstance(content, list):
        markers = [
            p["cache_control"]
            for p in content
            if isinstance(p, dict) and p.get("cache_control") is not None
        ]
        if markers:
            plain = [
                {k: v for k, v in p.items() if k != "cache_control"}
                if isinstance(p, dict)
                else p
                for p in content
            ]
            return [
                {"type": "text", "text": _as_text(plain), "cache_control": markers[-1]}
            ]
    return _as_text(content)


_AUDIO_PARTS = frozenset({"audio", "input_audio"})


def _drop_output_audio(as_dict: dict[str, Any]) -> None:
    """Remove Omni audio output from an assistant turn, keeping its transcript."""
    audio = as_dict.pop("audio", None)
    content = as_dict.get("content")
    if isinstance(content, list):
        content = [
            p
            for p in content
            if not (isinstance(p, dict) and p.get("type") in _AUDIO_PARTS)
        ]
        as_dict["content"] = content
    transcript = audio.get("transcript") if isinstance(audio, dict) else None
    if transcript and not content:
        as_dict["content"] = transcript


def _merge_system(system_dicts: list[dict[str, Any]]) -> dict[str, Any]:
    if len(system_dicts) == 1:
        only = system_dicts[0]
        only["content"] = _collapse_text(only.get("content"))
        return only
    contents = [d.get("content") for d in system_dicts]
    if all(isinstance(c, str) for c in contents):
        return {"role": "system", "content": "\n\n".join(c for c in contents if c)}
    parts: list[Any] = []
    for c in contents:
        if isinstance(c, str):
            if c:
                parts.append({"type": "text", "text": c})
        elif isinstance(c, list):
            parts.extend(c)
    return {"role": "system", "content": parts}


def _tool_calls_json(message: AIMessage) -> list[dict[str, Any]]:
    calls = [
        {
            "id": tc.get("id") or "",
            "type": "function",
            "function": {
                "name": tc["name"],
                "arguments": json.dumps(tc.get("args", {}), ensure_ascii=False),
            },
        }
        for tc in message.tool_calls
    ]
    calls.extend(
        {
            "id": itc.get("id") or "",
            "type": "function",
            "function": {
                "name": itc.get("name") or "",
                "arguments": itc.get("args") or "",
            },
        }
        for itc in message.invalid_tool_calls
    )
    return calls


def shape_messages(
    messages: Sequence[BaseMessage],
    converted: list[dict[str, Any]],
    *,
    include_reasoning: bool = False,
) -> list[dict[str, Any]]:
    """Apply DashScope's rules to OpenAI-format message dicts.

    Args:
        messages: the LangChain messages, aligned with ``converted``.
        converted: their OpenAI chat-completions dicts (langchain-openai's form).
        include_reasoning: send ``reasoning_content`` of past AI turns back.

    Raises:
        ValueError: no messages, or a ToolMessage answering no earlier tool call.
    """
    if not converted:
        msg = "`messages` must not be empty: pass at least one message."
        raise ValueError(msg)
    systems: list[dict[str, Any]] = []
    rest: list[dict[str, Any]] = []
    open_call_ids: set[str] = set()
    for message, as_dict in zip(messages, converted, strict=True):
        role = as_dict.get("role")
        if role in ("system", "developer"):
            as_dict["role"] = "system"
            systems.append(as_dict)
            continue
        if isinstance(message, AIMessage):
            _drop_output_audio(as_dict)
            if message.tool_calls or message.invalid_tool_calls:
                as_dict["tool_calls"] = _tool_calls_json(message)
                open_call_ids.update(c["id"] for c in as_dict["tool_calls"])
            if as_dict.get("content") is None:
                as_dict["content"] = ""
            else:
                as_dict["content"] = _collapse_text(as_dict["content"])
            reasoning = message.additional_kwargs.get("reasoning_content")
            if include_reasoning and reasoning:
                as_dict["reasoning_content"] = reasoning
            if message.additional_kwargs.get("partial"):
                if message is not messages[-1]:
                    msg = (
                        "Partial mode: only the last message may be an AIMessage "
                        "with additional_kwargs['partial']=True (the prefix the "
                        "model continues)."
                    )
                    raise ValueError(msg)
                as_dict["partial"] = True
        elif isinstance(message, ToolMessage):
            if message.tool_call_id not in open_call_ids:
                msg = (
                    f"ToolMessage with tool_call_id={message.tool_call_id!r} answers "
                    "no tool call of an earlier AIMessage in this conversation. Each "
                    "ToolMessage must follow the AIMessage whose tool_calls contain "
                    "its id."
                )
                raise ValueError(msg)
            as_dict["content"] = _tool_content(as_dict.get("content"))
        else:
            as_dict["content"] = _collapse_text(as_dict.get("content"))
        rest.append(as_dict)
    if systems:
        return [_merge_system(systems), *rest]
    return rest
