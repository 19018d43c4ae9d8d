"""The API key never shows in repr, str, dumps, tracing params, errors or logs."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from langchain_core.load import dumpd, dumps, load

from langchain_qwen import ChatQwen, DashScopeAuthenticationError
from langchain_qwen.testing import DashScopeEmulator, Reply
from tests.ports import closed_port

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


@pytest.mark.filterwarnings(
    "ignore:The function `load` is in beta:langchain_core._api.beta_decorator.LangChainBetaWarning"
)
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


@pytest.mark.filterwarnings(
    "ignore:The function `load` is in beta:langchain_core._api.beta_decorator.LangChainBetaWarning"
)
def test_base_url_password_is_a_secret_in_dumps() -> None:
    url = "https://team:url-pass-42@proxy.example.com/compatible-mode/v1"
    llm = ChatQwen(api_key=SECRET, base_url=url, model="qwen-max")
    # model_dump() is the fields as given (the URL included), like ChatOpenAI's.
    texts = [t for i, t in enumerate(_texts(llm)) if i not in (2, 3)]
    for text in texts:
        assert "url-pass-42" not in text
    assert dumpd(llm)["kwargs"]["openai_api_base"] == {
        "lc": 1,
        "type": "secret",
        "id": ["DASHSCOPE_BASE_URL"],
    }
    restored = load(
        dumpd(llm),
        valid_namespaces=["langchain_qwen"],
        allowed_objects=[ChatQwen],
        secrets_map={"DASHSCOPE_API_KEY": SECRET, "DASHSCOPE_BASE_URL": url},
    )
    assert restored.openai_api_base == url
    # Without credentials the URL stays readable.
    plain = ChatQwen(api_key=SECRET, base_url="https://proxy.example.com/v1")
    assert dumpd(plain)["kwargs"]["openai_api_base"] == "https://proxy.example.com/v1"


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


_LOGGERS = (
    "openai",
    "httpx",
    "httpx2",
    "httpcore",
    "httpcore2",
    "langchain_qwen",
    "langchain_openai",
)


def _debug_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in _LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)


def _all_text(exc: BaseException) -> str:
    """str, repr, the formatted traceback (chained causes too), body and partial."""
    import traceback

    parts = [
        str(exc),
        repr(exc),
        "".join(traceback.format_exception(exc)),
        str(getattr(exc, "body", "")),
        repr(getattr(exc, "partial", "")),
    ]
    return "\n".join(parts)


async def test_key_absent_from_debug_logs_of_successful_calls(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with DashScopeEmulator(api_key=SECRET) as emu:
        llm = ChatQwen(base_url=emu.base_url, api_key=SECRET, max_retries=0)
        _debug_everything(caplog)
        assert llm.invoke("hi").text
        assert "".join(c.text for c in llm.stream("hi"))
        assert (await llm.ainvoke("hi")).text
        assert "".join([c.text async for c in llm.astream("hi")])
        # The key really went out, and the HTTP stack really logged at DEBUG.
        assert all(
            r.headers["authorization"] == f"Bearer {SECRET}" for r in emu.requests
        )
        assert len(emu.requests) == 4
    names = {r.name.split(".")[0] for r in caplog.records}
    assert {"httpx2", "httpcore2"} <= names or {"httpx", "httpcore"} <= names
    assert SECRET not in caplog.text
    assert SECRET[-12:] not in caplog.text


async def test_key_absent_from_debug_logs_during_retries(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from langchain_qwen._client.http import retry as _retry

    monkeypatch.setattr(_retry, "_INITIAL_BACKOFF", 0.001)
    with DashScopeEmulator(api_key=SECRET) as emu:
        llm = ChatQwen(base_url=emu.base_url, api_key=SECRET, max_retries=2)
        _debug_everything(caplog)
        for _ in range(4):
            emu.script(
                Reply.error(429, "limit_requests"),
                Reply.error(503, "ModelServingError"),
                Reply.text("ok"),
            )
        assert llm.invoke("hi").text == "ok"
        assert "".join(c.text for c in llm.stream("hi")) == "ok"
        assert (await llm.ainvoke("hi")).text == "ok"
        assert "".join([c.text async for c in llm.astream("hi")]) == "ok"
        assert len(emu.requests) == 12
    assert any("retrying request" in r.getMessage() for r in caplog.records)
    assert SECRET not in caplog.text
    assert SECRET[-12:] not in caplog.text


async def test_key_absent_from_connection_failures(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from langchain_qwen import (
        DashScopeConnectionError,
        DashScopeStreamError,
        DashScopeTimeoutError,
    )

    _debug_everything(caplog)
    errors: list[BaseException] = []
    refused = ChatQwen(
        base_url=f"http://127.0.0.1:{closed_port()}/compatible-mode/v1",
        api_key=SECRET,
        max_retries=1,
    )
    for call in (lambda: refused.invoke("x"), lambda: list(refused.stream("x"))):
        with pytest.raises(DashScopeConnectionError) as info:
            call()
        errors.append(info.value)
    with pytest.raises(DashScopeConnectionError) as info:
        await refused.ainvoke("x")
    errors.append(info.value)

    with DashScopeEmulator(api_key=SECRET) as emu:
        llm = ChatQwen(
            base_url=emu.base_url, api_key=SECRET, max_retries=0, timeout=0.3
        )
        emu.script(
            Reply.hang(5),
            Reply.text("partial answer", drop_after=3),
            Reply.reset(),
            Reply.text("partial answer", malformed_after=2),
        )
        with pytest.raises(DashScopeTimeoutError) as timeout_info:
            llm.invoke("x")
        errors.append(timeout_info.value)
        with pytest.raises(DashScopeConnectionError) as drop_info:
            [c async for c in llm.astream("x")]
        errors.append(drop_info.value)
        with pytest.raises(DashScopeConnectionError) as reset_info:
            await llm.ainvoke("x")
        errors.append(reset_info.value)
        with pytest.raises(DashScopeStreamError) as malformed_info:
            list(llm.stream("x"))
        errors.append(malformed_info.value)
    assert len(errors) == 7
    for err in errors:
        assert SECRET not in _all_text(err), type(err)
    assert SECRET not in caplog.text
