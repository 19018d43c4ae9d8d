"""What one request needs, with secrets that never show in a repr or a message.

:class:`Headers` holds the request headers (the API key among them) and is not a
mapping: serializers of frame locals (``traceback`` with ``capture_locals=True``,
sentry-sdk) fall back to its ``repr``, which lists header names only.
:class:`RequestSpec` is everything the transport needs to send, retry and time a
request; its ``repr`` redacts the URL password and the headers.
"""

from __future__ import annotations

import base64
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from langchain_qwen._client.errors import bad_header_error, bad_key_error
from langchain_qwen._client.redact import redact_url
from langchain_qwen._compat import httpx

__all__ = [
    "DEFAULT_MAX_EVENT_BYTES",
    "DEFAULT_TIMEOUT",
    "Headers",
    "RequestSpec",
    "check_api_key",
    "parsed_url",
    "total_budget",
]

DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=10.0)
"""Used when ChatQwen has no ``timeout``: per-read limits, no total deadline."""

DEFAULT_MAX_EVENT_BYTES = 32 * 1024 * 1024
"""Largest server-sent event accepted (32 MiB): a 20 MB tool argument still fits,
while a server streaming one endless line is refused after 32 MiB, not buffered."""

# Header values that are never secret and useful to see in a repr.
_PUBLIC_HEADERS = frozenset({"content-type", "user-agent", "accept"})


def _first_bad_char(value: str, *, allow_space: bool) -> tuple[int, str] | None:
    for i, ch in enumerate(value):
        code = ord(ch)
        if code < 0x20 or code == 0x7F:
            if ch == "\t" and allow_space:
                continue
            return i, "a control character"
        if code > 0x7E:
            return i, "a non-ASCII character"
        if ch == " " and not allow_space:
            return i, "a space"
    return None


def split_user_info(url: str) -> tuple[str, str | None]:
    """``url`` without user info, and the Basic ``Authorization`` value it meant.

    httpx turns ``https://user:pw@host`` into Basic auth (replacing any other
    ``Authorization``) and logs the URL, password included, on every request; the
    same header sent with a clean URL keeps the password out of every log.
    """
    if "@" not in url:
        return url, None
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    user = unquote(parts.username or "")
    password = unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host)), f"Basic {token}"


def check_api_key(value: str, field_name: str = "api_key") -> str:
    """Raise (without echoing ``value``) unless an HTTP header can carry it."""
    bad = _first_bad_char(value, allow_space=False)
    if bad is not None:
        raise bad_key_error(field_name, *bad)
    return value


class Headers:
    """Request headers whose ``repr`` shows names only (values may be secrets)."""

    __slots__ = ("_items", "_secrets")

    def __init__(self, items: Mapping[str, str]) -> None:
        checked: dict[str, str] = {}
        for name, value in items.items():
            text = str(value)
            bad = _first_bad_char(text, allow_space=True)
            if bad is None and text != text.strip():
                bad = (0 if text[:1].isspace() else len(text) - 1, "white space")
            if bad is not None:
                raise bad_header_error(name, *bad)
            checked[name] = text
        self._items = checked
        secrets: list[str] = []
        for name, value in checked.items():
            if name.lower() in _PUBLIC_HEADERS:
                continue
            secrets.append(value)
            scheme, _, token = value.partition(" ")
            if token and scheme.lower() in ("bearer", "basic", "token"):
                secrets.append(token)
        self._secrets = tuple(sorted(secrets, key=len, reverse=True))

    def for_httpx(self) -> dict[str, str]:
        """The headers to send (do not keep the result in a long-lived object)."""
        return self._items

    def secrets(self) -> tuple[str, ...]:
        """Values to redact from any text shown to a user (longest first)."""
        return self._secrets

    def names(self) -> list[str]:
        """Header names."""
        return list(self._items)

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}: {value if name.lower() in _PUBLIC_HEADERS else '***'}"
            for name, value in self._items.items()
        )
        return f"Headers({shown})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and other._items == self._items

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))


def total_budget(timeout: Any) -> float | None:
    """Seconds a whole call may take: a numeric ``timeout``; else no limit."""
    if isinstance(timeout, int | float) and not isinstance(timeout, bool):
        return float(timeout) if 0 < timeout < math.inf else None
    return None


@functools.lru_cache(maxsize=64)
def parsed_url(url: str, query: tuple[tuple[str, str], ...]) -> httpx.URL:
    """``url`` parsed once, with ``query`` merged in."""
    # httpx parses a str URL on every request (~25 us); URL objects are immutable.
    parsed = httpx.URL(url)
    return parsed.copy_merge_params(dict(query)) if query else parsed


@dataclass(frozen=True, eq=False, repr=False)
class RequestSpec:
    """Everything the transport needs to send one kind of request.

    Built once per ChatQwen configuration. ``timeout`` is httpx's per-phase timeout
    (a number, an ``httpx.Timeout``); a numeric ``timeout`` is also the total
    deadline of a call, retries and ``Retry-After`` waits included.
    ``chunk_timeout`` (seconds) replaces the read timeout of streamed answers.
    """

    url: str
    headers: Headers
    timeout: Any = field(default_factory=lambda: DEFAULT_TIMEOUT)
    max_retries: int = 2
    where: str = ""
    """Human name of the endpoint for messages (password-free)."""
    region: str | None = None
    model: str | None = None
    query: tuple[tuple[str, str], ...] = ()
    chunk_timeout: float | None = None
    max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES

    @property
    def total(self) -> float | None:
        """Seconds the whole call may take, or None."""
        return total_budget(self.timeout)

    def http_url(self) -> httpx.URL:
        """The parsed URL, query included."""
        return parsed_url(self.url, self.query)

    def __repr__(self) -> str:
        return (
            f"RequestSpec(url={redact_url(self.url)!r}, headers={self.headers!r}, "
            f"timeout={self.timeout!r}, max_retries={self.max_retries}, "
            f"region={self.region!r}, model={self.model!r})"
        )
