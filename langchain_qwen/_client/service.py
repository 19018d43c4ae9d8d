"""What QwenEmbeddings and QwenRerank share: settings, requests, pickling, repr.

Both take ChatQwen's connection settings (``api_key``, ``base_url``, ``region``,
``workspace_id``, ``plan``, the ``DASHSCOPE_*`` variables), resolved by the same
function (``_client.endpoint.resolve_connection``); they send through the
package's transport (``_client.http.post``/``apost``: chat's retry policy and
``Retry-After`` handling) and run several requests at once within
``max_concurrency``, in sync code (threads) and async code alike. A request that
fails is retried on its own; the others are not sent again.
"""

from __future__ import annotations

import asyncio
import difflib
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, TypeVar

from langchain_core.load.serializable import Serializable
from langchain_core.rate_limiters import BaseRateLimiter
from langchain_core.utils import secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator
from typing_extensions import Self

from langchain_qwen._client import http as _http
from langchain_qwen._client.endpoint import (
    clean_key,
    connection_secrets,
    redacted_repr_args,
    resolve_connection,
)
from langchain_qwen._client.limiter import QwenRateLimiter
from langchain_qwen._client.target import Cache, cached_target, key_function_token

__all__ = ["Answer", "ServiceClient"]

T = TypeVar("T")
Answer = tuple[dict[str, Any], Any]
"""A decoded JSON answer and its httpx response."""

# langchain-community's spellings -> ours (same meaning).
_SPELLINGS = {"dashscope_api_key": "api_key"}


class _NotSent(Exception):  # noqa: N818 - a marker, never raised to the caller
    """A call skipped because an earlier one failed."""


class ServiceClient(Serializable):
    """Base of the non-chat clients: connection settings and bounded sending."""

    openai_api_key: (
        SecretStr | Callable[[], str] | Callable[[], Awaitable[str]] | None
    ) = Field(
        alias="api_key",
        default_factory=secret_from_env("DASHSCOPE_API_KEY", default=None),
    )
    """DashScope API key (``DASHSCOPE_API_KEY``), or a function returning one."""

    openai_api_base: str | None = Field(default=None, alias="base_url")
    """Endpoint; resolved from region/workspace/plan/env when not given."""

    region: str | None = None
    """Region of the endpoint: ``singapore`` (default), ``us``, ``china``,
    ``hongkong`` or an alias (``DASHSCOPE_REGION``)."""

    workspace_id: str | None = None
    """Workspace id for workspace-dedicated hosts (``DASHSCOPE_WORKSPACE_ID``)."""

    plan: str | None = None
    """Billing plan: "payg", "coding" or "trial" (``DASHSCOPE_PLAN``)."""

    default_headers: Mapping[str, str] | None = None
    """Headers sent with every request (they win over ours)."""

    default_query: Mapping[str, object] | None = None
    """Query parameters added to every request URL."""

    request_timeout: float | None = Field(default=None, alias="timeout", gt=0)
    """Seconds a call may take, retries included (None: per-read limits only)."""

    max_retries: int = Field(default=2, ge=0)
    """Retries of one request for rate limits, server faults and connection
    failures; quota, auth and bad-request errors are never retried."""

    max_concurrency: int = Field(default=8, ge=1)
    """Requests in flight at once when a call needs several (sync and async)."""

    rate_limiter: BaseRateLimiter | None = Field(default=None, exclude=True)
    """Paces requests; a ``QwenRateLimiter`` also books tokens and retries 429s."""

    model_config = ConfigDict(
        populate_by_name=True,
        hide_input_in_errors=True,  # the input holds the API key
        arbitrary_types_allowed=True,
        protected_namespaces=(),
    )

    _target_cache: Cache = PrivateAttr(default=None)
    _community_class: ClassVar[str] = ""

    # -- construction --
    @model_validator(mode="before")
    @classmethod
    def _resolve_service_endpoint(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        values = dict(values)
        cls._community_spellings(values)
        cls._check_keywords(values)
        resolve_connection(values, depth=6)
        cls._map_base_url(values)
        return values

    @classmethod
    def _community_spellings(cls, values: dict[str, Any]) -> None:
        """Accept langchain-community's constructor keywords."""
        for spelling, ours in _SPELLINGS.items():
            if spelling in values:
                if ours in values or "openai_api_key" in values:
                    msg = f"Pass `{ours}` or `{spelling}`, not both."
                    raise ValueError(msg)
                values[ours] = values.pop(spelling)
        if values.pop("client", None) is not None:
            warnings.warn(
                f"`client` ({cls._community_class}'s DashScope SDK client) is "
                f"ignored: {cls.__name__} sends its requests itself. Pass "
                "timeout=, max_retries=, default_headers= to tune them.",
                DeprecationWarning,
                stacklevel=6,
            )

    @classmethod
    def _map_base_url(cls, values: dict[str, Any]) -> None:
        """Hook: rewrite the resolved ``values["base_url"]``."""

    @classmethod
    def _check_keywords(cls, values: dict[str, Any]) -> None:
        names = set(cls.model_fields)
        names |= {f.alias for f in cls.model_fields.values() if f.alias}
        unknown = sorted(k for k in values if k not in names)
        if not unknown:
            return
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, sorted(names), n=1)
            hints.append(
                f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
            )
        msg = f"{cls.__name__} got unknown keyword(s): {', '.join(hints)}."
        raise TypeError(msg)

    @model_validator(mode="after")
    def _clean_service_key(self) -> Self:
        if isinstance(self.openai_api_key, SecretStr):
            self.openai_api_key = clean_key(self.openai_api_key)
        return self

    # -- identity, serialization, pickling --
    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Serializable with ``dumpd``/``dumps`` (the key as a secret reference)."""
        return True

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Constructor argument names -> secret ids (a URL password too)."""
        return connection_secrets(self.openai_api_base)

    def __repr_args__(self) -> Any:
        # No URL password or header value (they may hold secrets) in repr().
        return redacted_repr_args(super().__repr_args__())

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        private = dict(state.get("__pydantic_private__") or {})
        private["_target_cache"] = None  # headers built from the key: rebuilt on use
        return {**state, "__pydantic_private__": private}

    # -- sending --
    def _spec(self, path: str, model: str, token: str | None) -> _http.RequestSpec:
        retries = (
            0 if isinstance(self.rate_limiter, QwenRateLimiter) else self.max_retries
        )
        self._target_cache, spec = cached_target(
            self, self._target_cache, model, token, self.request_timeout, retries, path
        )
        return spec

    async def _aspec(self, path: str, model: str) -> _http.RequestSpec:
        token = await key_function_token(self.openai_api_key)
        return self._spec(path, model, token)

    def _post(
        self,
        spec: _http.RequestSpec,
        body: dict[str, Any],
        estimate: float,
        used: Callable[[dict[str, Any]], int | None],
    ) -> Answer:
        """One request, through the rate limiter when there is one."""
        limiter = self.rate_limiter

        def send() -> Answer:
            return _http.post(_http.sync_client(), spec, body)

        if isinstance(limiter, QwenRateLimiter):
            return limiter.request(
                send, estimate, self.max_retries, lambda a: used(a[0])
            )
        if limiter is not None:
            limiter.acquire()
        return send()

    async def _apost(
        self,
        spec: _http.RequestSpec,
        body: dict[str, Any],
        estimate: float,
        used: Callable[[dict[str, Any]], int | None],
    ) -> Answer:
        """Async twin of :meth:`_post`."""
        limiter = self.rate_limiter

        async def send() -> Answer:
            return await _http.apost(_http.loop_async_client(), spec, body)

        if isinstance(limiter, QwenRateLimiter):
            return await limiter.arequest(
                send, estimate, self.max_retries, lambda a: used(a[0])
            )
        if limiter is not None:
            await limiter.aacquire()
        return await send()

    def _run_all(self, calls: Sequence[Callable[[], T]]) -> list[T]:
        """Run ``calls`` at most ``max_concurrency`` at a time; results in order.

        The first failure is raised once the requests in flight have ended; those
        not yet started are not sent.
        """
        if len(calls) == 1:
            return [calls[0]()]
        failures: list[Exception] = []

        def guarded(call: Callable[[], T]) -> T:
            # A worker freed by the failure would start the next call before the
            # caller could cancel it: check first.
            if failures:
                raise _NotSent
            try:
                return call()
            except Exception as exc:
                failures.append(exc)
                raise

        workers = min(self.max_concurrency, len(calls))
        with ThreadPoolExecutor(workers, thread_name_prefix="langchain-qwen") as pool:
            futures = [pool.submit(guarded, call) for call in calls]
            try:
                return [future.result() for future in futures]
            except BaseException as exc:
                for future in futures:
                    future.cancel()
                if isinstance(exc, _NotSent):
                    raise failures[0] from None
                raise

    async def _arun_all(self, calls: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
        """Async twin of :meth:`_run_all` (the others are cancelled on a failure)."""
        if len(calls) == 1:
            return [await calls[0]()]
        slots = asyncio.Semaphore(self.max_concurrency)
        failures: list[Exception] = []

        async def bounded(call: Callable[[], Awaitable[T]]) -> T:
            async with slots:
                # A task woken by the failed one's slot runs before the cancel.
                if failures:
                    raise _NotSent
                try:
                    return await call()
                except Exception as exc:
                    failures.append(exc)
                    raise

        tasks = [asyncio.ensure_future(bounded(call)) for call in calls]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
