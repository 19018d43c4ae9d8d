"""The constructor contract inherited from ``BaseChatOpenAI``: aliases and refusals.

A user moving from ``ChatOpenAI`` must never lose a setting silently: every
inherited field is honoured (``tests/unit_tests/test_contract.py`` names the test
proving it) or refused here with an error that names it. Unknown keywords are a
``TypeError`` naming the closest field (``model_kwargs={...}`` stays the explicit way
to send extra JSON fields), as they are per call.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

__all__ = ["ALIASES", "REFUSED", "check_constructor_keywords"]

_RESPONSES_API = (
    "ChatQwen speaks DashScope's Chat Completions compatible mode; the Responses API "
    "is not supported yet"
)
_OPENAI_ONLY = "an OpenAI setting DashScope does not have"
_OWN_TRANSPORT = (
    "ChatQwen sends requests through its own transport; pass http_client= / "
    "http_async_client= (httpx clients) to control connections"
)

REFUSED: dict[str, str] = {
    # The Responses API (issue 13 replaces these two entries).
    "use_responses_api": _RESPONSES_API,
    "use_previous_response_id": _RESPONSES_API,
    # Responses-API-only or OpenAI-only request settings.
    "reasoning": f"{_RESPONSES_API}; use enable_thinking / thinking_budget",
    "context_management": _RESPONSES_API,
    "include": _RESPONSES_API,
    "truncation": _RESPONSES_API,
    "verbosity": _OPENAI_ONLY,
    "service_tier": _OPENAI_ONLY,
    "store": _OPENAI_ONLY,
    "prompt_cache_options": (
        f"{_OPENAI_ONLY}; DashScope's explicit context cache uses cache_control "
        "markers (langchain_qwen.mark_cache_breakpoint)"
    ),
    "tiktoken_model_name": (
        "ChatQwen counts tokens with Qwen's own tokenizer; pass "
        "custom_get_token_ids= to count differently"
    ),
    "client": _OWN_TRANSPORT,
    "async_client": _OWN_TRANSPORT,
    "root_client": _OWN_TRANSPORT,
    "root_async_client": _OWN_TRANSPORT,
}
"""Inherited fields ChatQwen refuses when set, and why."""

# Values that mean "not set" for the refused fields.
_UNSET = (None, False)

ALIASES: dict[str, str] = {
    "dashscope_api_key": "api_key",  # ChatTongyi's spelling
    "max_completion_tokens": "max_tokens",  # ChatOpenAI's alias
}
"""Other spellings people pass, and the field they mean."""


def check_constructor_keywords(values: dict[str, Any], known: Iterable[str]) -> None:
    """Apply aliases (in place), refuse refused fields and unknown keywords.

    Args:
        values: the constructor keywords.
        known: every field name and alias of the class.

    Raises:
        TypeError: an unknown keyword (naming the closest field).
        ValueError: a refused field set, or an alias given with its field.
    """
    for alias, target in ALIASES.items():
        if alias not in values:
            continue
        if target in values:
            msg = f"Pass `{target}` or `{alias}`, not both."
            raise ValueError(msg)
        values[target] = values.pop(alias)
    for name, why in REFUSED.items():
        if values.get(name) not in _UNSET:
            msg = f"`{name}` is not supported by ChatQwen: {why}."
            raise ValueError(msg)
    names = set(known)
    unknown = sorted(k for k in values if k not in names)
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, sorted(names), n=1)
            hints.append(
                f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
            )
        msg = (
            f"ChatQwen got unknown keyword(s): {', '.join(hints)}. To send a field "
            "ChatQwen does not know, pass model_kwargs={...} (or extra_body={...})."
        )
        raise TypeError(msg)
