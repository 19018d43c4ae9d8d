"""Tools: DashScope's rules for ``tools``, ``tool_choice`` and JSON mode.

- Tool names: at most 64 characters of ``[a-zA-Z0-9_-]`` (what the OpenAI-compatible
  function-calling schema allows); ``parameters`` must be a JSON-schema object.
- ``tool_choice``: ``"auto"``, ``"none"``, ``"required"`` (``"any"`` and ``True``
  mean the same), a bound tool's name, or an OpenAI dict; anything else is refused
  here rather than silently turned into ``"auto"``.
- JSON mode needs the word "json" in the messages (DashScope returns 400 otherwise):
  :func:`ensure_json_word` adds a short system instruction when it is missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = [
    "JSON_INSTRUCTION",
    "add_system_instruction",
    "check_tools",
    "ensure_json_word",
    "normalize_tool_choice",
]

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
JSON_INSTRUCTION = "Respond with a single JSON object."
_JSON_WORD = re.compile("json", re.IGNORECASE)


def check_tools(tools: Sequence[dict[str, Any]]) -> list[str]:
    """Validate OpenAI-format tools; return their function names."""
    names: list[str] = []
    for position, tool in enumerate(tools):
        if tool.get("type") != "function":
            names.append(str(tool.get("type")))
            continue  # built-in tool types pass through untouched
        function = tool.get("function") or {}
        name = function.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            msg = (
                f"Invalid tool name {name!r} (tools[{position}]): DashScope allows 1 "
                "to 64 characters from a-z, A-Z, 0-9, '_' and '-'."
            )
            raise ValueError(msg)
        parameters = function.get("parameters")
        if parameters is not None and (
            not isinstance(parameters, dict)
            or parameters.get("type", "object") != "object"
            or not isinstance(parameters.get("properties", {}), dict)
        ):
            msg = (
                f"Invalid `parameters` for tool {name!r}: expected a JSON schema of "
                f"type 'object' with a 'properties' dict, got {parameters!r:.120}."
            )
            raise ValueError(msg)
        names.append(name)
    return names


def normalize_tool_choice(tool_choice: Any, tool_names: Sequence[str]) -> Any:
    """DashScope's form of a LangChain ``tool_choice``, or a ValueError."""
    if tool_choice is None:
        return None
    if tool_choice is True or tool_choice in ("any", "required"):
        return "required"
    if tool_choice is False:
        return "none"
    if tool_choice in ("auto", "none"):
        return tool_choice
    if isinstance(tool_choice, str):
        name = tool_choice
    elif isinstance(tool_choice, dict) and isinstance(
        (tool_choice.get("function") or {}).get("name"), str
    ):
        name = tool_choice["function"]["name"]
    else:
        msg = (
            f"Invalid tool_choice={tool_choice!r}. Allowed: 'auto', 'none', "
            "'required' (or 'any'/True), a bound tool's name, or "
            "{'type': 'function', 'function': {'name': ...}}."
        )
        raise ValueError(msg)
    if name not in tool_names:
        msg = (
            f"tool_choice names {name!r}, which is not among the bound tools: "
            f"{', '.join(tool_names) or '(none)'}."
        )
        raise ValueError(msg)
    return {"type": "function", "function": {"name": name}}


def _mentions_json(content: Any) -> bool:
    if isinstance(content, str):
        return bool(_JSON_WORD.search(content))
    if isinstance(content, list):
        return any(
            _mentions_json(part.get("text") if isinstance(part, dict) else part)
            for part in content
        )
    return False


def add_system_instruction(messages: list[dict[str, Any]], text: str) -> None:
    """Append ``text`` to the leading system message, adding one if there is none."""
    if messages and messages[0].get("role") == "system":
        content = messages[0].get("content")
        if isinstance(content, str):
            messages[0]["content"] = f"{content}\n\n{text}".lstrip()
            return
        if isinstance(content, list):
            content.append({"type": "text", "text": text})
            return
    messages.insert(0, {"role": "system", "content": text})


def ensure_json_word(messages: list[dict[str, Any]]) -> None:
    """Make sure "json" appears in the messages, adding a system instruction if not."""
    if not any(_mentions_json(m.get("content")) for m in messages):
        add_system_instruction(messages, JSON_INSTRUCTION)
