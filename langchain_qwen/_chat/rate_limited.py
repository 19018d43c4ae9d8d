"""ChatQwen's hook for :class:`~langchain_qwen.rate_limiters.QwenRateLimiter`.

langchain-core asks a rate limiter for a slot and then sends; a ``QwenRateLimiter``
also books each request's tokens and retries DashScope's 429s itself, after a new
slot, so it wraps the whole cached generation call instead. Streams take their slot
from langchain-core's ``acquire`` (at the average size); the limiter then prices them
in full and retries them until their first chunk.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from langchain_qwen._client.limiter import QwenRateLimiter, in_limited_call
from langchain_qwen._models.prompt import estimate_tokens, render_chat_template

__all__ = ["RateLimitedCalls", "estimate_prompt_tokens"]


def estimate_prompt_tokens(messages: Sequence[BaseMessage], tools: Any) -> float:
    """Prompt tokens: Qwen's tokenizer when installed, else ~3 characters a token.

    The text estimated is the rendered ChatML prompt, so each message's overhead
    (role, ``<|im_start|>``/``<|im_end|>``) and the tool schemas count too.
    """
    return estimate_tokens(render_chat_template(list(messages), tools or None))


class RateLimitedCalls:
    """Mixin placed before ``BaseChatOpenAI``: routes calls through the limiter.

    Streams are ChatQwen's ``_stream_once``/``_astream_once``.
    """

    def _retries(self) -> int:
        max_retries = getattr(self, "max_retries", None)
        return 2 if max_retries is None else int(max_retries)

    def _qwen_limiter(self) -> QwenRateLimiter | None:
        limiter = getattr(self, "rate_limiter", None)
        return limiter if isinstance(limiter, QwenRateLimiter) else None

    def _limited(
        self,
        call: Callable[[], Any],
        messages: list[BaseMessage],
        kwargs: Any,
        how: str,
    ) -> Any:
        """``call()`` through the limiter's ``how`` (run, arun, stream, astream)."""
        limiter = self._qwen_limiter()
        # invoke(streaming=True) streams inside a call the limiter already runs.
        if limiter is None or in_limited_call():
            return call()
        cost = estimate_prompt_tokens(messages, kwargs.get("tools"))
        return getattr(limiter, how)(call, cost, self._retries())

    def _generate_with_cache(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = functools.partial(
            super()._generate_with_cache,  # type: ignore[misc]
            messages,
            stop,
            run_manager,
            **kwargs,
        )
        return self._limited(call, messages, kwargs, "run")

    async def _agenerate_with_cache(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = functools.partial(
            super()._agenerate_with_cache,  # type: ignore[misc]
            messages,
            stop,
            run_manager,
            **kwargs,
        )
        return await self._limited(call, messages, kwargs, "arun")

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        call = functools.partial(
            self._stream_once,  # type: ignore[attr-defined]
            messages,
            stop,
            run_manager,
            **kwargs,
        )
        return self._limited(call, messages, kwargs, "stream")

    def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        call = functools.partial(
            self._astream_once,  # type: ignore[attr-defined]
            messages,
            stop,
            run_manager,
            **kwargs,
        )
        return self._limited(call, messages, kwargs, "astream")
