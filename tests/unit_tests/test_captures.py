"""Real DashScope traffic, replayed byte for byte by the emulator.

Our own cases in the recorded shapes (``dashscope_shapes.py``, always) and, when
present, each case in ``../shared/dashscope-captures/cases`` (CI has it) are served
byte for byte; the expected message is computed here, independently of the client
code, from the bytes. ChatQwen must produce the same text, reasoning, tool calls,
usage, finish_reason and model name -- and raise the error class the answer calls
for on every error case.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk

import langchain_qwen
from langchain_qwen import ChatQwen
from langchain_qwen.testing import DashScopeEmulator, Reply
from tests.unit_tests.dashscope_shapes import CASES as OUR_CASES

_CASES = Path(__file__).resolve().parents[3] / "shared" / "dashscope-captures" / "cases"
_CASE_FILES = sorted(_CASES.glob("*.json")) if _CASES.is_dir() else []
_ALL = [
    *[pytest.param(case, id=case["name"]) for case in OUR_CASES],
    *[pytest.param(path, id=path.stem) for path in _CASE_FILES],
]

# The class an error answer calls for, by HTTP status (a 200 stream with an error
# event is a stream error).
_ERROR_CLASS = {
    400: "DashScopeBadRequestError",
    401: "DashScopeAuthenticationError",
    403: "DashScopePermissionDeniedError",
    404: "DashScopeModelNotFoundError",
    429: "DashScopeRateLimitError",
    200: "DashScopeStreamError",
}


def _expected_from_sse(text: str) -> dict[str, Any]:
    content, reasoning, usage = "", "", None
    calls: dict[int, dict[str, Any]] = {}
    finish, model = None, None
    for line in text.splitlines():
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            continue
        event = json.loads(data)
        model = event.get("model") or model
        usage = event.get("usage") or usage
        for choice in event.get("choices") or []:
            delta = choice.get("delta") or {}
            content += delta.get("content") or ""
            reasoning += delta.get("reasoning_content") or ""
            for tc in delta.get("tool_calls") or []:
                slot = calls.setdefault(tc["index"], {"id": "", "name": "", "args": ""})
                slot["id"] = slot["id"] or tc.get("id") or ""
                function = tc.get("function") or {}
                slot["name"] += function.get("name") or ""
                slot["args"] += function.get("arguments") or ""
            finish = choice.get("finish_reason") or finish
    return {
        "content": content,
        "reasoning": reasoning,
        "calls": [
            (c["name"], json.loads(c["args"] or "{}"), c["id"])
            for _, c in sorted(calls.items())
        ],
        "usage": usage,
        "finish": finish,
        "model": model,
    }


def _expected_from_json(body: dict[str, Any]) -> dict[str, Any]:
    message = body["choices"][0]["message"]
    return {
        "content": message.get("content") or "",
        "reasoning": message.get("reasoning_content") or "",
        "calls": [
            (
                tc["function"]["name"],
                json.loads(tc["function"]["arguments"] or "{}"),
                tc["id"],
            )
            for tc in message.get("tool_calls") or []
        ],
        "usage": body.get("usage"),
        "finish": body["choices"][0].get("finish_reason"),
        "model": body.get("model"),
    }


def _replay(case: dict[str, Any]) -> Reply:
    response = case["response"]
    body = response["body"]
    raw = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    headers = {
        k: v if isinstance(v, str) else v[0]
        for k, v in (response.get("headers") or {}).items()
        if k.lower()
        not in ("content-length", "transfer-encoding", "connection", "content-encoding")
    }
    return Reply.raw(response["status"], raw, headers=headers)


def test_our_cases_cover_every_shape() -> None:
    names = " ".join(case["name"] for case in OUR_CASES)
    for shape in ("nonstream_text", "stream_text", "tool_call", "reasoning", "ERROR"):
        assert shape in names


@pytest.mark.parametrize("source", _ALL)
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
async def test_capture_replay(
    source: Path | dict[str, Any], use_async: bool, emulator: DashScopeEmulator
) -> None:
    case = source if isinstance(source, dict) else json.loads(source.read_text())
    request = case["request"]
    status = case["response"]["status"]
    body = case["response"]["body"]
    if "models" in case["name"]:
        pytest.skip("models-list capture is covered by the CLI/doctor tests")
    streamed = bool(request.get("stream"))
    # The recorded model is served whatever the catalogue says (a replay, not a check).
    with DashScopeEmulator(models=[request.get("model", "qwen-plus")]) as emu:
        emu.script(_replay(case))
        llm = ChatQwen(
            model=request.get("model", "qwen-plus"),
            base_url=emu.base_url,
            api_key=emu.api_key,
            max_retries=0,
        )
        is_error = status >= 400 or (isinstance(body, str) and '"error"' in body)
        if is_error:
            name = case.get("expect_error") or _ERROR_CLASS[status]
            with pytest.raises(getattr(langchain_qwen, name)) as info:
                await _run(llm, streamed, use_async)
            assert type(info.value).__name__ == name
            return
        msg = await _run(llm, streamed, use_async)
    if isinstance(body, str) and streamed:
        expected = _expected_from_sse(body)
    else:
        expected = _expected_from_json(
            body if isinstance(body, dict) else json.loads(body)
        )
    assert msg.text == expected["content"]
    assert msg.additional_kwargs.get("reasoning_content", "") == expected["reasoning"]
    assert [(t["name"], t["args"], t["id"]) for t in msg.tool_calls] == expected[
        "calls"
    ]
    assert msg.invalid_tool_calls == []
    assert msg.response_metadata["finish_reason"] == expected["finish"]
    assert msg.response_metadata["model_name"] == expected["model"]
    usage = expected["usage"]
    assert msg.usage_metadata is not None
    assert msg.usage_metadata["input_tokens"] == usage["prompt_tokens"]
    assert msg.usage_metadata["output_tokens"] == usage["completion_tokens"]
    assert msg.usage_metadata["total_tokens"] == usage["total_tokens"]
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
    assert msg.usage_metadata.get("input_token_details", {}).get("cache_read") == cached
    reasoning_tokens = (usage.get("completion_tokens_details") or {}).get(
        "reasoning_tokens"
    )
    assert (
        msg.usage_metadata.get("output_token_details", {}).get("reasoning")
        == reasoning_tokens
    )


async def _run(llm: ChatQwen, streamed: bool, use_async: bool) -> Any:
    if not streamed:
        return await llm.ainvoke("hi") if use_async else llm.invoke("hi")
    chunks: list[AIMessageChunk] = []
    if use_async:
        chunks = [c async for c in llm.astream("hi")]
    else:
        chunks = list(llm.stream("hi"))
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total
