"""DashScope's thinking rules: when a request thinks, and what thinking refuses.

DashScope refuses two things while a model thinks (HTTP 400): a forced
``tool_choice`` (``"required"`` or a named function) and a JSON ``response_format``
(``json_object``, ``json_schema``). Qwen3.5 and later hybrid models think by
default, QwQ/QVQ/``-thinking`` models always do, so ChatQwen settles the conflict
before sending, by the request's *thinking state*:

=============  =================================  ====================================
state          ``with_structured_output``         other requests (``bind_tools``,
                                                  agents' tool and provider
                                                  strategies), DashScope only
=============  =================================  ====================================
``off``        hybrid models: ``enable_thinking:  as asked
               false`` sent for the call
``default``    the same                           ``enable_thinking: false`` is sent
(hybrid, on                                       for that request: a default the
by default)                                       user never asked for yields
``on``         the same, unless                   kept; ``thinking_tool_choice=
(asked for)    ``enable_thinking=True`` is given  "auto"`` (default) sends
               to ``with_structured_output``      ``tool_choice="auto"`` and asks for
               (then as ``always``)               JSON in a system instruction, with a
                                                  warning; ``"raise"`` refuses
``always``     ``function_calling``: tool choice  as ``on``
(QwQ, QVQ,     ``"auto"``; JSON methods: the
``-thinking``) schema in a system instruction;
               both validated, retried once
=============  =================================  ====================================

Partial mode (an assistant message with ``partial: true`` last) works without
thinking only: a default yields, asked-for thinking is refused. The instance's
``profile["structured_output"]`` (what agents read to pick their provider strategy)
is true only when a JSON-schema ``response_format`` is honoured as sent: the model
supports it and the instance does not insist on thinking.
"""

from __future__ import annotations

import json
import warnings
from typing import TYPE_CHECKING, Any, Literal

from langchain_qwen._dialect.rules import THINKING, refused_while_thinking
from langchain_qwen._dialect.tools import add_system_instruction
from langchain_qwen._models.profiles import get_qwen_traits

if TYPE_CHECKING:
    from langchain_core.language_models import ModelProfile

__all__ = [
    "ThinkingState",
    "instance_profile",
    "json_instruction",
    "settle_partial",
    "settle_thinking",
    "structured_output_thinking",
    "thinking_on",
    "thinking_state",
]

ThinkingState = Literal["off", "default", "on", "always"]
"""Whether a request thinks, and who decided: see the module docstring."""


def thinking_state(model: str, enable_thinking: Any) -> ThinkingState:
    """The thinking state of a request to ``model`` with this ``enable_thinking``."""
    mode = get_qwen_traits(model)["thinking"]
    if mode == "always":
        return "always"
    if mode == "never":
        return "off"
    if enable_thinking is None:
        return "default" if mode == "hybrid_default_on" else "off"
    return "on" if enable_thinking else "off"


def thinking_on(flag: Any, model: str) -> bool:
    """Whether DashScope thinks: the explicit switch, else the model's default."""
    if flag is not None:
        return bool(flag)
    return get_qwen_traits(model)["thinking"] in ("always", "hybrid_default_on")


def structured_output_thinking(
    model: str, kwargs: dict[str, Any], instance_flag: bool | None
) -> bool:
    """Whether ``with_structured_output`` thinks; sets ``enable_thinking`` in kwargs.

    A hybrid model gets ``enable_thinking=False`` for the call unless the call
    gives the switch itself: said explicitly on every server (a chat template
    forced into JSON from its first token has no room to think), whatever the
    model does by default. A switch given in ``kwargs`` wins and is kept.
    """
    hybrid = get_qwen_traits(model)["thinking"] in ("hybrid", "hybrid_default_on")
    if hybrid and THINKING not in kwargs:
        kwargs[THINKING] = False
        return False
    return thinking_state(model, kwargs.get(THINKING, instance_flag)) in (
        "on",
        "always",
    )


def json_instruction(schema: dict[str, Any] | None) -> str:
    """The system instruction that asks for JSON when ``response_format`` can't."""
    if schema is None:
        return "Reply with only a JSON object: no code fences, no other text."
    shown = json.dumps(schema, ensure_ascii=False, separators=(",", ":"))
    return (
        "Reply with only a JSON object that matches this JSON schema (no code "
        f"fences, no other text): {shown}"
    )


def _schema_of(response_format: dict[str, Any]) -> dict[str, Any] | None:
    spec = response_format.get("json_schema")
    return spec.get("schema") if isinstance(spec, dict) else None


def settle_thinking(
    payload: dict[str, Any], *, policy: Literal["raise", "auto"]
) -> None:
    """Make a DashScope request body acceptable to DashScope's thinking rules.

    Args:
        payload: the request body, changed in place.
        policy: ``thinking_tool_choice``: with thinking asked for or always on,
            ``"auto"`` sends ``tool_choice="auto"`` and JSON as a system
            instruction (with a warning); ``"raise"`` leaves the body as it is for
            the request checks to refuse with a clear error.
    """
    # What thinking refuses is the registry's rule (rules.RULES).
    response_format = payload.get("response_format")
    json_format = refused_while_thinking("response_format", response_format)
    forced = bool(payload.get("tools")) and refused_while_thinking(
        "tool_choice", payload.get("tool_choice")
    )
    if not (json_format or forced):
        return
    state = thinking_state(str(payload.get("model") or ""), payload.get(THINKING))
    if state == "default":
        payload[THINKING] = False  # the model's default yields
        return
    if state == "off" or policy == "raise":
        return
    why = "asked for" if state == "on" else "always on for this model"
    if forced:
        warnings.warn(
            f"tool_choice={payload['tool_choice']!r} is refused by DashScope while "
            f"thinking ({why}); sending tool_choice='auto' "
            "(thinking_tool_choice='auto'). The model may answer without a tool call.",
            UserWarning,
            stacklevel=2,
        )
        payload["tool_choice"] = "auto"
    if json_format:
        assert isinstance(response_format, dict)
        warnings.warn(
            f"response_format {response_format['type']!r} is refused by DashScope "
            f"while thinking ({why}); asking for JSON in a system instruction instead "
            "(thinking_tool_choice='auto').",
            UserWarning,
            stacklevel=2,
        )
        del payload["response_format"]
        add_system_instruction(
            payload["messages"], json_instruction(_schema_of(response_format))
        )


def settle_partial(payload: dict[str, Any]) -> None:
    """Partial mode without thinking: a default yields, asked-for thinking refused."""
    if not payload["messages"][-1].get("partial"):
        return
    model = str(payload["model"])
    default_on = get_qwen_traits(model)["thinking"] == "hybrid_default_on"
    if payload.get(THINKING) is None and default_on:
        payload[THINKING] = False
    if thinking_on(payload.get(THINKING), model):
        msg = (
            "Partial mode (an AIMessage with additional_kwargs['partial']=True "
            "last) works without thinking only: set enable_thinking=False."
        )
        raise ValueError(msg)


def instance_profile(
    profile: ModelProfile | None, model: str, enable_thinking: bool | None
) -> ModelProfile | None:
    """``profile`` with ``structured_output`` true to this instance's thinking."""
    if profile is None:
        return None
    native = (
        bool(profile.get("structured_output")) and get_qwen_traits(model)["json_schema"]
    )
    profile["structured_output"] = native and thinking_state(
        model, enable_thinking
    ) not in ("on", "always")
    return profile
