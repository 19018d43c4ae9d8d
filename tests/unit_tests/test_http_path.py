"""The one HTTP path (`_client.http.request`): what is re-sent, and who uses it.

A request that must not run twice (a batch upload, creating a batch) is re-sent only
after a failure before any connection existed; a repeatable one after any connection
failure. Batch jobs go through the same path, so their failures are our exceptions.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from langchain_qwen._client import http as _http
from langchain_qwen._client.errors import DashScopeConnectionError
from langchain_qwen._compat import httpx
from langchain_qwen.batch import BatchJob
from langchain_qwen.testing import DashScopeEmulator, Reply
from tests.ports import closed_port

pytestmark = pytest.mark.usefixtures("fast_backoff")

BODY = b'{"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}]}'


def _spec(url: str, key: str) -> _http.RequestSpec:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    return _http.RequestSpec(url=url, headers=_http.Headers(headers), max_retries=2)


@pytest.mark.parametrize(("repeatable", "sent"), [(True, 2), (False, 1)])
def test_reset_after_the_server_read_the_request(
    emulator: DashScopeEmulator, repeatable: bool, sent: int
) -> None:
    """A reset once the request arrived: re-sent only when it may run twice."""
    emulator.script(Reply.reset(), Reply.text("second try"))
    spec = _spec(f"{emulator.base_url}/chat/completions", emulator.api_key)
    out = _http.Outgoing(content=BODY, repeatable=repeatable)
    with httpx.Client() as client:
        if repeatable:
            answer, _ = _http.request(client, spec, out)
            assert answer["choices"][0]["message"]["content"] == "second try"
        else:
            with pytest.raises(DashScopeConnectionError):
                _http.request(client, spec, out)
    assert len(emulator.chat_requests) == sent


def test_not_sent_is_retried_even_when_not_repeatable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Connection refused: nothing reached a server, so even an upload is re-sent."""
    spec = _spec(f"http://127.0.0.1:{closed_port()}/v1/files", "sk-test")
    out = _http.Outgoing(content=BODY, repeatable=False)
    with (
        caplog.at_level(logging.INFO, logger="langchain_qwen"),
        httpx.Client() as client,
        pytest.raises(DashScopeConnectionError),
    ):
        _http.request(client, spec, out)
    retries = [r for r in caplog.records if "retrying request" in r.getMessage()]
    assert len(retries) == 2


def test_file_content_is_read_as_bytes(emulator: DashScopeEmulator) -> None:
    """A GET answered with bytes that are no JSON object (a JSONL file)."""
    body = b'{"a": 1}\n{"b": 2}\n'
    emulator.script(Reply.raw(200, body, content_type="application/jsonl"))
    spec = _spec(f"{emulator.base_url}/chat/completions", emulator.api_key)
    with httpx.Client() as client:
        data, response = _http.request(
            client, spec, _http.Outgoing(content=BODY), answer="bytes"
        )
    assert data == body
    assert response.status_code == 200


async def test_batch_failures_are_our_exceptions(make_llm: Any) -> None:
    """Batch calls use the one path: an unreachable host is DashScopeConnectionError."""
    llm = make_llm(base_url=f"http://127.0.0.1:{closed_port()}/v1", max_retries=1)
    job = BatchJob.attach(llm, "batch_1")
    with pytest.raises(DashScopeConnectionError):
        job.status()
    with pytest.raises(DashScopeConnectionError):
        await job.astatus()
