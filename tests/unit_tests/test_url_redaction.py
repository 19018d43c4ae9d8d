"""No credential of a URL shows anywhere a URL is shown.

A URL can carry a credential in several forms: ``user:password@``, a bare
``token@`` (the user name *is* the token), ``:password@``, percent-encoded
characters, an ``@`` inside the password, and a key in the query string
(``?key=``, ``api_key=``, ``access_token=``). Each form is checked in every place
the package shows a URL: ``redact``/``redact_url``, reprs, warnings, bad-input
errors, API and connection errors, retry logs, the doctor's report and Batch errors.
"""

from __future__ import annotations

import json
import logging
import socket
import warnings
from collections.abc import Callable
from typing import Any

import pytest

from langchain_qwen import (
    ChatQwen,
    DashScopeAPIError,
    DashScopeConnectionError,
)
from langchain_qwen._client.errors import DashScopeBatchError
from langchain_qwen._client.redact import redact, redact_url
from langchain_qwen.testing import DashScopeEmulator, Reply

DASHSCOPE = "dashscope-intl.aliyuncs.com"
PATH = "/compatible-mode/v1"

# (form, netloc credentials or "", query or "", the secret parts that must not show)
FORMS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("user-password", "team:pw-SECRET-a@", "", ("pw-SECRET-a",)),
    ("user-only-token", "tok-SECRET-b@", "", ("tok-SECRET-b",)),
    ("password-only", ":pw-SECRET-c@", "", ("pw-SECRET-c",)),
    (
        "percent-encoded",
        "te%40m:p%40ss%3A-SECRET-d@",
        "",
        ("SECRET-d", "p%40ss", "p@ss"),
    ),
    ("at-in-password", "team:p@ss-SECRET-e@", "", ("SECRET-e", "ss-SECRET")),
    ("query-key", "", "?key=SECRET-f", ("SECRET-f",)),
    ("query-api-key", "", "?region=x&api_key=SECRET-g", ("SECRET-g",)),
    ("query-access-token", "", "?access_token=SECRET-h&v=1", ("SECRET-h",)),
    ("query-upper-case", "", "?API_KEY=SECRET-i", ("SECRET-i",)),
    (
        "password-and-query",
        "u:pw-SECRET-j@",
        "?api_key=SECRET-k",
        ("SECRET-j", "SECRET-k"),
    ),
]
FORM_IDS = [f[0] for f in FORMS]


def _url(form: tuple[str, str, str, tuple[str, ...]], host: str, scheme: str) -> str:
    _, creds, query, _ = form
    return f"{scheme}://{creds}{host}{PATH}{query}"


def _assert_hidden(text: str, form: tuple[str, str, str, tuple[str, ...]]) -> None:
    assert text, "nothing was shown: the check would pass vacuously"
    for secret in form[3]:
        assert secret not in text, f"{form[0]}: {secret!r} shown in {text!r}"


def _logs(caplog: pytest.LogCaptureFixture, form: Any) -> str:
    """Log text to check: every logger for user info (ChatQwen moves it into a
    header, so httpx never logs it); for a query key only ours, since httpx logs
    each request's URL and a key the server wants in the query must be sent."""
    if not form[2]:
        return caplog.text
    return "".join(
        r.getMessage() for r in caplog.records if r.name.startswith("langchain_qwen")
    )


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ------------------------------------------------------------------- the functions
@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_redact_url_hides_every_form_and_keeps_the_host(form: Any) -> None:
    url = _url(form, DASHSCOPE, "https")
    shown = redact_url(url)
    _assert_hidden(shown, form)
    assert f"{DASHSCOPE}{PATH}" in shown  # still says where
    assert "***" in shown


@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_redact_hides_every_form_inside_text(form: Any) -> None:
    url = _url(form, DASHSCOPE, "https")
    text = f"Could not reach {url}: refused; retried {url}."
    shown = redact(text)
    _assert_hidden(shown, form)
    assert shown.startswith("Could not reach https://")
    assert shown.count(DASHSCOPE) == 2


def test_redact_leaves_urls_without_credentials_alone() -> None:
    plain = f"https://{DASHSCOPE}{PATH}?model=qwen-plus&stream=true"
    assert redact_url(plain) == plain
    assert redact(f"went to {plain}") == f"went to {plain}"
    assert redact("mail bob@example.com") == "mail bob@example.com"
    assert redact("key sk-123 here", ["sk-123"]) == "key *** here"


# ---------------------------------------------------------------- ChatQwen settings
def _warnings_of(build: Callable[[], Any]) -> str:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        llm = build()
    return " ".join(str(w.message) for w in seen) + repr(llm)


def _repr_text(url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    llm = ChatQwen(base_url=url, api_key="sk-x")
    return repr(llm) + str(llm) + repr(llm.__pydantic_private__)


def _retrieval_reprs(url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    from langchain_qwen import QwenEmbeddings, QwenRerank

    embeddings = QwenEmbeddings(base_url=url, api_key="sk-x", model="text-embedding-v4")
    rerank = QwenRerank(base_url=url, api_key="sk-x", model="qwen3-rerank")
    return f"{embeddings!r} {embeddings!s} {rerank!r} {rerank!s}"


def _region_override_warning(url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DASHSCOPE_BASE_URL", url)
    with pytest.warns(UserWarning, match="wins over region='us'") as seen:
        ChatQwen(region="us", api_key="sk-x")
    return " ".join(str(w.message) for w in seen)


def _plain_http_warning(url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    http = url.replace("https://", "http://", 1)
    with pytest.warns(UserWarning, match="plain http://") as seen:
        ChatQwen(base_url=http, api_key="sk-x")
    return " ".join(str(w.message) for w in seen)


def _coding_key_warning(url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    with pytest.warns(UserWarning, match="Coding Plan key") as seen:
        ChatQwen(base_url=url, api_key="sk-sp-0123456789abcdef")
    return " ".join(str(w.message) for w in seen)


def _no_key_error(url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    with pytest.raises(ValueError, match="No DashScope API key") as info:
        ChatQwen(base_url=url)
    return str(info.value)


def _bad_scheme_error(url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    ftp = url.replace("https://", "ftp://", 1)
    with pytest.raises(ValueError, match="Invalid value for `base_url`") as info:
        ChatQwen(base_url=ftp, api_key="sk-x")
    return str(info.value)


SETTINGS_PLACES = {
    "repr": _repr_text,
    "embeddings-rerank-repr": _retrieval_reprs,
    "region-override-warning": _region_override_warning,
    "plain-http-warning": _plain_http_warning,
    "coding-key-warning": _coding_key_warning,
    "no-key-error": _no_key_error,
    "bad-scheme-error": _bad_scheme_error,
}


@pytest.mark.parametrize("place", list(SETTINGS_PLACES))
@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_settings_messages_hide_url_credentials(
    form: Any, place: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _url(form, DASHSCOPE, "https")
    shown = SETTINGS_PLACES[place](url, monkeypatch)
    _assert_hidden(shown, form)
    assert DASHSCOPE in shown  # the message still says which host


# ------------------------------------------------------------------ over real HTTP
@pytest.mark.usefixtures("fast_backoff")
@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
async def test_connection_errors_and_retry_logs_hide_url_credentials(
    form: Any, caplog: pytest.LogCaptureFixture
) -> None:
    url = _url(form, f"127.0.0.1:{_closed_port()}", "http")
    caplog.set_level(logging.DEBUG)
    llm = ChatQwen(base_url=url, api_key="sk-x", max_retries=1)
    errors = []
    for call in (llm.ainvoke, llm.invoke):
        try:
            result = call("hi")
            if hasattr(result, "__await__"):
                await result
        except Exception as exc:
            errors.append(exc)
    assert len(errors) == 2
    assert all(isinstance(e, DashScopeConnectionError) for e in errors)
    shown = " ".join(f"{e!s} {e!r}" for e in errors)
    assert "127.0.0.1" in shown
    assert any("retrying request" in r.getMessage() for r in caplog.records)
    _assert_hidden(shown + _logs(caplog, form), form)


@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_api_errors_and_redirects_hide_url_credentials(
    form: Any, emulator: DashScopeEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    host = emulator.base_url.split("://", 1)[1].split("/", 1)[0]
    url = _url(form, host, "http")
    # The credentials replace the key (Basic auth) or break the path: some error.
    llm = ChatQwen(base_url=url, api_key="sk-wrong-key-0000", max_retries=0)
    with pytest.raises(DashScopeAPIError, match=r"Error code: 40[14]") as info:
        llm.invoke("hi")
    logs = _logs(caplog, form)  # not the redirect's Location (httpcore logs it)
    emulator.script(
        Reply.raw(302, b"", headers={"location": _url(form, DASHSCOPE, "https")})
    )
    redirected = ChatQwen(base_url=emulator.base_url, api_key=emulator.api_key)
    with pytest.raises(DashScopeAPIError, match="redirected to") as moved:
        redirected.invoke("hi")
    shown = f"{info.value!s} {info.value!r} {moved.value!s} {logs}"
    assert DASHSCOPE in str(moved.value)
    _assert_hidden(shown, form)


# ------------------------------------------------------------------------- doctor
@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_doctor_report_hides_url_credentials(
    form: Any, emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from langchain_qwen.cli._checks.network import check_proxies
    from langchain_qwen.cli._checks.verdict import run_doctor
    from langchain_qwen.cli.doctor import render_doctor

    host = emulator.base_url.split("://", 1)[1].split("/", 1)[0]
    monkeypatch.setenv("DASHSCOPE_BASE_URL", _url(form, host, "http"))
    monkeypatch.setenv("DASHSCOPE_API_KEY", emulator.api_key)
    report = run_doctor(urls={}, timeout=5)
    shown = render_doctor(report)
    shown += " ".join(f.message + str(f.fix) for f in report.findings)
    shown += json.dumps(report.to_dict())  # `doctor --json`
    shown += " ".join(p.url + p.detail for p in report.probes)
    assert host in shown
    _assert_hidden(shown, form)

    proxy = _url(form, "proxy.corp:3128", "http").replace(PATH, "")
    findings = check_proxies([f"https://{DASHSCOPE}{PATH}"], {"HTTPS_PROXY": proxy})
    proxy_text = " ".join(f.message + str(f.fix) for f in findings)
    assert "proxy.corp:3128" in proxy_text
    _assert_hidden(proxy_text, form)


# -------------------------------------------------------------------------- Batch
@pytest.mark.usefixtures("fast_backoff")
@pytest.mark.parametrize("form", FORMS, ids=FORM_IDS)
def test_batch_errors_and_logs_hide_url_credentials(
    form: Any, emulator: DashScopeEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    from langchain_qwen.batch import BatchJob, submit_batch

    caplog.set_level(logging.DEBUG)
    url = _url(form, f"127.0.0.1:{_closed_port()}", "http")
    llm = ChatQwen(base_url=url, api_key="sk-x", max_retries=1)
    with pytest.raises(DashScopeBatchError, match="Submission stopped") as info:
        submit_batch(llm, ["hi"])
    with pytest.raises(DashScopeConnectionError, match=r"127\.0\.0\.1") as polled:
        BatchJob.attach(llm, "batch_x").status()
    # A server that answers (the credentials become Basic auth: a 401).
    host = emulator.base_url.split("://", 1)[1].split("/", 1)[0]
    answered = ChatQwen(base_url=_url(form, host, "http"), api_key="sk-x")
    with pytest.raises(DashScopeBatchError, match="Submission stopped") as refused:
        submit_batch(answered, ["hi"])
    shown = f"{info.value!s} {info.value!r} {polled.value!s} {polled.value!r}"
    shown += f"{refused.value!s} {refused.value.__cause__!r}"
    assert "127.0.0.1" in shown
    _assert_hidden(shown + _logs(caplog, form), form)
