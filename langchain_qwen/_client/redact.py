"""Credentials out of any text shown to a user: messages, reprs, warnings, logs.

Standard library only, so the lowest layers (the region table, ``cli --help``) can
use it without importing the HTTP stack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

__all__ = ["redact", "redact_url"]

_REDACTED = "***"
# User info up to the host: a password may hold a raw "@", never "/", "?" or "#".
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/?#\s]*)@")
# Query parameters that carry credentials (?key=, api_key=, access_token=, ...).
_SECRET_QUERY = re.compile(
    r"(?i)([?&;][\w.-]*(?:key|token|secret|passw(?:or)?d|signature|credential)"
    r"[\w.-]*=)[^&#\s'\"<>]*"
)


def _redact_query(text: str) -> str:
    return _SECRET_QUERY.sub(rf"\1{_REDACTED}", text) if "=" in text else text


def redact_url(url: str) -> str:
    """``url`` without its credentials: password, bare token user, query keys.

    ``https://user:pw@host`` -> ``https://user:***@host``; ``https://tok@host`` (the
    user name is the token) -> ``https://***@host``; ``?api_key=x`` -> ``?api_key=***``.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return _redact_query(_URL_USERINFO.sub(rf"\1{_REDACTED}@", url))
    if parts.password is None and "@" not in parts.netloc:
        return _redact_query(url)
    user = parts.username if parts.password is not None else None
    host = parts.netloc.rpartition("@")[2]
    netloc = f"{user}:{_REDACTED}@{host}" if user else f"{_REDACTED}@{host}"
    return _redact_query(urlunsplit(parts._replace(netloc=netloc)))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret, URL user info and query credential as ``***``."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, _REDACTED)
    if "@" in text:
        text = _URL_USERINFO.sub(rf"\1{_REDACTED}@", text)
    return _redact_query(text)
