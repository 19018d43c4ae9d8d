"""Tools: which kind each tool is, and DashScope's rules for ``tools`` and JSON mode.

The one place that classifies a tool, for both call paths (Chat Completions and the
Responses API):

- a DashScope **built-in tool**: a dict whose ``"type"`` is one of DashScope's named
  server-run kinds (:data:`BUILTIN_TOOL_TYPES`), sent as given and only through the
  Responses API;
- everything else is a **function tool**: a pydantic class, a TypedDict, a function,
  a ``BaseTool``, a JSON-schema dict (``{"title": ..., "type": "object", ...}``), an
  OpenAI function dict (``{"name", "description", "parameters"}``) or an OpenAI tool
  dict (``{"type": "function", "function": {...}}``), converted with langchain-core's
  ``convert_to_openai_tool`` as ChatOpenAI does. A JSON schema has ``"type":
  "object"``: a ``"type"`` key alone never makes a built-in tool.

DashScope's rules:

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
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.utils.function_calling import convert_to_openai_tool

__all__ = [
    "BUILTIN_TOOL_TYPES",
    "JSON_INSTRUCTION",
    "add_system_instruction",
    "check_tools",
    "ensure_json_word",
    "format_tool",
    "is_builtin_tool",
    "normalize_tool_choice",
    "tool_name",
]

# DashScope's built-in (server-run) tools of the Responses API, by their "type":
# https://www.alibabacloud.com/help/en/model-studio/qwen-api-via-openai-responses
# (web search, web extractor, code interpreter, text-to-image and image-to-image
# search, knowledge base search); each kind's own page names its type:
# https://www.alibabacloud.com/help/en/model-studio/web-extractor (web_search,
# web_extractor, code_interpreter), https://docs.qwencloud.com/developer-guides/
# text-generation/image-search (web_search_image, image_search),
# https://help.aliyun.com/en/model-studio/file-search (file_search).
BUILTIN_TOOL_TYPES = frozenset(
    {
        "web_search",
        "web_extractor",
        "code_interpreter",
        "web_search_image",
        "image_search",
        "file_search",
    }
)
"""The ``"type"`` of each DashScope built-in tool."""

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
JSON_INSTRUCTION = "Respond with a single JSON object."
_JSON_WORD = re.compile("json", re.IGNORECASE)


def is_builtin_tool(tool: Any) -> bool:
    """Whether ``tool`` is a DashScope built-in tool (``{"type": "web_search"}``...)."""
    return isinstance(tool, Mapping) and tool.get("type") in BUILTIN_TOOL_TYPES


def _unsupported(tool: Mapping[str, Any]) -> ValueError:
    kinds = ", ".join(sorted(BUILTIN_TOOL_TYPES))
    return ValueError(
        f"Unsupported tool {dict(tool)!r:.160}: type {tool.get('type')!r} is not a "
        f"DashScope built-in tool ({kinds}) nor a function tool (a pydantic class, "
        "TypedDict, function, BaseTool, JSON schema with a 'title', or an OpenAI "
        "function dict)."
    )


def format_tool(tool: Any, *, strict: bool | None = None) -> dict[str, Any]:
    """The OpenAI-format definition of a tool of any accepted kind.

    A built-in tool is returned as given; any other tool is converted with
    ``convert_to_openai_tool`` (with ``strict`` on the function, dicts given in
    OpenAI form included). A typed dict that is neither is refused here.
    """
    if is_builtin_tool(tool):
        return dict(tool)
    formatted = convert_to_openai_tool(tool, strict=strict)
    if formatted.get("type") != "function":
        # langchain-core passes OpenAI's own server tools through (computer, mcp,
        # ...): DashScope runs none of them.
        raise _unsupported(formatted)
    if strict is not None:
        function = {**formatted["function"], "strict": strict}
        formatted = {**formatted, "function": function}
    return formatted


def tool_name(tool: Any) -> str:
    """The function name a function tool of any accepted kind is called by."""
    return str(format_tool(tool)["function"]["name"])


def check_tools(tools: Sequence[dict[str, Any]]) -> list[str]:
    """Validate OpenAI-format tools; return their names (a built-in tool's type)."""
    names: list[str] = []
    for position, tool in enumerate(tools):
        if is_builtin_tool(tool):
            names.append(str(tool["type"]))
            continue  # run by the server: passed through untouched
        if tool.get("type") != "function":
            raise _unsupported(tool)
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
