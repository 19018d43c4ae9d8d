"""The constructor contract inherited from ``BaseChatOpenAI``: aliases and refusals.

A user moving from ``ChatOpenAI`` must never lose a setting silently: every
inherited field is honoured (``tests/unit_tests/test_contract.py`` names the test
proving it) or refused here with an error that names it. Unknown keywords are a
``TypeError`` naming the closest field (``model_kwargs={...}`` stays the explicit way
to send extra JSON fields), as they are per call.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from langchain_qwen._client.endpoint import clean_key, resolve_connection
from langchain_qwen._client.regions import check_responses_region
from langchain_qwen._dialect import rules

__all__ = [
    "ALIASES",
    "REFUSED",
    "check_constructor_keywords",
    "clean_key",
    "prepare_values",
]

_OPENAI_ONLY = "an OpenAI setting DashScope does not have"
_OWN_TRANSPORT = (
    "ChatQwen sends requests through its own transport; pass http_client= / "
    "http_async_client= (httpx clients) to control connections"
)

REFUSED: dict[str, str] = {
    # The Responses API fields (use_responses_api, use_previous_response_id, reasoning,
    # include, truncation, store) are honoured by _responses.api (issue 13).
    "context_management": f"{_OPENAI_ONLY} (OpenAI's Responses API compaction)",
    "verbosity": _OPENAI_ONLY,
    "service_tier": _OPENAI_ONLY,
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


@functools.cache
def _keywords(model_cls: type[BaseModel]) -> frozenset[str]:
    fields = model_cls.model_fields
    return frozenset(fields) | {f.alias for f in fields.values() if f.alias}


def prepare_values(
    values: dict[str, Any], model_cls: type[BaseModel]
) -> dict[str, Any]:
    """Constructor keywords checked and resolved before the parent builds clients.

    Aliases, refusals and unknown keywords; raw values checked against the registry
    (pydantic's lax mode would turn True into 1 and "0.5" into 0.5 first); the
    endpoint, region and key resolved; plain http to a remote host warned about.
    """
    check_constructor_keywords(values, _keywords(model_cls))
    rules.check_values(values)
    if isinstance(values.get("model_kwargs"), dict):
        rules.check_values(values["model_kwargs"])
    rules.check_timeout(values.get("timeout", values.get("request_timeout")))
    endpoint = resolve_connection(values, depth=5)
    if values.get("use_responses_api") or values.get("session_cache"):
        if values.get("use_responses_api") is False:
            msg = (
                "session_cache=True needs the Responses API, but "
                "use_responses_api=False."
            )
            raise ValueError(msg)
        check_responses_region(endpoint.region)
    return values
