"""A small HTTP/1.1 server layer on asyncio streams.

Just enough HTTP for OpenAI-style clients: request line, headers, a Content-Length
body, keep-alive, `Expect: 100-continue`, chunked responses for SSE, and deliberate
connection faults (abrupt close, TCP reset). Chunked request bodies are refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus

MAX_HEAD = 1 << 20  # request line + headers
MAX_BODY = 64 << 20  # base64 images make bodies large


class HttpError(Exception):
    """A request that cannot be parsed; answered with `status` and closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class HttpRequest:
    """A parsed request.

    Attributes:
        method: Upper-case method.
        target: The raw request target.
        path: Target without the query string.
        query: The query string (without `?`).
        version: `HTTP/1.1` or `HTTP/1.0`.
        headers: Lower-case names; repeated headers joined with ", ".
        body: The raw body.
    """

    method: str
    target: str
    path: str
    query: str
    version: str
    headers: dict[str, str]
    body: bytes

    @property
    def keep_alive(self) -> bool:
        """Whether the client wants the connection kept open after the response."""
        conn = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" in conn
        return "close" not in conn


async def read_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> HttpRequest | None:
    """Read one request from a connection.

    Args:
        reader: The connection's reader.
        writer: The connection's writer (for `100 Continue`).

    Returns:
        The request, or None when the client closed the connection between requests.

    Raises:
        HttpError: On a malformed or unsupported request.
    """
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise HttpError(400, "incomplete request head") from None
    except asyncio.LimitOverrunError:
        raise HttpError(431, "request head too large") from None
    lines = head.decode("latin-1").split("\r\n")
    while lines and not lines[0]:  # tolerate stray CRLFs between requests
        lines.pop(0)
    try:
        method, target, version = lines[0].split(" ")
    except (ValueError, IndexError):
        raise HttpError(400, "malformed request line") from None
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        raise HttpError(505, "HTTP version not supported")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise HttpError(400, f"malformed header line {line!r}")
        key = name.lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise HttpError(
            411, "chunked request bodies are not supported; send Content-Length"
        )
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        raise HttpError(400, "bad Content-Length") from None
    if length < 0 or length > MAX_BODY:
        raise HttpError(413, "request body too large")
    if length and headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    try:
        body = await reader.readexactly(length) if length else b""
    except asyncio.IncompleteReadError:
        raise HttpError(400, "body shorter than Content-Length") from None
    path, _, query = target.partition("?")
    if path.startswith(("http://", "https://")):
        # Absolute form (RFC 9112 3.2.2), as clients send it to an HTTP proxy:
        # the emulator then plays the proxy and the server at once.
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    return HttpRequest(method.upper(), target, path, query, version, headers, body)


class _DateCache:
    """The `Date` header value, formatted at most once a second."""

    second = 0
    value = ""


def http_date() -> str:
    """The current `Date` header value."""
    now = int(time.time())
    if _DateCache.second != now:
        _DateCache.value = formatdate(now, usegmt=True)
        _DateCache.second = now
    return _DateCache.value


def _status_line(status: int) -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"HTTP/1.1 {status} {phrase}\r\n".encode()


def _head(status: int, headers: list[tuple[str, str]]) -> bytes:
    lines = [_status_line(status), f"date: {http_date()}\r\n".encode()]
    lines += [f"{k}: {v}\r\n".encode("latin-1", "replace") for k, v in headers]
    lines.append(b"\r\n")
    return b"".join(lines)


class Connection:
    """Writes responses on one client connection."""

    def __init__(self, writer: asyncio.StreamWriter, conn_id: int = 0) -> None:
        self.writer = writer
        self.id = conn_id
        self.version = "HTTP/1.1"  # of the request being answered
        self.closed = False
        self._chunked = False

    async def send(
        self,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        keep_alive: bool,
    ) -> None:
        """Send a complete response with a Content-Length body."""
        framing = [("content-length", str(len(body)))]
        if not keep_alive:
            framing.append(("connection", "close"))
        self.writer.write(_head(status, headers + framing) + body)
        await self.writer.drain()

    async def send_partial(
        self, status: int, headers: list[tuple[str, str]], body: bytes, sent: int
    ) -> None:
        """Announce the full body length but send only `sent` bytes, then close."""
        framing = [("content-length", str(len(body)))]
        self.writer.write(_head(status, headers + framing) + body[:sent])
        await self.writer.drain()
        self.close()

    async def start_stream(
        self, status: int, headers: list[tuple[str, str]], *, chunked: bool
    ) -> None:
        """Send the head of a streamed response."""
        self._chunked = chunked
        framing = [("transfer-encoding", "chunked")] if chunked else []
        if not chunked:
            framing.append(("connection", "close"))
        self.writer.write(_head(status, headers + framing))

    def write(self, data: bytes) -> None:
        """Queue one piece of a streamed body (one HTTP chunk when chunked)."""
        if not data:
            return
        if self._chunked:
            self.writer.write(b"%x\r\n%b\r\n" % (len(data), data))
        else:
            self.writer.write(data)

    async def flush(self) -> None:
        """Wait until queued data is handed to the kernel."""
        await self.writer.drain()

    async def end_stream(self) -> None:
        """Finish a streamed response cleanly."""
        if self._chunked:
            self.writer.write(b"0\r\n\r\n")
        await self.writer.drain()

    async def flush_all(self) -> None:
        """Wait until every queued byte is written (not just below the high mark)."""
        transport = self.writer.transport
        transport.set_write_buffer_limits(0)
        await self.writer.drain()

    def close(self) -> None:
        """Close the connection (FIN after pending data)."""
        if not self.closed:
            self.closed = True
            # A handler the stopped server never ran is closed by the garbage
            # collector after its loop: nothing is left to close then.
            with contextlib.suppress(RuntimeError):
                self.writer.close()

    def reset(self) -> None:
        """Close the connection with a TCP RST and no response."""
        if self.closed:
            return
        self.closed = True
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                # Linger on with a zero timeout makes close() send RST.
                sock.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
        self.writer.transport.abort()


_FLUSH_EVERY = 32  # events between drains when no delay is asked for


async def write_events(conn: Connection, events: Sequence[bytes], delay: float) -> None:
    """Write SSE events, draining every few (or after each, with a delay)."""
    for i, event in enumerate(events):
        if delay and i:
            await asyncio.sleep(delay)
        conn.write(event)
        if delay or i % _FLUSH_EVERY == _FLUSH_EVERY - 1:
            await conn.flush()
    await conn.flush()


# The HTTP layer owns message framing; scripted headers must not contradict it.
_FRAMING = frozenset({"content-length", "transfer-encoding", "connection", "date"})


def merge_headers(
    base: Sequence[tuple[str, str]], extra: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Generated headers overridden by scripted ones (names compared case-blind).

    Framing headers (`Content-Length`, `Transfer-Encoding`, `Connection`, `Date`)
    in `extra` are ignored: the server computes them for the bytes it sends.
    """
    wanted = [(k, v) for k, v in extra if k.lower() not in _FRAMING]
    names = {k.lower() for k, _ in wanted}
    return [(k, v) for k, v in base if k.lower() not in names] + wanted
