"""LangChain integration for Qwen models on DashScope and OpenAI-compatible servers."""

from langchain_qwen._cache import context_cache_middleware, mark_cache_breakpoint
from langchain_qwen._errors import (
    ContentModerationError,
    DashScopeAPIError,
    DashScopeAuthenticationError,
    DashScopeBadRequestError,
    DashScopeConnectionError,
    DashScopeModelNotFoundError,
    DashScopePermissionDeniedError,
    DashScopeQuotaError,
    DashScopeRateLimitError,
    DashScopeServerError,
    DashScopeStreamError,
    DashScopeTimeoutError,
    IncompleteStreamError,
)
from langchain_qwen._media import (
    audio_block_from_file,
    audio_wav_bytes,
    image_block_from_file,
    video_block_from_file,
    video_frames_block,
)
from langchain_qwen._tokenizer import stop_to_token_ids
from langchain_qwen._version import __version__
from langchain_qwen.chat_models import ChatQwen

__all__ = [
    "ChatQwen",
    "ContentModerationError",
    "DashScopeAPIError",
    "DashScopeAuthenticationError",
    "DashScopeBadRequestError",
    "DashScopeConnectionError",
    "DashScopeModelNotFoundError",
    "DashScopePermissionDeniedError",
    "DashScopeQuotaError",
    "DashScopeRateLimitError",
    "DashScopeServerError",
    "DashScopeStreamError",
    "DashScopeTimeoutError",
    "IncompleteStreamError",
    "__version__",
    "audio_block_from_file",
    "audio_wav_bytes",
    "context_cache_middleware",
    "image_block_from_file",
    "mark_cache_breakpoint",
    "stop_to_token_ids",
    "video_block_from_file",
    "video_frames_block",
]
