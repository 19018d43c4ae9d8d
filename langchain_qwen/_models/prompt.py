r"""The ChatML prompt a Qwen chat request becomes, and its token count.

:func:`render_chat_template` renders messages (and tool schemas) the way the open
Qwen3 chat template does (``<|im_start|>{role}\n{content}<|im_end|>\n`` per
message, tools in the system prompt, ``<tool_call>`` / ``<tool_response>``
blocks); :func:`count_message_tokens` counts it with the tokenizer of
:mod:`langchain_qwen._models.tokenizer`. An estimate of what DashScope bills: its
server-side templates may differ by a few tokens. :func:`estimate_tokens` is the one
estimate a rate limiter books for any prompt text (chat, embeddings, rerank).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_qwen._models.tokenizer import IM_END, IM_START, get_tokenizer

__all__ = ["count_message_tokens", "estimate_tokens", "render_chat_template"]

#: Characters per token assumed when the tokenizer extra is not installed.
CHARS_PER_TOKEN = 3

_TOOLS_HEADER = (
    "# Tools\n\nYou may call one or more functions to assist with the user query."
    "\n\nYou are provided with function signatures within <tools></tools> XML "
    "tags:\n<tools>"
)
_TOOLS_FOOTER = (
    "\n</tools>\n\nFor each function call, return a json object with function "
    "name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n"
    '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'
)


def _tojson(value: Any) -> str:
    # transformers' ``tojson`` filter used by Qwen templates: no HTML
    # escaping, no key sorting, non-ASCII kept, default separators.
    return json.dumps(value, ensure_ascii=False)


def _content_text(content: Any) -> str:
    """Flatten message content to the text the template renders.

    Args:
        content: ``None``, a string, or a list of content parts.

    Returns:
        The text; text parts are concatenated, other parts (images, audio)
        are skipped because their token cost depends on the media.
    """
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        content = [content]
    parts: list[str] = []
    for part in content:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, Mapping):
            kind = part.get("type")
            text = part.get("text")
            if kind in (None, "text") and isinstance(text, str):
                parts.append(text)
    return "".join(parts)


def _normalize_messages(messages: Sequence[Any]) -> list[Mapping[str, Any]]:
    if all(isinstance(m, Mapping) for m in messages):
        return list(messages)
    from langchain_core.messages import convert_to_openai_messages

    converted = convert_to_openai_messages(list(messages))
    return [converted] if isinstance(converted, Mapping) else list(converted)


def _normalize_tools(tools: Sequence[Any]) -> list[Any]:
    if all(isinstance(t, Mapping) for t in tools):
        return list(tools)
    from langchain_core.utils.function_calling import convert_to_openai_tool

    return [t if isinstance(t, Mapping) else convert_to_openai_tool(t) for t in tools]


def _render_tool_call(tool_call: Mapping[str, Any]) -> str:
    function = tool_call.get("function") or tool_call
    name = function.get("name", "")
    arguments = function.get("arguments", function.get("args", {}))
    if not isinstance(arguments, str):
        arguments = _tojson(arguments)
    return f'<tool_call>\n{{"name": "{name}", "arguments": {arguments}}}\n</tool_call>'


def render_chat_template(
    messages: Sequence[Any],
    tools: Sequence[Any] | None = None,
    *,
    add_generation_prompt: bool = True,
    enable_thinking: bool | None = None,
) -> str:
    r"""Render messages as the ChatML prompt of Qwen3's open chat template.

    Mirrors the Jinja template of ``Qwen/Qwen3-*`` (``tokenizer_config.json``)
    as applied by ``transformers``/vLLM:

    * each turn is ``<|im_start|>{role}\n{content}<|im_end|>\n``;
    * tool schemas go into the (first) system turn as a ``# Tools`` block with
      one JSON object per line inside ``<tools>...</tools>``;
    * assistant tool calls become ``<tool_call>\n{"name": ..., "arguments":
      ...}\n</tool_call>`` blocks;
    * consecutive ``tool`` messages share one ``user`` turn, each wrapped in
      ``<tool_response>\n...\n</tool_response>``;
    * assistant turns after the last real user query (an agent's tool loop)
      carry ``<think>`` blocks when they have ``reasoning_content``.

    Differences from the template: roles it does not know (``developer``,
    ...) are rendered like ``user`` instead of being dropped, and non-text
    content parts are skipped.

    Args:
        messages: OpenAI-style message dicts (``role``, ``content``,
            ``tool_calls``, optional ``reasoning_content``) or LangChain
            ``BaseMessage`` objects.
        tools: OpenAI-style tool dicts (rendered as given) or LangChain tools,
            functions or pydantic models (converted with
            ``convert_to_openai_tool``).
        add_generation_prompt: Append ``<|im_start|>assistant\n``.
        enable_thinking: ``False`` appends the empty ``<think>\n\n</think>\n\n``
            block Qwen3 uses to switch thinking off.

    Returns:
        The prompt text, including special-token text.
    """
    msgs = _normalize_messages(messages)
    tool_list = _normalize_tools(tools) if tools else []
    contents = [_content_text(m.get("content")) for m in msgs]
    roles = [str(m.get("role", "user")) for m in msgs]
    first_is_system = bool(msgs) and roles[0] == "system"

    out: list[str] = []
    if tool_list:
        out.append(f"{IM_START}system\n")
        if first_is_system:
            out.append(contents[0] + "\n\n")
        out.append(_TOOLS_HEADER)
        for tool in tool_list:
            out.append("\n" + _tojson(tool))
        out.append(f"{_TOOLS_FOOTER}{IM_END}\n")
    elif first_is_system:
        out.append(f"{IM_START}system\n{contents[0]}{IM_END}\n")

    # Index of the last user message that is a real query (not a tool
    # response); assistant turns after it get their reasoning rendered.
    last_query_index = len(msgs) - 1
    for index in range(len(msgs) - 1, -1, -1):
        text = contents[index]
        if roles[index] == "user" and not (
            text.startswith("<tool_response>") and text.endswith("</tool_response>")
        ):
            last_query_index = index
            break

    for index, (message, role, content) in enumerate(
        zip(msgs, roles, contents, strict=True)
    ):
        is_last = index == len(msgs) - 1
        if role == "system" and index == 0:
            continue
        if role == "assistant":
            reasoning = ""
            raw_reasoning = message.get("reasoning_content")
            if raw_reasoning is not None:
                reasoning = str(raw_reasoning)
            elif "</think>" in content:
                pieces = content.split("</think>")
                reasoning = pieces[0].rstrip("\n").split("<think>")[-1].lstrip("\n")
                content = pieces[-1].lstrip("\n")
            if index > last_query_index and (is_last or reasoning):
                out.append(
                    f"{IM_START}{role}\n<think>\n{reasoning.strip(chr(10))}\n"
                    f"</think>\n\n{content.lstrip(chr(10))}"
                )
            else:
                out.append(f"{IM_START}{role}\n{content}")
            for call_index, tool_call in enumerate(message.get("tool_calls") or ()):
                if call_index > 0 or content:
                    out.append("\n")
                out.append(_render_tool_call(tool_call))
            out.append(f"{IM_END}\n")
        elif role == "tool":
            if index == 0 or roles[index - 1] != "tool":
                out.append(f"{IM_START}user")
            out.append(f"\n<tool_response>\n{content}\n</tool_response>")
            if is_last or roles[index + 1] != "tool":
                out.append(f"{IM_END}\n")
        else:
            out.append(f"{IM_START}{role}\n{content}{IM_END}\n")

    if add_generation_prompt:
        out.append(f"{IM_START}assistant\n")
        if enable_thinking is False:
            out.append("<think>\n\n</think>\n\n")
    return "".join(out)


def count_message_tokens(
    messages: Sequence[Any],
    tools: Sequence[Any] | None = None,
    *,
    add_generation_prompt: bool = True,
    enable_thinking: bool | None = None,
    vocabulary: str = "qwen",
) -> int:
    r"""Estimate the prompt tokens of a chat request.

    Renders :func:`render_chat_template` and counts it with the real Qwen
    tokenizer. This equals what the open Qwen3 template + tokenizer produce
    (e.g. a self-hosted vLLM server) for text; DashScope may bill slightly
    differently because its server-side templates differ (default system
    prompts, reasoning, images, ...), so treat it as an estimate there.

    Args:
        messages: OpenAI-style message dicts or LangChain messages.
        tools: Tool schemas offered to the model, if any.
        add_generation_prompt: Count the trailing ``<|im_start|>assistant\n``.
        enable_thinking: ``False`` also counts Qwen3's empty think block.
        vocabulary: See :func:`get_tokenizer`.

    Returns:
        Number of prompt tokens.

    Raises:
        ImportError: If the ``tokenizer`` extra is not installed.
    """
    prompt = render_chat_template(
        messages,
        tools,
        add_generation_prompt=add_generation_prompt,
        enable_thinking=enable_thinking,
    )
    return get_tokenizer(vocabulary).count_tokens(prompt)


def estimate_tokens(text: str) -> float:
    """Tokens of a prompt text, for a rate limiter's books.

    The one estimate every client books, so one limiter shared by chat, embedding
    and rerank clients learns one ratio of the server's counts to it.

    Args:
        text: The text sent (for chat, the rendered prompt).

    Returns:
        Qwen's tokenizer count when the ``tokenizer`` extra is installed, else
        about :data:`CHARS_PER_TOKEN` characters a token.
    """
    try:
        return float(get_tokenizer().count_tokens(text))
    except ImportError:
        return len(text) / CHARS_PER_TOKEN
