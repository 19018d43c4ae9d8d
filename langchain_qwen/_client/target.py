"""Where a request goes and with which headers, built from ChatQwen's settings.

The key (a secret, or a function asked before each request), ``OpenAI-Organization``,
``default_headers`` (they win) and ``default_query`` (on the URL), as the openai SDK
would send them for ``ChatOpenAI``. The spec is cached, keyed on the settings it
reads, so ``model_copy(update=...)`` never reuses a stale host or headers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

from langchain_qwen._client import http as _http
from langchain_qwen._client.redact import redact_url
from langchain_qwen._client.regions import region_label
from langchain_qwen._version import __version__

__all__ = ["NO_KEY", "build_target", "cached_target", "key_function_token"]

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


async def key_function_token(key: Any) -> str | None:
    """What an ``api_key`` function returns (awaited when async); None otherwise.

    For async calls, which pass the token to :func:`cached_target`: a fixed key is
    read there, and a sync function is called there too when None is passed.
    """
    if callable(key) and not isinstance(key, SecretStr):
        value = key()
        return value if isinstance(value, str) else await value
    return None


def _join(base: str, path: str) -> str:
    if not path.startswith("/"):
        return f"{base}/{path}"
    # DashScope's root: the base without its /compatible-mode/v1 (a proxy's path
    # prefix, or the emulator's region prefix, stays).
    root, found, _ = base.rpartition("/compatible-")
    if found:
        return root + path
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def build_target(
    settings: Any,
    model: str | None,
    token: str | None,
    timeout: Any,
    retries: int,
    path: str = "chat/completions",
) -> _http.RequestSpec:
    """The request spec for ``settings`` (a ChatQwen; only its fields are read).

    ``path`` is the endpoint below the base URL, or, starting with ``/``, below
    DashScope's root (the base URL without ``/compatible-mode/v1`` or
    ``/compatible-api/v1``), where the native endpoints live.
    """
    if timeout is None:
        # Per-read limits (a hung server is left after 10 min of silence) but no
        # total deadline, which would cut long thinking streams.
        timeout = _http.DEFAULT_TIMEOUT
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
    if getattr(settings, "openai_organization", None):
        headers["OpenAI-Organization"] = settings.openai_organization
    headers.update(settings.default_headers or {})
    shown = redact_url(settings.openai_api_base or "").rstrip("/")
    region = settings.region
    query = settings.default_query or {}
    return _http.RequestSpec(
        url=_join(base, path),
        headers=_http.Headers(headers),
        timeout=timeout,
        max_retries=retries,
        where=f"{region_label(region)} ({shown})" if region else shown,
        region=region,
        model=model,
        query=tuple((str(k), str(v)) for k, v in query.items()),
        max_event_bytes=getattr(
            settings, "max_event_bytes", _http.DEFAULT_MAX_EVENT_BYTES
        ),
    )


def cached_target(
    settings: Any,
    cache: Cache,
    model: str | None,
    token: str | None,
    timeout: Any,
    retries: int,
    path: str = "chat/completions",
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
            getattr(settings, "openai_organization", None),
            repr(timeout),
            retries,
            path,
            settings.region,
            getattr(settings, "max_event_bytes", None),
            key.get_secret_value() if isinstance(key, SecretStr) else None,
        )
    )
    if token is None and cache is not None and cache[0] == fingerprint:
        return cache, cache[1]
    target = build_target(settings, model, token, timeout, retries, path)
    if token is None and not callable(key):
        cache = (fingerprint, target)
    return cache, target
