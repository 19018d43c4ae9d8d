"""The API key never shows in repr, str, dumps, tracing params, errors or logs."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from langchain_core.load import dumpd, dumps, load

from langchain_qwen import ChatQwen, DashScopeAuthenticationError
from langchain_qwen.testing import DashScopeEmulator, Reply

SECRET = "sk-super-secret-0123456789abcdef"


def _texts(llm: ChatQwen) -> list[str]:
    return [
        repr(llm),
        str(llm),
        str(llm.model_dump()),
        llm.model_dump_json(),
        dumps(llm),
        str(dumpd(llm)),
        str(llm._get_ls_params()),
        str(llm._get_invocation_params()),
        str(llm._identifying_params),
        str(llm.lc_attributes),
    ]


def test_key_absent_from_every_rendering() -> None:
    llm = ChatQwen(api_key=SECRET, region="us", model="qwen-max")
    for text in _texts(llm):
        assert SECRET not in text
    assert "DASHSCOPE_API_KEY" in dumps(llm)


def test_key_from_env_absent_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", SECRET)
    for text in _texts(ChatQwen()):
        assert SECRET not in text


def test_round_trip_through_load(monkeypatch: pytest.MonkeyPatch) -> None:
    llm = ChatQwen(api_key=SECRET, region="hongkong", model="qwen-max", temperature=0.2)
    monkeypatch.setenv("DASHSCOPE_API_KEY", SECRET)
    restored = load(
        dumpd(llm),
        valid_namespaces=["langchain_qwen"],
        allowed_objects=[ChatQwen],
        secrets_from_env=True,
    )
    assert isinstance(restored, ChatQwen)
    assert restored.openai_api_base == llm.openai_api_base
    assert restored.region == "hongkong"
    assert restored.temperature == 0.2
    assert restored.openai_api_key is not None
    assert restored.openai_api_key.get_secret_value() == SECRET


def test_ls_provider_and_lc_secrets() -> None:
    llm = ChatQwen(api_key=SECRET)
    assert llm._get_ls_params()["ls_provider"] == "dashscope"
    assert llm.lc_secrets["api_key"] == "DASHSCOPE_API_KEY"
    assert ChatQwen.get_lc_namespace() == ["langchain_qwen", "chat_models"]


def test_key_absent_from_errors_and_debug_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with DashScopeEmulator(api_key="sk-the-right-one") as emu:
        llm = ChatQwen(base_url=emu.base_url, api_key=SECRET, max_retries=0)
        emu.script(Reply.text("unused"))
        caplog.set_level(logging.DEBUG)
        for name in (
            "openai",
            "httpx",
            "httpx2",
            "httpcore",
            "httpcore2",
            "langchain_qwen",
        ):
            logging.getLogger(name).setLevel(logging.DEBUG)
        errors: list[Any] = []
        for call in (lambda: llm.invoke("x"), lambda: list(llm.stream("x"))):
            with pytest.raises(DashScopeAuthenticationError) as info:
                call()
            errors.append(info.value)
        for err in errors:
            assert SECRET not in str(err)
            assert SECRET not in repr(err)
            assert SECRET not in str(err.body)
        assert SECRET not in caplog.text
        assert len(emu.requests) == 2
