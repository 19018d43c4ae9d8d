r"""Server-sent events: bytes in, each event's ``data`` out, in linear time.

Lines end with ``\r\n``, ``\n`` or ``\r`` (all three are valid SSE), a UTF-8 BOM
before the first line is skipped, and ``event:``/``id:``/``retry:``/comment lines are
ignored (the ``data`` of OpenAI-style streams says everything). An unfinished line is
kept as a list of pieces, joined once when its end arrives, so a long line costs time
linear in its size; past ``max_event_bytes`` the decoder raises :class:`EventTooLarge`
instead of buffering further.

The data stays bytes (``json.loads`` takes UTF-8 bytes): invalid UTF-8 then fails as
malformed data of that one event, after the events before it were handled.
"""

from __future__ import annotations

__all__ = ["EventTooLarge", "SSEDecoder"]

_BOM = b"\xef\xbb\xbf"


class EventTooLarge(Exception):  # noqa: N818 - internal signal, mapped by the caller
    """One event grew past the decoder's limit."""


class SSEDecoder:
    """Incremental SSE decoder yielding each event's ``data`` bytes."""

    __slots__ = ("_cr", "_data", "_data_size", "_first", "_max", "_parts", "_size")

    def __init__(self, max_event_bytes: int) -> None:
        self._max = max_event_bytes
        self._parts: list[bytes] = []  # the unfinished last line, in pieces
        self._size = 0  # bytes in _parts
        self._data: list[bytes] = []  # data lines of the event being read
        self._data_size = 0
        self._cr = False  # the last piece ended with "\r": a "\n" may follow
        self._first = True  # no line finished yet (a BOM may lead)

    def feed(self, raw: bytes) -> list[bytes]:
        """Add bytes; return the data of every event they complete."""
        if self._cr:
            self._cr = False
            if raw[:1] == b"\n":
                raw = raw[1:]
        if not raw:
            return []
        last = raw[-1]
        ended = last == 10 or last == 13
        lines = raw.splitlines()
        if not ended:
            tail = lines.pop()
            if not lines:  # no line ends in this piece
                self._keep(tail)
                return []
        elif last == 13:
            self._cr = True
        if self._parts:
            lines[0] = b"".join(self._parts) + lines[0]
            self._parts = []
            self._size = 0
        if self._first:
            self._first = False
            if lines[0].startswith(_BOM):
                lines[0] = lines[0][3:]
        out = self._lines(lines)
        if not ended:
            self._keep(tail)
        return out

    def _keep(self, piece: bytes) -> None:
        self._parts.append(piece)
        self._size += len(piece)
        if self._size + self._data_size > self._max:
            raise EventTooLarge

    def _lines(self, lines: list[bytes]) -> list[bytes]:
        out: list[bytes] = []
        data = self._data
        for line in lines:
            if not line:
                if data:
                    out.append(data[0] if len(data) == 1 else b"\n".join(data))
                    data.clear()
                    self._data_size = 0
            elif line.startswith(b"data:"):
                value = line[6:] if line[5:6] == b" " else line[5:]
                data.append(value)
                self._data_size += len(value)
                if self._data_size > self._max:
                    raise EventTooLarge
            # `event:`, `id:`, `retry:` and `:comment` lines carry nothing we use.
        return out

    def flush(self) -> list[bytes]:
        """Events still buffered when the body ends without a final blank line."""
        if not self._parts and not self._data:
            return []
        return self.feed(b"\n\n")
