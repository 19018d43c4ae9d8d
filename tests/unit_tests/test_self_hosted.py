"""Self-hosted Qwen: vLLM, SGLang and Ollama flavors of the emulator."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage, ToolMessage
from pydantic import BaseModel, ValidationError

from langchain_qwen import ChatQwen, DashScopeBadRequestError
from langchain_qwen._dialect import dialect_for, resolve_server
from langchain_qwen.testing import DashScopeEmulator, Reply, pytest_plugin

emulator_factory = pytest_plugin.dashscope_emulator_factory

MODELS = {"vllm": "Qwen/Qwen3-8B", "sglang": "Qwen/Qwen3-8B", "ollama": "qwen3:8b"}
FLAVORS = ("vllm", "sglang", "ollama")


class GetWeather(BaseModel):
    """Get the weather in a city."""

    city: str


def _setup(factory: Any, flavor: str, **kwargs: Any) -> tuple[Any, ChatQwen]:
    emu = factory(flavor=flavor)
    params: dict[str, Any] = {
        "model": MODELS[flavor],
        "base_url": emu.base_url,
        "max_retries": 0,
        "server": flavor,
    }
    params.update(kwargs)
    return emu, ChatQwen(**params)


def _thinking_sent(flavor: str, body: dict[str, Any]) -> Any:
    if flavor == "ollama":
        return body.get("reasoning_effort")
    return (body.get("chat_template_kwargs") or {}).get("enable_thinking")


def _aggregate(chunks: list[Any]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


# -- server resolution ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (None, "dashscope"),
        ("https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "dashscope"),
        (
            "https://ws-1.ap-southeast-1.maas.aliyuncs.com/compatible-mode/v1",
            "dashscope",
        ),
        ("http://127.0.0.1:8080/compatible-mode/v1", "dashscope"),
        ("https://gateway.example.com/singapore/compatible-mode/v1", "dashscope"),
        ("http://localhost:11434/v1", "ollama"),
        ("http://localhost:8000/v1", "openai"),
        ("https://openrouter.ai/api/v1", "openai"),
    ],
)
def test_auto_server(url: str | None, expected: str) -> None:
    assert resolve_server("auto", url) == expected


def test_explicit_server_wins_and_unknown_is_refused() -> None:
    assert resolve_server("vllm", "https://dashscope.aliyuncs.com/compatible-mode/v1")
    with pytest.raises(ValueError, match="Unknown server"):
        resolve_server("tgi", None)
    with pytest.raises(ValidationError):
        ChatQwen(base_url="http://localhost:8000/v1", server="tgi")  # type: ignore[arg-type]


def test_dashscope_emulator_resolves_to_dashscope(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(enable_thinking=False, enable_search=True)
    assert llm._dialect().server == "dashscope"
    llm.invoke("hi")
    body = emulator.last_request.json
    assert body["enable_thinking"] is False
    assert body["enable_search"] is True
    assert "chat_template_kwargs" not in body


def test_adapt_payload_keeps_explicit_chat_template_kwargs() -> None:
    payload = {
        "enable_thinking": False,
        "chat_template_kwargs": {"enable_thinking": True, "custom": 1},
        "top_k": 20,
    }
    assert dialect_for("vllm").place(dict(payload)) == {
        "chat_template_kwargs": {"enable_thinking": True, "custom": 1},
        "top_k": 20,
    }
    assert dialect_for("ollama").place(
        {"reasoning_effort": "high", "enable_thinking": False}
    ) == {"reasoning_effort": "high"}


# -- invoke / stream / thinking per flavor ---------------------------------------------


@pytest.mark.parametrize("flavor", FLAVORS)
def test_invoke_thinking_off(emulator_factory: Any, flavor: str) -> None:
    emu, llm = _setup(emulator_factory, flavor, enable_thinking=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing dropped, nothing to warn about
        msg = llm.invoke("Say hi")
    assert msg.text
    assert "reasoning_content" not in msg.additional_kwargs
    body = emu.last_request.json
    assert "enable_thinking" not in body
    assert _thinking_sent(flavor, body) == ("none" if flavor == "ollama" else False)
    assert msg.usage_metadata is not None


@pytest.mark.parametrize("flavor", FLAVORS)
def test_invoke_thinking_on_reads_the_reasoning_field(
    emulator_factory: Any, flavor: str
) -> None:
    emu, llm = _setup(emulator_factory, flavor, enable_thinking=True)
    emu.script(Reply.text("42", reasoning="Let me think."))
    msg = llm.invoke("The answer?")
    assert msg.content == "42"
    assert msg.additional_kwargs["reasoning_content"] == "Let me think."
    # vLLM/SGLang: chat_template_kwargs.enable_thinking; Ollama: reasoning_effort.
    expected = "medium" if flavor == "ollama" else True
    assert _thinking_sent(flavor, emu.last_request.json) == expected


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_stream_thinking(emulator_factory: Any, flavor: str) -> None:
    emu, llm = _setup(emulator_factory, flavor, enable_thinking=True)
    emu.script(Reply.text("Forty-two is the answer.", reasoning="Deep thought."))
    chunks = [c async for c in llm.astream("The answer?")]
    assert len(chunks) > 3
    full = _aggregate(chunks)
    assert full.content == "Forty-two is the answer."
    assert full.additional_kwargs["reasoning_content"] == "Deep thought."
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    body = emu.last_request.json
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert "enable_thinking" not in body


@pytest.mark.parametrize("flavor", FLAVORS)
def test_default_thinking_is_left_to_the_server(
    emulator_factory: Any, flavor: str
) -> None:
    emu, llm = _setup(emulator_factory, flavor)
    msg = llm.invoke("hi")  # Qwen3's template thinks by default
    assert msg.additional_kwargs.get("reasoning_content")
    body = emu.last_request.json
    assert "chat_template_kwargs" not in body
    assert "reasoning_effort" not in body


# -- tools ------------------------------------------------------------------------------


@pytest.mark.parametrize("flavor", FLAVORS)
def test_tool_calls_invoke_and_stream(emulator_factory: Any, flavor: str) -> None:
    emu, llm = _setup(emulator_factory, flavor, enable_thinking=False)
    bound = llm.bind_tools([GetWeather])
    calls = [
        {"name": "GetWeather", "arguments": {"city": "杭州"}, "id": "call_1"},
        {"name": "GetWeather", "arguments": {"city": "Paris"}, "id": "call_2"},
    ]
    emu.script(Reply.tool_calls(calls), Reply.tool_calls(calls))
    msg = bound.invoke("Weather in Hangzhou and Paris?")
    assert [(c["name"], c["args"]) for c in msg.tool_calls] == [
        ("GetWeather", {"city": "杭州"}),
        ("GetWeather", {"city": "Paris"}),
    ]
    chunks = list(bound.stream("Weather in Hangzhou and Paris?"))
    full = _aggregate(chunks)
    assert [(c["name"], c["args"]) for c in full.tool_calls] == [
        ("GetWeather", {"city": "杭州"}),
        ("GetWeather", {"city": "Paris"}),
    ]
    assert len({c["id"] for c in full.tool_calls}) == 2
    assert emu.last_request.json["tools"][0]["function"]["name"] == "GetWeather"


def test_ollama_null_index_tool_deltas(emulator_factory: Any) -> None:
    emu, llm = _setup(emulator_factory, "ollama", enable_thinking=True)
    emu.script(
        Reply.tool_calls(
            [
                {"name": "GetWeather", "arguments": {"city": "A"}, "id": "call_a"},
                {"name": "GetWeather", "arguments": {"city": "B"}, "id": "call_b"},
            ],
            reasoning="Two cities, two calls.",
        )
    )
    chunks = list(llm.bind_tools([GetWeather]).stream("A and B?"))
    raw = [tc for c in chunks for tc in c.tool_call_chunks]
    assert [tc["index"] for tc in raw] == [0, 1]
    full = _aggregate(chunks)
    assert [c["id"] for c in full.tool_calls] == ["call_a", "call_b"]
    assert full.additional_kwargs["reasoning_content"] == "Two cities, two calls."
    assert emu.last_request.json["reasoning_effort"] == "medium"


@pytest.mark.parametrize("flavor", ["vllm", "sglang"])
def test_tool_result_turn(emulator_factory: Any, flavor: str) -> None:
    emu, llm = _setup(emulator_factory, flavor)
    bound = llm.bind_tools([GetWeather])
    emu.script(
        Reply.tool_calls([{"name": "GetWeather", "arguments": {"city": "X"}}]),
        Reply.text("Sunny."),
    )
    question = HumanMessage("Weather in X?")
    call = bound.invoke([question])
    answer = bound.invoke(
        [
            question,
            call,
            ToolMessage("sunny", tool_call_id=call.tool_calls[0]["id"]),
        ]
    )
    assert answer.content == "Sunny."
    sent = emu.last_request.json["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool"]


# -- DashScope-only keys -------------------------------------------------------------------


@pytest.mark.parametrize("flavor", ["vllm", "sglang"])
def test_dashscope_only_keys_dropped_with_warning(
    emulator_factory: Any, flavor: str
) -> None:
    # These flavors answer 400 extra_forbidden if any DashScope-only key arrives.
    emu, llm = _setup(
        emulator_factory,
        flavor,
        enable_thinking=True,
        thinking_budget=512,
        enable_search=True,
        search_options={"forced_search": True},
        vl_high_resolution_images=True,
        top_k=20,
    )
    with pytest.warns(UserWarning, match="Not sent to server") as record:
        msg = llm.invoke("hi", translation_options={"target_lang": "English"})
    assert msg.content
    text = str(record[0].message)
    for key in (
        "thinking_budget",
        "enable_search",
        "search_options",
        "vl_high_resolution_images",
        "translation_options",
    ):
        assert key in text
    body = emu.last_request.json
    assert emu.last_request.status == 200
    assert body["top_k"] == 20  # vLLM and SGLang take top_k
    assert body["chat_template_kwargs"] == {"enable_thinking": True}
    assert emu.last_request.unknown_keys == ("chat_template_kwargs",)


def test_ollama_drops_top_k_with_warning(emulator_factory: Any) -> None:
    emu, llm = _setup(emulator_factory, "ollama", top_k=20, enable_thinking=False)
    with pytest.warns(UserWarning, match="top_k"):
        llm.invoke("hi")
    body = emu.last_request.json
    assert "top_k" not in body
    assert body["reasoning_effort"] == "none"


def test_generic_openai_server_uses_chat_template_kwargs(
    emulator_factory: Any,
) -> None:
    emu = emulator_factory(flavor="vllm")
    llm = ChatQwen(
        model="Qwen/Qwen3-8B",
        base_url=emu.base_url,
        enable_thinking=False,
        max_retries=0,
    )
    assert llm._dialect().server == "openai"  # port is not 11434, path is /v1
    llm.invoke("hi")
    assert emu.last_request.json["chat_template_kwargs"] == {"enable_thinking": False}


def test_without_translation_vllm_refuses_dashscope_keys(emulator_factory: Any) -> None:
    # What the adaptation prevents: DashScope's body sent as is.
    emu, llm = _setup(emulator_factory, "vllm", enable_thinking=False)
    llm_raw = ChatQwen(
        model="Qwen/Qwen3-8B",
        base_url=emu.base_url,
        enable_thinking=False,
        server="dashscope",
        max_retries=0,
    )
    with pytest.raises(DashScopeBadRequestError, match="extra_forbidden"):
        llm_raw.invoke("hi")
    assert llm.invoke("hi").content


def test_structured_output_json_mode_turns_thinking_off(emulator_factory: Any) -> None:
    emu, llm = _setup(emulator_factory, "vllm")
    structured = llm.with_structured_output(GetWeather, method="json_mode")
    emu.script(Reply.text('{"city": "Hangzhou"}'))
    assert structured.invoke("Weather in Hangzhou, as JSON") == GetWeather(
        city="Hangzhou"
    )
    body = emu.last_request.json
    assert body["response_format"] == {"type": "json_object"}
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
