"""DashScope's request checks, each with the status, code and wording DashScope uses.

Wording comes from recorded traffic and error bodies quoted in public issues where
one is known (marked "real"); the rest follows the same `<400> InternalError.Algo.
InvalidParameter: ...` pattern DashScope uses for parameter errors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_qwen.testing import _models

_ALGO = "<400> InternalError.Algo.InvalidParameter: "
_ROLES = ("system", "assistant", "user", "tool", "function")

# Keys DashScope's compatible mode understands at the top level of the body. Anything
# else is ignored by DashScope; the emulator records it as "unknown".
KNOWN_KEYS = frozenset(
    {
        "model",
        "messages",
        "stream",
        "stream_options",
        "temperature",
        "top_p",
        "top_k",
        "presence_penalty",
        "frequency_penalty",
        "repetition_penalty",
        "max_tokens",
        "max_completion_tokens",
        "max_input_tokens",
        "reasoning_effort",
        "n",
        "seed",
        "stop",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "response_format",
        "logprobs",
        "top_logprobs",
        "enable_thinking",
        "thinking_budget",
        "enable_search",
        "search_options",
        "enable_code_interpreter",
        "preserve_thinking",
        "vl_high_resolution_images",
        "translation_options",
        "modalities",
        "audio",
        "user",
        "logit_bias",
    }
)

# Top-level keys only DashScope understands; self-hosted servers do not.
DASHSCOPE_ONLY_KEYS = frozenset(
    {
        "enable_thinking",
        "thinking_budget",
        "enable_search",
        "search_options",
        "enable_code_interpreter",
        "preserve_thinking",
        "vl_high_resolution_images",
        "translation_options",
        "max_input_tokens",
    }
)
# `incremental_output` and `result_format` belong to DashScope's native API, not to
# compatible mode (vendor "Deep thinking" page: they appear only in the
# `Generation.call` examples); compatible mode ignores them like any unknown key.


@dataclass(frozen=True)
class RuleError:
    """A request the server refuses.

    Attributes:
        status: HTTP status.
        code: `error.code`.
        message: `error.message`.
        type: `error.type`.
        param: `error.param`.
        gateway: Refused by the gateway before reaching the model (401/404): DashScope
            then sends no `id` in the body and no `x-dashscope-call-gateway` header.
    """

    status: int
    code: str | int | None
    message: str
    type: str = "invalid_request_error"
    param: str | None = None
    gateway: bool = False


def invalid_api_key(region: str | None) -> RuleError:
    """The 401 for a missing, wrong or other-region key (real wording)."""
    # Beijing and US answer with the Chinese help-site link (capture 31).
    zh = region is not None and region.lower() in _ZH_LINK_REGIONS
    host = "help.aliyun.com/zh" if zh else "www.alibabacloud.com/help/en"
    return RuleError(
        401,
        "invalid_api_key",
        "Incorrect API key provided. For details, see: "
        f"https://{host}/model-studio/error-code#apikey-error",
        gateway=True,
    )


_ZH_LINK_REGIONS = frozenset(
    {"cn", "beijing", "cn-beijing", "china", "us", "us-east-1", "virginia"}
)


def model_not_found(model: str) -> RuleError:
    """The 404 for an unknown model (real wording)."""
    return RuleError(
        404,
        "model_not_found",
        f"The model `{model}` does not exist or you do not have access to it.",
        gateway=True,
    )


def _bad(message: str, code: str = "invalid_parameter_error") -> RuleError:
    return RuleError(400, code, message)


def message_text(content: Any) -> str:
    """The text of a message's `content` (a string or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        parts = []
        for part in content:
            if isinstance(part, Mapping) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, str):
                parts.append(part)
        return "".join(parts)
    return ""


def thinking_enabled(body: Mapping[str, Any], model: str) -> bool:
    """Whether DashScope would think for this request."""
    flag = body.get("enable_thinking")
    if isinstance(flag, bool):
        return flag or _models.is_thinking_only(model)
    return _models.thinks_by_default(model)


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_body_shape(body: Any) -> RuleError | None:
    """The body must be a JSON object with a model and a non-empty message list."""
    if not isinstance(body, Mapping):
        return _bad(_ALGO + "The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return _bad(_ALGO + "Model not specified.", "invalid_parameter_error")
    messages = body.get("messages")
    if not isinstance(messages, list):
        return _bad(f"{json_repr(messages)} is not of type 'array' - 'messages'")
    if not messages:
        # jsonschema wording, like the real role error below.
        return _bad("[] is too short - 'messages'")
    for i, msg in enumerate(messages):
        if not isinstance(msg, Mapping):
            return _bad(f"{json_repr(msg)} is not of type 'object' - 'messages.[{i}]'")
    return None


def check_messages(messages: Sequence[Mapping[str, Any]]) -> RuleError | None:
    """Role names, system-first, a user turn, and tool results for every call."""
    for i, msg in enumerate(messages):
        role = msg.get("role")
        if role not in _ROLES:
            # Real: "developer is not one of [...] - 'messages.[0].role'".
            return _bad(f"{role} is not one of {list(_ROLES)} - 'messages.[{i}].role'")
    for i, msg in enumerate(messages):
        if msg.get("role") == "system" and i != 0:
            return _bad(_ALGO + "System message must be at the beginning.")
    if not any(m.get("role") == "user" for m in messages):
        # Real wording.
        return _bad(
            _ALGO + "The input messages do not contain elements with the role of user"
        )
    return _check_tool_results(messages)


def _check_tool_results(messages: Sequence[Mapping[str, Any]]) -> RuleError | None:
    for i, msg in enumerate(messages):
        calls = msg.get("tool_calls") if msg.get("role") == "assistant" else None
        if not calls or not isinstance(calls, list):
            continue
        wanted = {c.get("id") for c in calls if isinstance(c, Mapping)}
        j = i + 1
        while j < len(messages) and messages[j].get("role") == "tool":
            wanted.discard(messages[j].get("tool_call_id"))
            j += 1
        # A trailing assistant turn with calls is a prefix to continue, not an error.
        if wanted and j < len(messages):
            # Real wording.
            return _bad(
                _ALGO + 'An assistant message with "tool_calls" must be followed by '
                'tool messages responding to each "tool_call_id". The following '
                f"tool_call_ids did not have response messages: message[{j}].role"
            )
    return None


def check_sampling(body: Mapping[str, Any]) -> RuleError | None:
    """n, temperature, top_p, top_k, penalties, seed, stop, max_tokens, logprobs."""
    n = body.get("n")
    if n is not None:
        if not _is_int(n) or not 1 <= n <= 4:
            return _bad(_ALGO + "Range of n should be [1, 4]")
        if n > 1 and body.get("tools"):
            return _bad(_ALGO + "n must be 1 when tools are provided.")
    temperature = body.get("temperature")
    if temperature is not None and (
        not _is_number(temperature) or not 0 <= temperature < 2
    ):
        return _bad(_ALGO + "Temperature should be in [0.0, 2.0)")  # real
    top_p = body.get("top_p")
    # The vendor's compatible-mode page: "(0, 1.0)"; 1.0 (OpenAI's default) is
    # accepted in practice, 0 is outside the documented range.
    if top_p is not None and (not _is_number(top_p) or not 0 < top_p <= 1):
        return _bad(_ALGO + "Range of top_p should be (0.0, 1.0]")
    top_k = body.get("top_k")
    if top_k is not None and (not _is_int(top_k) or top_k < 0):
        return _bad(_ALGO + "Range of top_k should be [0, 2147483647]")
    for name in ("presence_penalty", "frequency_penalty"):
        value = body.get(name)
        if value is not None and (not _is_number(value) or not -2 <= value <= 2):
            return _bad(_ALGO + f"Range of {name} should be [-2.0, 2.0]")
    seed = body.get("seed")
    if seed is not None and (not _is_int(seed) or not 0 <= seed <= 2**31 - 1):
        return _bad(_ALGO + "Range of seed should be [0, 2147483647]", "invalid_value")
    max_tokens = body.get("max_tokens")
    if max_tokens is not None and (not _is_int(max_tokens) or max_tokens < 1):
        return _bad(_ALGO + "Range of max_tokens should be [1, 2147483647]")
    top_logprobs = body.get("top_logprobs")
    if top_logprobs is not None and (
        not _is_int(top_logprobs) or not 0 <= top_logprobs <= 5
    ):
        return _bad(_ALGO + "Range of top_logprobs should be [0, 5]")
    return _check_stop(body.get("stop"))


def _check_stop(stop: Any) -> RuleError | None:
    if stop is None or isinstance(stop, str):
        return None
    if not isinstance(stop, list):
        return _bad(_ALGO + "stop should be a string or an array")
    kinds = set()
    for item in stop:
        if isinstance(item, str):
            kinds.add("str")
        elif _is_int(item):
            kinds.add("int")
        elif isinstance(item, list) and all(_is_int(t) for t in item):
            kinds.add("ids")
        else:
            kinds.add("bad")
    if "bad" in kinds or len(kinds) > 1:
        return _bad(
            _ALGO + "The elements of stop must be all strings or all token ids, "
            "not a mixture."
        )
    return None


# n > 1: qwen-plus (vendor compatible-mode page) and open-source Qwen3 checkpoints
# in non-thinking mode.
_N_MODELS = re.compile(r"^(?:qwen-plus(?:-|$)|qwen3-(?:next-)?[\d.]+b)")


def supports_n(model: str) -> bool:
    """Whether DashScope answers `n` > 1 for this model (when not thinking)."""
    name = model.lower()
    return bool(_N_MODELS.match(name)) and "thinking" not in name


def _check_features(
    body: Mapping[str, Any], *, model: str, stream: bool, thinking: bool
) -> RuleError | None:
    """Code interpreter, the agent_max search strategy and `n` > 1."""
    if body.get("enable_code_interpreter") is True:
        if not thinking:
            return _bad(
                _ALGO + "enable_code_interpreter is only supported in thinking mode"
            )
        if not stream:
            return _bad(
                _ALGO + "enable_code_interpreter is only supported in stream mode"
            )
    options = body.get("search_options")
    if (
        isinstance(options, Mapping)
        and options.get("search_strategy") == "agent_max"
        and not stream
    ):
        return _bad(_ALGO + "search_strategy agent_max only supports stream mode")
    n = body.get("n")
    if isinstance(n, int) and n > 1 and (thinking or not supports_n(model)):
        return _bad(_ALGO + f"The model {model} does not support n greater than 1")
    return None


def check_modes(
    body: Mapping[str, Any],
    *,
    model: str,
    stream: bool,
    legacy_nonstream_thinking: bool,
) -> RuleError | None:
    """Thinking, JSON mode, tool_choice and stream-only rules."""
    flag = body.get("enable_thinking")
    if flag is False and _models.is_thinking_only(model):
        # Real wording.
        return _bad(
            _ALGO + "The value of the enable_thinking parameter is restricted to True."
        )
    budget = body.get("thinking_budget")
    if budget is not None and (not _is_int(budget) or budget < 1):
        return _bad(_ALGO + "thinking_budget should be greater than 0")
    if not stream and _models.is_stream_only(model):
        # Real wording, trailing space included.
        return _bad(
            "This model only support stream mode, please enable the stream "
            "parameter to access the model. "
        )
    thinking = thinking_enabled(body, model)
    if not stream and thinking and legacy_nonstream_thinking:
        # Real wording (deployments before mid-2025).
        return _bad(
            "parameter.enable_thinking must be set to false for non-streaming calls"
        )
    fmt = body.get("response_format")
    if isinstance(fmt, Mapping) and fmt.get("type") in ("json_object", "json_schema"):
        if thinking:
            return _bad(
                _ALGO + "Json mode response is not supported when enable_thinking "
                "is true"
            )
        if fmt.get("type") == "json_object" and not _mentions_json(body):
            # Real wording.
            return _bad(
                _ALGO + "'messages' must contain the word 'json' in some form, to use "
                "'response_format' of type 'json_object'."
            )
    choice = body.get("tool_choice")
    if thinking and (choice == "required" or isinstance(choice, Mapping)):
        # Real wording (capture 33).
        return _bad(
            _ALGO + "The tool_choice parameter does not support being set to "
            "required or object in thinking mode"
        )
    return _check_features(body, model=model, stream=stream, thinking=thinking)


def _mentions_json(body: Mapping[str, Any]) -> bool:
    return any(
        "json" in message_text(m.get("content")).lower()
        for m in body.get("messages", [])
        if isinstance(m, Mapping)
    )


def check_dashscope(
    body: Mapping[str, Any], *, stream: bool, legacy_nonstream_thinking: bool
) -> RuleError | None:
    """All model-level checks DashScope applies to a chat request, in order.

    Args:
        body: The parsed request body (already known to be a JSON object with a
            model and messages, see `check_body_shape`).
        stream: Whether the request streams.
        legacy_nonstream_thinking: Refuse non-streaming thinking calls, as DashScope
            did before mid-2025.

    Returns:
        The first rule the request breaks, or None.
    """
    return (
        check_messages(body["messages"])
        or check_sampling(body)
        or check_modes(
            body,
            model=body["model"],
            stream=stream,
            legacy_nonstream_thinking=legacy_nonstream_thinking,
        )
    )


def json_repr(value: Any) -> str:
    """A short Python-style repr, as jsonschema error messages use."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
