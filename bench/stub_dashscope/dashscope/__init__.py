"""A stub `dashscope` SDK: just enough for langchain-community's DashScopeEmbeddings.

`bench/embeddings.py` puts this directory first on `sys.path`, so
`langchain_community.embeddings.DashScopeEmbeddings` imports it instead of the real
SDK (which the bench does not install). `TextEmbedding.call` sends the request the
real SDK sends, over HTTP, to DashScope's native endpoint
(`{base_http_api_url}/services/embeddings/text-embedding/text-embedding`) on the
emulator, and answers with the fields the community class reads: `status_code`,
`output["embeddings"]` (in the order the server listed them), `code`, `message`.

Differences from the real SDK, both in the community class's favour: one pooled
keep-alive HTTP client for all calls, and `bench_dimension` (a stub-only setting)
asks for the same vector size as the other benchmark rows, so every row moves the
same bytes (the community class has no `dimensions` setting).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import httpx

api_key: str | None = None
base_http_api_url: str = os.environ.get(
    "DASHSCOPE_HTTP_BASE_URL", "https://dashscope.aliyuncs.com/api/v1"
)
bench_dimension: int | None = None

_client = httpx.Client(timeout=60)


@dataclass
class DashScopeAPIResponse:
    """The SDK's response object: the fields DashScopeEmbeddings reads."""

    status_code: int
    request_id: str = ""
    code: str = ""
    message: str = ""
    output: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)


class TextEmbedding:
    """`dashscope.TextEmbedding`: one synchronous call per batch."""

    class Models:
        text_embedding_v1 = "text-embedding-v1"
        text_embedding_v2 = "text-embedding-v2"
        text_embedding_v3 = "text-embedding-v3"
        text_embedding_v4 = "text-embedding-v4"

    @classmethod
    def call(
        cls,
        model: str,
        input: str | list[str],
        text_type: str = "document",
        api_key: str | None = None,
        **kwargs: Any,
    ) -> DashScopeAPIResponse:
        """POST one batch to the native text-embedding endpoint."""
        parameters: dict[str, Any] = {"text_type": text_type, **kwargs}
        if bench_dimension is not None:
            parameters["dimension"] = bench_dimension
        texts = [input] if isinstance(input, str) else list(input)
        response = _client.post(
            f"{base_http_api_url}/services/embeddings/text-embedding/text-embedding",
            json={"model": model, "input": {"texts": texts}, "parameters": parameters},
            headers={"Authorization": f"Bearer {api_key or globals()['api_key']}"},
        )
        body = response.json()
        return DashScopeAPIResponse(
            status_code=response.status_code,
            request_id=body.get("request_id", ""),
            code=body.get("code", ""),
            message=body.get("message", ""),
            output=body.get("output") or {},
            usage=body.get("usage") or {},
        )
