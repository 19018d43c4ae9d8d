"""The ``httpx`` flavour the installed ``openai`` SDK is built on.

``openai>=3`` uses ``httpx2`` (API-identical to ``httpx``), older releases ``httpx``.
We send requests through the SDK client's own HTTP client, so response and exception
objects must come from the same library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import openai

# Type checking assumes the current SDK (httpx2).
if TYPE_CHECKING or int(openai.__version__.split(".", 1)[0]) >= 3:
    import httpx2 as httpx
else:
    import httpx

import httpx as _plain  # a plain httpx client may be passed as http_client

__all__ = [
    "NOT_SENT_ERRORS",
    "STREAM_ERRORS",
    "TRANSPORT_ERRORS",
    "httpx",
]

TRANSPORT_ERRORS: tuple[type[Exception], ...] = tuple(
    {httpx.TransportError, _plain.TransportError}
)
"""Connection-level failures of either httpx flavour."""
STREAM_ERRORS: tuple[type[Exception], ...] = (
    *TRANSPORT_ERRORS,
    *{httpx.StreamError, _plain.StreamError},
)
NOT_SENT_ERRORS: tuple[type[Exception], ...] = tuple(
    {
        *(httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout),
        *(_plain.ConnectError, _plain.ConnectTimeout, _plain.PoolTimeout),
    }
)
"""Failures before a connection existed: the request cannot have reached the server."""
