"""LangChain integration for Qwen models on DashScope and OpenAI-compatible servers."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from langchain_qwen._version import __version__

if TYPE_CHECKING:
    from langchain_qwen._client.errors import (
        ContentModerationError,
        DashScopeAPIError,
        DashScopeAuthenticationError,
        DashScopeBadRequestError,
        DashScopeConnectionError,
        DashScopeContextOverflowError,
        DashScopeModelNotFoundError,
        DashScopePermissionDeniedError,
        DashScopeQuotaError,
        DashScopeRateLimitError,
        DashScopeServerError,
        DashScopeStreamError,
        DashScopeTimeoutError,
        IncompleteStreamError,
    )
    from langchain_qwen._dialect.cache import (
        context_cache_middleware,
        mark_cache_breakpoint,
    )
    from langchain_qwen._dialect.media import (
        audio_block_from_file,
        audio_wav_bytes,
        image_block_from_file,
        video_block_from_file,
        video_frames_block,
    )
    from langchain_qwen._models.profiles import get_model_profile, get_qwen_traits
    from langchain_qwen._models.tokenizer import stop_to_token_ids
    from langchain_qwen.chat_models import ChatQwen
    from langchain_qwen.embeddings import QwenEmbeddings
    from langchain_qwen.rerank import QwenRerank

# Imported on first use: langchain-openai takes seconds to import, and the CLI's
# `doctor`/`models` and `langchain_qwen.testing` users should not pay for it.
_LAZY = {
    "ChatQwen": "chat_models",
    "QwenEmbeddings": "embeddings",
    "QwenRerank": "rerank",
    "context_cache_middleware": "_dialect.cache",
    "mark_cache_breakpoint": "_dialect.cache",
    "audio_block_from_file": "_dialect.media",
    "audio_wav_bytes": "_dialect.media",
    "image_block_from_file": "_dialect.media",
    "video_block_from_file": "_dialect.media",
    "video_frames_block": "_dialect.media",
    "stop_to_token_ids": "_models.tokenizer",
    "get_model_profile": "_models.profiles",
    "get_qwen_traits": "_models.profiles",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None and name in __all__:
        module = "_client.errors"
    if module is None:
        msg = f"module 'langchain_qwen' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(f"langchain_qwen.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "ChatQwen",
    "ContentModerationError",
    "DashScopeAPIError",
    "DashScopeAuthenticationError",
    "DashScopeBadRequestError",
    "DashScopeConnectionError",
    "DashScopeContextOverflowError",
    "DashScopeModelNotFoundError",
    "DashScopePermissionDeniedError",
    "DashScopeQuotaError",
    "DashScopeRateLimitError",
    "DashScopeServerError",
    "DashScopeStreamError",
    "DashScopeTimeoutError",
    "IncompleteStreamError",
    "QwenEmbeddings",
    "QwenRerank",
    "__version__",
    "audio_block_from_file",
    "audio_wav_bytes",
    "context_cache_middleware",
    "get_model_profile",
    "get_qwen_traits",
    "image_block_from_file",
    "mark_cache_breakpoint",
    "stop_to_token_ids",
    "video_block_from_file",
    "video_frames_block",
]
