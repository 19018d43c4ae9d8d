"""Public names and every module import cleanly."""

from __future__ import annotations

import importlib
import pkgutil
from importlib import metadata

import langchain_qwen

EXPECTED_ALL = {
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
}


def test_all_imports() -> None:
    assert set(langchain_qwen.__all__) == EXPECTED_ALL
    for name in langchain_qwen.__all__:
        value = getattr(langchain_qwen, name)
        if name == "__version__":
            assert value == metadata.version("langchain-qwen")
            continue
        # Each public name is the object of that name defined in a package module.
        assert value.__name__ == name
        assert value.__module__.startswith("langchain_qwen.")


def test_every_module_imports() -> None:
    names = [
        info.name
        for info in pkgutil.walk_packages(langchain_qwen.__path__, "langchain_qwen.")
    ]
    assert "langchain_qwen.chat_models" in names
    assert "langchain_qwen.testing" in names
    for name in names:
        importlib.import_module(name)
