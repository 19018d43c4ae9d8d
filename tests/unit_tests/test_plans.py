"""Billing plans: Coding Plan keys and hosts, the trial domain, and their advice.

Vendor facts (Model Studio "Base URL Overview", Coding Plan FAQ): a key works only
with a base URL of its own billing plan (else 401/403); Coding Plan keys start with
``sk-sp-`` and use ``https://coding-intl.dashscope.aliyuncs.com/v1`` (Singapore) or
``https://coding.dashscope.aliyuncs.com/v1`` (China); the trial domain is
``trial.{region}.maas.aliyuncs.com``.
"""

from __future__ import annotations

import warnings

import httpx
import pytest

from langchain_qwen import ChatQwen
from langchain_qwen._client.errors import (
    DashScopeAuthenticationError,
    make_status_error,
)
from langchain_qwen._client.regions import plan_of_base_url, resolve_endpoint
from langchain_qwen._models.profiles import models_in_region
from langchain_qwen.cli._checks.catalogue import models_report
from langchain_qwen.cli._checks.key import check_key
from langchain_qwen.cli._checks.targets import default_region_urls
from langchain_qwen.cli._checks.verdict import run_doctor
from langchain_qwen.testing import DashScopeEmulator

CODING_INTL = "https://coding-intl.dashscope.aliyuncs.com/v1"
CODING_CN = "https://coding.dashscope.aliyuncs.com/v1"
SP_KEY = "sk-sp-" + "a1" * 16
PAYG_KEY = "sk-" + "b2" * 16


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "DASHSCOPE_API_KEY",
        "DASHSCOPE_PLAN",
        "DASHSCOPE_REGION",
        "DASHSCOPE_BASE_URL",
        "DASHSCOPE_API_BASE",
        "DASHSCOPE_WORKSPACE_ID",
    ):
        monkeypatch.delenv(var, raising=False)


# --------------------------------------------------------------------- endpoints
@pytest.mark.parametrize(
    ("plan", "region", "url"),
    [
        ("coding", None, CODING_INTL),
        ("coding", "singapore", CODING_INTL),
        ("coding-plan", "intl", CODING_INTL),
        ("coding", "china", CODING_CN),
        ("coding", "beijing", CODING_CN),
        (
            "trial",
            "singapore",
            "https://trial.ap-southeast-1.maas.aliyuncs.com/compatible-mode/v1",
        ),
        (
            "trial",
            "china",
            "https://trial.cn-beijing.maas.aliyuncs.com/compatible-mode/v1",
        ),
        ("payg", "us", "https://dashscope-us.aliyuncs.com/compatible-mode/v1"),
    ],
)
def test_plan_hosts(plan: str, region: str | None, url: str) -> None:
    endpoint = resolve_endpoint(plan=plan, region=region)
    assert endpoint.base_url == url
    assert endpoint.plan == plan_of_base_url(url)
    assert plan_of_base_url(url) == {"coding-plan": "coding"}.get(plan, plan)


def test_plan_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHSCOPE_PLAN", "coding")
    monkeypatch.setenv("DASHSCOPE_REGION", "china")
    assert resolve_endpoint().base_url == CODING_CN


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"plan": "coding", "region": "us"},
            r"plan='coding' has no host in region='us'",
        ),
        ({"plan": "coding", "workspace_id": "ws-1"}, "workspace_id"),
        ({"plan": "gold"}, r"Invalid value for `plan`: 'gold'.*'coding'.*'trial'"),
    ],
)
def test_bad_plans_are_refused(kwargs: dict[str, str], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        resolve_endpoint(**kwargs)


def test_plan_of_base_url() -> None:
    assert plan_of_base_url(CODING_INTL) == "coding"
    assert plan_of_base_url(CODING_CN) == "coding"
    assert (
        plan_of_base_url("https://trial.ap-southeast-1.maas.aliyuncs.com/x") == "trial"
    )
    assert plan_of_base_url("https://ws-1.ap-southeast-1.maas.aliyuncs.com/x") == "payg"
    assert plan_of_base_url("https://token-plan.example.aliyuncs.com/v1") == "token"
    assert plan_of_base_url("https://dashscope-intl.aliyuncs.com/x") == "payg"


# --------------------------------------------------------------------- ChatQwen
def test_a_coding_plan_key_picks_the_coding_plan_host() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        llm = ChatQwen(model="qwen3.6-plus", api_key=SP_KEY)
    assert llm.openai_api_base == CODING_INTL
    assert llm.plan == "coding"
    assert ChatQwen(api_key=SP_KEY, region="china").openai_api_base == CODING_CN


def test_a_coding_plan_key_from_the_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", SP_KEY)
    assert ChatQwen().openai_api_base == CODING_INTL


def test_a_pay_as_you_go_key_stays_on_the_shared_host() -> None:
    llm = ChatQwen(api_key=PAYG_KEY)
    assert (
        llm.openai_api_base == "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"
    )
    assert llm.plan is None


def test_mismatched_key_and_host_warn_without_the_key() -> None:
    with pytest.warns(UserWarning, match="Coding Plan key") as caught:
        ChatQwen(
            api_key=SP_KEY,
            base_url="https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
        )
    with pytest.warns(UserWarning, match="accepts only Coding Plan keys") as more:
        ChatQwen(api_key=PAYG_KEY, plan="coding")
    for warning in [*caught, *more]:
        assert SP_KEY not in str(warning.message)
        assert PAYG_KEY not in str(warning.message)


def test_models_of_the_coding_plan() -> None:
    intl = models_in_region("coding")
    assert intl == models_in_region("coding-intl")
    assert {"qwen3.5-plus", "qwen3.6-plus", "qwen3-coder-plus"} <= set(intl)
    assert "qwq-plus" not in intl
    assert models_in_region("coding-cn")


# --------------------------------------------------------------------- 401 advice
def _error(status: int, url: str, code: str) -> str:
    response = httpx.Response(
        status,
        json={"error": {"message": "Incorrect API key provided.", "code": code}},
        request=httpx.Request("POST", url + "/chat/completions"),
    )
    return str(
        make_status_error(
            response, response.json(), region="singapore", region_text=url, model="m"
        )
    )


def test_401_on_a_coding_plan_host_blames_the_key_kind_not_the_region() -> None:
    text = _error(401, CODING_INTL, "invalid_api_key")
    assert "Coding Plan host" in text
    assert "sk-sp-" in text
    assert "region-specific" not in text


def test_401_on_a_shared_host_mentions_coding_plan_keys() -> None:
    text = _error(
        401, "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "invalid_api_key"
    )
    assert "region-specific" in text
    assert "plan='coding'" in text


def test_403_on_a_shared_host_names_the_coding_plan_case() -> None:
    text = _error(
        403, "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "invalid api-key"
    )
    assert "plan='coding'" in text


def test_401_advice_end_to_end(emulator: DashScopeEmulator) -> None:
    llm = ChatQwen(base_url=emulator.base_url, api_key="sk-wrong", max_retries=0)
    with pytest.raises(DashScopeAuthenticationError) as info:
        llm.invoke("hi")
    assert "plan='coding'" in str(info.value)
    assert "sk-wrong" not in str(info.value)


# --------------------------------------------------------------------- doctor
def test_doctor_recognises_a_coding_plan_key() -> None:
    check = check_key(SP_KEY, {})
    messages = " ".join(f.message for f in check.findings)
    assert "Coding Plan key" in messages
    assert "usually 35" not in messages  # not a malformed pay-as-you-go key
    assert SP_KEY not in messages
    assert default_region_urls("coding") == {
        "singapore": CODING_INTL,
        "china": CODING_CN,
    }


def test_doctor_probes_the_coding_plan_hosts(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    regions = {"coding-intl": SP_KEY, "coding-cn": "sk-sp-other"}
    with DashScopeEmulator(regions=regions) as emu:
        urls = {
            "singapore": emu.region_base_url("coding-intl"),
            "china": emu.region_base_url("coding-cn"),
        }
        monkeypatch.setenv("DASHSCOPE_API_KEY", SP_KEY)
        report = run_doctor(urls=urls, model="qwen3.6-plus", timeout=5)
    assert report.key_regions == ["singapore"]
    assert report.endpoint is not None
    assert report.endpoint.plan == "coding"
    assert report.endpoint.base_url == urls["singapore"]
    assert report.ok, report.problems


def test_models_command_lists_the_coding_plan(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from langchain_qwen import cli

    report = models_report(region="coding", remote=False)
    assert [r.name for r in report.rows] == models_in_region("coding")
    assert report.region == "coding"
    with DashScopeEmulator(regions={"coding-cn": SP_KEY}) as emu:
        urls = {"china": emu.region_base_url("coding-cn")}
        remote = models_report(region="coding-cn", api_key=SP_KEY, urls=urls)
    assert remote.probe is not None
    assert remote.probe.outcome == "accepted"
    assert all(r.listed for r in remote.rows)  # the emulator's coding-cn list
    assert cli.main(["models", "--region", "coding", "--offline"]) == 0
