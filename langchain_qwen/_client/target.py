"""Where a request goes and with which headers, built from ChatQwen's settings.

The key (a secret, or a function asked before each request), ``OpenAI-Organization``,
``default_headers`` (they win) and ``default_query`` (on the URL), as the openai SDK
would send them for ``ChatOpenAI``. The spec is cached, keyed on the settings it
reads, so ``model_copy(update=...)`` never reuses a stale host or headers.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from langchain_qwen._client import http as _http
from langchain_qwen._client.errors import redact_url
from langchain_qwen._client.regions import region_label
from langchain_qwen._version import __version__

__all__ = ["NO_KEY", "build_target", "cached_target"]

NO_KEY = "EMPTY"  # what vLLM/SGLang docs use for servers without auth

Cache = tuple[int, _http.RequestSpec] | None


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
    settings: Any, model: str | None, token: str | None, timeout: Any, retries: int
) -> _http.RequestSpec:
    """The request spec for ``settings`` (a ChatQwen; only its fields are read)."""
    if token is None:
        token = _token(settings.openai_api_key)
    token = _http.check_api_key(token.strip())
    base, basic_auth = _http.split_user_info(
        (settings.openai_api_base or "").rstrip("/")
    )
    headers = {
        "Authorization": basic_auth or f"Bearer {token}",
        "Content-Type": "application/json",
        "User-Agent": f"langchain-qwen/{__version__}",
    }
    if settings.openai_organization:
        headers["OpenAI-Organization"] = settings.openai_organization
    headers.update(settings.default_headers or {})
    shown = redact_url(settings.openai_api_base or "").rstrip("/")
    region = settings.region
    query = settings.default_query or {}
    return _http.RequestSpec(
        url=f"{base}/chat/completions",
        headers=_http.Headers(headers),
        timeout=timeout,
        max_retries=retries,
        where=f"{region_label(region)} ({shown})" if region else shown,
        region=region,
        model=model,
        query=tuple((str(k), str(v)) for k, v in query.items()),
        max_event_bytes=settings.max_event_bytes,
    )


def cached_target(
    settings: Any,
    cache: Cache,
    model: str | None,
    token: str | None,
    timeout: Any,
    retries: int,
) -> tuple[Cache, _http.RequestSpec]:
    """The spec and the cache to keep: rebuilt when a setting it reads changed.

    A key function is asked again for each request (nothing cached then).
    """
    key = settings.openai_api_key
    # A hash, not the values: the cache sits in frame locals and reprs, and the
    # URL may hold a password.
    fingerprint = hash(
        (
            model,
            settings.openai_api_base,
            repr(settings.default_headers),
            repr(settings.default_query),
            settings.openai_organization,
            repr(timeout),
            retries,
            settings.region,
            settings.max_event_bytes,
            key.get_secret_value() if isinstance(key, SecretStr) else None,
        )
    )
    if token is None and cache is not None and cache[0] == fingerprint:
        return cache, cache[1]
    target = build_target(settings, model, token, timeout, retries)
    if token is None and not callable(key):
        cache = (fingerprint, target)
    return cache, target
