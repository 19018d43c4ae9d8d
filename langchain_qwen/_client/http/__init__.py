"""The transport: bytes out, answers and raw events back; no LangChain types here.

``spec`` (what a request needs, secrets redacted), ``body`` (strict JSON), ``send``
(retries, redirects, deadline, event streams), ``retry`` (the retry policy), ``sse``
(the linear event decoder), ``pools`` (per-event-loop async clients).
"""

from __future__ import annotations

from langchain_qwen._client.http.body import encode_json
from langchain_qwen._client.http.pools import loop_async_client
from langchain_qwen._client.http.retry import backoff_delay
from langchain_qwen._client.http.send import (
    EventStream,
    aopen_stream,
    apost,
    open_stream,
    post,
)
from langchain_qwen._client.http.spec import (
    DEFAULT_MAX_EVENT_BYTES,
    DEFAULT_TIMEOUT,
    Headers,
    RequestSpec,
    check_api_key,
    split_user_info,
    total_budget,
)

__all__ = [
    "DEFAULT_MAX_EVENT_BYTES",
    "DEFAULT_TIMEOUT",
    "EventStream",
    "Headers",
    "RequestSpec",
    "aopen_stream",
    "apost",
    "backoff_delay",
    "check_api_key",
    "encode_json",
    "loop_async_client",
    "open_stream",
    "post",
    "split_user_info",
    "total_budget",
]
