"""``langchain-qwen batch submit|status|results``: batch jobs over a JSONL of prompts.

Input lines are a JSON string (the prompt), or an object with ``prompt`` (a string) or
``messages`` (OpenAI-style role/content dicts), and optional ``kwargs`` (call
parameters for that line, e.g. ``{"max_tokens": 50}``). Results are written as JSONL in
input order: ``{"index", "content", "usage"}`` or ``{"index", "error"}``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import IO, Any

__all__ = ["add_parser"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register ``batch`` on the CLI's subparsers (the work is imported on use)."""
    batch = sub.add_parser(
        "batch",
        parents=[common],
        help="DashScope batch jobs over a JSONL of prompts (half price)",
        description="Submit prompts as DashScope batch jobs, follow them, and fetch "
        "the answers in input order.",
    )
    actions = batch.add_subparsers(dest="action", required=True, metavar="ACTION")
    endpoint = argparse.ArgumentParser(add_help=False)
    endpoint.add_argument("--region", help="singapore, china, ... (DASHSCOPE_REGION)")
    endpoint.add_argument("--base-url", help="any OpenAI-compatible endpoint")
    endpoint.add_argument("--json", action="store_true", help="machine-readable")

    submit = actions.add_parser(
        "submit", parents=[endpoint], help="submit a JSONL of prompts; prints the id"
    )
    submit.add_argument("file", type=Path, help="JSONL: one prompt per line")
    submit.add_argument("--model", "-m", default="qwen-plus", help="model name")
    submit.add_argument("--window", default="24h", help="completion window (24h..336h)")
    submit.add_argument("--wait", action="store_true", help="wait until it finishes")

    status = actions.add_parser("status", parents=[endpoint], help="a job's progress")
    status.add_argument("job_id", help="the id printed by submit")

    results = actions.add_parser(
        "results", parents=[endpoint], help="answers as JSONL, in input order"
    )
    results.add_argument("job_id", help="the id printed by submit")
    results.add_argument("--output", "-o", type=Path, help="file (default: stdout)")
    results.add_argument("--wait", action="store_true", help="wait until it finishes")
    batch.set_defaults(func=run)


def _read_prompts(path: Path) -> tuple[list[Any], list[dict[str, Any]]]:
    inputs: list[Any] = []
    per_item: list[dict[str, Any]] = []
    for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except ValueError:
            msg = f"{path}:{number}: not JSON"
            raise ValueError(msg) from None
        if isinstance(item, str):
            item = {"prompt": item}
        if not isinstance(item, dict) or not (
            isinstance(item.get("prompt"), str)
            or isinstance(item.get("messages"), list)
        ):
            msg = (
                f"{path}:{number}: expected a string, or an object with 'prompt' "
                "(string) or 'messages' (list)"
            )
            raise ValueError(msg)
        inputs.append(item["prompt"] if "prompt" in item else item["messages"])
        kwargs = item.get("kwargs") or {}
        if not isinstance(kwargs, dict):
            msg = f"{path}:{number}: 'kwargs' must be an object"
            raise ValueError(msg)
        per_item.append(kwargs)
    if not inputs:
        msg = f"{path}: no prompts"
        raise ValueError(msg)
    return inputs, per_item


def _llm(args: argparse.Namespace, model: str | None = None) -> Any:
    from langchain_qwen.chat_models import ChatQwen

    kwargs: dict[str, Any] = {"model": model} if model else {}
    if args.base_url:
        kwargs["base_url"] = args.base_url
    elif args.region:
        kwargs["region"] = args.region
    return ChatQwen(**kwargs)


def _row(index: int, answer: Any) -> dict[str, Any]:
    if isinstance(answer, Exception):
        return {"index": index, "error": f"{type(answer).__name__}: {answer}"}
    return {
        "index": index,
        "content": answer.text,
        "usage": answer.usage_metadata,
    }


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run one ``batch`` action; returns the exit code."""
    from langchain_qwen.batch import BatchJob, submit_batch

    try:
        if args.action == "submit":
            inputs, per_item = _read_prompts(args.file)
            job = submit_batch(
                _llm(args, args.model),
                inputs,
                per_item_kwargs=per_item,
                completion_window=args.window,
            )
            if args.wait:
                job.wait(poll_interval=2.0)
            out.write((json.dumps({"id": job.id}) if args.json else job.id) + "\n")
            return 0
        job = BatchJob.attach(_llm(args), args.job_id)
        if args.action == "status":
            state = job.status()
            line = (
                json.dumps(
                    {
                        "status": state.status,
                        "total": state.total,
                        "completed": state.completed,
                        "failed": state.failed,
                    }
                )
                if args.json
                else f"{state.status}: {state.completed + state.failed}/{state.total}"
                f" answered, {state.failed} failed"
            )
            out.write(line + "\n")
            return 0
        if args.wait:
            job.wait(poll_interval=2.0)
        answers = job.results()
        text = "".join(
            json.dumps(_row(i, a), ensure_ascii=False) + "\n"
            for i, a in enumerate(answers)
        )
        if args.output:
            args.output.write_text(text, "utf-8")
        else:
            out.write(text)
        failed = sum(isinstance(a, Exception) for a in answers)
        if failed:
            err.write(f"{failed} of {len(answers)} items failed\n")
        return 1 if failed else 0
    except (ValueError, OSError) as exc:
        err.write(f"error: {exc}\n")
        return 2
    except Exception as exc:  # DashScope errors: one line, no traceback
        err.write(f"error: {type(exc).__name__}: {exc}\n")
        return 1
