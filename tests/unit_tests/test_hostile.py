"""Hostile servers and hostile input (issue 11), in invoke, ainvoke, stream, astream.

Each test is a way a server (or a user's configuration) can misbehave; each checks that
ChatQwen raises one of its own exceptions, with ``exc.partial`` where anything arrived,
never leaks the key or a URL password, and never loses data silently. ChatOpenAI's
behaviour, where it differs, is noted on the test (see also /work/notes/issue-11.md).

Servers are the loopback emulator (``Reply.raw`` for exact bytes) or, for what the
emulator cannot do (trickling a body, an endless line), :class:`RawHTTP`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import math
import os
import socket
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from langchain_core.exceptions import ModelAPIError
from langchain_core.messages import HumanMessage

from langchain_qwen import (
    ChatQwen,
    DashScopeAPIError,
    DashScopeConnectionError,
    DashScopeRateLimitError,
    DashScopeStreamError,
    DashScopeTimeoutError,
    IncompleteStreamError,
)
from langchain_qwen._client.http import pools
from langchain_qwen._compat import httpx
from langchain_qwen.testing import DashScopeEmulator, Reply
from langchain_qwen.testing.pytest_plugin import _allow_loopback
from tests.call_modes import MODES
from tests.call_modes import STREAMS as STREAM_MODES
from tests.ports import closed_port

pytestmark = pytest.mark.usefixtures("fast_backoff")
SSE = "text/event-stream;charset=UTF-8"
KEY = "sk-emulator-0000000000000000"  # the emulator's default key
PASSWORD = "pw-S3CRET-in-url"


async def call(llm: Any, mode: str, prompt: str = "hi", **kwargs: Any) -> Any:
    """The answer's text, or the exception (never raises); streams also get chunks."""
    streamed: list[Any] = []
    try:
        if mode == "invoke":
            return llm.invoke(prompt, **kwargs)
        if mode == "ainvoke":
            return await llm.ainvoke(prompt, **kwargs)
        if mode == "stream":
            streamed.extend(llm.stream(prompt, **kwargs))
        else:
            streamed.extend([c async for c in llm.astream(prompt, **kwargs)])
    except Exception as exc:
        exc.streamed = streamed  # type: ignore[attr-defined]
        return exc
    total = streamed[0]
    for chunk in streamed[1:]:
        total = total + chunk
    return total


def error(out: Any, *classes: type[BaseException]) -> Any:
    assert isinstance(out, BaseException), f"expected {classes}, got an answer {out!r}"
    for cls in classes:
        assert isinstance(out, cls), f"{type(out).__mro__} is not {cls}: {out!r}"
    return out


def sse(*events: dict[str, Any] | str, done: bool = True, eol: str = "\n") -> bytes:
    """An event stream, events as given (dicts are JSON-encoded)."""
    out = []
    for event in events:
        data = event if isinstance(event, str) else json.dumps(event)
        out.append(f"data: {data}{eol}{eol}")
    if done:
        out.append(f"data: [DONE]{eol}{eol}")
    return "".join(out).encode()


def delta(content: Any = None, finish: str | None = None, **more: Any) -> dict:
    d: dict[str, Any] = dict(more)
    if content is not None:
        d["content"] = content
    return {
        "id": "chatcmpl-1",
        "model": "qwen-plus",
        "choices": [{"index": 0, "delta": d, "finish_reason": finish}],
    }


def completion(message: dict[str, Any], **more: Any) -> bytes:
    body = {
        "id": "chatcmpl-1",
        "model": "qwen-plus",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        **more,
    }
    return json.dumps(body).encode()


def script_answer(
    emulator: DashScopeEmulator, mode: str, *, stream: bytes, body: bytes
) -> None:
    """Script the raw answer the mode will read: an event stream or a JSON body."""
    if mode in STREAM_MODES:
        emulator.script(Reply.raw(200, stream, content_type=SSE))
    else:
        emulator.script(Reply.raw(200, body, content_type="application/json"))


class RawHTTP:
    """A loopback server: each connection is handed to ``handler(conn, request)``."""

    def __init__(self, handler: Callable[[socket.socket, bytes], None]) -> None:
        self.handler = handler
        self.requests: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/compatible-mode/v1"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                piece = conn.recv(65536)
                if not piece:
                    return
                data += piece
            head, _, body = data.partition(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            while len(body) < length:
                body += conn.recv(65536)
            self.requests.append(head)
            with contextlib.suppress(OSError):  # the client left: as tests want
                self.handler(conn, head)

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def raw_http(request: pytest.FixtureRequest) -> Iterator[Callable[..., RawHTTP]]:
    _allow_loopback(request)
    servers: list[RawHTTP] = []

    def start(handler: Callable[[socket.socket, bytes], None]) -> RawHTTP:
        server = RawHTTP(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


# ------------------------------------------------------------------ keys at init
@pytest.mark.parametrize("suffix", ["\n", "\r\n", " ", "\t", "\n\n"])
@pytest.mark.parametrize("mode", MODES)
async def test_key_with_surrounding_whitespace_is_stripped(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, suffix: str
) -> None:
    # Before: httpx refused the header and the error message held the key.
    with pytest.warns(UserWarning, match="white space"):
        llm = make_llm(api_key=" " + emulator.api_key + suffix)
    out = await call(llm, mode)
    assert not isinstance(out, BaseException), repr(out)
    auth = emulator.chat_requests[-1].headers["authorization"]
    assert auth == f"Bearer {emulator.api_key}"


async def test_env_key_with_newline_is_stripped(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", emulator.api_key + "\n")
    with pytest.warns(UserWarning, match="white space"):
        llm = ChatQwen(base_url=emulator.base_url, max_retries=0)
    assert llm.invoke("hi").text


@pytest.mark.parametrize(
    "key",
    ["sk-abc\x00def-SECRET", "sk-abc\ndef-SECRET", "sk-\x7fSECRET", "sk-é-SECRET"],
)
def test_key_with_control_characters_is_refused_without_echo(key: str) -> None:
    with pytest.raises(ValueError, match="api_key") as info:
        ChatQwen(base_url="http://127.0.0.1:9/v1", api_key=key)
    text = str(info.value) + repr(info.value)
    assert "SECRET" not in text
    assert "sk-" not in text


@pytest.mark.parametrize(
    "headers",
    [{"X-Token": "abc\r\nInjected: 1"}, {"X-Token": "t\x00SECRET"}],
)
async def test_bad_default_header_refused_without_echo(
    emulator: DashScopeEmulator, make_llm: Any, headers: dict[str, str]
) -> None:
    out = await call(make_llm(default_headers=headers), "invoke")
    err = error(out, ValueError)
    assert "X-Token" in str(err)
    assert "SECRET" not in str(err)
    assert "Injected" not in str(err)
    assert emulator.requests == []


# ------------------------------------------------------------- secrets never shown
def _everything_shown(err: BaseException) -> str:
    """str/repr/args of the exception and its chain, and every frame local's repr."""
    parts = [str(err), repr(err), repr(err.args)]
    shown = traceback.TracebackException.from_exception(err, capture_locals=True)
    parts.extend(shown.format())
    for attr in ("message", "body", "partial"):
        parts.append(repr(getattr(err, attr, None)))
    return "".join(parts)


FAILURES = ["refused", "401", "500", "timeout", "cut", "redirect-out", "malformed"]


def _arrange_failure(
    kind: str, emulator: DashScopeEmulator, mode: str
) -> dict[str, Any]:
    """Script the failure; return ChatQwen arguments that point at it."""
    args: dict[str, Any] = {"base_url": emulator.base_url, "max_retries": 1}
    if kind == "refused":
        args["base_url"] = f"http://127.0.0.1:{closed_port()}/compatible-mode/v1"
    elif kind == "401":
        args["api_key"] = "sk-wrong-SECRET-key-00000000"
    elif kind == "500":
        emulator.script(Reply.error(500, "InternalError"), Reply.error(500, "x"))
    elif kind == "timeout":
        emulator.script(Reply.hang(5), Reply.hang(5))
        args["timeout"] = 0.3
    elif kind == "cut":
        emulator.script(Reply.text("AAAABBBBCCCC", drop_after=2))
        args["max_retries"] = 0
    elif kind == "redirect-out":
        emulator.script(
            Reply.raw(307, b"", {"Location": f"http://127.0.0.1:{closed_port()}/x"})
        )
    elif kind == "malformed":
        emulator.script(Reply.text("AAAABBBB", malformed_after=1))
        args["max_retries"] = 0
    return args


@pytest.mark.parametrize("kind", FAILURES)
@pytest.mark.parametrize("mode", MODES)
async def test_no_secret_in_errors_frames_or_logs(
    emulator: DashScopeEmulator,
    caplog: pytest.LogCaptureFixture,
    mode: str,
    kind: str,
) -> None:
    # Before: a header error put "Bearer sk-..." in str(exc); RequestTarget's repr
    # put it in every frame holding the target; a URL password was in every
    # connection-error message and warning.
    args = _arrange_failure(kind, emulator, mode)
    key = args.pop("api_key", KEY)
    # A URL password too where no server checks it (the emulator would refuse the
    # Basic auth it becomes).
    if kind == "refused":
        args["base_url"] = args["base_url"].replace("//", f"//user:{PASSWORD}@")
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        llm = ChatQwen(model="qwen-plus", api_key=key, **args)
        out = await call(llm, mode)
    err = error(out, Exception)
    shown = _everything_shown(err)
    shown += "".join(r.getMessage() for r in caplog.records)
    shown += "".join(str(w.message) for w in seen)
    shown += repr(llm) + repr(llm.__pydantic_private__)
    for secret in (key, PASSWORD):
        assert secret not in shown
    if kind == "refused":
        assert "user:***@" in str(err)


def test_reprs_hide_key_and_url_password() -> None:
    llm = ChatQwen(
        base_url=f"https://user:{PASSWORD}@example.test/v1",
        api_key="sk-repr-SECRET-0000",
        default_headers={"X-Api-Token": "header-SECRET"},
    )
    spec = llm._request_target("qwen-plus")
    shown = repr(llm) + repr(llm.__pydantic_private__) + repr(spec) + str(spec)
    assert "SECRET" not in shown
    assert PASSWORD not in shown
    assert "X-Api-Token" in repr(spec.headers)


def test_plain_http_warning_hides_url_password() -> None:
    with pytest.warns(UserWarning, match="plain http") as seen:
        ChatQwen(base_url=f"http://user:{PASSWORD}@example.test/v1", api_key="sk-x")
    assert all(PASSWORD not in str(w.message) for w in seen)


def test_url_password_sent_as_basic_auth_never_in_url(
    raw_http: Callable[..., RawHTTP],
) -> None:
    # httpx turns URL user info into Basic auth and logs the URL: the password
    # would be in every "HTTP Request: POST ..." log record. We send the same
    # Authorization header, with the password out of the URL.
    def handler(conn: socket.socket, head: bytes) -> None:
        body = completion({"role": "assistant", "content": "ok"})
        conn.sendall(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%b" % (len(body), body)
        )

    server = raw_http(handler)
    url = server.base_url.replace("//", f"//user:{PASSWORD}@")
    llm = ChatQwen(base_url=url, api_key="sk-x", max_retries=0)
    assert llm.invoke("hi").text == "ok"
    head = server.requests[0].decode()
    assert PASSWORD not in head.split("\r\n")[0]
    assert "authorization: basic " in head.lower()


# ------------------------------------------------------- async pools and loops
def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_asyncio_run_leaves_no_socket_or_loop(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    # Before: each asyncio.run kept its loop, pool and socket alive (+1 fd per run;
    # "Too many open files" at run 250 under a 256-fd limit).
    llm = make_llm()
    asyncio.run(llm.ainvoke("hi"))  # warm-up: imports, SSL context
    before = _fds()
    for _ in range(40):
        assert asyncio.run(llm.ainvoke("hi")).text
    assert pools.open_loop_clients() == 0
    assert _fds() <= before + 2


def test_loop_closed_without_shutdown_is_swept(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm()
    loop = asyncio.new_event_loop()
    loop.run_until_complete(llm.ainvoke("hi"))
    loop.close()  # no shutdown_asyncgens: the client cannot close itself
    assert asyncio.run(llm.ainvoke("hi")).text  # building a new one sweeps the old
    assert pools.open_loop_clients() == 0


# ----------------------------------------------------------------- SSE decoding
def _endless_line(conn: socket.socket, head: bytes) -> None:
    conn.sendall(
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
        b"connection: close\r\n\r\n" + sse(delta("ok"), done=False) + b"data: "
    )
    piece = b"x" * 65536
    for _ in range(2000):  # 128 MB at most; the client leaves long before
        conn.sendall(piece)


@pytest.mark.parametrize("mode", MODES)
async def test_endless_line_refused_at_max_event_bytes(
    raw_http: Callable[..., RawHTTP], mode: str
) -> None:
    # Before: quadratic buffering (100 MB: ~140 s of CPU, the loop starved).
    server = raw_http(_endless_line)
    llm = ChatQwen(
        base_url=server.base_url,
        api_key="sk-x",
        max_retries=0,
        max_event_bytes=1_000_000,
        streaming=True,
    )
    err = error(await call(llm, mode), DashScopeStreamError, ModelAPIError)
    assert "max_event_bytes=1000000" in str(err)
    assert err.partial.text == "ok"


@pytest.mark.parametrize("mode", STREAM_MODES)
async def test_event_within_limit_is_read(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    big = "y" * 300_000
    emulator.script(
        Reply.raw(200, sse(delta(big), delta(finish="stop")), content_type=SSE)
    )
    out = await call(make_llm(max_event_bytes=400_000), mode)
    assert out.text == big


# --------------------------------------------------------------- strict JSON out
NON_FINITE = [
    ("extra_body", {"extra_body": {"x": {"y": [1, math.nan]}}}, "['x']['y'][1]"),
    ("logit_bias", {"logit_bias": {"1234": math.inf}}, "['1234']"),
    ("model_kwargs", {"model_kwargs": {"custom": {"score": -math.inf}}}, "score"),
]


@pytest.mark.parametrize(("name", "kwargs", "where"), NON_FINITE)
@pytest.mark.parametrize("mode", MODES)
async def test_non_finite_numbers_refused_before_sending(
    emulator: DashScopeEmulator,
    make_llm: Any,
    mode: str,
    name: str,
    kwargs: dict[str, Any],
    where: str,
) -> None:
    # Before: sent as the bare tokens NaN / Infinity (invalid JSON).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # model_kwargs warns that it is sent as is
        llm = make_llm(**kwargs) if name == "model_kwargs" else make_llm()
    out = await call(llm, mode, **({} if name == "model_kwargs" else kwargs))
    err = error(out, ValueError)
    assert where in str(err)
    assert "NaN or Infinity" in str(err)
    assert emulator.requests == []


@pytest.mark.parametrize("mode", MODES)
async def test_non_finite_in_tool_schema_refused(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "f",
            "description": "d",
            "parameters": {
                "type": "object",
                "properties": {"x": {"type": "number", "maximum": math.inf}},
            },
        },
    }
    out = await call(make_llm().bind_tools([tool]), mode)
    err = error(out, ValueError)
    assert "['tools'][0]['function']['parameters']" in str(err)
    assert emulator.requests == []


# ----------------------------------------------------------------------- 3xx
@pytest.mark.parametrize(
    ("status", "location"),
    [(300, None), (301, "/v1/x"), (302, None), (303, "/y"), (307, None), (304, None)],
)
@pytest.mark.parametrize("mode", MODES)
async def test_3xx_is_never_an_answer(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, status: int, location: Any
) -> None:
    # Before: the 3xx body was returned as the answer. ChatOpenAI follows 301-303
    # as GET (the body is lost) and returns 300/304/307-without-Location as is.
    headers = {"Location": location} if location else {}
    body = completion({"role": "assistant", "content": "from a 3xx"})
    emulator.script(Reply.raw(status, body, headers, content_type="application/json"))
    err = error(await call(make_llm(), mode), DashScopeAPIError)
    assert "redirect" in str(err)
    assert err.status_code == status


@pytest.mark.parametrize("status", [307, 308])
@pytest.mark.parametrize("mode", MODES)
async def test_same_origin_307_308_followed_in_every_mode(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, status: int
) -> None:
    # Before: sync followed (the SDK client follows redirects), async did not.
    target = emulator.base_url + "/chat/completions"
    emulator.script(Reply.raw(status, b"", {"Location": target}), Reply.text("moved"))
    out = await call(make_llm(), mode)
    assert out.text == "moved", repr(out)
    assert len(emulator.chat_requests) == 2
    assert emulator.chat_requests[1].headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("mode", MODES)
async def test_cross_origin_redirect_never_carries_the_key(
    request: pytest.FixtureRequest,
    emulator: DashScopeEmulator,
    make_llm: Any,
    mode: str,
) -> None:
    _allow_loopback(request)
    with DashScopeEmulator() as elsewhere:
        target = elsewhere.base_url + "/chat/completions"
        emulator.script(Reply.raw(307, b"", {"Location": target}))
        err = error(await call(make_llm(), mode), DashScopeAPIError)
        assert elsewhere.requests == []
    assert "same origin" in str(err)


@pytest.mark.parametrize("mode", MODES)
async def test_redirect_loop_ends_with_our_error(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # Before: a bare httpx.TooManyRedirects (sync).
    target = emulator.base_url + "/chat/completions"
    emulator.script(*[Reply.raw(307, b"", {"Location": target})] * 10)
    err = error(await call(make_llm(), mode), DashScopeAPIError)
    assert "loop" in str(err)
    assert len(emulator.chat_requests) == 6


# ----------------------------------------------------------- stream oddities
@pytest.mark.parametrize("mode", [*STREAM_MODES, "invoke", "ainvoke"])
async def test_data_after_done_is_ignored(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # Before: appended to the answer. (ChatOpenAI stops at [DONE] too.)
    body = sse(delta("answer"), delta(finish="stop")) + sse(delta(" + junk"))
    emulator.script(Reply.raw(200, body, content_type=SSE))
    out = await call(make_llm(streaming=True), mode)
    assert out.text == "answer"


@pytest.mark.parametrize("mode", [*STREAM_MODES, "invoke", "ainvoke"])
async def test_utf8_bom_before_first_event(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # Before: the first event was lost (its field name read as "\ufeffdata").
    body = b"\xef\xbb\xbf" + sse(delta("first"), delta(" second", finish="stop"))
    emulator.script(Reply.raw(200, body, content_type=SSE))
    out = await call(make_llm(streaming=True), mode)
    assert out.text == "first second"


@pytest.mark.parametrize("eol", ["\r", "\r\n"])
@pytest.mark.parametrize("mode", [*STREAM_MODES, "invoke", "ainvoke"])
async def test_cr_line_endings(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, eol: str
) -> None:
    # Before: "\r"-only streams (valid SSE) were rejected.
    body = sse(delta("one"), delta(" two", finish="stop"), eol=eol)
    emulator.script(Reply.raw(200, body, content_type=SSE))
    out = await call(make_llm(streaming=True), mode)
    assert out.text == "one two"


def test_cr_split_across_reads_is_one_line_end() -> None:
    from langchain_qwen._client.http.sse import SSEDecoder

    decoder = SSEDecoder(1000)
    got = (
        decoder.feed(b"data: a\r") + decoder.feed(b"\ndata: b\r") + decoder.feed(b"\n")
    )
    got += decoder.feed(b"\r\n")
    assert got == [b"a\nb"]


@pytest.mark.parametrize("mode", MODES)
async def test_list_of_parts_content(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # Before: dropped (content became "").
    parts = [{"type": "text", "text": "Hel"}, {"type": "text", "text": "lo"}]
    script_answer(
        emulator,
        mode,
        stream=sse(delta(parts), delta([{"type": "text", "text": "!"}], "stop")),
        body=completion({"role": "assistant", "content": parts}),
    )
    out = await call(make_llm(), mode)
    assert out.text in ("Hello!", "Hello")
    assert out.text.startswith("Hello")


@pytest.mark.parametrize("mode", MODES)
async def test_numeric_content(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # Before: dropped.
    script_answer(
        emulator,
        mode,
        stream=sse(delta(42), delta(finish="stop")),
        body=completion({"role": "assistant", "content": 42}),
    )
    out = await call(make_llm(), mode)
    assert out.text == "42"


@pytest.mark.parametrize("mode", [*STREAM_MODES, "invoke", "ainvoke"])
async def test_choice_zero_after_choice_one(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # Before: an event listing choice 1 first lost choice 0's delta.
    both = {
        "id": "chatcmpl-1",
        "choices": [
            {"index": 1, "delta": {"content": "other"}, "finish_reason": None},
            {"index": 0, "delta": {"content": "mine"}, "finish_reason": None},
        ],
    }
    emulator.script(Reply.raw(200, sse(both, delta(finish="stop")), content_type=SSE))
    out = await call(make_llm(streaming=True), mode)
    assert out.text == "mine"


async def test_non_streamed_choices_in_index_order(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    body = {
        "id": "chatcmpl-1",
        "choices": [
            {"index": 1, "message": {"content": "B"}, "finish_reason": "stop"},
            {"index": 0, "message": {"content": "A"}, "finish_reason": "stop"},
        ],
    }
    emulator.script(Reply.raw(200, json.dumps(body), content_type="application/json"))
    result = make_llm(n=2).generate([[HumanMessage("hi")]])
    assert [g.text for g in result.generations[0]] == ["A", "B"]


@pytest.mark.parametrize("mode", [*STREAM_MODES, "invoke", "ainvoke"])
async def test_cut_tool_call_stream_partial_has_merged_arguments(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # Before: exc.partial showed args={} plus unmerged fragments.
    first = {"index": 0, "id": "call_1", "type": "function"}
    events = [
        delta(tool_calls=[{**first, "function": {"name": "w", "arguments": ""}}]),
        delta(tool_calls=[{"index": 0, "function": {"arguments": '{"city": '}}]),
        delta(tool_calls=[{"index": 0, "function": {"arguments": '"Hangzhou"}'}}]),
    ]
    emulator.script(Reply.raw(200, sse(*events, done=False), content_type=SSE))
    err = error(await call(make_llm(streaming=True), mode), IncompleteStreamError)
    assert err.partial.tool_calls == [
        {"name": "w", "args": {"city": "Hangzhou"}, "id": "call_1", "type": "tool_call"}
    ]


# ------------------------------------------------- bare exceptions, now ours
@pytest.mark.parametrize("mode", MODES)
async def test_corrupt_gzip(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # Before: a bare httpx.DecodingError.
    # A valid gzip header, then a deflate block of the reserved (invalid) type.
    corrupt = gzip.compress(b"")[:10] + b"\xff" * 64
    content_type = SSE if mode in STREAM_MODES else "application/json"
    emulator.script(
        Reply.raw(200, corrupt, {"Content-Encoding": "gzip"}, content_type=content_type)
    )
    err = error(await call(make_llm(), mode), DashScopeStreamError, ModelAPIError)
    assert "Content-Encoding" in str(err)
    if mode in STREAM_MODES:
        assert err.partial is not None


@pytest.mark.parametrize("mode", MODES)
async def test_deeply_nested_json(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # Before: a bare RecursionError.
    deep = "[" * 200_000 + "]" * 200_000
    script_answer(
        emulator,
        mode,
        stream=sse(delta("before"), deep, done=False),
        body=deep.encode(),
    )
    out = await call(make_llm(), mode)
    if mode in STREAM_MODES:
        err = error(out, DashScopeStreamError)
        assert err.partial.text == "before"
        assert "nested too deeply" in str(err)
    else:
        err = error(out, DashScopeConnectionError)
        assert "nested too deeply" in str(err)


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_deeply_nested_tool_arguments_kept_as_invalid_call(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # Before: the answer was lost to a RecursionError; ChatOpenAI keeps an
    # invalid_tool_call, and so do we now.
    args = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    call_ = {
        "id": "c1",
        "type": "function",
        "function": {"name": "f", "arguments": args},
    }
    body = completion({"role": "assistant", "content": "", "tool_calls": [call_]})
    emulator.script(Reply.raw(200, body, content_type="application/json"))
    out = await call(make_llm(), mode)
    assert not isinstance(out, BaseException), repr(out)
    assert out.invalid_tool_calls[0]["name"] == "f"
    assert out.tool_calls == []


WRONG_TYPES = {
    "choices-str": {"id": "x", "choices": "nope"},
    "choice-int": {"id": "x", "choices": [1]},
    "delta-list": {"id": "x", "choices": [{"index": 0, "delta": ["a"]}]},
    "tool_calls-dict": {
        "id": "x",
        "choices": [{"index": 0, "delta": {"tool_calls": {"a": 1}}}],
    },
    "tool_call-int": {
        "id": "x",
        "choices": [{"index": 0, "delta": {"tool_calls": [1]}}],
    },
    "usage-str": {"id": "x", "choices": [], "usage": "lots"},
    "usage-count-str": {"id": "x", "choices": [], "usage": {"prompt_tokens": "12"}},
}


@pytest.mark.parametrize("shape", sorted(WRONG_TYPES))
@pytest.mark.parametrize("mode", [*STREAM_MODES, "invoke", "ainvoke"])
async def test_wrong_typed_stream_fields(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, shape: str
) -> None:
    # Before: a bare KeyError/AttributeError/TypeError, no partial.
    events = [delta("so far"), WRONG_TYPES[shape], delta(finish="stop")]
    emulator.script(Reply.raw(200, sse(*events), content_type=SSE))
    err = error(await call(make_llm(streaming=True), mode), DashScopeStreamError)
    assert "Malformed" in str(err)
    assert err.partial.text == "so far"


NON_STREAMED_WRONG = {
    "choices-str": {"choices": "nope"},
    "message-tool_calls-dict": {
        "choices": [
            {"index": 0, "message": {"tool_calls": {"a": 1}}, "finish_reason": "stop"}
        ]
    },
    "usage-str": {
        "choices": [{"index": 0, "message": {"content": "x"}, "finish_reason": "stop"}],
        "usage": "lots",
    },
    "no-choices": {"id": "x"},
}


@pytest.mark.parametrize("shape", sorted(NON_STREAMED_WRONG))
@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_wrong_typed_answer_fields(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, shape: str
) -> None:
    body = json.dumps(NON_STREAMED_WRONG[shape])
    emulator.script(Reply.raw(200, body, content_type="application/json"))
    err = error(await call(make_llm(), mode), DashScopeStreamError)
    assert "Malformed" in str(err)


# ----------------------------------------------------------------------- timeouts
def _trickle(conn: socket.socket, head: bytes) -> None:
    body = completion({"role": "assistant", "content": "x" * 200})
    conn.sendall(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\n\r\n" % len(body)
    )
    for i in range(len(body)):
        conn.sendall(body[i : i + 1])
        time.sleep(0.05)


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
async def test_trickled_body_ends_at_total_timeout(
    raw_http: Callable[..., RawHTTP], mode: str
) -> None:
    # Before: each read was quick, so timeout=2 let it run 10-12 s.
    server = raw_http(_trickle)
    llm = ChatQwen(base_url=server.base_url, api_key="sk-x", timeout=0.6)
    start = time.monotonic()
    err = error(await call(llm, mode), DashScopeTimeoutError)
    assert time.monotonic() - start < 5  # the whole body would take 10 s
    assert "whole call" in str(err)


@pytest.mark.parametrize("mode", MODES)
async def test_retry_after_longer_than_timeout_is_not_waited(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # Before: Retry-After waits ignored the timeout (10-12 s with timeout=2).
    # ChatOpenAI (openai SDK) also waits Retry-After beyond its timeout.
    emulator.script(
        Reply.error(429, "limit_requests", headers={"Retry-After": "5"}),
        Reply.text("late"),
    )
    start = time.monotonic()
    out = await call(make_llm(timeout=1, max_retries=2), mode)
    error(out, DashScopeRateLimitError)
    assert time.monotonic() - start < 4
    assert len(emulator.chat_requests) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_numeric_timeout_bounds_retries(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # Before: each retry had its own timeout (10 x 1 s here). Bounds are loose:
    # the machine may be loaded; what matters is one timeout, not ten.
    emulator.script(*[Reply.hang(5)] * 10)
    start = time.monotonic()
    out = await call(make_llm(timeout=1, max_retries=9), mode)
    error(out, DashScopeTimeoutError)
    assert time.monotonic() - start < 5


@pytest.mark.parametrize(
    "timeout",
    [
        math.inf,
        math.nan,
        -1,
        0,
        (1.0, math.inf),
        httpx.Timeout(math.inf),
        httpx.Timeout(5.0, read=math.nan),
    ],
    ids=repr,
)
def test_non_finite_timeout_refused_at_construction(timeout: Any) -> None:
    # Before: timeout=inf passed and failed later with OverflowError.
    with pytest.raises(ValueError, match="timeout"):
        ChatQwen(base_url="http://127.0.0.1:9/v1", api_key="sk-x", timeout=timeout)


@pytest.mark.parametrize("bad", [{"temperature": 7}, {"max_retries": "x"}])
def test_validation_errors_never_show_the_key(bad: dict[str, Any]) -> None:
    # Found beyond the issue: pydantic's ValidationError printed the input dict,
    # a key prefix included ({'api_key': 'sk-12345678...). ChatOpenAI does too.
    with pytest.raises(ValueError, match="validation error") as info:
        ChatQwen(api_key="sk-9876SECRET", base_url="http://127.0.0.1:9/v1", **bad)
    assert "sk-98" not in str(info.value)
