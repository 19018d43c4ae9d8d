"""LangChain integration for Qwen models on DashScope and OpenAI-compatible servers."""

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
]
