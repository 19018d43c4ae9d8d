"""Server kinds: DashScope, or a self-hosted OpenAI-compatible server serving Qwen.

ChatQwen builds DashScope's body first; for another server kind the body is then
adapted to what that server takes. Nothing is dropped silently: every key removed
is named in a warning.

=========  ===============================  ==========================================
server     thinking switch                  DashScope-only keys
=========  ===============================  ==========================================
dashscope  ``enable_thinking`` (top level)  sent as they are
vllm       ``chat_template_kwargs:          dropped with a warning: ``enable_search``,
sglang     {"enable_thinking": ...}``       ``search_options``, ``thinking_budget``,
openai                                      ``vl_high_resolution_images``,
                                            ``translation_options``, ...
                                            (``top_k``, ``repetition_penalty`` kept)
ollama     ``reasoning_effort`` ("none"     the same, and ``top_k``/
           turns thinking off)              ``repetition_penalty`` too (Ollama's
                                            OpenAI API ignores them)
=========  ===============================  ==========================================

``"auto"`` resolves to ``"dashscope"`` for Alibaba Cloud hosts (``*.aliyuncs.com``,
``*.aliyun.com``) and any URL whose path has DashScope's ``/compatible-mode/`` (proxies,
gateways, the emulator); to ``"ollama"`` for port 11434 (Ollama's default); else to
``"openai"``, a generic OpenAI-compatible server that takes Qwen's chat template
switch (``chat_template_kwargs``), as vLLM, SGLang and LMDeploy do.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Literal
from urllib.parse import urlparse

from langchain_qwen._cache import strip_markers
from langchain_qwen._regions import is_dashscope_host

__all__ = [
    "SERVER_KINDS",
    "ServerChoice",
    "ServerKind",
    "adapt_payload",
    "resolve_server",
]

ServerKind = Literal["dashscope", "vllm", "sglang", "ollama", "openai"]
ServerChoice = Literal["auto", "dashscope", "vllm", "sglang", "ollama", "openai"]
SERVER_KINDS: tuple[ServerKind, ...] = (
    "dashscope",
    "vllm",
    "sglang",
    "ollama",
    "openai",
)

_OLLAMA_PORT = 11434
_DASHSCOPE_PATH = "/compatible-mode/"

# DashScope-only top-level keys no self-hosted server understands, and why.
_DASHSCOPE_ONLY: dict[str, str] = {
    "enable_search": "web search is a DashScope service",
    "search_options": "web search is a DashScope service",
    "thinking_budget": "Qwen's chat template has no thinking budget",
    "vl_high_resolution_images": "a DashScope image-resizing option",
    "translation_options": "a DashScope qwen-mt option",
    "incremental_output": "a DashScope streaming option",
    "enable_code_interpreter": "a DashScope tool",
}
_OLLAMA_IGNORES: dict[str, str] = {
    "top_k": "Ollama's OpenAI-compatible API has no top_k",
    "repetition_penalty": "Ollama's OpenAI-compatible API has no repetition_penalty",
}


@functools.lru_cache(maxsize=256)  # called for every request; inputs are few
def resolve_server(server: str, base_url: str | None) -> ServerKind:
    """The server kind for a ``server`` setting and endpoint.

    Args:
        server: ``"auto"`` or an explicit kind.
        base_url: The endpoint ChatQwen sends to.

    Returns:
        The kind whose request shape to use.

    Raises:
        ValueError: For an unknown ``server`` value.
    """
    if server != "auto":
        if server not in SERVER_KINDS:
            msg = (
                f"Unknown server={server!r}; expected 'auto' or one of "
                f"{', '.join(SERVER_KINDS)}."
            )
            raise ValueError(msg)
        return server
    url = base_url or ""
    if not url or is_dashscope_host(url):
        return "dashscope"
    parsed = urlparse(url)
    if _DASHSCOPE_PATH in (parsed.path or "") + "/":
        return "dashscope"
    try:
        port = parsed.port
    except ValueError:
        port = None
    if port == _OLLAMA_PORT:
        return "ollama"
    return "openai"


def _warn_dropped(dropped: dict[str, str], server: str) -> None:
    if not dropped:
        return
    details = "; ".join(f"{k} ({why})" for k, why in dropped.items())
    warnings.warn(
        f"Not sent to server={server!r}, which does not take these DashScope "
        f"parameters: {details}. Set server='dashscope' if the endpoint is DashScope.",
        UserWarning,
        stacklevel=4,
    )


def adapt_payload(payload: dict[str, Any], server: ServerKind) -> dict[str, Any]:
    """Adapt DashScope's request body to another server kind (in place).

    Args:
        payload: The body built for DashScope.
        server: The resolved server kind.

    Returns:
        ``payload``.
    """
    if server == "dashscope":
        return payload
    dropped: dict[str, str] = {}
    thinking = payload.pop("enable_thinking", None)
    for key, why in _DASHSCOPE_ONLY.items():
        if key in payload:
            value = payload.pop(key)
            if value is not None:
                dropped[key] = why
    if server == "ollama":
        for key, why in _OLLAMA_IGNORES.items():
            if key in payload:
                value = payload.pop(key)
                if value is not None:
                    dropped[key] = why
        if thinking is not None and "reasoning_effort" not in payload:
            # Ollama maps any effort but "none" to thinking on for Qwen3.
            payload["reasoning_effort"] = "medium" if thinking else "none"
    elif thinking is not None:
        kwargs = payload.get("chat_template_kwargs")
        merged = {"enable_thinking": bool(thinking)}
        if isinstance(kwargs, dict):
            merged.update(kwargs)  # explicit chat_template_kwargs win
        payload["chat_template_kwargs"] = merged
    _warn_dropped(dropped, server)
    messages = payload.get("messages")
    if isinstance(messages, list):
        strip_markers(messages, server)
    return payload
