"""DashScope answers in the shapes recorded from the live service, written by us.

Each case has the normalized form of the recordings in
``../shared/dashscope-captures/cases`` (``{"name", "request", "response": {"status",
"headers", "body"}}``, a streamed body being the SSE text): the same key order, null
fields, ``usage: null`` on every chunk but the last, ``chatcmpl-<request id>`` ids,
error bodies with ``request_id``. The texts, ids and numbers are our own, so a plain
clone replays them without ``../shared``. ``expect_error`` names the exception class
ChatQwen must raise.
"""

from __future__ import annotations

import json
from typing import Any

_SSE = {"Content-Type": "text/event-stream;charset=UTF-8"}
_JSON = {"Content-Type": "application/json"}
_CREATED = 1767225600


def _chunk(rid: str, model: str, delta: dict[str, Any], finish: str | None) -> str:
    event = {
        "choices": [
            {"delta": delta, "finish_reason": finish, "index": 0, "logprobs": None}
        ],
        "object": "chat.completion.chunk",
        "usage": None,
        "created": _CREATED,
        "system_fingerprint": None,
        "model": model,
        "id": f"chatcmpl-{rid}",
    }
    return f"data: {json.dumps(event, ensure_ascii=False, separators=(',', ':'))}\n\n"


def _usage_chunk(rid: str, model: str, usage: dict[str, Any]) -> str:
    event = {
        "choices": [],
        "object": "chat.completion.chunk",
        "usage": usage,
        "created": _CREATED,
        "system_fingerprint": None,
        "model": model,
        "id": f"chatcmpl-{rid}",
    }
    return f"data: {json.dumps(event, ensure_ascii=False, separators=(',', ':'))}\n\n"


def _usage(prompt: int, completion: int, reasoning: int | None = None) -> dict:
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
    }
    if reasoning is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return usage


def _stream(
    rid: str,
    model: str,
    deltas: list[dict[str, Any]],
    finish: str,
    usage: dict[str, Any],
) -> str:
    parts = [_chunk(rid, model, {"content": "", "role": "assistant"}, None)]
    parts += [_chunk(rid, model, d, None) for d in deltas]
    parts.append(_chunk(rid, model, {"content": ""}, finish))
    parts.append(_usage_chunk(rid, model, usage))
    return "".join(parts) + "data: [DONE]\n\n"


def _completion(
    rid: str, model: str, message: dict[str, Any], finish: str, usage: dict
) -> dict[str, Any]:
    return {
        "choices": [
            {"message": message, "finish_reason": finish, "index": 0, "logprobs": None}
        ],
        "object": "chat.completion",
        "usage": usage,
        "created": _CREATED,
        "system_fingerprint": None,
        "model": model,
        "id": f"chatcmpl-{rid}",
    }


def _error(status: int, code: str, message: str, rid: str) -> dict[str, Any]:
    return {
        "status": status,
        "headers": _JSON,
        "body": {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": None,
                "code": code,
            },
            "request_id": rid,
        },
    }


_CALL = {
    "function": {"arguments": '{"city": "Hangzhou"}', "name": "get_weather"},
    "id": "call_5d1e0c7a9b2f4e6d8c0a1b3e",
    "index": 0,
    "type": "function",
}

CASES: list[dict[str, Any]] = [
    {
        "name": "ours_nonstream_text",
        "request": {"model": "qwen-plus", "messages": []},
        "response": {
            "status": 200,
            "headers": _JSON,
            "body": _completion(
                "3f2a9c1e-0b7d-9e4f-a6c2-5d8b1e0f7a93",
                "qwen-plus",
                {"content": "West Lake is in Hangzhou.", "role": "assistant"},
                "stop",
                _usage(14, 8),
            ),
        },
    },
    {
        "name": "ours_stream_text_include_usage",
        "request": {"model": "qwen3-max", "messages": [], "stream": True},
        "response": {
            "status": 200,
            "headers": _SSE,
            "body": _stream(
                "Qm8xT2vLp4Rk9NsW",
                "qwen3-max",
                [{"content": "杭州"}, {"content": "今天"}, {"content": "小雨。"}],
                "stop",
                _usage(11, 6),
            ),
        },
    },
    {
        "name": "ours_nonstream_tool_call",
        "request": {"model": "qwen-plus", "messages": [], "tools": []},
        "response": {
            "status": 200,
            "headers": _JSON,
            "body": _completion(
                "5d1e0c7a-9b2f-94e6-8c0a-1b3e7f2d9a40",
                "qwen-plus",
                {"content": "", "role": "assistant", "tool_calls": [_CALL]},
                "tool_calls",
                _usage(230, 19),
            ),
        },
    },
    {
        "name": "ours_stream_tool_call",
        "request": {"model": "qwen3-max", "messages": [], "stream": True},
        "response": {
            "status": 200,
            "headers": _SSE,
            "body": _stream(
                "9a40c1e2-7b3d-9f5a-8e6c-2d4f1b0a3c57",
                "qwen3-max",
                [
                    {
                        "content": None,
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": _CALL["id"],
                                "type": "function",
                                "function": {"name": "get_weather", "arguments": ""},
                            }
                        ],
                    },
                    {
                        "content": None,
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "",
                                "type": "function",
                                "function": {"arguments": '{"city": '},
                            }
                        ],
                    },
                    {
                        "content": None,
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "",
                                "type": "function",
                                "function": {"arguments": '"Hangzhou"}'},
                            }
                        ],
                    },
                ],
                "tool_calls",
                _usage(231, 21),
            ),
        },
    },
    {
        "name": "ours_stream_reasoning",
        "request": {"model": "qwen3-max", "messages": [], "stream": True},
        "response": {
            "status": 200,
            "headers": _SSE,
            "body": _stream(
                "c57e2d4f-1b0a-93c5-97a4-0c1e2b7d9f3a",
                "qwen3-max",
                [
                    {"content": None, "reasoning_content": "9.9 is 9.90; "},
                    {"content": None, "reasoning_content": "9.90 > 9.11."},
                    {"content": "9.9 is larger.", "reasoning_content": None},
                ],
                "stop",
                _usage(20, 30, reasoning=22),
            ),
        },
    },
    {
        "name": "ours_nonstream_reasoning",
        "request": {"model": "qwen-plus", "messages": [], "enable_thinking": True},
        "response": {
            "status": 200,
            "headers": _JSON,
            "body": _completion(
                "7d9f3ac5-7e2d-94f1-b0a9-3c57e2d4f1b0",
                "qwen-plus",
                {
                    "content": "Tuesday.",
                    "reasoning_content": "Today is Monday, so tomorrow is Tuesday.",
                    "role": "assistant",
                },
                "stop",
                _usage(17, 25, reasoning=18),
            ),
        },
        "expect_error": None,
    },
    {
        "name": "ours_ERROR_401_invalid_api_key",
        "request": {"model": "qwen-plus", "messages": []},
        "response": _error(
            401,
            "invalid_api_key",
            "Incorrect API key provided. ",
            "0e4b8f6a-2c1d-9e7b-a3f5-8d6c4b2a0e19",
        ),
        "expect_error": "DashScopeAuthenticationError",
    },
    {
        "name": "ours_ERROR_404_model_not_found",
        "request": {"model": "qwen-plsu", "messages": []},
        "response": _error(
            404,
            "model_not_found",
            "The model `qwen-plsu` does not exist or you do not have access to it.",
            "2a0e19b8-4f6a-9c1d-8e7b-a3f58d6c4b0e",
        ),
        "expect_error": "DashScopeModelNotFoundError",
    },
    {
        "name": "ours_ERROR_400_invalid_parameter",
        "request": {"model": "qwen-plus", "messages": []},
        "response": _error(
            400,
            "invalid_parameter_error",
            "<400> InternalError.Algo.InvalidParameter: Range of top_p should be "
            "(0.0, 1.0]",
            "6c4b0e2a-19b8-94f6-a9c1-d8e7ba3f58d0",
        ),
        "expect_error": "DashScopeBadRequestError",
    },
    {
        "name": "ours_ERROR_in_sse_stream",
        "request": {"model": "qwen-plus", "messages": [], "stream": True},
        "response": {
            "status": 200,
            "headers": {"Content-Type": "text/event-stream"},
            "body": "data: "
            + json.dumps(
                {
                    "error": {
                        "code": "invalid_parameter_error",
                        "param": None,
                        "message": "<400> InternalError.Algo.InvalidParameter: "
                        "The tool call is not supported.",
                        "type": "invalid_request_error",
                    },
                    "id": "chatcmpl-b0e2a6c4-19b8-94f6-a9c1-d8e7ba3f58d1",
                },
                separators=(",", ":"),
            )
            + "\n\n",
        },
        "expect_error": "DashScopeStreamError",
    },
]
