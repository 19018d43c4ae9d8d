"""The one registry of request keys: what DashScope (and each self-hosted kind) takes.

One :class:`Rule` per request key: its check and allowed-values text, where it goes in
the body for each server family, whether it may be passed per call, and its rules
(stream only, needs thinking, refused while thinking, rules involving other keys).
Validation at construction and per call, ``ChatQwen._default_params``, the per-call
allow-list and the self-hosted adaptation all read this table; no other client
module lists a DashScope key. Adding a parameter is adding one row (and, if it is a
constructor setting, one ``ChatQwen`` field of the same name).

Server families: ``"dashscope"``; ``"chat_template"`` (vLLM, SGLang and any
OpenAI-compatible server running Qwen's chat template); ``"ollama"``. Placements:

- ``"top"``: a top-level JSON key (we send the body ourselves: no ``extra_body``).
- ``"template"``: inside ``chat_template_kwargs`` (explicit ``chat_template_kwargs``
  win).
- ``"effort"``: Ollama's ``reasoning_effort`` (``"none"`` turns thinking off).
- ``"drop"``: not sent, with a warning naming the key and :attr:`Rule.why`.

Sources (checked with the vendor pages; see the closing note of issue 10):
``top_p`` is ``(0, 1.0)`` on the vendor's compatible-mode page (1.0, OpenAI's default,
is accepted in practice); ``top_k`` ``>= 0``, ``None`` or ``> 100`` disables it;
``enable_code_interpreter`` needs thinking and streaming (vendor page "Code
interpreter"); ``preserve_thinking`` (Qwen3.6+) keeps earlier turns' reasoning, a
top-level key on DashScope and a chat-template option on vLLM/SGLang (Qwen3.6 model
card); ``search_strategy="agent_max"`` (search plus full-page reading, vendor page
"Web search") is answered on streams only; ``n`` > 1 only on models that support it
(vendor compatible-mode page: qwen-plus; open-source Qwen3 in non-thinking mode),
never with tools, on a stream or while thinking; ``incremental_output`` and
``result_format`` belong to DashScope's native API, not to compatible mode (streams
are always incremental there), so they are not rows: send them through
``extra_body`` if a gateway wants them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from langchain_qwen._models.profiles import get_qwen_traits

__all__ = [
    "CALL_KEYS",
    "FIELD_KEYS",
    "RULES",
    "THINKING",
    "Family",
    "Placement",
    "Rule",
    "check_body",
    "check_call_kwargs",
    "check_timeout",
    "check_value",
    "check_values",
    "default_params",
    "needs_stream",
    "refused_while_thinking",
]

Family = Literal["dashscope", "chat_template", "ollama"]
Placement = Literal["top", "template", "effort", "drop"]

_SEED_MAX = 2**31 - 1


# -- value checks ---------------------------------------------------------------------
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


def _is_list(v: Any) -> bool:
    return isinstance(v, list)


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


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


SEARCH_STRATEGIES = ("turbo", "max", "agent", "agent_max", "standard", "pro")
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
    return strategy is None or strategy in SEARCH_STRATEGIES


def _agent_max(v: Any) -> bool:
    return isinstance(v, dict) and v.get("search_strategy") == "agent_max"


def _translation_options_ok(v: Any) -> bool:
    if not isinstance(v, dict) or not isinstance(v.get("target_lang"), str):
        return False
    if "source_lang" in v and not isinstance(v["source_lang"], str):
        return False
    lists = ("terms", "tm_list")
    return all(isinstance(v.get(k, []), list) for k in lists) and isinstance(
        v.get("domains", ""), str
    )


def _model_ok(v: Any) -> bool:
    return isinstance(v, str) and bool(v.strip())


# -- rules that involve the rest of the request ---------------------------------------
def _json_mode(v: Any) -> bool:
    return isinstance(v, dict) and v.get("type") in ("json_object", "json_schema")


def _forced_choice(v: Any) -> bool:
    return v not in (None, "auto", "none")


def _n_with(v: Any, body: Mapping[str, Any]) -> str | None:
    if not _is_int(v) or v <= 1:
        return None
    if body.get("tools"):
        return f"Invalid value for `n`: {v}. Allowed with tools: 1 (DashScope's rule)."
    if body.get("stream"):
        return (
            f"Invalid value for `n`: {v}. Allowed when streaming: 1 (a stream carries "
            "one choice). For several, call generate() without streaming: "
            "result.generations[0] holds every choice (invoke returns the first)."
        )
    return None


def _n_on_dashscope(v: Any, body: Mapping[str, Any], thinking: bool) -> str | None:
    if not _is_int(v) or v <= 1:
        return None
    model = str(body.get("model"))
    if not get_qwen_traits(model)["supports_n"]:
        return (
            f"Invalid value for `n`: {v}. DashScope answers n > 1 only on models "
            f"that support it (qwen-plus, open-source Qwen3); {model!r} gives 1 "
            "answer: call it several times instead."
        )
    if thinking:
        return (
            f"Invalid value for `n`: {v}. Allowed while thinking: 1 (set "
            "enable_thinking=False for several answers)."
        )
    return None


# -- the registry ---------------------------------------------------------------------
def _place(
    dashscope: Placement, chat_template: Placement, ollama: Placement
) -> dict[Family, Placement]:
    return {"dashscope": dashscope, "chat_template": chat_template, "ollama": ollama}


_EVERYWHERE = _place("top", "top", "top")
_DASHSCOPE_ONLY = _place("top", "drop", "drop")
_NOT_OLLAMA = _place("top", "top", "drop")


@dataclass(frozen=True)
class Rule:
    """One request key.

    Attributes:
        name: The JSON key (and the ``ChatQwen`` field, when :attr:`field`).
        check: Whether a (non-None) value is allowed.
        allowed: The allowed values, as error messages say them.
        place: Where the key goes, per server family.
        why: Why a family drops it (shown in the warning).
        field: A ``ChatQwen`` field of ours that ``_default_params`` sends when set
            (inherited ``BaseChatOpenAI`` fields are sent by the parent).
        per_call: Accepted as a per-call keyword (``invoke(..., name=value)``).
        stream_only: DashScope answers it only on streams (invoke streams for it):
            always, or for the values a predicate picks.
        needs_thinking: DashScope takes it only in thinking mode.
        refused_thinking: Values DashScope refuses in thinking mode, and the error.
        with_body: A rule involving other keys: the error text, or None.
        on_dashscope: A DashScope rule involving the model or the thinking state
            ``(value, body, thinking)``: the error text, or None.
        not_on_responses: Why DashScope's Responses API does not take it (refused
            before sending there); empty when it does.
    """

    name: str
    check: Callable[[Any], bool]
    allowed: str
    place: Mapping[Family, Placement] = field(default_factory=lambda: _EVERYWHERE)
    why: str = ""
    field: bool = False
    per_call: bool = True
    stream_only: bool | Callable[[Any], bool] = False
    needs_thinking: bool = False
    refused_thinking: tuple[Callable[[Any], bool], str] | None = None
    with_body: Callable[[Any, Mapping[str, Any]], str | None] | None = None
    on_dashscope: Callable[[Any, Mapping[str, Any], bool], str | None] | None = None
    not_on_responses: str = ""

    def streams(self, value: Any) -> bool:
        """Whether DashScope answers ``value`` of this key on streams only."""
        only = self.stream_only
        return bool(value) and (only(value) if callable(only) else only)


_WEB_SEARCH = "web search is a DashScope service"

RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("model", _model_ok, "a non-empty model name"),
        Rule("temperature", _number_in(0, 2, hi_open=True), "a number in [0, 2)"),
        Rule("top_p", _number_in(0, 1, lo_open=True), "a number in (0, 1]"),
        Rule(
            "top_k",
            _int_in(0),
            "an integer >= 0 (above 100 or null disables it)",
            _NOT_OLLAMA,
            "Ollama's OpenAI-compatible API has no top_k",
            field=True,
        ),
        Rule("presence_penalty", _number_in(-2, 2), "a number in [-2, 2]"),
        Rule("frequency_penalty", _number_in(-2, 2), "a number in [-2, 2]"),
        Rule(
            "repetition_penalty",
            _number_in(0, 2, lo_open=True),
            "a number in (0, 2]",
            _NOT_OLLAMA,
            "Ollama's OpenAI-compatible API has no repetition_penalty",
        ),
        Rule(
            "n",
            _int_in(1, 4),
            "an integer from 1 to 4",
            with_body=_n_with,
            on_dashscope=_n_on_dashscope,
        ),
        Rule("max_tokens", _int_in(1), "an integer >= 1"),
        Rule(
            "max_input_tokens",
            _int_in(1),
            "an integer >= 1",
            _DASHSCOPE_ONLY,
            "a DashScope context-window option",
        ),
        Rule("max_completion_tokens", _int_in(1), "an integer >= 1"),
        Rule("seed", _int_in(0, _SEED_MAX), f"an integer in [0, {_SEED_MAX}]"),
        Rule(
            "stop",
            _stop_ok,
            "a string, a list of strings, a list of token ids, or a list of token-id "
            "lists (strings and ids never mixed)",
        ),
        Rule("logprobs", _is_bool, "true or false"),
        Rule("top_logprobs", _int_in(0, 5), "an integer from 0 to 5"),
        Rule("logit_bias", _is_dict, "a dict of token id -> bias"),
        Rule("user", _is_str, "a string"),
        Rule(
            "enable_thinking",
            _is_bool,
            "true or false",
            _place("top", "template", "effort"),
            field=True,
        ),
        Rule(
            "thinking_budget",
            _int_in(1),
            "an integer > 0",
            _DASHSCOPE_ONLY,
            "Qwen's chat template has no thinking budget",
            field=True,
        ),
        Rule(
            "enable_search",
            _is_bool,
            "true or false",
            _DASHSCOPE_ONLY,
            _WEB_SEARCH,
            field=True,
        ),
        Rule(
            "search_options",
            _search_options_ok,
            "a dict: forced_search, enable_source, enable_citation (true/false), "
            f"search_strategy ({', '.join(SEARCH_STRATEGIES)})",
            _DASHSCOPE_ONLY,
            _WEB_SEARCH,
            field=True,
            stream_only=_agent_max,
        ),
        Rule(
            "enable_code_interpreter",
            _is_bool,
            "true or false",
            _DASHSCOPE_ONLY,
            "a DashScope tool",
            field=True,
            stream_only=True,
            needs_thinking=True,
        ),
        Rule(
            "preserve_thinking",
            _is_bool,
            "true or false",
            _place("top", "template", "drop"),
            "Ollama's OpenAI-compatible API takes no chat-template options",
            field=True,
        ),
        Rule(
            "response_format",
            _response_format_ok,
            "{'type': 'text'}, {'type': 'json_object'} or "
            "{'type': 'json_schema', 'json_schema': {'name': ..., 'schema': ...}}",
            field=True,
            refused_thinking=(
                _json_mode,
                "`response_format` {value} cannot be combined with thinking on "
                "DashScope. Use enable_thinking=False for this call, or "
                "with_structured_output(method='function_calling').",
            ),
        ),
        Rule(
            "vl_high_resolution_images",
            _is_bool,
            "true or false",
            _DASHSCOPE_ONLY,
            "a DashScope image-resizing option",
            field=True,
        ),
        Rule(
            "translation_options",
            _translation_options_ok,
            "a dict with target_lang (a string), and optionally source_lang (a "
            "string), terms and tm_list (lists), domains (a string)",
            _DASHSCOPE_ONLY,
            "a DashScope qwen-mt option",
            field=True,
        ),
        Rule(
            "modalities",
            lambda v: isinstance(v, list) and set(v) <= {"text", "audio"},
            "a list drawn from ['text', 'audio']",
            field=True,
        ),
        Rule(
            "audio",
            lambda v: _is_dict(v) and "voice" in v,
            "a dict with voice (and format, e.g. 'wav')",
            field=True,
        ),
        Rule(
            "chat_template_kwargs",
            _is_dict,
            "a dict (self-hosted vLLM/SGLang)",
            _place("drop", "top", "drop"),
            "a chat-template option of self-hosted vLLM/SGLang",
        ),
        Rule(
            "reasoning_effort",
            _is_str,
            "a string such as 'low', 'medium', 'high' or 'none'",
        ),
        Rule("parallel_tool_calls", _is_bool, "true or false"),
        Rule(
            "tool_choice",
            lambda v: isinstance(v, str | dict),
            "'auto', 'none', 'required' or {'type': 'function', 'function': {...}}",
            refused_thinking=(
                _forced_choice,
                "`tool_choice`={value} is refused by DashScope in thinking mode. "
                "Allowed with thinking: 'auto' or 'none'. Disable thinking for this "
                "call, or bind tools with tool_choice='auto' (or "
                "ChatQwen(thinking_tool_choice='auto')).",
            ),
        ),
        Rule("tools", _is_list, "a list of tool definitions"),
        Rule("stream", _is_bool, "true or false"),
        Rule("stream_options", _is_dict, "a dict such as {'include_usage': True}"),
    )
}
"""Every request key ChatQwen knows, by name."""

_WEB_SEARCH_TOOL = (
    "bind the built-in tool instead: bind_tools([{'type': 'web_search'}])"
)
_LOGPROBS = "the Responses API does not return log probabilities here"
_OMNI = "audio output is a Chat Completions feature (Qwen-Omni)"
# The Responses API column of the rows above (issue 13), set here to keep rows short.
for _name, _why in {
    "thinking_budget": "DashScope's Responses API does not accept it; use "
    "reasoning={'effort': ...} or enable_thinking",
    "stop": "the Responses API has no stop sequences",
    "enable_search": _WEB_SEARCH_TOOL,
    "search_options": _WEB_SEARCH_TOOL,
    "n": "the Responses API returns one answer",
    "logprobs": _LOGPROBS,
    "top_logprobs": _LOGPROBS,
    "modalities": _OMNI,
    "audio": _OMNI,
    "translation_options": "qwen-mt models use Chat Completions",
    "enable_code_interpreter": "bind the built-in tool instead: "
    "bind_tools([{'type': 'code_interpreter'}])",
    "preserve_thinking": "a Chat Completions setting; on the Responses API a "
    "stored conversation (previous_response_id) keeps the context",
}.items():
    RULES[_name] = replace(RULES[_name], not_on_responses=_why)

THINKING = RULES["enable_thinking"].name
"""The thinking switch (DashScope's key; the dialects place it per server)."""

FIELD_KEYS: tuple[str, ...] = tuple(n for n, r in RULES.items() if r.field)
"""ChatQwen's own fields that go into the body when set."""


def default_params(params: dict[str, Any], settings: Any) -> dict[str, Any]:
    """The parent's default params plus our fields that are set.

    ``settings`` is a ChatQwen (only read). ``extra_body`` is left out (the dialect
    merges it key by key); ``stream`` only when true.
    """
    params.pop("extra_body", None)
    if not params.get("stream"):
        params.pop("stream", None)
    for name in FIELD_KEYS:
        if (value := getattr(settings, name)) is not None:
            params[name] = value
    return params


# Per-call keywords that are not body keys: handled by ChatQwen itself.
_CALL_ONLY = frozenset({"extra_body"})
CALL_KEYS: frozenset[str] = (
    frozenset(n for n, r in RULES.items() if r.per_call) | _CALL_ONLY
)
"""Everything accepted as a per-call keyword (``invoke(..., name=value)``)."""

# Constructor names that are aliases of rows.
_ALIASES = {"model_name": "model", "stop_sequences": "stop"}


# -- checks ---------------------------------------------------------------------------
def _refuse(name: str, value: Any, allowed: str) -> None:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    msg = f"Invalid value for `{name}`: {shown}. Allowed: {allowed}."
    raise ValueError(msg)


def check_value(name: str, value: Any) -> None:
    """Raise if ``value`` is not allowed for key ``name`` (None is always ok)."""
    if name == "extra_body":
        if value is not None and not _is_dict(value):
            _refuse(name, value, "a dict of extra JSON fields")
        return
    rule = RULES.get(_ALIASES.get(name, name))
    if rule is None or value is None or rule.check(value):
        return
    _refuse(name, value, rule.allowed)


def check_values(values: Mapping[str, Any]) -> None:
    """Check every known key in ``values`` (constructor aliases included)."""
    for name, value in values.items():
        check_value(name, value)


def check_call_kwargs(kwargs: Mapping[str, Any]) -> None:
    """Refuse per-call keywords that are unknown or not allowed per call."""
    unknown = sorted(k for k in kwargs if k not in CALL_KEYS)
    if unknown:
        msg = (
            f"Unknown parameter(s) {', '.join(map(repr, unknown))} for ChatQwen. "
            f"Known: {', '.join(sorted(CALL_KEYS))}. To send a field ChatQwen does "
            "not know, pass it in extra_body={...}."
        )
        raise TypeError(msg)
    check_value("extra_body", kwargs.get("extra_body"))


def _seconds(value: Any) -> bool:
    return _is_number(value) and 0 < value < math.inf  # NaN fails both


def check_timeout(value: Any) -> None:
    """``timeout``: finite seconds > 0, a tuple of them, an ``httpx.Timeout``, or None.

    A number is also the deadline of a whole call (retries and waits included).
    """
    if value is None or _seconds(value):
        return
    if isinstance(value, tuple) and all(v is None or _seconds(v) for v in value):
        return
    if type(value).__name__ == "Timeout" and all(  # httpx / httpx2 Timeout objects
        v is None or _seconds(v)
        for v in (value.connect, value.read, value.write, value.pool)
    ):
        return
    _refuse(
        "timeout",
        value,
        "finite seconds > 0 (the limit for the whole call, retries included), a "
        "tuple of them, an httpx.Timeout, or None",
    )


def needs_stream(values: Mapping[str, Any]) -> bool:
    """Whether a stream-only key is set (truthy) in ``values``."""
    return any(
        rule.streams(values.get(name)) for name, rule in RULES.items() if name in values
    )


def refused_while_thinking(name: str, value: Any) -> bool:
    """Whether DashScope refuses ``value`` of key ``name`` while the model thinks."""
    refused = RULES[name].refused_thinking
    return refused is not None and refused[0](value)


def check_body(body: Mapping[str, Any], *, thinking: bool | None) -> None:
    """Check a whole request body: values, and the rules involving other keys.

    Args:
        body: the request body, before placement for the server family.
        thinking: whether DashScope will think for it (None: the server has no
            thinking rules, as for self-hosted servers).
    """
    if not body.get("messages"):
        msg = "`messages` must not be empty: pass at least one message."
        raise ValueError(msg)
    for name, value in body.items():
        rule = RULES.get(name)
        if rule is None or value is None:
            continue
        if not rule.check(value):
            _refuse(name, value, rule.allowed)
        if rule.with_body is not None and (error := rule.with_body(value, body)):
            raise ValueError(error)
        if thinking is None or not value:
            continue
        if rule.on_dashscope is not None and (
            error := rule.on_dashscope(value, body, thinking)
        ):
            raise ValueError(error)
        if rule.streams(value) and not body.get("stream"):
            msg = f"`{name}` works on streams only: use stream() or streaming=True."
            raise ValueError(msg)
        if rule.needs_thinking and not thinking:
            msg = f"`{name}` needs thinking mode: set enable_thinking=True."
            raise ValueError(msg)
        refused = rule.refused_thinking
        if thinking and refused is not None and refused[0](value):
            shown = (
                value.get("type")
                if isinstance(value, dict) and name != "tool_choice"
                else value
            )
            raise ValueError(refused[1].format(value=repr(shown)))
