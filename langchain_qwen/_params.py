"""Qwen request parameters: one table of checks, used at construction and per call.

Every check runs before a request is sent and raises an error that names the parameter
and the allowed values. DashScope-only parameters travel as top-level JSON keys (we
send the JSON body ourselves, so no ``extra_body`` detour is needed on the wire).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CALL_PARAMS",
    "DASHSCOPE_PARAMS",
    "check_param",
    "check_params",
    "check_request",
]

_SEED_MAX = 2**31 - 1


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _number_in(
    lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False
) -> Callable[[Any], bool]:
    def ok(v: Any) -> bool:
        if not _is_number(v):
            return False
        above = v > lo if lo_open else v >= lo
        below = v < hi if hi_open else v <= hi
        return above and below

    return ok


def _int_in(lo: int, hi: int | None = None) -> Callable[[Any], bool]:
    return lambda v: _is_int(v) and v >= lo and (hi is None or v <= hi)


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _is_dict(v: Any) -> bool:
    return isinstance(v, dict)


def _stop_ok(v: Any) -> bool:
    if isinstance(v, str):
        return True
    if not isinstance(v, list | tuple):
        return False
    items = list(v)
    if all(isinstance(i, str) for i in items):
        return True
    if all(_is_int(i) and i >= 0 for i in items):
        return True
    return all(
        isinstance(i, list | tuple) and i and all(_is_int(t) and t >= 0 for t in i)
        for i in items
    )


_RESPONSE_FORMAT_TYPES = ("text", "json_object", "json_schema")


def _response_format_ok(v: Any) -> bool:
    if not isinstance(v, dict) or v.get("type") not in _RESPONSE_FORMAT_TYPES:
        return False
    if v["type"] == "json_schema":
        schema = v.get("json_schema")
        return isinstance(schema, dict) and isinstance(schema.get("name"), str)
    return True


_SEARCH_STRATEGIES = ("turbo", "max", "agent", "standard", "pro")
_SEARCH_FLAGS = (
    "forced_search",
    "enable_source",
    "enable_citation",
    "prepend_search_result",
)


def _search_options_ok(v: Any) -> bool:
    if not isinstance(v, dict):
        return False
    if any(k in v and not isinstance(v[k], bool) for k in _SEARCH_FLAGS):
        return False
    strategy = v.get("search_strategy")
    return strategy is None or strategy in _SEARCH_STRATEGIES


def _translation_options_ok(v: Any) -> bool:
    if not isinstance(v, dict) or not isinstance(v.get("target_lang"), str):
        return False
    if "source_lang" in v and not isinstance(v["source_lang"], str):
        return False
    lists = ("terms", "tm_list")
    return all(isinstance(v.get(k, []), list) for k in lists) and isinstance(
        v.get("domains", ""), str
    )


def _tool_choice_ok(v: Any) -> bool:
    return isinstance(v, str | dict)


def _model_ok(v: Any) -> bool:
    return isinstance(v, str) and bool(v.strip())


@dataclass(frozen=True)
class _Param:
    check: Callable[[Any], bool]
    allowed: str
    dashscope_only: bool = False


_TABLE: dict[str, _Param] = {
    "temperature": _Param(_number_in(0, 2, hi_open=True), "a number in [0, 2)"),
    "top_p": _Param(_number_in(0, 1, lo_open=True), "a number in (0, 1]"),
    "top_k": _Param(
        _int_in(0), "an integer >= 0 (above 100 or null disables it)", True
    ),
    "presence_penalty": _Param(_number_in(-2, 2), "a number in [-2, 2]"),
    "frequency_penalty": _Param(_number_in(-2, 2), "a number in [-2, 2]"),
    "repetition_penalty": _Param(
        _number_in(0, 2, lo_open=True), "a number in (0, 2]", True
    ),
    "n": _Param(_int_in(1, 4), "an integer from 1 to 4"),
    "max_tokens": _Param(_int_in(1), "an integer >= 1"),
    "max_completion_tokens": _Param(_int_in(1), "an integer >= 1"),
    "seed": _Param(_int_in(0, _SEED_MAX), f"an integer in [0, {_SEED_MAX}]"),
    "stop": _Param(
        _stop_ok,
        "a string, a list of strings, a list of token ids, or a list of token-id "
        "lists (strings and ids never mixed)",
    ),
    "logprobs": _Param(_is_bool, "true or false"),
    "top_logprobs": _Param(_int_in(0, 5), "an integer from 0 to 5"),
    "enable_thinking": _Param(_is_bool, "true or false", True),
    "thinking_budget": _Param(_int_in(1), "an integer > 0", True),
    "enable_search": _Param(_is_bool, "true or false", True),
    "search_options": _Param(
        _search_options_ok,
        "a dict: forced_search, enable_source, enable_citation (true/false), "
        f"search_strategy ({', '.join(_SEARCH_STRATEGIES)})",
        True,
    ),
    "response_format": _Param(
        _response_format_ok,
        "{'type': 'text'}, {'type': 'json_object'} or "
        "{'type': 'json_schema', 'json_schema': {'name': ..., 'schema': ...}}",
    ),
    "vl_high_resolution_images": _Param(_is_bool, "true or false", True),
    "translation_options": _Param(
        _translation_options_ok,
        "a dict with target_lang (a string), and optionally source_lang (a string), "
        "terms and tm_list (lists), domains (a string)",
        True,
    ),
    "modalities": _Param(
        lambda v: isinstance(v, list) and set(v) <= {"text", "audio"},
        "a list drawn from ['text', 'audio']",
    ),
    "audio": _Param(
        lambda v: _is_dict(v) and "voice" in v,
        "a dict with voice (and format, e.g. 'wav')",
    ),
    "chat_template_kwargs": _Param(_is_dict, "a dict (self-hosted vLLM/SGLang)"),
    "parallel_tool_calls": _Param(_is_bool, "true or false"),
    "incremental_output": _Param(_is_bool, "true or false", True),
    "model": _Param(_model_ok, "a non-empty model name"),
    "tool_choice": _Param(
        _tool_choice_ok,
        "'auto', 'none', 'required' or {'type': 'function', 'function': {...}}",
    ),
    "stream_options": _Param(_is_dict, "a dict such as {'include_usage': True}"),
    "extra_body": _Param(_is_dict, "a dict of extra JSON fields"),
}

# Constructor names that are aliases of table entries.
_ALIASES = {"model_name": "model", "stop_sequences": "stop"}

DASHSCOPE_PARAMS: frozenset[str] = frozenset(
    name for name, p in _TABLE.items() if p.dashscope_only
)
"""Parameters OpenAI's API does not have."""

CALL_PARAMS: frozenset[str] = frozenset(_TABLE) | {
    # OpenAI request fields that need no range check of ours.
    "tools",
    "stream",
    "user",
    "logit_bias",
}
"""Everything accepted as a per-call keyword (``invoke(..., name=value)``)."""


def check_param(name: str, value: Any) -> None:
    """Raise if ``value`` is not allowed for parameter ``name`` (None is always ok)."""
    param = _TABLE.get(name)
    if param is None or value is None or param.check(value):
        return
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    msg = f"Invalid value for `{name}`: {shown}. Allowed: {param.allowed}."
    raise ValueError(msg)


def check_params(values: Mapping[str, Any]) -> None:
    """Check every known parameter in ``values`` (aliases included)."""
    for name, value in values.items():
        check_param(_ALIASES.get(name, name), value)


def check_timeout(value: Any) -> None:
    """``timeout``: finite seconds > 0, a tuple of them, an ``httpx.Timeout``, or None.

    A number is also the deadline of a whole call (retries and waits included).
    """

    def seconds(v: Any) -> bool:  # NaN fails both comparisons
        return _is_number(v) and 0 < v < math.inf

    if value is None or seconds(value):
        return
    if isinstance(value, tuple) and all(v is None or seconds(v) for v in value):
        return
    if type(value).__name__ == "Timeout" and all(  # httpx / httpx2 Timeout objects
        v is None or seconds(v)
        for v in (value.connect, value.read, value.write, value.pool)
    ):
        return
    msg = (
        f"Invalid value for `timeout`: {value!r}. Allowed: finite seconds > 0 (the "
        "limit for the whole call, retries included), a tuple of them, an "
        "httpx.Timeout, or None."
    )
    raise ValueError(msg)


def check_unknown_kwargs(kwargs: Mapping[str, Any]) -> None:
    """Refuse per-call keywords we do not know, instead of silently sending them."""
    unknown = sorted(k for k in kwargs if k not in CALL_PARAMS)
    if unknown:
        msg = (
            f"Unknown parameter(s) {', '.join(map(repr, unknown))} for ChatQwen. "
            f"Known: {', '.join(sorted(CALL_PARAMS))}. To send a field ChatQwen does "
            "not know, pass it in extra_body={...}."
        )
        raise TypeError(msg)


def _forced_tool_choice(tool_choice: Any) -> bool:
    return tool_choice not in (None, "auto", "none")


def check_request(body: Mapping[str, Any], *, thinking: bool = False) -> None:
    """Checks that involve several parameters, on the final request body.

    Args:
        body: the request body.
        thinking: the model will think (DashScope then refuses JSON modes and
            forced tool choices).
    """
    messages = body.get("messages")
    if not messages:
        msg = "`messages` must not be empty: pass at least one message."
        raise ValueError(msg)
    tools = body.get("tools")
    n = body.get("n")
    if tools and n is not None and n > 1:
        msg = f"Invalid value for `n`: {n}. Allowed with tools: 1 (DashScope's rule)."
        raise ValueError(msg)
    if body.get("stream") and n is not None and n > 1:
        msg = (
            f"Invalid value for `n`: {n}. Allowed when streaming: 1 (a stream carries "
            "one choice; use invoke without streaming for several)."
        )
        raise ValueError(msg)
    response_format = body.get("response_format")
    if (
        thinking
        and isinstance(response_format, dict)
        and response_format.get("type") in ("json_object", "json_schema")
    ):
        msg = (
            f"`response_format` {response_format['type']!r} cannot be combined with "
            "`enable_thinking=True` on DashScope. Use enable_thinking=False for this "
            "call, or with_structured_output(method='function_calling')."
        )
        raise ValueError(msg)
    if thinking and tools and _forced_tool_choice(body.get("tool_choice")):
        msg = (
            f"`tool_choice`={body.get('tool_choice')!r} is refused by DashScope in "
            "thinking mode. Allowed with enable_thinking=True: 'auto' or 'none'. "
            "Disable thinking for this call, or bind tools with "
            "tool_choice='auto' (or ChatQwen(thinking_tool_choice='auto'))."
        )
        raise ValueError(msg)
