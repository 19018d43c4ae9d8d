"""Faults: retries, non-retryable errors, broken streams, timeouts, moderation.

Every test runs against the loopback DashScope emulator and checks what it recorded
(`emulator.chat_requests`): how many requests a fault cost, and that nothing is
retried that must not be. Each fault runs sync and async, invoke and stream.

Backoff is made fast by an autouse fixture; tests that check `Retry-After` make the
backoff slow on purpose, so honouring the header is what keeps them fast.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import openai
import pytest
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from langchain_qwen import (
    ChatQwen,
    ContentModerationError,
    DashScopeAPIError,
    DashScopeAuthenticationError,
    DashScopeBadRequestError,
    DashScopeConnectionError,
    DashScopeModelNotFoundError,
    DashScopePermissionDeniedError,
    DashScopeQuotaError,
    DashScopeRateLimitError,
    DashScopeServerError,
    DashScopeStreamError,
    DashScopeTimeoutError,
    IncompleteStreamError,
)
from langchain_qwen._client.http import retry as _retry
from langchain_qwen._compat import httpx
from langchain_qwen.testing import DashScopeEmulator, Reply
from langchain_qwen.testing.pytest_plugin import _allow_loopback
from tests.call_modes import MODES
from tests.call_modes import STREAMS as STREAM_MODES
from tests.ports import closed_port

pytestmark = pytest.mark.usefixtures("fast_backoff")
# 20 characters in 5 content deltas of 4 (the emulator's default chunk size); the
# role chunk is SSE event 1, so "after 3 events" means after "AAAABBBB".
TEXT = "AAAABBBBCCCCDDDDEEEE"
AFTER_3 = "AAAABBBB"
SSE = "text/event-stream;charset=UTF-8"


@dataclass
class Outcome:
    """What a call gave back: its text, or the exception and the chunks before it."""

    text: str | None = None
    error: BaseException | None = None
    streamed: list[str] = field(default_factory=list)

    @property
    def streamed_text(self) -> str:
        return "".join(self.streamed)


async def call(llm: Any, mode: str, prompt: str = "hi", **kwargs: Any) -> Outcome:
    """Run one call in `mode`; never raises (the exception is on the outcome)."""
    out = Outcome()
    try:
        if mode == "invoke":
            out.text = llm.invoke(prompt, **kwargs).text
        elif mode == "ainvoke":
            out.text = (await llm.ainvoke(prompt, **kwargs)).text
        elif mode == "stream":
            for chunk in llm.stream(prompt, **kwargs):
                out.streamed.append(chunk.text)
            out.text = out.streamed_text
        elif mode == "astream":
            async for chunk in llm.astream(prompt, **kwargs):
                out.streamed.append(chunk.text)
            out.text = out.streamed_text
        else:  # pragma: no cover
            raise AssertionError(mode)
    except Exception as exc:
        out.error = exc
    return out


def expect_error(out: Outcome, *classes: type[BaseException]) -> Any:
    assert out.error is not None, f"expected {classes}, the call returned {out.text!r}"
    for cls in classes:
        assert isinstance(out.error, cls), (
            f"{type(out.error).__mro__} is not a {cls.__name__}: {out.error!r}"
        )
    assert out.text is None  # never a (truncated) answer
    return out.error


# --------------------------------------------------------------------------- retries
@pytest.mark.parametrize("code", ["limit_requests", "limit_burst_rate"])
@pytest.mark.parametrize("mode", MODES)
async def test_rate_limit_then_success(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, code: str
) -> None:
    emulator.script(Reply.error(429, code), Reply.error(429, code), Reply.text(TEXT))
    out = await call(make_llm(max_retries=2), mode)
    assert out.error is None, repr(out.error)
    assert out.text == TEXT
    requests = emulator.chat_requests
    assert len(requests) == 3
    assert [r.status for r in requests] == [429, 429, 200]
    # A retry re-sends the very same body.
    assert requests[0].body == requests[1].body == requests[2].body
    assert emulator.pending == 0


@pytest.mark.parametrize("max_retries", [0, 1, 3])
@pytest.mark.parametrize("mode", MODES)
async def test_rate_limit_retries_are_bounded(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, max_retries: int
) -> None:
    emulator.script(
        *[Reply.error(429, "limit_requests")] * (max_retries + 1), Reply.text("late")
    )
    out = await call(make_llm(max_retries=max_retries), mode)
    err = expect_error(
        out, DashScopeRateLimitError, openai.RateLimitError, ModelRateLimitError
    )
    assert not isinstance(err, DashScopeQuotaError)
    assert err.code == "limit_requests"
    assert err.status_code == 429
    assert len(emulator.chat_requests) == max_retries + 1
    assert emulator.pending == 1  # the success was never asked for


def test_default_max_retries_is_two(emulator: DashScopeEmulator, make_llm: Any) -> None:
    emulator.script(*[Reply.error(503, "ModelServingError")] * 4)
    with pytest.raises(DashScopeServerError):
        make_llm(max_retries=None).invoke("hi")
    assert len(emulator.chat_requests) == 3


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "0"},
        {"retry-after-ms": "0"},
        {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},  # a date in the past
    ],
    ids=["retry-after", "retry-after-ms", "retry-after-date"],
)
@pytest.mark.parametrize("mode", MODES)
async def test_retry_after_zero_skips_a_slow_backoff(
    emulator: DashScopeEmulator,
    make_llm: Any,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    headers: dict[str, str],
) -> None:
    # Without the header the backoff would be ~30 s; the header says "now".
    monkeypatch.setattr(_retry, "_INITIAL_BACKOFF", 30.0)
    monkeypatch.setattr(_retry, "_MAX_BACKOFF", 30.0)
    emulator.script(
        Reply.error(429, "limit_requests", headers=headers), Reply.text(TEXT)
    )
    start = time.monotonic()
    out = await call(make_llm(max_retries=1), mode)
    assert out.text == TEXT, repr(out.error)
    assert time.monotonic() - start < 10
    assert len(emulator.chat_requests) == 2


@pytest.mark.parametrize(
    "headers",
    [{"Retry-After": "0.4"}, {"retry-after-ms": "400"}],
    ids=["retry-after", "retry-after-ms"],
)
@pytest.mark.parametrize("mode", ["invoke", "astream"])
async def test_retry_after_waits_as_told(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, headers: dict[str, str]
) -> None:
    # The backoff is ~1 ms here: a gap of 0.4 s can only come from the header.
    emulator.script(
        Reply.error(429, "limit_requests", headers=headers), Reply.text(TEXT)
    )
    out = await call(make_llm(max_retries=1), mode)
    assert out.text == TEXT, repr(out.error)
    first, second = emulator.chat_requests
    assert second.received_at - first.received_at >= 0.35


@pytest.mark.parametrize("value", ["soon", "", "-5", "nan", "inf"])
async def test_unreadable_retry_after_falls_back_to_backoff(
    emulator: DashScopeEmulator, make_llm: Any, value: str
) -> None:
    emulator.script(
        Reply.error(429, "limit_requests", headers={"Retry-After": value}),
        Reply.text(TEXT),
    )
    out = await call(make_llm(max_retries=1), "invoke")
    assert out.text == TEXT, repr(out.error)
    assert len(emulator.chat_requests) == 2


async def test_absurd_retry_after_is_capped(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    # A Retry-After of an hour is not slept; the ordinary backoff applies.
    emulator.script(
        Reply.error(429, "limit_requests", headers={"Retry-After": "3600"}),
        Reply.text(TEXT),
    )
    start = time.monotonic()
    out = await call(make_llm(max_retries=1), "ainvoke")
    assert out.text == TEXT, repr(out.error)
    assert time.monotonic() - start < 10


@pytest.mark.parametrize(
    ("status", "code"),
    [(500, "internal_error"), (500, "RequestTimeOut"), (503, "ModelServingError")],
)
@pytest.mark.parametrize("mode", MODES)
async def test_server_error_then_success(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, status: int, code: str
) -> None:
    emulator.script(Reply.error(status, code), Reply.text(TEXT))
    out = await call(make_llm(max_retries=1), mode)
    assert out.text == TEXT, repr(out.error)
    assert [r.status for r in emulator.chat_requests] == [status, 200]


@pytest.mark.parametrize("mode", MODES)
async def test_persistent_503_raises_server_error(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    emulator.script(*[Reply.error(503, "ModelServingError")] * 4)
    out = await call(make_llm(max_retries=2), mode)
    err = expect_error(
        out, DashScopeServerError, openai.InternalServerError, ModelAPIError
    )
    assert err.status_code == 503
    assert err.code == "ModelServingError"
    assert err.request_id
    assert len(emulator.chat_requests) == 3
    assert emulator.pending == 1


@pytest.mark.parametrize("mode", MODES)
async def test_reset_before_answer_is_retried(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    emulator.script(Reply.reset(), Reply.text(TEXT))
    out = await call(make_llm(max_retries=1), mode)
    assert out.text == TEXT, repr(out.error)
    assert len(emulator.chat_requests) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_reset_without_retries_raises_connection_error(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    emulator.script(Reply.reset())
    out = await call(make_llm(max_retries=0), mode)
    expect_error(
        out, DashScopeConnectionError, openai.APIConnectionError, ModelConnectionError
    )
    assert len(emulator.chat_requests) == 1


# ------------------------------------------------------------- errors never retried
@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    classes: tuple[type[BaseException], ...]
    hints: tuple[str, ...]


REFUSALS = [
    Refusal(
        429,
        "insufficient_quota",
        (DashScopeQuotaError, DashScopeAPIError, openai.RateLimitError),
        ("quota", "retrying will not help"),
    ),
    Refusal(
        400,
        "Arrearage",
        (DashScopeQuotaError, DashScopeBadRequestError, openai.BadRequestError),
        ("overdue", "top it up"),
    ),
    Refusal(
        401,
        "invalid_api_key",
        (
            DashScopeAuthenticationError,
            openai.AuthenticationError,
            ModelAuthenticationError,
        ),
        # The emulator is reached through base_url: region advice would not apply.
        ("chosen by base_url", "belongs to that endpoint", "langchain-qwen doctor"),
    ),
    Refusal(
        403,
        "access_denied",
        (
            DashScopePermissionDeniedError,
            openai.PermissionDeniedError,
            ModelPermissionDeniedError,
        ),
        ("no access", "Model Studio console"),
    ),
    Refusal(
        403,
        "AllocationQuota.FreeTierOnly",
        (DashScopePermissionDeniedError, openai.PermissionDeniedError),
        ("free tier",),
    ),
    Refusal(
        404,
        "model_not_found",
        (DashScopeModelNotFoundError, openai.NotFoundError, ModelNotFoundError),
        ("'qwen-plus'", "differs per region", "models --region"),
    ),
    Refusal(
        400,
        "invalid_parameter_error",
        (DashScopeBadRequestError, openai.BadRequestError, ModelInvalidRequestError),
        ("Invalid parameter",),
    ),
]


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: f"{r.status}-{r.code}")
@pytest.mark.parametrize("mode", MODES)
async def test_refusals_are_not_retried(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, refusal: Refusal
) -> None:
    emulator.script(Reply.error(refusal.status, refusal.code), Reply.text("never"))
    out = await call(make_llm(max_retries=3), mode)
    err = expect_error(out, *refusal.classes)
    assert len(emulator.chat_requests) == 1
    assert emulator.pending == 1
    assert err.status_code == refusal.status
    assert err.code == refusal.code
    message = str(err)
    for hint in refusal.hints:
        assert hint in message
    # The message no longer carries DashScope's "<400> " prefix.
    assert "<400>" not in message
    assert err.request_id
    assert err.request_id == err.response.headers["x-request-id"]
    assert err.request_id in message


@pytest.mark.parametrize("mode", MODES)
async def test_wrong_key_gets_region_advice(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # A real check of the emulator, not a scripted reply.
    out = await call(make_llm(api_key="sk-from-another-region", max_retries=3), mode)
    err = expect_error(out, DashScopeAuthenticationError, ModelAuthenticationError)
    assert err.code == "invalid_api_key"
    assert "region" in str(err)
    assert len(emulator.chat_requests) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_unknown_model_names_model_and_region(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    out = await call(make_llm(model="gpt-4o", max_retries=3), mode)
    err = expect_error(out, DashScopeModelNotFoundError, ModelNotFoundError)
    assert "'gpt-4o'" in str(err)
    assert "region" in str(err)
    assert len(emulator.chat_requests) == 1


# ------------------------------------------------------------------ broken streams
@dataclass(frozen=True)
class StreamFault:
    name: str
    options: dict[str, Any]
    classes: tuple[type[BaseException], ...]
    partial: str
    code: str | None = None


STREAM_FAULTS = [
    StreamFault(
        "drop",
        {"drop_after": 3},
        (DashScopeConnectionError, ModelConnectionError),
        AFTER_3,
    ),
    StreamFault("no-done", {"no_done": True}, (IncompleteStreamError,), TEXT),
    StreamFault(
        "error-event",
        {"error_after": 3},
        (DashScopeStreamError, ModelAPIError),
        AFTER_3,
        "internal_error",
    ),
    StreamFault(
        "error-event-rate-limit",
        {"error_after": 4, "error_code": "limit_requests"},
        (DashScopeStreamError,),
        "AAAABBBBCCCC",
        "limit_requests",
    ),
    StreamFault("malformed", {"malformed_after": 3}, (DashScopeStreamError,), AFTER_3),
    StreamFault(
        "moderation",
        {"moderation_after": 3},
        (ContentModerationError, DashScopeBadRequestError),
        AFTER_3,
        "data_inspection_failed",
    ),
    StreamFault(
        "drop-before-content",
        {"drop_after": 1},
        (DashScopeConnectionError,),
        "",
    ),
]


@pytest.mark.parametrize("fault", STREAM_FAULTS, ids=lambda f: f.name)
@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_broken_stream_raises_with_partial(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, fault: StreamFault
) -> None:
    emulator.script(Reply.text(TEXT, **fault.options), Reply.text("never"))
    out = await call(make_llm(max_retries=3), mode)
    err = expect_error(out, *fault.classes)
    assert err.partial is not None
    assert err.partial.text == fault.partial
    # The consumer saw exactly the partial text before the exception.
    assert out.streamed_text == fault.partial
    if fault.code is not None:
        assert err.code == fault.code
        assert err.request_id
        assert err.request_id in str(err)
    # Nothing is retried once a stream has started: it could duplicate output.
    assert len(emulator.chat_requests) == 1
    assert emulator.pending == 1


@pytest.mark.parametrize("fault", STREAM_FAULTS, ids=lambda f: f.name)
@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_broken_stream_under_streaming_invoke(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, fault: StreamFault
) -> None:
    # streaming=True makes invoke read a stream: the same faults must raise.
    emulator.script(Reply.text(TEXT, **fault.options))
    out = await call(make_llm(streaming=True, max_retries=3), mode)
    err = expect_error(out, *fault.classes)
    assert err.partial.text == fault.partial
    assert len(emulator.chat_requests) == 1


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_broken_tool_call_stream_keeps_partial_calls(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    reply = Reply.tool_calls(
        [{"name": "get_weather", "arguments": {"city": "Hangzhou"}, "id": "call_1"}],
        drop_after=3,
    )
    emulator.script(reply)
    out = await call(make_llm(), mode)
    err = expect_error(out, DashScopeConnectionError)
    chunks = err.partial.tool_call_chunks
    assert chunks
    assert chunks[0]["name"] == "get_weather"
    assert chunks[0]["id"] == "call_1"


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_truncated_body_raises(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    emulator.script(Reply.text(TEXT, drop_after=1))
    out = await call(make_llm(max_retries=0), mode)
    err = expect_error(out, DashScopeConnectionError, ModelConnectionError)
    assert "broke before the answer was complete" in str(err)


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_unfinished_body_raises(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # A complete body whose finish_reason is null: the answer is cut.
    emulator.script(Reply.text(TEXT, no_done=True))
    out = await call(make_llm(max_retries=3), mode)
    err = expect_error(out, IncompleteStreamError)
    assert err.partial.text == TEXT
    assert len(emulator.chat_requests) == 1


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_malformed_body_raises(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    emulator.script(Reply.text(TEXT, malformed_after=1))
    out = await call(make_llm(max_retries=0), mode)
    err = expect_error(out, DashScopeConnectionError)
    assert "{not json" in str(err)


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_error_fault_on_invoke_is_server_error(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    emulator.script(Reply.text(TEXT, error_after=1), Reply.text(TEXT))
    out = await call(make_llm(max_retries=1), mode)
    assert out.text == TEXT, repr(out.error)
    assert [r.status for r in emulator.chat_requests] == [500, 200]


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_invalid_utf8_in_stream_is_a_stream_error(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    first = b'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"ok"}}]}\n\n'
    bad = b'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"\xff\xfe"}}]}\n\n'
    emulator.script(Reply.raw(200, first + bad, content_type=SSE))
    out = await call(make_llm(), mode)
    err = expect_error(out, DashScopeStreamError)
    assert err.partial.text == "ok"


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_json_error_instead_of_a_stream(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # A gateway answering a stream request with a 200 JSON error body.
    body = (
        '{"error":{"code":"limit_requests","message":"Requests rate limit exceeded",'
        '"type":"limit_requests"},"request_id":"req-123"}'
    )
    emulator.script(Reply.raw(200, body, content_type="application/json"))
    out = await call(make_llm(), mode)
    err = expect_error(out, DashScopeStreamError)
    assert err.code == "limit_requests"
    assert "Requests rate limit exceeded" in str(err)
    assert "req-123" in str(err)


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_only_done_is_incomplete(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    emulator.script(Reply.raw(200, "data: [DONE]\n\n", content_type=SSE))
    out = await call(make_llm(), mode)
    err = expect_error(out, IncompleteStreamError)
    assert err.partial.text == ""


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_stream_without_trailing_blank_line_is_complete(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    body = (
        'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"fine"}}]}'
        "\n\n"
        'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{},'
        '"finish_reason":"stop"}]}'
    )
    emulator.script(Reply.raw(200, body, content_type=SSE))
    out = await call(make_llm(), mode)
    assert out.text == "fine", repr(out.error)


class RawServer:
    """A loopback server answering each connection with the next canned bytes.

    For the one fault the emulator cannot script: an error status whose body is cut
    short (announced longer than what is sent before the connection closes).
    """

    def __init__(self, answers: list[bytes]) -> None:
        self.answers = list(answers)
        self.requests = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(10)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/compatible-mode/v1"

    def _serve(self) -> None:
        for answer in self.answers:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                while len(body) < length:
                    body += conn.recv(65536)
                self.requests += 1
                conn.sendall(answer)

    def close(self) -> None:
        self.sock.close()
        self.thread.join(5)


_CUT_ERROR = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
    b"content-length: 400\r\n\r\n"
    b'{"error":{"code":"ModelServingError","message":"Too many'
)
_OK_STREAM = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"
    b'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"fine"}}]}\n\n'
    b'data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{},'
    b'"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
)


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_cut_error_body_is_a_connection_error(
    request: pytest.FixtureRequest, mode: str
) -> None:
    _allow_loopback(request)
    server = RawServer([_CUT_ERROR])
    try:
        llm = ChatQwen(base_url=server.base_url, api_key="sk-x", max_retries=0)
        out = await call(llm, mode)
    finally:
        server.close()
    expect_error(out, DashScopeConnectionError, ModelConnectionError)
    assert server.requests == 1


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_cut_error_body_is_retried(
    request: pytest.FixtureRequest, mode: str
) -> None:
    _allow_loopback(request)
    server = RawServer([_CUT_ERROR, _OK_STREAM])
    try:
        llm = ChatQwen(base_url=server.base_url, api_key="sk-x", max_retries=1)
        out = await call(llm, mode)
    finally:
        server.close()
    assert out.text == "fine", repr(out.error)
    assert server.requests == 2


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_stream_with_n_2_refused_before_sending(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # A stream carries one choice: n=2 would pay for answers nobody sees.
    out = await call(make_llm(), mode, n=2)
    err = expect_error(out, ValueError)
    assert "`n`" in str(err)
    assert emulator.requests == []


# ------------------------------------------------------------------------ timeouts
@pytest.mark.parametrize("mode", MODES)
async def test_connection_refused(mode: str) -> None:
    llm = ChatQwen(
        base_url=f"http://127.0.0.1:{closed_port()}/compatible-mode/v1",
        api_key="sk-unused",
        max_retries=2,
        timeout=2,
    )
    start = time.monotonic()
    out = await call(llm, mode)
    err = expect_error(out, DashScopeConnectionError, ModelConnectionError)
    assert not isinstance(err, DashScopeTimeoutError)
    assert "Could not reach" in str(err)
    assert "127.0.0.1" in str(err)
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("mode", MODES)
async def test_hung_server_is_left_after_timeout(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    emulator.script(Reply.hang(30), Reply.text("after the hang"))
    start = time.monotonic()
    out = await call(make_llm(timeout=0.3), mode)
    expect_error(out, DashScopeTimeoutError, openai.APITimeoutError, ModelTimeoutError)
    assert time.monotonic() - start < 5
    # The emulator is not stuck with us: the next call is answered.
    assert (await call(make_llm(timeout=5), mode)).text == "after the hang"


@pytest.mark.parametrize("mode", MODES)
async def test_timeout_before_answer_is_retried(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # A per-phase timeout (httpx.Timeout) leaves time to retry; a number would be
    # the deadline of the whole call (see test_numeric_timeout_bounds_retries).
    emulator.script(Reply.hang(30), Reply.text(TEXT))
    out = await call(make_llm(timeout=httpx.Timeout(0.3), max_retries=1), mode)
    assert out.text == TEXT, repr(out.error)
    assert len(emulator.chat_requests) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_first_byte_later_than_timeout(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    emulator.script(Reply.text(TEXT, delay=5))
    start = time.monotonic()
    out = await call(make_llm(timeout=0.3), mode)
    expect_error(out, DashScopeTimeoutError)
    assert time.monotonic() - start < 4


@pytest.mark.parametrize(
    "mode", [*STREAM_MODES, "streaming-invoke", "streaming-ainvoke"]
)
async def test_trickling_stream_abandoned_at_total_timeout(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # Each event comes 0.1 s after the last (every read is quick), but the whole
    # answer would take 4 s: a 0.6 s timeout must end it after about 0.6 s (the
    # upper bound leaves room for a busy machine running tests in parallel).
    text = "x" * 40
    emulator.script(Reply.text(text, chunks=40, event_delay=0.1))
    streaming = mode.startswith("streaming-")
    llm = make_llm(timeout=0.6, **({"streaming": True} if streaming else {}))
    start = time.monotonic()
    out = await call(llm, mode.removeprefix("streaming-"))
    elapsed = time.monotonic() - start
    err = expect_error(out, DashScopeTimeoutError, ModelTimeoutError)
    assert 0.55 <= elapsed < 3.5, elapsed
    assert err.partial is not None
    assert 0 < len(err.partial.text) < len(text)
    assert text.startswith(err.partial.text)
    if not streaming:
        assert out.streamed_text == err.partial.text
    assert "timeout" in str(err).lower()


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_silence_mid_stream_times_out(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # The role chunk comes at once, then nothing for 3 s.
    emulator.script(Reply.text(TEXT, event_delay=3))
    start = time.monotonic()
    out = await call(make_llm(timeout=0.3), mode)
    err = expect_error(out, DashScopeTimeoutError)
    assert time.monotonic() - start < 2
    assert err.partial is not None
    assert err.partial.text == ""
    assert len(emulator.chat_requests) == 1


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_slow_stream_within_timeout_completes(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    emulator.script(Reply.text(TEXT, event_delay=0.02))
    out = await call(make_llm(timeout=5), mode)
    assert out.text == TEXT, repr(out.error)


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_no_timeout_means_no_total_deadline(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    emulator.script(Reply.text(TEXT, event_delay=0.02))
    out = await call(make_llm(timeout=None), mode)
    assert out.text == TEXT, repr(out.error)


async def test_async_timeout_does_not_block_the_loop(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    # While one astream hangs, the event loop keeps serving other work.
    emulator.script(Reply.hang(30))
    llm = make_llm(timeout=1.0)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        out = await call(llm, "astream")
    finally:
        task.cancel()
    expect_error(out, DashScopeTimeoutError)
    assert ticks >= 5


# ---------------------------------------------------------------------- moderation
@pytest.mark.parametrize("mode", MODES)
async def test_input_moderation_is_not_retried(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    emulator.script(Reply.error(400, "data_inspection_failed"), Reply.text("never"))
    out = await call(make_llm(max_retries=3), mode)
    err = expect_error(
        out, ContentModerationError, DashScopeBadRequestError, openai.BadRequestError
    )
    assert err.code == "data_inspection_failed"
    assert err.partial is None
    assert "moderation" in str(err).lower()
    assert "inappropriate content" in str(err)
    assert len(emulator.chat_requests) == 1


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_output_moderation_on_invoke(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    emulator.script(Reply.text(TEXT, moderation_after=2), Reply.text("never"))
    out = await call(make_llm(max_retries=3), mode)
    err = expect_error(out, ContentModerationError)
    assert err.code == "data_inspection_failed"
    assert len(emulator.chat_requests) == 1


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_moderation_mid_stream_details(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    emulator.script(Reply.text(TEXT, moderation_after=4), Reply.text("never"))
    out = await call(make_llm(max_retries=3), mode)
    err = expect_error(out, ContentModerationError, ModelInvalidRequestError)
    assert err.partial.text == "AAAABBBBCCCC"
    # A 400-class refusal, though it came inside a 200 stream.
    assert err.status_code == 400
    assert err.response.status_code == 200
    assert "Output data may contain inappropriate content" in str(err)
    assert err.request_id
    assert len(emulator.chat_requests) == 1
