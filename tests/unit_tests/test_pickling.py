"""ChatQwen travels to other processes: pickle, cloudpickle, deepcopy, spawn workers."""

from __future__ import annotations

import copy
import logging
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import cloudpickle
import httpx
import pytest
from langchain_core.load import dumps
from pydantic import SecretStr

from langchain_qwen import ChatQwen
from langchain_qwen.testing import DashScopeEmulator

KEY = "sk-pickle-secret-1234567890"

SETTINGS: dict[str, Any] = {
    "model": "qwen3-max",
    "temperature": 0.2,
    "top_k": 20,
    "enable_thinking": False,
    "max_tokens": 64,
    "max_retries": 4,
    "timeout": 30.0,
    "region": "us",
    "default_headers": {"X-Team": "labels"},
    "seed": 7,
}

ROUND_TRIPS = {
    "pickle": lambda obj: pickle.loads(pickle.dumps(obj)),
    "cloudpickle": lambda obj: cloudpickle.loads(cloudpickle.dumps(obj)),
    "deepcopy": copy.deepcopy,
}


@pytest.fixture(params=sorted(ROUND_TRIPS))
def round_trip(request: pytest.FixtureRequest) -> Any:
    return ROUND_TRIPS[request.param]


def test_fails_without_support_in_the_parent_class() -> None:
    """The parent (ChatOpenAI) cannot be pickled: this is our code, not luck."""
    from langchain_openai import ChatOpenAI

    with pytest.raises(TypeError, match="pickle"):
        pickle.dumps(ChatOpenAI(api_key="sk-x"))


def test_round_trip_keeps_every_setting(round_trip: Any) -> None:
    llm = ChatQwen(api_key=KEY, **SETTINGS)
    clone = round_trip(llm)
    assert clone is not llm
    assert clone.model_dump() == llm.model_dump()
    assert clone._default_params == llm._default_params
    assert isinstance(clone.openai_api_key, SecretStr)
    assert clone.openai_api_key.get_secret_value() == KEY
    assert (
        clone.openai_api_base == "https://dashscope-us.aliyuncs.com/compatible-mode/v1"
    )
    # Clients are rebuilt on arrival, not shared with the original.
    assert clone.root_client is not None
    assert clone.root_client is not llm.root_client
    assert clone.root_async_client is not None
    assert clone.root_client.max_retries == 4
    assert KEY not in repr(clone)
    assert KEY not in dumps(clone)


def test_bound_tools_and_structured_output_travel(round_trip: Any) -> None:
    def get_weather(city: str) -> str:
        """Weather in a city."""
        return city

    llm = ChatQwen(api_key=KEY, **SETTINGS)
    bound = round_trip(llm.bind_tools([get_weather], tool_choice="get_weather"))
    assert bound.kwargs["tools"][0]["function"]["name"] == "get_weather"
    assert bound.kwargs["tool_choice"]["function"]["name"] == "get_weather"
    assert bound.bound.temperature == 0.2


def test_proxy_clients_are_rebuilt() -> None:
    llm = ChatQwen(api_key=KEY, openai_proxy="http://127.0.0.1:3128")
    clone = pickle.loads(pickle.dumps(llm))
    assert clone.openai_proxy == "http://127.0.0.1:3128"
    assert clone.http_client is not None
    assert clone.http_client is not llm.http_client


def test_user_http_client_is_refused_by_pickle_and_shared_by_deepcopy() -> None:
    own = httpx.Client()
    own_async = httpx.AsyncClient()
    llm = ChatQwen(api_key=KEY, http_client=own, http_async_client=own_async)
    with pytest.raises(TypeError, match="http_client and http_async_client"):
        pickle.dumps(llm)
    clone = copy.deepcopy(llm)
    assert clone.http_client is own
    assert clone.http_async_client is own_async
    own.close()


def test_key_never_logged_while_pickling(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    llm = ChatQwen(api_key=KEY)
    pickle.loads(pickle.dumps(llm)).model_dump_json()
    assert KEY not in caplog.text


def test_clone_calls_the_emulator(emulator: DashScopeEmulator, round_trip: Any) -> None:
    llm = ChatQwen(
        model="qwen-plus", base_url=emulator.base_url, api_key=emulator.api_key
    )
    llm.invoke("warm up")  # the original has built and used its target cache
    clone = round_trip(llm)
    assert clone.invoke("hello").content
    assert (
        emulator.last_request.headers["authorization"] == f"Bearer {emulator.api_key}"
    )


def _label(llm: ChatQwen, text: str) -> tuple[str, int, str]:
    message = llm.invoke(text)
    return (
        text,
        message.usage_metadata["total_tokens"],
        multiprocessing.current_process().name,
    )


@pytest.mark.subprocess
def test_spawned_process_pool(emulator: DashScopeEmulator) -> None:
    llm = ChatQwen(
        model="qwen-plus",
        base_url=emulator.base_url,
        api_key=emulator.api_key,
        max_tokens=16,
    )
    texts = [f"item {i}" for i in range(4)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        # The executor pickles each argument: the model itself travels.
        results = list(pool.map(_label, [llm] * len(texts), texts))
    assert [text for text, _, _ in results] == texts
    assert all(tokens > 0 for _, tokens, _ in results)
    assert {name for _, _, name in results} != {multiprocessing.current_process().name}
    assert len(emulator.chat_requests) == len(texts)
