"""ChatQwen keeps the whole ChatOpenAI contract: every inherited field is honoured
(a named test proves it) or refused with an error naming it.

A new field in a future langchain-openai release fails ``test_every_field_decided``
until someone decides which it is.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import sys
from typing import Any

import httpx
import pytest
from langchain_core.caches import InMemoryCache
from langchain_core.language_models import BaseChatModel
from langchain_core.load import dumps
from langchain_core.rate_limiters import InMemoryRateLimiter
from langchain_core.tracers.context import collect_runs
from langchain_openai.chat_models.base import BaseChatOpenAI
from pydantic import SecretStr

from langchain_qwen import ChatQwen, DashScopeConnectionError, DashScopeTimeoutError
from langchain_qwen._chat.contract import ALIASES, REFUSED
from langchain_qwen.testing import DashScopeEmulator, Reply, pytest_plugin

emulator_factory = pytest_plugin.dashscope_emulator_factory
_THIS = sys.modules[__name__]

# Field -> the test (in this module unless "module::name") proving it is honoured.
HONOURED: dict[str, str] = {
    # langchain-core's BaseChatModel fields (ChatQwen does not override their use).
    "name": "test_name_tags_metadata_callbacks_reach_the_run",
    "tags": "test_name_tags_metadata_callbacks_reach_the_run",
    "metadata": "test_name_tags_metadata_callbacks_reach_the_run",
    "callbacks": "test_name_tags_metadata_callbacks_reach_the_run",
    "verbose": "test_core_entry_points_not_overridden",
    "cache": "test_cache_serves_the_second_call",
    "rate_limiter": "test_rate_limiter_is_asked",
    "disable_streaming": "test_disable_streaming",
    "output_version": "test_chat_models::test_reasoning_content_block_and_v1",
    "profile": "test_chat_models::test_profile_from_model_name",
    "custom_get_token_ids": "test_custom_get_token_ids",
    # BaseChatOpenAI's fields.
    "model_name": "test_sampling_fields_reach_the_body",
    "temperature": "test_sampling_fields_reach_the_body",
    "model_kwargs": "test_chat_models::test_bind_and_model_kwargs_reach_body",
    "openai_api_key": "test_callable_api_key",
    "openai_api_base": "test_model_copy_uses_new_host_and_headers",
    "openai_organization": "test_organization_header",
    "openai_proxy": "test_proxy_is_used",
    "request_timeout": "test_faults::test_hung_server_is_left_after_timeout",
    "stream_usage": "test_chat_models::test_stream_usage_can_be_turned_off",
    "max_retries": "test_faults::test_default_max_retries_is_two",
    "presence_penalty": "test_sampling_fields_reach_the_body",
    "frequency_penalty": "test_sampling_fields_reach_the_body",
    "seed": "test_sampling_fields_reach_the_body",
    "logprobs": "test_sampling_fields_reach_the_body",
    "top_logprobs": "test_sampling_fields_reach_the_body",
    "logit_bias": "test_sampling_fields_reach_the_body",
    "streaming": "test_chat_models::test_streaming_flag_makes_invoke_stream",
    "n": "test_sampling_fields_reach_the_body",
    "top_p": "test_sampling_fields_reach_the_body",
    "max_tokens": "test_max_completion_tokens_alias",
    "reasoning_effort": "test_sampling_fields_reach_the_body",
    "default_headers": "test_model_copy_uses_new_host_and_headers",
    "default_query": "test_default_query",
    "http_client": "test_plain_httpx_clients",
    "http_async_client": "test_plain_httpx_clients",
    "http_socket_options": "test_socket_options_are_applied",
    "stream_chunk_timeout": "test_stream_chunk_timeout",
    "stop": "test_chat_models::test_stop_token_ids_at_construction_and_per_call",
    "extra_body": "test_chat_models::test_dashscope_params_top_level_and_extra_body_merge",
    "include_response_headers": "test_include_response_headers",
    "disabled_params": "test_disabled_params",
    # The Responses API (issue 13).
    "use_responses_api": "test_responses_api::test_text_answer_and_metadata",
    "use_previous_response_id": (
        "test_responses_api::test_use_previous_response_id_sends_only_new_messages"
    ),
    "store": "test_responses_api::test_store_false_is_sent_and_not_continuable",
    "reasoning": "test_responses_only_settings_select_the_responses_api",
    "include": "test_responses_only_settings_select_the_responses_api",
    "truncation": "test_responses_only_settings_select_the_responses_api",
}
# ChatOpenAI's aliases people pass.
CHATOPENAI_ALIASES = {"max_completion_tokens": "test_max_completion_tokens_alias"}

_SET_VALUE: dict[str, Any] = {
    "context_management": [{"type": "compaction"}],
    "verbosity": "low",
    "service_tier": "flex",
    "prompt_cache_options": {"key": "x"},
    "tiktoken_model_name": "gpt-4o",
}


def _test_exists(ref: str) -> bool:
    module_name, _, name = ref.rpartition("::")
    if not module_name:
        return callable(getattr(_THIS, name, None))
    module = sys.modules.get(f"tests.unit_tests.{module_name}")
    if module is None:
        import importlib

        module = importlib.import_module(f"tests.unit_tests.{module_name}")
    return callable(getattr(module, name, None))


def test_every_field_decided() -> None:
    fields = set(BaseChatOpenAI.model_fields)
    undecided = sorted(fields - set(HONOURED) - set(REFUSED))
    assert undecided == [], "neither honoured (with a test) nor refused"
    both = sorted(set(HONOURED) & set(REFUSED))
    assert both == []
    missing = [
        ref
        for ref in [*HONOURED.values(), *CHATOPENAI_ALIASES.values()]
        if not _test_exists(ref)
    ]
    assert missing == []
    assert set(CHATOPENAI_ALIASES) <= set(ALIASES)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_fields_name_themselves(name: str) -> None:
    value = _SET_VALUE.get(name, object())
    with pytest.raises(ValueError, match=f"`{name}`"):
        ChatQwen(model="qwen-plus", api_key="sk-test", **{name: value})


@pytest.mark.parametrize(
    "setting",
    [
        {"reasoning": {"effort": "low"}},
        {"include": ["reasoning.encrypted_content"]},
        {"truncation": "auto"},
    ],
)
def test_responses_only_settings_select_the_responses_api(
    emulator: DashScopeEmulator, make_llm: Any, setting: dict[str, Any]
) -> None:
    emulator.script(Reply.text("ok"))
    assert make_llm(model="qwen3-max", **setting).invoke("x").text == "ok"
    request = emulator.last_request
    assert request.path.endswith("/responses")
    assert {k: request.json[k] for k in setting} == setting


def test_unknown_keyword_names_the_closest_field() -> None:
    with pytest.raises(TypeError, match=r"temprature.*did you mean 'temperature'"):
        ChatQwen(model="qwen-plus", api_key="sk-test", temprature=0.5)
    with pytest.raises(TypeError, match="enable_thinkin"):
        ChatQwen(model="qwen-plus", api_key="sk-test", enable_thinkin=True)


# -- langchain-core fields -----------------------------------------------------------
def test_core_entry_points_not_overridden() -> None:
    """verbose, callbacks, tags ... are read by these core methods, kept as they are."""
    for method in ("invoke", "ainvoke", "stream", "astream", "generate", "agenerate"):
        assert getattr(ChatQwen, method) is getattr(BaseChatModel, method), method


def test_name_tags_metadata_callbacks_reach_the_run(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    from langchain_core.callbacks import BaseCallbackHandler

    seen: list[str] = []

    class Handler(BaseCallbackHandler):
        def on_llm_end(self, *args: Any, **kwargs: Any) -> None:
            seen.append("end")

    emulator.script(Reply.text("ok"))
    llm = make_llm(
        name="my-qwen", tags=["t1"], metadata={"m": 1}, callbacks=[Handler()]
    )
    with collect_runs() as cb:
        llm.invoke("x")
    run = cb.traced_runs[0]
    assert run.name == "my-qwen"
    assert "t1" in (run.tags or [])
    assert run.extra["metadata"]["m"] == 1
    assert seen == ["end"]


def test_cache_serves_the_second_call(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text("cached"), Reply.text("fresh"))
    llm = make_llm(cache=InMemoryCache())
    assert llm.invoke("same").text == "cached"
    assert llm.invoke("same").text == "cached"
    assert len(emulator.requests) == 1


def test_rate_limiter_is_asked(emulator: DashScopeEmulator, make_llm: Any) -> None:
    class Counting(InMemoryRateLimiter):
        calls = 0

        def acquire(self, *, blocking: bool = True) -> bool:
            type(self).calls += 1
            return True

    emulator.script(Reply.text("a"))
    make_llm(rate_limiter=Counting()).invoke("x")
    assert Counting.calls == 1


def test_disable_streaming(emulator: DashScopeEmulator, make_llm: Any) -> None:
    emulator.script(Reply.text("one two three"))
    chunks = list(make_llm(disable_streaming=True).stream("x"))
    assert len(chunks) == 1
    assert emulator.last_request.json.get("stream") is not True


def test_custom_get_token_ids() -> None:
    llm = ChatQwen(
        model="qwen-plus",
        api_key="sk-test",
        custom_get_token_ids=lambda t: [1] * len(t),
    )
    assert llm.get_token_ids("abc") == [1, 1, 1]
    assert llm.get_num_tokens("abcd") == 4


# -- request fields ------------------------------------------------------------------
def test_sampling_fields_reach_the_body(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text("ok"))
    fields = {
        "temperature": 0.3,
        "top_p": 0.9,
        "presence_penalty": 0.5,
        "frequency_penalty": 0.25,
        "seed": 7,
        "logprobs": True,
        "top_logprobs": 2,
        "logit_bias": {"100": 1},
        "n": 2,
        "reasoning_effort": "low",
    }
    make_llm(model="qwen-plus-latest", **fields).invoke("x")
    body = emulator.last_request.json
    assert body["model"] == "qwen-plus-latest"
    assert {k: body[k] for k in fields} == fields


def test_max_completion_tokens_alias(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text("ok"))
    llm = make_llm(max_completion_tokens=33)
    assert llm.max_tokens == 33
    assert llm.model_kwargs == {}
    llm.invoke("x")
    assert emulator.last_request.json["max_tokens"] == 33


def test_dashscope_api_key_alias_is_a_secret(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text("ok"))
    llm = ChatQwen(
        model="qwen-plus",
        base_url=emulator.base_url,
        dashscope_api_key=emulator.api_key,
        max_retries=0,
    )
    assert isinstance(llm.openai_api_key, SecretStr)
    assert llm.model_kwargs == {}
    with collect_runs() as cb:
        llm.invoke("x")
    request = emulator.last_request
    assert emulator.api_key not in request.body.decode()
    assert request.headers["authorization"] == f"Bearer {emulator.api_key}"
    assert emulator.api_key not in dumps(llm)
    assert emulator.api_key not in repr(llm)
    assert emulator.api_key not in str(cb.traced_runs[0].extra)


def test_organization_header(emulator: DashScopeEmulator, make_llm: Any) -> None:
    emulator.script(Reply.text("ok"))
    make_llm(organization="org-1").invoke("x")
    assert emulator.last_request.headers["openai-organization"] == "org-1"


def test_default_query(emulator: DashScopeEmulator, make_llm: Any) -> None:
    emulator.script(Reply.text("a"), Reply.text("b"))
    llm = make_llm(default_query={"api-version": "2024-01"})
    llm.invoke("x")
    assert "api-version=2024-01" in emulator.last_request.query
    list(llm.stream("x"))
    assert "api-version=2024-01" in emulator.last_request.query


def test_model_copy_uses_new_host_and_headers(
    make_llm: Any, emulator_factory: Any
) -> None:
    first = emulator_factory()
    second = emulator_factory()
    first.script(Reply.text("one"))
    second.script(Reply.text("two"))
    llm = make_llm(base_url=first.base_url, api_key=first.api_key)
    assert llm.invoke("x").text == "one"
    moved = llm.model_copy(
        update={"openai_api_base": second.base_url, "default_headers": {"X-A": "b"}}
    )
    assert moved.invoke("x").text == "two"
    assert second.last_request.headers["x-a"] == "b"
    assert len(first.requests) == 1


def test_callable_api_key(emulator: DashScopeEmulator, make_llm: Any) -> None:
    calls: list[str] = []

    def key() -> str:
        calls.append("sync")
        return emulator.api_key

    async def akey() -> str:
        calls.append("async")
        return emulator.api_key

    emulator.script(Reply.text("a"), Reply.text("b"), Reply.text("c"))
    llm = make_llm(api_key=key)
    assert llm.invoke("x").text == "a"
    assert llm.invoke("x").text == "b"
    assert calls == ["sync", "sync"]  # asked again for each request
    allm = make_llm(api_key=akey)
    assert asyncio.run(allm.ainvoke("x")).text == "c"
    assert calls[-1] == "async"


def test_plain_httpx_clients(emulator: DashScopeEmulator, make_llm: Any) -> None:
    seen: list[str] = []

    def hook(request: httpx.Request) -> None:
        seen.append(str(request.url))

    async def ahook(request: httpx.Request) -> None:
        seen.append(str(request.url))

    emulator.script(Reply.text("a"), Reply.text("b"), Reply.text("c"))
    with httpx.Client(event_hooks={"request": [hook]}) as client:
        llm = make_llm(http_client=client)
        assert llm.invoke("x").text == "a"
        assert "".join(c.text for c in llm.stream("x")) == "b"

    async def run() -> str:
        async with httpx.AsyncClient(event_hooks={"request": [ahook]}) as aclient:
            return (await make_llm(http_async_client=aclient).ainvoke("x")).text

    assert asyncio.run(run()) == "c"
    assert len(seen) == 3


def test_proxy_is_used(emulator: DashScopeEmulator, make_llm: Any) -> None:
    """An http proxy gets the absolute URL; the emulator plays the proxy here."""
    emulator.script(Reply.text("via proxy"), Reply.text("async via proxy"))
    target = "http://qwen.invalid/compatible-mode/v1"
    proxy = emulator.base_url.split("/compatible-mode")[0]
    with pytest.warns(UserWarning, match="plain http"):
        llm = make_llm(base_url=target, openai_proxy=proxy)
    assert llm.invoke("x").text == "via proxy"
    assert emulator.last_request.headers["host"] == "qwen.invalid"
    assert asyncio.run(llm.ainvoke("x")).text == "async via proxy"


# httpcore applies the options after connecting and does not close the socket when
# one is refused: collect it here, where its ResourceWarning is expected.
@pytest.mark.filterwarnings("ignore:unclosed:ResourceWarning")
def test_socket_options_are_applied(make_llm: Any, emulator: DashScopeEmulator) -> None:
    """An option the OS refuses makes the connection fail: proof it was applied."""
    bad = [(socket.SOL_SOCKET, 0x7FFF, 1)]
    llm = make_llm(http_socket_options=bad)
    with pytest.raises(DashScopeConnectionError):
        llm.invoke("x")
    with pytest.raises(DashScopeConnectionError):
        asyncio.run(llm.ainvoke("x"))
    gc.collect()


def test_include_response_headers(emulator: DashScopeEmulator, make_llm: Any) -> None:
    emulator.script(Reply.text("a"), Reply.text("b c d"), Reply.text("e f"))
    llm = make_llm(include_response_headers=True)
    assert "headers" in llm.invoke("x").response_metadata
    chunks = list(llm.stream("x"))
    assert "headers" in chunks[0].response_metadata
    assert all("headers" not in c.response_metadata for c in chunks[1:])

    async def first() -> Any:
        async for chunk in llm.astream("x"):
            return chunk
        return None

    assert "headers" in asyncio.run(first()).response_metadata


def test_disabled_params(emulator: DashScopeEmulator, make_llm: Any) -> None:
    emulator.script(Reply.text("a"), Reply.text("b"))
    llm = make_llm(disabled_params={"parallel_tool_calls": None, "seed": [1]})
    llm.invoke("x", parallel_tool_calls=True, seed=1)
    body = emulator.last_request.json
    assert "parallel_tool_calls" not in body
    assert "seed" not in body
    llm.invoke("x", seed=2)
    assert emulator.last_request.json["seed"] == 2


def test_stream_options_per_call_include_usage_false(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text("a b"))
    chunks = list(make_llm().stream("x", stream_options={"include_usage": False}))
    assert emulator.last_request.json["stream_options"] == {"include_usage": False}
    assert all(c.usage_metadata is None for c in chunks)


def test_stream_chunk_timeout(emulator: DashScopeEmulator, make_llm: Any) -> None:
    emulator.script(Reply.text("a b c d", chunks=4, event_delay=0.6))
    llm = make_llm(stream_chunk_timeout=0.2)

    async def run() -> None:
        async for _ in llm.astream("x"):
            pass

    with pytest.raises(DashScopeTimeoutError, match="stream_chunk_timeout") as info:
        asyncio.run(run())
    assert info.value.partial is not None
