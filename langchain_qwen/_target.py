"""Where a request goes and with which headers, built from ChatQwen's settings.

The key (a secret, or a function asked before each request), ``OpenAI-Organization``,
``default_headers`` (they win) and ``default_query`` (on the URL), as the openai SDK
would send them for ``ChatOpenAI``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pydantic import SecretStr

from langchain_qwen import _transport
from langchain_qwen._contract import NO_KEY
from langchain_qwen._regions import region_label
from langchain_qwen._version import __version__

__all__ = ["build_target"]


def _token(key: Any) -> str:
    if isinstance(key, SecretStr):
        return key.get_secret_value()
    if callable(key):
        value = key()  # async functions are awaited by the caller and passed in
        if not isinstance(value, str):
            msg = f"api_key function returned {type(value).__name__}, not a str."
            raise TypeError(msg)
        return value
    return NO_KEY


def build_target(
    settings: Any, model: str | None, token: str | None, timeout: Any
) -> _transport.RequestTarget:
    """The request target for ``settings`` (a ChatQwen; only its fields are read)."""
    headers = {
        "Authorization": f"Bearer {token or _token(settings.openai_api_key)}",
        "Content-Type": "application/json",
        "User-Agent": f"langchain-qwen/{__version__}",
    }
    if settings.openai_organization:
        headers["OpenAI-Organization"] = settings.openai_organization
    headers.update(settings.default_headers or {})
    base = (settings.openai_api_base or "").rstrip("/")
    query = settings.default_query
    region = settings.region
    return _transport.RequestTarget(
        url=f"{base}/chat/completions"
        + (f"?{urlencode(dict(query))}" if query else ""),
        headers=headers,
        timeout=timeout,
        max_retries=2 if settings.max_retries is None else settings.max_retries,
        region=region,
        region_text=f"{region_label(region)} ({base})" if region else base,
        model=model,
    )
