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
import ipaddress
import os
import warnings
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel, SecretStr

from langchain_qwen._client import http as _http
from langchain_qwen._client.errors import redact_url
from langchain_qwen._client.regions import (
    CODING_KEY_PREFIX,
    check_responses_region,
    is_dashscope_host,
    region_label,
    resolve_endpoint,
)
from langchain_qwen._client.target import NO_KEY
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


def _key_text(values: dict[str, Any]) -> str:
    """The API key a ChatQwen is being built with (arguments, then the env)."""
    for name in ("api_key", "openai_api_key"):
        key = values.get(name)
        if isinstance(key, SecretStr):
            return key.get_secret_value().strip()
        if isinstance(key, str):
            return key.strip()
    return os.environ.get("DASHSCOPE_API_KEY", "").strip()


def _warn_key_plan_mismatch(key: str, plan: str, base_url: str) -> None:
    """Warn (naming no key) when a key cannot work with the endpoint's plan."""
    if not key or not is_dashscope_host(base_url):
        return
    coding_key = key.startswith(CODING_KEY_PREFIX)
    if coding_key and plan != "coding":
        msg = (
            f"The API key is a Coding Plan key ({CODING_KEY_PREFIX}...), which only "
            f"the Coding Plan hosts accept, but base_url is {base_url}: set "
            "plan='coding' (or DASHSCOPE_PLAN=coding) instead of base_url/region."
        )
        warnings.warn(msg, stacklevel=5)
    elif plan == "coding" and not coding_key:
        msg = (
            f"{base_url} is a Coding Plan host: it accepts only Coding Plan keys "
            f"({CODING_KEY_PREFIX}...); a pay-as-you-go key gets a 401 there."
        )
        warnings.warn(msg, stacklevel=5)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    for name in ("api_key", "openai_api_key"):
        key = values.get(name)
        secret = key.get_secret_value() if isinstance(key, SecretStr) else key
        if isinstance(secret, str) and not secret.strip():
            values.pop(name)  # an empty key is no key: say DASHSCOPE_API_KEY
    base_url = values.pop("base_url", None) or values.pop("openai_api_base", None)
    key_text = _key_text(values)
    plan = values.get("plan")
    if (
        plan is None
        and not os.environ.get("DASHSCOPE_PLAN")
        and key_text.startswith(CODING_KEY_PREFIX)
    ):
        plan = "coding"  # a Coding Plan key works only on the Coding Plan hosts
    endpoint = resolve_endpoint(
        base_url=base_url,
        region=values.get("region"),
        workspace_id=values.get("workspace_id"),
        plan=plan,
    )
    values["base_url"] = endpoint.base_url
    values["region"] = endpoint.region
    if endpoint.plan != "payg":
        values["plan"] = endpoint.plan
    _warn_key_plan_mismatch(key_text, endpoint.plan, redact_url(endpoint.base_url))
    if values.get("use_responses_api") or values.get("session_cache"):
        if values.get("use_responses_api") is False:
            msg = (
                "session_cache=True needs the Responses API, but "
                "use_responses_api=False."
            )
            raise ValueError(msg)
        check_responses_region(endpoint.region)
    parsed = urlparse(endpoint.base_url)
    has_key = values.get("api_key") is not None or (
        values.get("openai_api_key") is not None
    )
    env_key = os.environ.get("DASHSCOPE_API_KEY", "").strip()
    if not has_key and not env_key:
        if is_dashscope_host(endpoint.base_url):
            msg = (
                "No DashScope API key: set the DASHSCOPE_API_KEY environment "
                "variable or pass api_key=. Keys are region-specific; this "
                f"endpoint is {region_label(endpoint.region)} "
                f"({redact_url(endpoint.base_url)})."
            )
            raise ValueError(msg)
        # Self-hosted servers often run without auth.
        values["api_key"] = NO_KEY
    if parsed.scheme == "http" and not _is_loopback(parsed.hostname or ""):
        warnings.warn(
            f"base_url {redact_url(endpoint.base_url)!r} uses plain http:// to a "
            "non-loopback "
            "host: the API key would travel unencrypted. Use https://.",
            stacklevel=4,
        )
    return values


def clean_key(key: SecretStr) -> SecretStr:
    """The key without surrounding white space (warned about); control chars refused.

    Keys copied from env files and Kubernetes secrets often end in a newline, which
    no HTTP header can carry. Errors never echo the key.
    """
    value = key.get_secret_value()
    stripped = value.strip()
    if stripped != value:
        warnings.warn(
            "The API key has white space (a newline?) around it; it was removed. "
            "Check how the key is stored.",
            stacklevel=5,
        )
        key = SecretStr(stripped)
    _http.check_api_key(stripped)
    return key
