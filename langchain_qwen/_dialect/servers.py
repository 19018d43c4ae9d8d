"""Server kinds: DashScope, or a self-hosted OpenAI-compatible server serving Qwen.

``"auto"`` resolves to ``"dashscope"`` for Alibaba Cloud hosts (``*.aliyuncs.com``,
``*.aliyun.com``) and any URL whose path has DashScope's ``/compatible-mode/`` (proxies,
gateways, the emulator); to ``"ollama"`` for port 11434 (Ollama's default); else to
``"openai"``, a generic OpenAI-compatible server that takes Qwen's chat template
switch (``chat_template_kwargs``), as vLLM, SGLang and LMDeploy do. What each kind
takes is in the registry (``_dialect/rules.py``).
"""

from __future__ import annotations

import functools
from typing import Literal
from urllib.parse import urlparse

from langchain_qwen._client.regions import is_dashscope_host

__all__ = [
    "SERVER_KINDS",
    "ServerChoice",
    "ServerKind",
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
