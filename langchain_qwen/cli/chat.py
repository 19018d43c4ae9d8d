"""``langchain-qwen chat``: stream an answer (reasoning dimmed, usage at the end)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Literal

from langchain_qwen.cli._args import region_arg
from langchain_qwen.cli._style import DIM, RESET, error_text, use_color

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages.ai import UsageMetadata

    from langchain_qwen.chat_models import ChatQwen


@dataclass(frozen=True)
class ChatEvent:
    """One piece of a streamed answer.

    Attributes:
        kind: ``reasoning`` (thinking text), ``text`` (answer text), ``usage``
            (token counts, once at the end) or ``model`` (the answering model).
        text: The text of ``reasoning``/``text`` events, the name for ``model``.
        usage: The token usage of a ``usage`` event.
    """

    kind: Literal["reasoning", "text", "usage", "model"]
    text: str = ""
    usage: UsageMetadata | None = None


def build_chat_model(
    *,
    model: str | None = None,
    region: str | None = None,
    base_url: str | None = None,
    think: bool = False,
    urls: dict[str, str] | None = None,
) -> ChatQwen:
    """The ChatQwen the ``chat`` command uses.

    Args:
        model: Model name (default: ChatQwen's, ``qwen-plus``).
        region: Region or alias (default: ``DASHSCOPE_REGION``, else Singapore).
        base_url: Any compatible endpoint; wins over ``region``.
        think: Turn thinking on (``enable_thinking=True``).
        urls: A region -> base URL override table (the testing hook).

    Returns:
        A ``ChatQwen``.

    Raises:
        ValueError: No key for a DashScope host, or bad settings.
    """
    from langchain_qwen.chat_models import ChatQwen
    from langchain_qwen.cli._checks.targets import resolve_target

    kwargs: dict[str, Any] = {}
    if model:
        kwargs["model"] = model
    if think:
        kwargs["enable_thinking"] = True
    if base_url:
        kwargs["base_url"] = base_url
    elif urls:
        endpoint = resolve_target(region=region, urls=urls)
        kwargs["base_url"] = endpoint.base_url
    elif region:
        kwargs["region"] = region
    return ChatQwen(**kwargs)


def stream_chat(
    llm: BaseChatModel, question: str, *, system: str | None = None
) -> Iterator[ChatEvent]:
    """Stream one answer as events (no printing).

    Args:
        llm: A ``ChatQwen`` (any chat model streaming ``AIMessageChunk``s works).
        question: The user's message.
        system: An optional system message.

    Yields:
        ``reasoning`` and ``text`` events as they arrive, then ``model`` and
        ``usage`` events.
    """
    messages: list[tuple[str, str]] = []
    if system:
        messages.append(("system", system))
    messages.append(("human", question))
    model_name: str | None = None
    usage: UsageMetadata | None = None
    for chunk in llm.stream(messages):
        reasoning = chunk.additional_kwargs.get("reasoning_content")
        if isinstance(reasoning, str) and reasoning:
            yield ChatEvent("reasoning", reasoning)
        if text := chunk.text:
            yield ChatEvent("text", text)
        model_name = chunk.response_metadata.get("model_name") or model_name
        if chunk.usage_metadata:
            usage = chunk.usage_metadata
    if model_name:
        yield ChatEvent("model", model_name)
    if usage is not None:
        yield ChatEvent("usage", usage=usage)


def format_usage(usage: UsageMetadata, model: str | None = None) -> str:
    """One line of token usage, e.g. ``usage: input 10, output 13 (reasoning 6)...``."""
    inputs = f"input {usage.get('input_tokens', 0)}"
    cached = (usage.get("input_token_details") or {}).get("cache_read")
    if cached:
        inputs += f" (cached {cached})"
    outputs = f"output {usage.get('output_tokens', 0)}"
    reasoning = (usage.get("output_token_details") or {}).get("reasoning")
    if reasoning:
        outputs += f" (reasoning {reasoning})"
    line = f"usage: {inputs}, {outputs}, total {usage.get('total_tokens', 0)} tokens"
    return f"{line} [{model}]" if model else line


def run_chat(
    llm: BaseChatModel,
    question: str,
    out: IO[str],
    *,
    system: str | None = None,
    color: bool = False,
) -> None:
    """Stream an answer to ``out``: reasoning (dimmed), answer, then usage.

    Reasoning is framed by ``[thinking]`` and ``[/thinking]`` lines (dimmed, with
    the reasoning text, when ``color``).
    """
    dim_on, dim_off = (DIM, RESET) if color else ("", "")
    state = "start"  # start -> reasoning -> answer
    model: str | None = None
    line_start = True

    def write(text: str) -> None:
        nonlocal line_start
        if text:
            out.write(text)
            line_start = text.endswith("\n")

    def close_reasoning() -> None:
        write(("" if line_start else "\n") + "[/thinking]" + dim_off + "\n\n")

    try:
        for event in stream_chat(llm, question, system=system):
            if event.kind == "reasoning":
                if state == "start":
                    write(dim_on + "[thinking]\n")
                    state = "reasoning"
                write(event.text)
            elif event.kind == "text":
                if state == "reasoning":
                    close_reasoning()
                state = "answer"
                write(event.text)
            elif event.kind == "model":
                model = event.text
            elif event.kind == "usage" and event.usage is not None:
                if state == "reasoning":
                    close_reasoning()
                    state = "answer"
                elif not line_start:
                    write("\n\n")
                else:
                    write("\n")
                write(dim_on + format_usage(event.usage, model) + dim_off + "\n")
            out.flush()
    except BaseException:
        # Failed or interrupted mid-answer: never leave the terminal dimmed.
        if state == "reasoning":
            write(dim_off)
        if not line_start:
            write("\n")
        out.flush()
        raise
    if state == "reasoning":
        close_reasoning()
    if not line_start:
        write("\n")
    out.flush()


def _read_question(args: argparse.Namespace, err: IO[str]) -> str | None:
    """The question from argv; `-` (or nothing, when piped) reads standard input."""
    question = " ".join(args.question).strip()
    if question and question != "-":
        return question
    stdin = sys.stdin
    if stdin is None or (question != "-" and stdin.isatty()):
        return None  # nothing given and nobody piping: a usage error
    if stdin.isatty():
        err.write("Type your question, then Ctrl-D (Ctrl-Z Enter on Windows):\n")
        err.flush()
    return stdin.read().strip() or None


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run ``chat``; returns the exit code."""
    import openai

    from langchain_qwen.cli._checks.targets import region_urls

    question = _read_question(args, err)
    if question is None:
        err.write(
            'error: give a question: langchain-qwen chat "..." (or - for stdin)\n'
        )
        return 2
    try:
        urls, overridden = region_urls(args.region_url)
        llm = build_chat_model(
            model=args.model,
            region=args.region,
            base_url=args.base_url,
            think=args.think,
            urls=urls if overridden else None,
        )
    except ValueError as exc:
        err.write(f"error: {error_text(exc)}\n")
        err.write("hint: `langchain-qwen doctor` checks the key and region.\n")
        return 1
    try:
        run_chat(
            llm,
            question,
            out,
            system=args.system,
            color=use_color(out, args.color),
        )
    except (openai.APIError, ValueError) as exc:
        out.flush()
        err.write(f"error: {error_text(exc)}\n")
        return 1
    return 0


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register ``chat`` on the CLI's subparsers."""
    chat = sub.add_parser(
        "chat",
        parents=[common],
        help="stream an answer (reasoning dimmed, usage at the end)",
        description="Stream an answer from a Qwen model with ChatQwen.",
    )
    chat.add_argument("question", nargs="*", help="the question ('-' reads stdin)")
    chat.add_argument("--model", "-m", help="model name (default qwen-plus)")
    chat.add_argument(
        "--region", type=region_arg, help="singapore, us, china, hongkong, ..."
    )
    chat.add_argument("--base-url", help="any OpenAI-compatible endpoint")
    chat.add_argument(
        "--think", action="store_true", help="turn thinking on (enable_thinking)"
    )
    chat.add_argument("--system", help="a system message")
    chat.set_defaults(func=run)
