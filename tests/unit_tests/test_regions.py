"""Region, workspace and base-URL resolution."""

from __future__ import annotations

import pytest

from langchain_qwen import ChatQwen
from langchain_qwen._client.regions import resolve_endpoint

_INTL = "https://dashscope-intl.aliyuncs.com/compatible-mode/v1"
_US = "https://dashscope-us.aliyuncs.com/compatible-mode/v1"
_CN = "https://dashscope.aliyuncs.com/compatible-mode/v1"
_HK = "https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1"


@pytest.mark.parametrize(
    ("region", "url", "name"),
    [
        (None, _INTL, "singapore"),
        ("singapore", _INTL, "singapore"),
        ("intl", _INTL, "singapore"),
        ("SG", _INTL, "singapore"),
        ("ap-southeast-1", _INTL, "singapore"),
        ("us", _US, "us"),
        ("virginia", _US, "us"),
        ("us-east-1", _US, "us"),
        ("china", _CN, "china"),
        ("beijing", _CN, "china"),
        ("cn", _CN, "china"),
        ("cn-beijing", _CN, "china"),
        ("hongkong", _HK, "hongkong"),
        ("hk", _HK, "hongkong"),
        ("cn-hongkong", _HK, "hongkong"),
    ],
)
def test_region_aliases(region: str | None, url: str, name: str) -> None:
    llm = ChatQwen(api_key="sk-x", region=region)
    assert llm.openai_api_base == url
    assert llm.region == name


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("singapore", "ws-1.ap-southeast-1.maas.aliyuncs.com"),
        ("tokyo", "ws-1.ap-northeast-1.maas.aliyuncs.com"),
        ("frankfurt", "ws-1.eu-central-1.maas.aliyuncs.com"),
        ("eu-central-1", "ws-1.eu-central-1.maas.aliyuncs.com"),
        ("china", "ws-1.cn-beijing.maas.aliyuncs.com"),
    ],
)
def test_workspace_hosts(region: str, host: str) -> None:
    llm = ChatQwen(api_key="sk-x", region=region, workspace_id="ws-1")
    assert llm.openai_api_base == f"https://{host}/compatible-mode/v1"


def test_env_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHSCOPE_REGION", "us")
    assert resolve_endpoint().base_url == _US
    monkeypatch.setenv("DASHSCOPE_WORKSPACE_ID", "w9")
    assert (
        resolve_endpoint().base_url
        == "https://w9.us-east-1.maas.aliyuncs.com/compatible-mode/v1"
    )
    monkeypatch.setenv("DASHSCOPE_API_BASE", "https://qwq-users.example/v1")
    assert resolve_endpoint().base_url == "https://qwq-users.example/v1"
    monkeypatch.setenv("DASHSCOPE_BASE_URL", _HK)
    endpoint = resolve_endpoint()
    assert (endpoint.base_url, endpoint.region) == (_HK, "hongkong")
    # an explicit argument beats every variable
    assert (
        resolve_endpoint(base_url="http://127.0.0.1:9/v1").base_url
        == "http://127.0.0.1:9/v1"
    )


def test_key_from_env_and_instances_keep_own_region(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-env")
    us = ChatQwen(region="us")
    cn = ChatQwen(region="china")
    assert us.openai_api_key is not None
    assert us.openai_api_key.get_secret_value() == "sk-env"
    assert (us.openai_api_base, cn.openai_api_base) == (_US, _CN)


def test_unknown_region_lists_valid_ones() -> None:
    with pytest.raises(ValueError, match="region='moon'") as info:
        ChatQwen(api_key="k", region="moon")
    for name in ("singapore", "us", "china", "hongkong", "tokyo", "frankfurt"):
        assert name in str(info.value)


def test_self_hosted_without_key_is_allowed() -> None:
    llm = ChatQwen(base_url="http://127.0.0.1:8000/v1", model="Qwen/Qwen3-8B")
    assert llm.region is None


def test_plain_http_to_remote_host_warns() -> None:
    with pytest.warns(UserWarning, match="unencrypted"):
        ChatQwen(base_url="http://qwen.internal.example:8000/v1", api_key="sk-x")
