"""Tests for local Qwen token counting (needs the ``tokenizer`` extra).

The hand-written prompts below were checked against the Jinja chat template
of ``Qwen/Qwen3-*`` rendered by transformers' settings, and the ids against
Hugging Face ``tokenizers`` loaded from Qwen3's ``tokenizer.json``.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import threading
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from langchain_qwen._models import prompt as pt
from langchain_qwen._models import tokenizer as tk

pytest.importorskip("tiktoken")

try:
    tk.get_tokenizer()
except ImportError as exc:  # pragma: no cover - depends on environment
    pytest.skip(f"tokenizer extra not installed: {exc}", allow_module_level=True)


@pytest.fixture
def tok() -> tk.QwenTokenizer:
    return tk.get_tokenizer()


def _use_ranks(
    monkeypatch: pytest.MonkeyPatch, resources: tuple[tuple[str, str], ...]
) -> None:
    """Make the "qwen" vocabulary look for its ranks file in `resources` only."""
    vocab = dataclasses.replace(tk.VOCABULARIES["qwen"], resources=resources)
    monkeypatch.setattr(
        tk, "VOCABULARIES", MappingProxyType({**tk.VOCABULARIES, "qwen": vocab})
    )
    monkeypatch.setattr(tk, "_TOKENIZERS", {})


# --------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------


def test_nihao_ids(tok: tk.QwenTokenizer) -> None:
    assert tok.encode("你好啊") == [108386, 103924]
    assert tok.decode([108386, 103924]) == "你好啊"


def test_known_english_ids(tok: tk.QwenTokenizer) -> None:
    assert tok.encode("Hello, world!") == [9707, 11, 1879, 0]
    assert tok.count_tokens("Hello, world!") == 4
    assert tk.count_tokens("Hello, world!") == 4


@pytest.mark.parametrize(
    "text",
    [
        "The quick brown fox jumps over the lazy dog.",
        "通义千问是阿里云研发的大语言模型。",
        "こんにちは、世界\uff01カタカナとひらがな。",
        "Emoji 🙂👍🏽🇨🇳 and ZWJ 👩‍👩‍👧‍👦",
        "Mixed: Qwen 说 'hello' と言った 😀 123.45\n\tindented\r\nCRLF  ",
        "def f(x):\n    return x ** 2  # 平方\n",
        "",
    ],
)
def test_round_trip(tok: tk.QwenTokenizer, text: str) -> None:
    ids = tok.encode(text)
    assert all(isinstance(i, int) for i in ids)
    assert tok.decode(ids) == text


def test_nfc_normalization(tok: tk.QwenTokenizer) -> None:
    assert tok.encode("cafe\u0301") == tok.encode("caf\u00e9")


def test_decode_partial_utf8_is_replaced(tok: tk.QwenTokenizer) -> None:
    # 🫠 is several byte-level tokens; decoding a prefix must not raise.
    ids = tok.encode("🫠")
    assert len(ids) > 1
    assert "\ufffd" in tok.decode(ids[:1])


def test_vocab_size(tok: tk.QwenTokenizer) -> None:
    assert tok.n_vocab == 151643 + 26


def test_long_text_chunking_is_exact(
    tok: tk.QwenTokenizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = ("Qwen 模型 tokenizes  text,\n\nthen 1234 🙂 it's done.\t" * 60).strip()
    expected = tok.encode(text)
    monkeypatch.setattr(tk, "_MAX_CHUNK_CHARS", 50)
    chunks = tk._split_for_encoding(text)
    assert len(chunks) > 10
    assert "".join(chunks) == text
    assert tok.encode(text) == expected


def _tiktoken_version() -> tuple[int, ...]:
    from importlib.metadata import version

    return tuple(int(p) for p in version("tiktoken").split(".")[:2] if p.isdigit())


@pytest.mark.skipif(
    _tiktoken_version() < (0, 13),
    reason="tiktoken < 0.13 is quadratic on huge pieces (~50 s here)",
)
def test_very_long_whitespace_does_not_crash(tok: tk.QwenTokenizer) -> None:
    # tiktoken's regex overflows on ~1M-char pieces without chunking.
    assert tok.count_tokens(" " * 1_000_000 + "end") > 0


# --------------------------------------------------------------------------
# Special tokens
# --------------------------------------------------------------------------


def test_special_token_ids(tok: tk.QwenTokenizer) -> None:
    assert tok.endoftext_id == 151643
    assert tok.im_start_id == 151644
    assert tok.im_end_id == 151645
    assert tok.special_tokens["<tool_call>"] == 151657
    assert tok.special_tokens["</tool_call>"] == 151658
    assert tok.special_tokens["<tool_response>"] == 151665
    assert tok.special_tokens["</tool_response>"] == 151666
    assert tok.special_tokens["<think>"] == 151667
    assert tok.special_tokens["</think>"] == 151668


def test_special_tokens_encode_as_single_ids(tok: tk.QwenTokenizer) -> None:
    assert tok.encode("<|endoftext|>") == [151643]
    assert tok.encode("<|im_start|>user\nhi<|im_end|>") == [
        151644,
        872,
        198,
        6023,
        151645,
    ]
    assert tok.encode("<tool_call>") == [151657]


def test_special_tokens_as_plain_text(tok: tk.QwenTokenizer) -> None:
    ids = tok.encode("<|im_end|>", allow_special=False)
    assert len(ids) > 1
    assert 151645 not in ids
    assert tok.decode(ids) == "<|im_end|>"


def test_decode_special_tokens(tok: tk.QwenTokenizer) -> None:
    ids = [151644, *tok.encode("assistant\nok"), 151645]
    assert tok.decode(ids) == "<|im_start|>assistant\nok<|im_end|>"
    assert tok.decode(ids, skip_special_tokens=True) == "assistant\nok"


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def test_get_tokenizer_is_cached_and_thread_safe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    builds: list[int] = []
    original = tk.QwenTokenizer.from_installed_package

    def counting_build(vocabulary: str = "qwen") -> tk.QwenTokenizer:
        builds.append(1)
        return original(vocabulary)

    monkeypatch.setattr(tk, "_TOKENIZERS", {})
    monkeypatch.setattr(tk.QwenTokenizer, "from_installed_package", counting_build)
    barrier = threading.Barrier(8)
    results: list[tk.QwenTokenizer] = []

    def worker() -> None:
        barrier.wait()
        results.append(tk.get_tokenizer())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert len(results) == 8
    assert all(r is results[0] for r in results)
    assert tk.get_tokenizer() is results[0]


def test_missing_extra_raises_import_error_naming_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _use_ranks(monkeypatch, (("langchain_qwen_no_such_pkg", "qwen.tiktoken"),))
    with pytest.raises(ImportError, match=r"langchain-qwen\[tokenizer\]"):
        tk.get_tokenizer()


def _installed_ranks_file() -> Path:
    for package, resource in tk.RANKS_RESOURCES:
        spec = __import__("importlib.util").util.find_spec(package)
        for location in (spec and spec.submodule_search_locations) or ():
            path = Path(location, resource)
            if path.is_file():
                return path
    raise AssertionError("no ranks file found")  # pragma: no cover


def test_ranks_loaded_from_any_listed_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "fake_qwen_vocab_pkg"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("raise RuntimeError('must not import')\n")
    shutil.copy(_installed_ranks_file(), package / "data" / "qwen.tiktoken")
    monkeypatch.syspath_prepend(str(tmp_path))
    _use_ranks(monkeypatch, (("fake_qwen_vocab_pkg", "data/qwen.tiktoken"),))
    assert tk.get_tokenizer().encode("你好啊") == [108386, 103924]


def test_package_without_ranks_file_is_not_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "fake_old_dashscope_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('must not import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    _use_ranks(monkeypatch, (("fake_old_dashscope_pkg", "resources/qwen.tiktoken"),))
    with pytest.raises(ImportError, match=r"langchain-qwen\[tokenizer\]"):
        tk.get_tokenizer()


def test_ranks_with_wrong_hash_are_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "fake_bad_vocab_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "qwen.tiktoken").write_bytes(b"IQ== 0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    _use_ranks(monkeypatch, (("fake_bad_vocab_pkg", "qwen.tiktoken"),))
    with pytest.raises(ImportError, match="unexpected contents"):
        tk.get_tokenizer()


# --------------------------------------------------------------------------
# Chat template / message counting
# --------------------------------------------------------------------------

CONVERSATION = [
    {"role": "system", "content": "You are helpful."},
    {"role": "user", "content": "你好啊"},
    {"role": "assistant", "content": "Hi! How can I help?"},
    {"role": "user", "content": "Tell me a joke 🙂"},
]

CONVERSATION_PROMPT = (
    "<|im_start|>system\nYou are helpful.<|im_end|>\n"
    "<|im_start|>user\n你好啊<|im_end|>\n"
    "<|im_start|>assistant\nHi! How can I help?<|im_end|>\n"
    "<|im_start|>user\nTell me a joke 🙂<|im_end|>\n"
    "<|im_start|>assistant\n"
)


def test_single_user_message_golden_ids(tok: tk.QwenTokenizer) -> None:
    messages = [{"role": "user", "content": "你好啊"}]
    prompt = pt.render_chat_template(messages)
    assert prompt == "<|im_start|>user\n你好啊<|im_end|>\n<|im_start|>assistant\n"
    assert tok.encode(prompt) == [
        151644,
        872,  # user
        198,  # \n
        108386,
        103924,
        151645,
        198,
        151644,
        77091,  # assistant
        198,
    ]
    assert pt.count_message_tokens(messages) == 10


def test_conversation_count_matches_rendered_prompt(tok: tk.QwenTokenizer) -> None:
    assert pt.render_chat_template(CONVERSATION) == CONVERSATION_PROMPT
    expected = len(tok.encode(CONVERSATION_PROMPT))
    # Counting piece by piece: <|im_start|> + "{role}\n{content}" + <|im_end|>
    # + "\n" per message, then <|im_start|> + "assistant\n".
    by_pieces = sum(
        1 + len(tok.encode(f"{m['role']}\n{m['content']}")) + 1 + 1
        for m in CONVERSATION
    ) + (1 + len(tok.encode("assistant\n")))
    assert by_pieces == expected
    assert pt.count_message_tokens(CONVERSATION) == expected
    assert expected == 41


def test_generation_prompt_and_thinking_switch() -> None:
    base = pt.count_message_tokens(CONVERSATION)
    # <|im_start|> assistant \n
    assert pt.count_message_tokens(CONVERSATION, add_generation_prompt=False) == (
        base - 3
    )
    # <think> \n\n </think> \n\n
    assert pt.count_message_tokens(CONVERSATION, enable_thinking=False) == base + 4
    assert pt.count_message_tokens(CONVERSATION, enable_thinking=True) == base


def test_content_list_text_parts() -> None:
    as_parts = [
        {"role": "system", "content": [{"type": "text", "text": "You are helpful."}]},
        {"role": "user", "content": [{"type": "text", "text": "你好"}, "啊"]},
        {
            "role": "assistant",
            "content": [{"type": "text", "text": "Hi! How can I help?"}],
        },
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Tell me a joke "},
                {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
                {"type": "text", "text": "🙂"},
            ],
        },
    ]
    assert pt.render_chat_template(as_parts) == CONVERSATION_PROMPT
    assert pt.count_message_tokens(as_parts) == pt.count_message_tokens(CONVERSATION)


WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "城市"}},
            "required": ["city"],
        },
    },
}

TOOL_LOOP = [
    {"role": "system", "content": "You are helpful."},
    {"role": "user", "content": "Weather in Paris and 杭州?"},
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            },
            {
                "id": "call_2",
                "type": "function",
                "function": {"name": "get_weather", "arguments": {"city": "杭州"}},
            },
        ],
    },
    {"role": "tool", "tool_call_id": "call_1", "content": "Sunny, 21°C"},
    {"role": "tool", "tool_call_id": "call_2", "content": "小雨, 18°C"},
]

TOOL_LOOP_PROMPT = (
    "<|im_start|>system\nYou are helpful.<|im_end|>\n"
    "<|im_start|>user\nWeather in Paris and 杭州?<|im_end|>\n"
    "<|im_start|>assistant\n"
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n'
    "</tool_call>\n"
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "杭州"}}\n'
    "</tool_call><|im_end|>\n"
    "<|im_start|>user\n<tool_response>\nSunny, 21°C\n</tool_response>\n"
    "<tool_response>\n小雨, 18°C\n</tool_response><|im_end|>\n"
    "<|im_start|>assistant\n"
)


def test_tool_calls_and_responses(tok: tk.QwenTokenizer) -> None:
    assert pt.render_chat_template(TOOL_LOOP) == TOOL_LOOP_PROMPT
    expected = len(tok.encode(TOOL_LOOP_PROMPT))
    assert pt.count_message_tokens(TOOL_LOOP) == expected
    # <tool_call>, </tool_call>, <tool_response>, </tool_response> are single ids.
    ids = tok.encode(TOOL_LOOP_PROMPT)
    assert ids.count(151657) == ids.count(151658) == 2
    assert ids.count(151665) == ids.count(151666) == 2


def test_assistant_text_before_tool_call() -> None:
    messages = [
        {"role": "user", "content": "2+3?"},
        {
            "role": "assistant",
            "content": "Let me add.",
            "tool_calls": [{"name": "add", "args": {"a": 2, "b": 3}, "id": "c"}],
        },
        {"role": "tool", "content": "5"},
    ]
    prompt = pt.render_chat_template(messages, add_generation_prompt=False)
    assert prompt.endswith(
        "<|im_start|>assistant\nLet me add.\n<tool_call>\n"
        '{"name": "add", "arguments": {"a": 2, "b": 3}}\n</tool_call><|im_end|>\n'
        "<|im_start|>user\n<tool_response>\n5\n</tool_response><|im_end|>\n"
    )


def test_trailing_assistant_message_gets_empty_think_block() -> None:
    # Qwen3's template wraps a final (prefilled) assistant turn in <think>.
    messages = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hel"},
    ]
    prompt = pt.render_chat_template(messages, add_generation_prompt=False)
    assert prompt.endswith(
        "<|im_start|>assistant\n<think>\n\n</think>\n\nHel<|im_end|>\n"
    )


def test_reasoning_rendered_inside_tool_loop() -> None:
    messages = [
        {"role": "user", "content": "q"},
        {
            "role": "assistant",
            "content": "",
            "reasoning_content": "need a tool",
            "tool_calls": [{"name": "add", "args": {}, "id": "c"}],
        },
        {"role": "tool", "content": "3"},
    ]
    prompt = pt.render_chat_template(messages)
    assert "<|im_start|>assistant\n<think>\nneed a tool\n</think>\n\n" in prompt
    # Reasoning of turns before the last user query is dropped, as Qwen3 does.
    messages.append({"role": "user", "content": "thanks"})
    assert "<think>" not in pt.render_chat_template(messages)


def test_tool_schemas_in_system_prompt(tok: tk.QwenTokenizer) -> None:
    messages = CONVERSATION[:2]
    with_tools = pt.render_chat_template(messages, [WEATHER_TOOL])
    expected_system = (
        "<|im_start|>system\nYou are helpful.\n\n# Tools\n\n"
        "You may call one or more functions to assist with the user query.\n\n"
        "You are provided with function signatures within <tools></tools> XML "
        "tags:\n<tools>\n"
        + json.dumps(WEATHER_TOOL, ensure_ascii=False)
        + "\n</tools>\n\nFor each function call, return a json object with "
        "function name and arguments within <tool_call></tool_call> XML tags:\n"
        "<tool_call>\n"
        '{"name": <function-name>, "arguments": <args-json-object>}\n'
        "</tool_call><|im_end|>\n"
    )
    assert with_tools.startswith(expected_system)
    assert '"description": "城市"' in with_tools  # non-ASCII kept, not \u-escaped
    without = pt.count_message_tokens(messages)
    one_tool = pt.count_message_tokens(messages, [WEATHER_TOOL])
    assert one_tool == len(tok.encode(with_tools))
    assert one_tool > without + 50
    second = json.loads(json.dumps(WEATHER_TOOL).replace("get_weather", "get_forecast"))
    assert pt.count_message_tokens(messages, [WEATHER_TOOL, second]) > one_tool


def test_tools_without_system_message() -> None:
    prompt = pt.render_chat_template(
        [{"role": "user", "content": "hi"}], [WEATHER_TOOL]
    )
    assert prompt.startswith("<|im_start|>system\n# Tools\n\n")


def test_langchain_messages_and_tools() -> None:
    from langchain_core.messages import (
        AIMessage,
        HumanMessage,
        SystemMessage,
        ToolMessage,
    )
    from langchain_core.tools import tool
    from langchain_core.utils.function_calling import convert_to_openai_tool

    @tool
    def get_weather(city: str) -> str:
        """Get the weather for a city.

        Args:
            city: 城市
        """
        return "sunny"

    lc_messages = [
        SystemMessage("You are helpful."),
        HumanMessage("Weather in Paris?"),
        AIMessage(
            "",
            tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "c1"}],
        ),
        ToolMessage("Sunny", tool_call_id="c1"),
    ]
    dict_messages = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "arguments": '{"city": "Paris"}',
                    },
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "Sunny"},
    ]
    assert pt.render_chat_template(lc_messages) == pt.render_chat_template(
        dict_messages
    )
    with_tool = pt.count_message_tokens(lc_messages, [get_weather])
    assert with_tool == pt.count_message_tokens(
        dict_messages, [convert_to_openai_tool(get_weather)]
    )
    assert with_tool > pt.count_message_tokens(dict_messages) + 50


# --------------------------------------------------------------------------
# Stop sequences
# --------------------------------------------------------------------------


def test_stop_to_token_ids(tok: tk.QwenTokenizer) -> None:
    assert tk.stop_to_token_ids("<|im_end|>") == [[151645]]
    assert tk.stop_to_token_ids(["Observation:", " Observation:"]) == [
        [37763, 367, 25],
        [86429, 25],
    ]
    stops = ["\n\nHuman:", "你好啊", "```"]
    result = tk.stop_to_token_ids(stops)
    assert [tok.decode(ids) for ids in result] == stops
    assert result[1] == [108386, 103924]


def test_stop_to_token_ids_rejects_empty() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        tk.stop_to_token_ids(["ok", ""])
