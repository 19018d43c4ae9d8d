"""ChatQwen's class docstring examples run, in order, against the emulator."""

from __future__ import annotations

import ast
import asyncio
import inspect
import textwrap
from typing import Any

import pytest

from langchain_qwen import ChatQwen
from langchain_qwen.testing import DashScopeEmulator, Reply


def _python_blocks(doc: str) -> list[str]:
    """The ``.. code-block:: python`` bodies: lines indented deeper than the marker."""
    blocks: list[str] = []
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        if line.strip() != ".. code-block:: python":
            continue
        marker_indent = len(line) - len(line.lstrip())
        body: list[str] = []
        for following in lines[i + 1 :]:
            indent = len(following) - len(following.lstrip())
            if following.strip() and indent <= marker_indent:
                break
            body.append(following)
        blocks.append(textwrap.dedent("\n".join(body)))
    return blocks


def _dummy(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        return {k: _dummy(v) for k, v in schema.get("properties", {}).items()}
    return "Hangzhou"


def _responder(body: dict[str, Any]) -> Reply:
    """Answer like a model would: call the (first or forced) tool when tools are bound."""
    if "input" in body:  # the Responses API
        return Reply.text("Here is what the web says.")
    tools = body.get("tools") or []
    if tools:
        choice = body.get("tool_choice")
        name = (
            choice["function"]["name"]
            if isinstance(choice, dict)
            else tools[0]["function"]["name"]
        )
        function = next(t["function"] for t in tools if t["function"]["name"] == name)
        return Reply.tool_calls(
            [{"name": name, "arguments": _dummy(function["parameters"])}]
        )
    thinking = body.get("enable_thinking") is True
    return Reply.text(
        "9.9 is bigger.", reasoning="Compare 9.11 and 9.90." if thinking else None
    )


def test_docstring_has_partner_sections() -> None:
    doc = inspect.getdoc(ChatQwen) or ""
    for section in (
        "Setup:",
        "Key init args — completion params:",
        "Key init args — client params:",
        "Instantiate:",
        "Invoke:",
        "Stream:",
        "Async:",
        "Tool calling:",
        "Structured output:",
        "Usage metadata:",
        "Response metadata:",
    ):
        assert section in doc, section


# The examples name regions while DASHSCOPE_BASE_URL points them all at the emulator.
@pytest.mark.filterwarnings("ignore:DASHSCOPE_BASE_URL is set and wins over region")
def test_docstring_examples_run(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    blocks = _python_blocks(ChatQwen.__doc__ or "")
    assert len(blocks) >= 9
    with DashScopeEmulator() as emu:
        monkeypatch.setenv("DASHSCOPE_BASE_URL", emu.base_url)
        monkeypatch.setenv("DASHSCOPE_API_KEY", emu.api_key)
        emu.script(*[_responder] * 40)
        namespace: dict[str, Any] = {}
        for block in blocks:
            code = compile(
                block,
                "<ChatQwen docstring>",
                "exec",
                flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
            )
            result = eval(code, namespace)
            if inspect.iscoroutine(result):
                asyncio.run(result)
        chat_requests = [r for r in emu.requests if r.is_chat]
        responses = [r.json for r in emu.requests if r.path.endswith("/responses")]
    assert [bool(body.get("previous_response_id")) for body in responses] == [
        False,
        True,
    ]
    assert len(chat_requests) >= 8
    assert namespace["ai_msg"].response_metadata["model_provider"] == "dashscope"
    assert namespace["ai_msg"].usage_metadata["total_tokens"] > 0
    assert namespace["msg"].additional_kwargs["reasoning_content"]


_RETRIEVAL_SECTIONS = {
    "QwenEmbeddings": ("Embed single text:", "Embed multiple texts:"),
    "QwenRerank": ("Rerank:", "Compress documents:"),
}


@pytest.mark.parametrize("name", sorted(_RETRIEVAL_SECTIONS))
def test_retrieval_docstrings_have_sections_and_run(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import langchain_qwen

    cls = getattr(langchain_qwen, name)
    doc = inspect.getdoc(cls) or ""
    common = ("Setup:", "Key init args", "Instantiate:", "Async:")
    for section in (*common, *_RETRIEVAL_SECTIONS[name]):
        assert section in doc, section
    blocks = _python_blocks(cls.__doc__ or "")
    assert len(blocks) >= 4
    with DashScopeEmulator() as emu:
        monkeypatch.setenv("DASHSCOPE_BASE_URL", emu.base_url)
        monkeypatch.setenv("DASHSCOPE_API_KEY", emu.api_key)
        namespace: dict[str, Any] = {}
        for block in blocks:
            code = compile(
                block,
                f"<{name} docstring>",
                "exec",
                flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
            )
            result = eval(code, namespace)
            if inspect.iscoroutine(result):
                asyncio.run(result)
        statuses = [r.status for r in emu.requests]
    assert len(statuses) >= 3
    assert set(statuses) == {200}
