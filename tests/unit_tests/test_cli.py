"""The `langchain-qwen` CLI (chat, doctor, models) against the DashScope emulator.

The functions (data, then rendering) and `cli.main` (argv in, exit code and text
out) run in-process; one test starts the real entry point (`python -m langchain_qwen
...` in a subprocess, marked `subprocess`) to prove the wiring a subprocess alone can. The emulator plays
several regions, each accepting its own key; the CLI's region table is pointed at
it through the documented testing hook (`LANGCHAIN_QWEN_REGION_URLS` or
`--region-url`), so nothing leaves loopback.
"""

from __future__ import annotations

import email.utils
import io
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import entry_points
from typing import Any

import pytest

from langchain_qwen import ChatQwen, cli
from langchain_qwen.cli._checks.catalogue import models_report
from langchain_qwen.cli._checks.key import check_key
from langchain_qwen.cli._checks.network import (
    check_proxies,
    no_proxy_matches,
    redact_url,
)
from langchain_qwen.cli._checks.probes import check_clock, clock_skew
from langchain_qwen.cli._checks.report import Probe
from langchain_qwen.cli._checks.targets import REGION_URLS_ENV, region_urls
from langchain_qwen.cli._checks.verdict import run_doctor
from langchain_qwen.cli._style import use_color
from langchain_qwen.cli.chat import format_usage, stream_chat
from langchain_qwen.cli.doctor import render_doctor
from langchain_qwen.cli.models import render_models
from langchain_qwen.testing import DashScopeEmulator, Reply
from tests.ports import closed_port

SG_KEY = "sk-sg0123456789abcdef0123456789abcd"
US_KEY = "sk-us0123456789abcdef0123456789abcd"
CN_KEY = "sk-cn0123456789abcdef0123456789abcd"
US_MODELS = ["qwen-plus-us", "qwen-flash-us", "qwen3-max", "qwen3-vl-plus"]

_SCRUB = (
    "DASHSCOPE_API_KEY",
    "DASHSCOPE_REGION",
    "DASHSCOPE_BASE_URL",
    "DASHSCOPE_API_BASE",
    "DASHSCOPE_WORKSPACE_ID",
    "OPENAI_API_KEY",
    REGION_URLS_ENV,
    "NO_COLOR",
)
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def _no_proxy_or_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (*_SCRUB, *_PROXY_VARS, *(v.lower() for v in _PROXY_VARS)):
        monkeypatch.delenv(var, raising=False)


@contextmanager
def regions_emulator(**kwargs: Any) -> Iterator[tuple[DashScopeEmulator, dict]]:
    """An emulator playing Singapore and US (and more if asked), with its URL table."""
    kwargs.setdefault("regions", {"singapore": SG_KEY, "us": US_KEY})
    with DashScopeEmulator(**kwargs) as emu:
        yield emu, {r: emu.region_base_url(r) for r in emu.regions}


@pytest.fixture
def two_regions(
    emulator: DashScopeEmulator,
) -> Iterator[tuple[DashScopeEmulator, dict]]:
    # `emulator` (conftest) makes sure loopback sockets are allowed.
    with regions_emulator(models={"us": US_MODELS}) as pair:
        yield pair


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in _SCRUB and k.upper() not in _PROXY_VARS
    }
    env.update(extra)
    return env


def _run(*args: str, env: dict[str, str], stdin: str | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "langchain_qwen", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=90,
        check=False,
    )


def _main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# --------------------------------------------------------------------------- doctor
def test_doctor_names_the_region_that_accepts_the_key(
    two_regions: tuple[DashScopeEmulator, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, urls = two_regions
    monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
    report = run_doctor(urls=urls, model="qwen3-max", timeout=5)
    assert report.key_regions == ["us"]
    assert report.suggested_region == "us"
    assert report.exit_code == 1
    outcomes = {p.region: p.outcome for p in report.probes}
    assert outcomes == {"singapore": "rejected", "us": "accepted"}
    (problem,) = report.problems
    assert "valid in us" in problem.message
    assert "singapore" in problem.message
    assert problem.fix is not None
    assert "export DASHSCOPE_REGION=us" in problem.fix
    # The model check looks at the region that accepts the key.
    assert any(
        f.topic == "model" and f.status == "ok" and "US (Virginia)" in f.message
        for f in report.findings
    )
    text = render_doctor(report)
    assert "Verdict: PROBLEMS (1 found)" in text
    assert "fix: export DASHSCOPE_REGION=us" in text
    assert US_KEY not in text
    assert US_KEY not in json.dumps(report.to_dict())


def test_doctor_ok_when_the_region_matches(
    two_regions: tuple[DashScopeEmulator, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, urls = two_regions
    monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
    monkeypatch.setenv("DASHSCOPE_REGION", "virginia")  # an alias of us
    report = run_doctor(urls=urls, model="qwen-plus-us")
    assert report.ok, report.problems
    assert report.exit_code == 0
    assert report.endpoint is not None
    assert report.endpoint.region == "us"
    text = render_doctor(report)
    assert "Verdict: OK" in text
    assert "ChatQwen can use region 'us' with model 'qwen-plus-us'" in text


def test_doctor_model_not_offered(
    two_regions: tuple[DashScopeEmulator, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, urls = two_regions
    monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
    report = run_doctor(region="us", model="qwen-plus", urls=urls)
    assert report.exit_code == 1
    (problem,) = report.problems
    assert problem.topic == "model"
    assert "'qwen-plus' is not offered in US (Virginia)" in problem.message
    assert "qwen-plus-us" in problem.message  # a similar model the region lists
    assert problem.fix is not None
    assert "qwen-plus-us" in problem.fix


def test_doctor_default_model_missing_is_only_a_warning(
    two_regions: tuple[DashScopeEmulator, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, urls = two_regions
    monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
    report = run_doctor(region="us", urls=urls)  # no --model: ChatQwen's default
    assert report.ok
    assert any(
        f.status == "warn" and "default model 'qwen-plus'" in f.message
        for f in report.findings
    )
    assert "Verdict: OK, with 1 warning" in render_doctor(report)


def test_doctor_without_a_key(two_regions: tuple[DashScopeEmulator, dict]) -> None:
    _, urls = two_regions
    report = run_doctor(urls=urls)
    assert report.exit_code == 1
    assert not report.key.present
    assert report.problems[0].topic == "key"
    assert "DASHSCOPE_API_KEY is not set" in report.problems[0].message
    # The regions are still probed for reachability (and the clock).
    assert {p.outcome for p in report.probes} == {"reachable"}
    assert any(f.topic == "clock" and f.status == "ok" for f in report.findings)


def test_doctor_key_valid_nowhere(
    two_regions: tuple[DashScopeEmulator, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, urls = two_regions
    monkeypatch.setenv("DASHSCOPE_API_KEY", CN_KEY)
    report = run_doctor(urls=urls)
    assert report.key_regions == []
    assert any("No region accepts this key" in f.message for f in report.problems)


def test_doctor_key_pasted_with_quotes_still_finds_its_region(
    two_regions: tuple[DashScopeEmulator, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, urls = two_regions
    monkeypatch.setenv("DASHSCOPE_API_KEY", f'"{US_KEY}"\n')
    report = run_doctor(region="us", model="qwen3-max", urls=urls)
    assert report.key_regions == ["us"]  # probed with the cleaned key
    messages = " ".join(f.message for f in report.problems)
    assert "whitespace" in messages
    assert "quote" in messages
    assert any('tr -d "[:space:]' in (f.fix or "") for f in report.problems)


def test_doctor_base_url_env_overrides_the_region(
    two_regions: tuple[DashScopeEmulator, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, urls = two_regions
    monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
    monkeypatch.setenv("DASHSCOPE_REGION", "us")
    monkeypatch.setenv("DASHSCOPE_BASE_URL", urls["singapore"])  # wins over region
    report = run_doctor(urls=urls, model="qwen3-max")
    assert report.endpoint is not None
    assert report.endpoint.source == "env:DASHSCOPE_BASE_URL"
    endpoint_text = " ".join(
        f.message for f in report.findings if f.topic == "endpoint"
    )
    assert "DASHSCOPE_BASE_URL is set" in endpoint_text
    (problem,) = report.problems
    assert problem.fix is not None
    assert problem.fix.startswith(
        "unset DASHSCOPE_BASE_URL; export DASHSCOPE_REGION=us"
    )


def test_doctor_invalid_region_setting(
    two_regions: tuple[DashScopeEmulator, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, urls = two_regions
    monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
    monkeypatch.setenv("DASHSCOPE_REGION", "europe")
    report = run_doctor(urls=urls, model="qwen3-max")
    assert report.endpoint is None
    messages = [f.message for f in report.problems]
    assert any("Unknown region='europe'" in m for m in messages)
    assert any("Your key belongs to us" in m for m in messages)
    assert any(
        (f.fix or "").startswith("export DASHSCOPE_REGION=us") for f in report.problems
    )


def test_doctor_non_ascii_key_is_not_sent(
    two_regions: tuple[DashScopeEmulator, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, urls = two_regions
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-\u2014" + US_KEY[3:])
    report = run_doctor(urls=urls)
    assert {p.outcome for p in report.probes} == {"reachable"}
    assert any("non-ASCII" in f.message for f in report.problems)
    assert any("was not sent" in f.message for f in report.findings)
    assert not any("could be reached" in f.message for f in report.findings)
    assert all("authorization" not in r.headers for r in emu.requests)


def test_doctor_unreachable_region(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}/compatible-mode/v1"
    with regions_emulator(regions={"us": US_KEY}) as (_, urls):
        monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
        monkeypatch.setenv("DASHSCOPE_REGION", "us")
        report = run_doctor(urls={**urls, "china": dead}, timeout=2)
    outcomes = {p.region: p.outcome for p in report.probes}
    assert outcomes == {"us": "accepted", "china": "unreachable"}
    assert report.ok  # the configured region works; china is just not checked
    assert any(
        f.topic == "regions" and "Not reachable" in f.message for f in report.findings
    )


def test_doctor_not_ok_when_nothing_was_verified(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every region answers 404 (a base URL missing /compatible-mode/v1, say).
    wrong = {"singapore": f"{emulator.url}/nowhere/v1", "us": f"{emulator.url}/no/v1"}
    monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
    report = run_doctor(urls=wrong, timeout=5)
    assert {p.outcome for p in report.probes} == {"error"}
    assert report.exit_code == 1
    assert any("nothing was verified" in f.message for f in report.problems)
    assert "Verdict: OK" not in render_doctor(report)


def test_doctor_nothing_reachable(monkeypatch: pytest.MonkeyPatch) -> None:
    dead = f"http://127.0.0.1:{closed_port()}/compatible-mode/v1"
    monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
    report = run_doctor(urls={"singapore": dead}, timeout=2)
    assert report.exit_code == 1
    assert any("could be reached" in f.message for f in report.problems)


def test_doctor_json_output(
    two_regions: tuple[DashScopeEmulator, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, urls = two_regions
    monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
    monkeypatch.setenv(REGION_URLS_ENV, json.dumps(urls))
    code, out, _ = _main("doctor", "--json", "--model", "qwen3-max")
    assert code == 1
    data = json.loads(out)
    assert data["key_regions"] == ["us"]
    assert data["suggested_region"] == "us"
    assert data["ok"] is False
    assert US_KEY not in out


def test_doctor_command_advice_then_ok(
    two_regions: tuple[DashScopeEmulator, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, urls = two_regions
    monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
    monkeypatch.setenv(REGION_URLS_ENV, json.dumps(urls))
    code, out, err = _main("doctor", "--model", "qwen3-max")
    assert code == 1, err
    assert "us          ACCEPTED" in out
    assert "Your key is valid in us" in out
    assert "fix: export DASHSCOPE_REGION=us" in out
    assert US_KEY not in out

    # Following the advice fixes it; --region-url is the flag form of the hook.
    monkeypatch.delenv(REGION_URLS_ENV)
    monkeypatch.setenv("DASHSCOPE_REGION", "us")
    flags = [f"--region-url={r}={u}" for r, u in urls.items()]
    code, out, err = _main("doctor", "--model", "qwen3-max", *flags)
    assert code == 0, out + err
    assert "Verdict: OK" in out


def test_doctor_command_no_key_and_missing_model(
    two_regions: tuple[DashScopeEmulator, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, urls = two_regions
    monkeypatch.setenv(REGION_URLS_ENV, json.dumps(urls))
    code, out, _ = _main("doctor")
    assert code == 1
    assert "DASHSCOPE_API_KEY is not set" in out
    assert "export DASHSCOPE_API_KEY=" in out

    monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
    monkeypatch.setenv("DASHSCOPE_REGION", "us")
    code, out, _ = _main("doctor", "--model", "qwen-plus")
    assert code == 1
    assert "'qwen-plus' is not offered in US (Virginia)" in out
    assert "use model='qwen-plus-us'" in out


def test_region_urls_hook() -> None:
    table, overridden = region_urls([])
    assert not overridden
    assert table["us"] == "https://dashscope-us.aliyuncs.com/compatible-mode/v1"
    assert set(table) == {"singapore", "us", "china", "hongkong"}
    env = {REGION_URLS_ENV: '{"intl": "http://127.0.0.1:1/a/"}'}
    table, overridden = region_urls(["hk=http://127.0.0.1:2/b"], env)
    assert overridden
    assert table == {
        "singapore": "http://127.0.0.1:1/a",
        "hongkong": "http://127.0.0.1:2/b",
    }
    with pytest.raises(ValueError, match="JSON"):
        region_urls([], {REGION_URLS_ENV: "{nope"})
    with pytest.raises(ValueError, match="REGION=URL"):
        region_urls(["us"])
    with pytest.raises(ValueError, match="Unknown region"):
        region_urls(["mars=http://x"])


def test_key_shapes() -> None:
    def statuses(raw: str | None) -> list[tuple[str, str]]:
        return [(f.status, f.message) for f in check_key(raw, {}).findings]

    assert statuses("sk-0123456789abcdef0123456789abcdef")[0][0] == "ok"
    assert check_key("sk-0123456789abcdef0123456789abcdef", {}).masked == "sk-...cdef"
    assert statuses(None)[0][0] == "fail"
    assert "empty" in statuses("  ")[0][1]
    assert any("AccessKey ID" in m for _, m in statuses("LTAI5tAbCdEfGhIjKlMnOp"))
    assert any("placeholder" in m for _, m in statuses("sk-..."))
    assert any("whitespace inside" in m for _, m in statuses("sk-0123 4567"))
    assert any("non-ASCII" in m for _, m in statuses("sk-0123\u00e94567890123456789"))
    short = statuses("sk-abc")
    assert short[0][0] == "ok"
    assert any(s == "warn" and "truncated" in m for s, m in short)
    hint = check_key(None, {"OPENAI_API_KEY": "sk-x"}).findings[0].message
    assert "OPENAI_API_KEY is set" in hint


def test_clock_checks() -> None:
    now = time.time()
    header = email.utils.formatdate(now - 600, usegmt=True)
    skew = clock_skew(header, now)
    assert skew is not None
    assert 599 <= skew <= 601
    assert clock_skew("not a date", now) is None
    late = Probe("us", "http://x", "accepted", date=header, local_time=now)
    finding = check_clock([late])
    assert finding.status == "warn"
    assert "10 min ahead" in finding.message
    close = Probe(
        "us",
        "http://x",
        "accepted",
        date=email.utils.formatdate(now, usegmt=True),
        local_time=now,
    )
    assert check_clock([close]).status == "ok"
    assert check_clock([]).status == "info"


def test_proxy_checks() -> None:
    url = "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"
    assert check_proxies([url], {})[0].status == "ok"
    env = {"HTTPS_PROXY": "http://bob:s3cret@proxy.corp:3128"}
    text = " ".join(f.message for f in check_proxies([url], env))
    assert "s3cret" not in text
    assert "***@proxy.corp:3128" in text
    assert "go through the proxy" in text
    env["NO_PROXY"] = "localhost,.aliyuncs.com"
    text = " ".join(f.message for f in check_proxies([url], env))
    assert "bypass the proxy" in text
    only_http = " ".join(
        f.message for f in check_proxies([url], {"HTTP_PROXY": "http://p"})
    )
    assert "HTTPS_PROXY is not" in only_http
    assert (
        no_proxy_matches("dashscope.aliyuncs.com", "*.aliyuncs.com") == "*.aliyuncs.com"
    )
    assert no_proxy_matches("dashscope.aliyuncs.com", "aliyuncs.com:443") is not None
    assert no_proxy_matches("evilaliyuncs.com", "aliyuncs.com") is None
    assert no_proxy_matches("anything", " * ") == "*"
    assert redact_url("http://proxy:3128") == "http://proxy:3128"


def test_doctor_reports_proxy_bypass(
    two_regions: tuple[DashScopeEmulator, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, urls = two_regions
    monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
    monkeypatch.setenv("DASHSCOPE_REGION", "us")
    monkeypatch.setenv("HTTP_PROXY", "http://user:pw@127.0.0.1:9")  # would fail if used
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    report = run_doctor(urls=urls, model="qwen3-max")
    assert report.ok, report.problems
    proxy = " ".join(f.message for f in report.findings if f.topic == "proxy")
    assert "bypass the proxy" in proxy
    assert "pw@" not in proxy


# --------------------------------------------------------------------------- chat
def test_stream_chat_events(emulator: DashScopeEmulator) -> None:
    emulator.script(Reply.text("Nine point nine.", reasoning="Compare the decimals."))
    llm = ChatQwen(
        model="qwen-plus",
        base_url=emulator.base_url,
        api_key=emulator.api_key,
        enable_thinking=True,
    )
    events = list(stream_chat(llm, "Is 9.11 bigger than 9.9?", system="Be brief."))
    kinds = [e.kind for e in events]
    assert kinds.index("reasoning") < kinds.index("text")
    assert kinds[-2:] == ["model", "usage"]
    assert "".join(e.text for e in events if e.kind == "reasoning") == (
        "Compare the decimals."
    )
    assert "".join(e.text for e in events if e.kind == "text") == "Nine point nine."
    usage = events[-1].usage
    assert usage is not None
    assert usage["output_token_details"]["reasoning"] > 0
    sent = emulator.last_request.json
    assert sent["stream"] is True
    assert sent["enable_thinking"] is True
    assert sent["messages"][0] == {"role": "system", "content": "Be brief."}


def test_chat_command_streams_and_prints_usage(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", emulator.api_key)
    emulator.script(Reply.text("Rayleigh scattering.", reasoning="Physics question."))
    code, out, err = _main(
        "chat",
        "--base-url",
        emulator.base_url,
        "--think",
        "--model",
        "qwen3-max",
        "Why",
        "is",
        "the",
        "sky",
        "blue?",
    )
    assert code == 0, err
    body, usage = out.rsplit("\n\n", 1)
    assert body == (
        "[thinking]\nPhysics question.\n[/thinking]\n\nRayleigh scattering."
    )
    assert re.fullmatch(
        r"usage: input \d+, output \d+ \(reasoning \d+\), total \d+ tokens "
        r"\[qwen3-max\]\n",
        usage,
    )
    assert "\x1b[" not in out  # not a terminal: no ANSI codes
    sent = emulator.last_request.json
    assert sent["messages"][-1]["content"] == "Why is the sky blue?"
    assert sent["stream_options"] == {"include_usage": True}


def test_chat_usage_line_format() -> None:
    line = format_usage(
        {
            "input_tokens": 12,
            "output_tokens": 30,
            "total_tokens": 42,
            "input_token_details": {"cache_read": 4},
            "output_token_details": {"reasoning": 20},
        },
        "qwen-plus",
    )
    assert line == (
        "usage: input 12 (cached 4), output 30 (reasoning 20), total 42 tokens "
        "[qwen-plus]"
    )


def test_chat_color_only_when_asked(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", emulator.api_key)
    emulator.script(Reply.text("Answer.", reasoning="Thinking."))
    code, out, _ = _main(
        "chat", "--base-url", emulator.base_url, "--think", "--color", "always", "q"
    )
    assert code == 0
    assert out.startswith("\x1b[2m[thinking]\nThinking.\n[/thinking]\x1b[0m\n\nAnswer.")
    assert "\x1b[2musage: input" in out

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert use_color(Tty()) is True
    assert use_color(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(Tty()) is False


def test_chat_errors(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = _main("chat", "hi")  # no key, DashScope host
    assert code == 1
    assert "No DashScope API key" in err
    assert "validation error" not in err  # pydantic's wrapping is stripped
    assert "langchain-qwen doctor" in err

    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-wrong0123456789abcdef0123456789")
    code, _, err = _main("chat", "--base-url", emulator.base_url, "hi")
    assert code == 1
    assert "invalid_api_key" in err
    assert "sk-wrong" not in err


def test_chat_stream_error_mid_reasoning_resets_color(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", emulator.api_key)
    emulator.script(
        Reply.text("Never shown.", reasoning="Thinking hard about it.", error_after=3)
    )
    code, out, err = _main(
        "chat", "--base-url", emulator.base_url, "--think", "--color", "always", "q"
    )
    assert code == 1
    assert out.startswith("\x1b[2m[thinking]\n")
    assert out.endswith("\x1b[0m\n")  # the dim attribute is switched off again
    assert "Never shown." not in out
    assert "error:" in err


def test_chat_command_default_answer_stdin_and_regions(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", emulator.api_key)
    code, out, err = _main("chat", "--base-url", emulator.base_url, "Hello there")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "You said: Hello there"  # the emulator's default answer
    assert lines[-1].startswith("usage: input ")
    assert lines[-1].endswith("tokens [qwen-plus]")
    assert "\x1b[" not in out

    # The question can come from stdin; --region goes through the region table hook.
    with regions_emulator() as (_, urls):
        monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
        monkeypatch.setenv(REGION_URLS_ENV, json.dumps(urls))
        monkeypatch.setattr(sys, "stdin", io.StringIO("From stdin\n"))
        code, out, err = _main("chat", "--region", "us", "-")
        assert code == 0, err
        assert out.startswith("You said: From stdin")
        code, _, err = _main("chat", "--region", "singapore", "hi")
        assert code == 1
        assert "invalid_api_key" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_chat_dash_reads_a_terminal_too(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", emulator.api_key)
    monkeypatch.setattr(sys, "stdin", _Terminal("Typed at the prompt\n"))
    code, out, err = _main("chat", "--base-url", emulator.base_url, "-")
    assert code == 0, err
    assert "Ctrl-D" in err  # the user is told how to finish
    assert out.startswith("You said: Typed at the prompt")

    # Without `-` and without a question, a terminal gets the usage error.
    monkeypatch.setattr(sys, "stdin", _Terminal("never read"))
    code, out, err = _main("chat", "--base-url", emulator.base_url)
    assert code == 2
    assert "give a question" in err
    assert not out


def test_version_names_the_package_and_what_it_runs_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    line = capsys.readouterr().out.strip()
    assert line == (
        f"langchain-qwen {version('langchain-qwen')} ("
        f"langchain-core {version('langchain-core')}, "
        f"langchain-openai {version('langchain-openai')}, "
        f"openai {version('openai')})"
    )


@pytest.mark.subprocess
def test_help_and_version_import_nothing_heavy() -> None:
    """`--help`/`--version` stay fast: openai, langchain-core, ChatQwen not loaded."""
    code = (
        "import sys\n"
        "from langchain_qwen import cli\n"
        "for argv in (['--help'], ['--version'], ['chat', '--help']):\n"
        "    try:\n"
        "        cli.main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('openai', 'langchain_core', 'langchain_openai', 'httpx',\n"
        "         'langchain_qwen.chat_models', 'langchain_qwen.cli._checks')\n"
        "print('LOADED', [m for m in heavy if m in sys.modules])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "LOADED []"
    assert "usage: langchain-qwen" in proc.stdout


@pytest.mark.subprocess
def test_entry_point_subprocess(emulator: DashScopeEmulator) -> None:
    """`python -m langchain_qwen` is wired: argv, stdin, stdout and the exit code."""
    # `emulator` (conftest) makes sure loopback sockets are allowed.
    with regions_emulator() as (_, urls):
        env = _env(DASHSCOPE_API_KEY=US_KEY, **{REGION_URLS_ENV: json.dumps(urls)})
        proc = _run("chat", "--region", "us", "-", env=env, stdin="From stdin\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("You said: From stdin")
    assert proc.stdout.rstrip().endswith("tokens [qwen-plus]")


# --------------------------------------------------------------------------- models
def test_models_report_offline() -> None:
    report = models_report(region="us", remote=False)
    names = [r.name for r in report.rows]
    assert "qwen-plus-us" in names
    assert "qwq-plus" not in names  # not offered on the US shared endpoint
    row = next(r for r in report.rows if r.name == "qwen-plus-us")
    assert row.context is not None
    assert row.context >= 1_000_000
    assert row.tools
    assert row.thinking == "hybrid"
    assert row.listed is None
    everything = models_report(remote=False)
    assert len(everything.rows) > len(report.rows)
    qwq = next(r for r in everything.rows if r.name == "qwq-plus")
    assert qwq.stream_only
    assert qwq.thinking == "always"
    assert models_report(region="tokyo").error


def test_models_report_with_server_list(emulator: DashScopeEmulator) -> None:
    with regions_emulator(models={"us": [*US_MODELS, "wan2.6-t2i"]}) as (_, urls):
        report = models_report(region="us", api_key=US_KEY, urls=urls)
    assert report.probe is not None
    assert report.probe.outcome == "accepted"
    # An image-generation model the live US /models lists: no chat profile.
    assert report.unprofiled == ["wan2.6-t2i"]
    listed = {r.name: r.listed for r in report.rows}
    assert listed["qwen-plus-us"] is True
    text = render_models(report)
    assert "LISTED" in text
    assert "Listed without a profile here (1): wan2.6-t2i" in text


def test_models_command(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = _main("models", "--region", "us")
    assert code == 0
    header = next(line for line in out.splitlines() if line.startswith("MODEL"))
    for column in (
        "CONTEXT",
        "MAX OUT",
        "TOOLS",
        "STRUCT",
        "IMAGES",
        "REASON",
        "THINKING",
        "STREAM-ONLY",
    ):
        assert column in header
    assert "qwen-plus-us" in out
    assert "Set DASHSCOPE_API_KEY" in out

    code, out, _ = _main("models", "--region", "china", "--json", "--offline")
    data = json.loads(out)
    assert code == 0
    assert data["region"] == "china"
    assert all("china" in m["regions"] for m in data["models"])

    code, _, err = _main("models", "--region", "tokyo")
    assert code == 2
    assert "No model list" in err


def test_models_command_with_server_list(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = {"singapore": ["qwen-plus"], "us": ["qwen-plus-us", "wan2.6-t2i"]}
    with regions_emulator(models=served) as (_, urls):
        monkeypatch.setenv("DASHSCOPE_API_KEY", US_KEY)
        monkeypatch.setenv(REGION_URLS_ENV, json.dumps(urls))
        code, out, err = _main("models", "--region", "us")
    assert code == 0, err
    assert "qwen-plus-us" in out
    assert "Server (us, GET http://127.0.0.1:" in out
    assert "Listed without a profile here" in out


# --------------------------------------------------------------------------- wiring
def test_console_script_is_declared() -> None:
    scripts = {ep.name: ep for ep in entry_points(group="console_scripts")}
    assert scripts["langchain-qwen"].value == "langchain_qwen.cli:main"
    assert scripts["langchain-qwen"].load() is cli.main


def test_usage_errors() -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main([])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        cli.main(["doctor", "--region", "mars"])
    assert exc.value.code == 2
    code, _, err = _main("doctor", "--region-url", "nonsense")
    assert code == 2
    assert "REGION=URL" in err
    with pytest.raises(SystemExit) as exc:
        cli.main(["doctor", "--timeout", "0"])
    assert exc.value.code == 2
