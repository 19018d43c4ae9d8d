"""The client's registry of request keys and the emulator's own rules agree.

The emulator (``langchain_qwen.testing``) is an independent peer: it imports nothing
from the client. These tests compare the two key by key, so a change on one side
only (a new key, a different placement, a different range) fails CI.
"""

from __future__ import annotations

from typing import Any

import pytest

from langchain_qwen._dialect.rules import RULES
from langchain_qwen.testing import _rules as emulator_rules

# Keys of the body that are not request parameters.
_STRUCTURAL = {"messages"}


def test_dashscope_keys_agree() -> None:
    client = {n for n, r in RULES.items() if r.place["dashscope"] == "top"}
    emulator = set(emulator_rules.KNOWN_KEYS) - _STRUCTURAL
    assert sorted(client - emulator) == [], "known to the client only"
    assert sorted(emulator - client) == [], "known to the emulator only"


def test_self_hosted_keys_agree() -> None:
    """What chat-template servers do not take at the top level."""
    client = {n for n, r in RULES.items() if r.place["chat_template"] != "top"}
    client -= {n for n, r in RULES.items() if r.place["dashscope"] != "top"}
    assert client == set(emulator_rules.DASHSCOPE_ONLY_KEYS)


def test_native_api_keys_are_not_rows() -> None:
    """Settled: DashScope's native-API keys are not compatible-mode parameters."""
    for name in ("incremental_output", "result_format"):
        assert name not in RULES
        assert name not in emulator_rules.KNOWN_KEYS
        assert name not in emulator_rules.DASHSCOPE_ONLY_KEYS


# Values on both sides of every documented boundary.
_PROBES: dict[str, list[Any]] = {
    "temperature": [0, 0.5, 1.99, 2, -0.1, "0.5", True],
    "top_p": [0, 0.0, 1e-9, 0.5, 1, 1.0, 1.01, -0.1, "0.5"],
    "top_k": [0, 1, 100, 101, -1, 1.5, True],
    "presence_penalty": [-2, -2.1, 0, 2, 2.1],
    "frequency_penalty": [-2, -2.1, 0, 2, 2.1],
    "n": [0, 1, 4, 5, 1.0],
    "seed": [-1, 0, 2**31 - 1, 2**31],
    "max_tokens": [0, 1, 8192, -5, 1.5],
    "top_logprobs": [-1, 0, 5, 6],
    "stop": ["x", ["a", "b"], [1, 2], [[1, 2], [3]], ["a", 1], 5],
}


def _emulator_accepts(name: str, value: Any) -> bool:
    body = {"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}]}
    body[name] = value
    return emulator_rules.check_sampling(body) is None


@pytest.mark.parametrize(
    ("name", "value"),
    [(name, value) for name, values in _PROBES.items() for value in values],
)
def test_value_ranges_agree(name: str, value: Any) -> None:
    assert RULES[name].check(value) == _emulator_accepts(name, value)


@pytest.mark.parametrize("value", [0, 1, 38912, -1])
def test_thinking_budget_agrees(value: int) -> None:
    body = {
        "model": "qwen-plus",
        "messages": [{"role": "user", "content": "hi"}],
        "thinking_budget": value,
    }
    emulator = emulator_rules.check_modes(
        body, model="qwen-plus", stream=True, legacy_nonstream_thinking=False
    )
    assert RULES["thinking_budget"].check(value) == (emulator is None)


def test_thinking_refusals_agree() -> None:
    """Rows refused in thinking mode are refused by the emulator too."""
    for name, value in (
        ("response_format", {"type": "json_object"}),
        ("tool_choice", "required"),
        ("tool_choice", {"type": "function", "function": {"name": "f"}}),
    ):
        refused = RULES[name].refused_thinking
        assert refused is not None
        assert refused[0](value)
        body = {
            "model": "qwen-plus",
            "messages": [{"role": "user", "content": "json please"}],
            "enable_thinking": True,
            name: value,
        }
        assert (
            emulator_rules.check_modes(
                body, model="qwen-plus", stream=True, legacy_nonstream_thinking=False
            )
            is not None
        )
