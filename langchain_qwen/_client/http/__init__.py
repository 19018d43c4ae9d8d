"""The transport: bytes out, answers and raw events back; no LangChain types here.

The one HTTP path of every client class: ``send`` (``request``/``arequest`` for any
request: JSON POST, multipart upload, GET of a file's content; ``open_stream`` for
event streams; retries, redirects, deadline), ``retry`` (the one retry decision),
``spec`` (what a request needs, secrets redacted), ``body`` (strict JSON), ``sse``
(the linear event decoder), ``pools`` (per-event-loop async clients).
"""

from __future__ import annotations

from langchain_qwen._client.http.body import encode_json
from langchain_qwen._client.http.pools import loop_async_client, sync_client
from langchain_qwen._client.http.retry import backoff_delay, retryable_error
from langchain_qwen._client.http.send import (
    EventStream,
    Outgoing,
    aopen_stream,
    apost,
    arequest,
    open_stream,
    post,
    request,
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
    "Outgoing",
    "RequestSpec",
    "aopen_stream",
    "apost",
    "arequest",
    "backoff_delay",
    "check_api_key",
    "encode_json",
    "loop_async_client",
    "open_stream",
    "post",
    "request",
    "retryable_error",
    "split_user_info",
    "sync_client",
    "total_budget",
]
