"""QwenRerank against the emulator's rerank endpoints (real HTTP)."""

from __future__ import annotations

import asyncio
import json
import pickle
import traceback
from typing import Any

import pytest

from langchain_qwen import (
    ChatQwen,
    DashScopeAuthenticationError,
    DashScopeBadRequestError,
    DashScopeConnectionError,
    DashScopeModelNotFoundError,
    QwenRerank,
)
from langchain_qwen.rate_limiters import QwenRateLimiter
from langchain_qwen.testing import DashScopeEmulator, Reply
from tests.unit_tests.rerank_contract import DOCUMENTS, QUERY, RerankContractTests

SECRET = "sk-rerank-secret-0123456789"
COMPATIBLE = "/compatible-api/v1/reranks"
NATIVE = "/api/v1/services/rerank/text-rerank/text-rerank"
MODES = ("sync", "async")


def _make(emulator: DashScopeEmulator, **kwargs: Any) -> QwenRerank:
    params: dict[str, Any] = {
        "model": "qwen3-rerank",
        "base_url": emulator.base_url,
        "api_key": emulator.api_key,
        "max_retries": 0,
    }
    params.update(kwargs)
    return QwenRerank(**params)


def _rerank(
    reranker: QwenRerank, documents: list[Any], query: str, mode: str, **kw: Any
) -> list[dict[str, Any]]:
    if mode == "sync":
        return reranker.rerank(documents, query, **kw)
    return asyncio.run(reranker.arerank(documents, query, **kw))


class TestCompatibleEndpointContract(RerankContractTests):
    @pytest.fixture
    def reranker(self, emulator: DashScopeEmulator) -> QwenRerank:
        return _make(emulator, model="qwen3-rerank", top_n=2)


class TestNativeEndpointContract(RerankContractTests):
    @pytest.fixture
    def reranker(self, emulator: DashScopeEmulator) -> QwenRerank:
        return _make(emulator, model="gte-rerank-v2")


# -- endpoints and bodies -------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("model", "path"),
    [
        ("qwen3-rerank", COMPATIBLE),
        ("gte-rerank-v2", NATIVE),
        ("qwen3.7-text-rerank", NATIVE),
    ],
)
def test_each_model_goes_to_the_endpoint_that_serves_it(
    emulator: DashScopeEmulator, mode: str, model: str, path: str
) -> None:
    reranker = _make(emulator, model=model, instruct="Retrieve relevant passages.")
    results = _rerank(reranker, ["Paris is in France", "Bananas"], "Paris", mode)
    assert [r["index"] for r in results] == [0, 1]
    (request,) = emulator.requests
    assert request.path == path
    assert request.status == 200
    assert request.unknown_keys == ()
    body = request.json
    if path == COMPATIBLE:
        assert body == {
            "model": model,
            "query": "Paris",
            "documents": ["Paris is in France", "Bananas"],
            "top_n": 2,
            "return_documents": False,
            "instruct": "Retrieve relevant passages.",
        }
    else:
        assert body == {
            "model": model,
            "input": {"query": "Paris", "documents": ["Paris is in France", "Bananas"]},
            "parameters": {
                "top_n": 2,
                "return_documents": False,
                "instruct": "Retrieve relevant passages.",
            },
        }


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        (
            "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
            "https://dashscope-intl.aliyuncs.com/compatible-api/v1",
        ),
        (
            "https://dashscope.aliyuncs.com/compatible-api/v1/",
            "https://dashscope.aliyuncs.com/compatible-api/v1",
        ),
        ("http://localhost:8000/v1", "http://localhost:8000/v1"),
    ],
)
def test_base_url_is_the_compatible_api_base(base_url: str, expected: str) -> None:
    reranker = QwenRerank(model="qwen3-rerank", api_key=SECRET, base_url=base_url)
    assert reranker.openai_api_base == expected


@pytest.mark.parametrize(
    "settings", [{"region": "china"}, {"workspace_id": "ws-9"}, {"plan": "trial"}]
)
def test_region_workspace_plan_resolve_as_for_chat(settings: dict[str, Any]) -> None:
    reranker = QwenRerank(model="qwen3-rerank", api_key=SECRET, **settings)
    llm = ChatQwen(api_key=SECRET, **settings)
    assert llm.openai_api_base is not None
    assert reranker.openai_api_base == llm.openai_api_base.replace(
        "/compatible-mode/v1", "/compatible-api/v1"
    )
    assert reranker.region == llm.region


@pytest.mark.parametrize(
    ("host", "path", "refusal", "words"),
    [
        # Each endpoint refuses the unknown name in its own words.
        (
            "dashscope-intl.aliyuncs.com",
            NATIVE,
            DashScopeBadRequestError,
            "InvalidParameter: Model not exist",
        ),
        (
            "rerank.internal.example",
            COMPATIBLE,
            DashScopeModelNotFoundError,
            "model `my-rerank-2027` does not exist",
        ),
    ],
)
def test_an_unknown_model_goes_to_the_endpoint_its_host_has(
    emulator: DashScopeEmulator,
    monkeypatch: pytest.MonkeyPatch,
    host: str,
    path: str,
    refusal: type[Exception],
    words: str,
) -> None:
    # DashScope serves every rerank model natively (the OpenAI-style endpoint only
    # qwen3-rerank); another server has only the OpenAI-style one. The emulator
    # plays the HTTP proxy so the request can name the real host (a new event
    # loop's client reads HTTP_PROXY).
    monkeypatch.setenv("HTTP_PROXY", emulator.base_url.split("/compatible")[0])
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with pytest.warns(UserWarning, match="plain http"):
        reranker = QwenRerank(
            model="my-rerank-2027",
            base_url=f"http://{host}/compatible-mode/v1",
            api_key=emulator.api_key,
            max_retries=0,
        )
    with pytest.raises(refusal, match=words):
        asyncio.run(reranker.arerank(["a", "b"], "q"))
    (request,) = emulator.requests
    assert request.path == path


# -- splitting over the model's cap ----------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_more_documents_than_the_cap_are_split_and_merged_by_score(
    emulator: DashScopeEmulator, mode: str
) -> None:
    # qwen3.7-text-rerank takes 100 documents per request.
    documents = [f"filler text number {i}" for i in range(250)]
    documents[7] = "Paris is the capital of France"
    documents[180] = "the capital of France"
    documents[230] = "Paris France capital city"
    reranker = _make(emulator, model="qwen3.7-text-rerank", top_n=3)
    results = _rerank(reranker, documents, "Paris capital of France", mode)
    assert sorted(r["index"] for r in results) == [7, 180, 230]
    scores = [r["relevance_score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    sizes = sorted(len(r.json["input"]["documents"]) for r in emulator.requests)
    assert sizes == [50, 100, 100]
    assert all(r.status == 200 for r in emulator.requests)
    everything = _rerank(
        reranker, documents, "Paris capital of France", mode, top_n=None
    )
    assert sorted(r["index"] for r in everything) == list(range(250))


# -- top_n and input checks --------------------------------------------------------
def test_top_n_meanings(emulator: DashScopeEmulator) -> None:
    reranker = _make(emulator, top_n=1)
    assert len(reranker.rerank(DOCUMENTS, QUERY)) == 1  # -1: the instance's
    assert len(reranker.rerank(DOCUMENTS, QUERY, top_n=2)) == 2
    assert len(reranker.rerank(DOCUMENTS, QUERY, top_n=None)) == 3
    assert "top_n" not in emulator.requests[-1].json
    for bad in (0, -2, True, 1.5):
        with pytest.raises(ValueError, match="`top_n`"):
            reranker.rerank(DOCUMENTS, QUERY, top_n=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("documents", "query", "match"),
    [
        (["fine", "  "], "q", r"documents\[1\] is empty"),
        (["fine", 3], "q", r"documents\[1\] is a int"),
        (["fine"], "", "`query`"),
    ],
)
def test_bad_input_is_refused_before_sending(
    emulator: DashScopeEmulator, mode: str, documents: list[Any], query: str, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        _rerank(_make(emulator), documents, query, mode)
    assert emulator.requests == []


def test_model_is_required_and_named() -> None:
    with pytest.raises(ValueError, match=r"model='qwen3-rerank'.*gte-rerank"):
        QwenRerank(api_key=SECRET)
    with pytest.raises(ValueError, match="model='qwen3-rerank'"):
        QwenRerank(api_key=SECRET, model=None)


# -- failures, secrets, retries, limiter, pickling ------------------------------------
@pytest.mark.parametrize("model", ["qwen3-rerank", "gte-rerank-v2"])
def test_key_absent_from_errors_and_frames(
    emulator: DashScopeEmulator, model: str
) -> None:
    reranker = _make(emulator, model=model, api_key=SECRET)
    with pytest.raises(DashScopeAuthenticationError) as info:
        reranker.compress_documents(DOCUMENTS, QUERY)
    frames = "".join(
        traceback.TracebackException.from_exception(
            info.value, capture_locals=True
        ).format()
    )
    for text in (str(info.value), repr(info.value), frames, repr(reranker)):
        assert SECRET not in text


@pytest.mark.parametrize("model", ["qwen3-rerank", "gte-rerank-v2"])
def test_retry_after_a_server_fault(
    emulator: DashScopeEmulator, model: str, fast_backoff: None
) -> None:
    emulator.script(Reply.error(500, "InternalError"))
    reranker = _make(emulator, model=model, max_retries=1)
    assert reranker.rerank(DOCUMENTS, QUERY, top_n=1)[0]["index"] == 1
    assert [r.status for r in emulator.requests] == [500, 200]


def _result(index: Any, score: Any = 0.5) -> dict[str, Any]:
    return {"index": index, "relevance_score": score}


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ({"results": [_result(9)]}, "index 9 out of range or repeated"),
        # -1 would silently name the last document.
        ({"results": [_result(-1)]}, "index -1 out of range or repeated"),
        ({"results": [_result(0), _result(0)]}, "index 0 out of range or repeated"),
        ({"results": [_result("0")]}, "index '0' out of range or repeated"),
        ({"results": [_result(0, "high")]}, "relevance_score 'high' is not a number"),
        ({"results": [_result(0, True)]}, "relevance_score True is not a number"),
        ({"output": {"results": []}}, "no results list"),
    ],
)
def test_malformed_answer_is_a_package_error(
    emulator: DashScopeEmulator, answer: dict[str, Any], problem: str
) -> None:
    emulator.script(Reply.raw(200, json.dumps(answer)))
    with pytest.raises(DashScopeConnectionError) as info:
        _make(emulator).rerank(["a", "b"], QUERY)
    assert str(info.value).startswith("Malformed rerank answer from ")
    assert str(info.value).endswith(f": {problem}.")


def test_qwen_rate_limiter_retries_429(emulator: DashScopeEmulator) -> None:
    limiter = QwenRateLimiter(requests_per_minute=60_000)
    emulator.script(Reply.error(429, "Throttling.RateQuota"))
    reranker = _make(emulator, rate_limiter=limiter)
    assert reranker.rerank(DOCUMENTS, QUERY, top_n=1)[0]["index"] == 1
    assert limiter.throttled == 1
    assert [r.status for r in emulator.requests] == [429, 200]


def test_pickles_after_use(emulator: DashScopeEmulator) -> None:
    reranker = _make(emulator, top_n=2, instruct="x")
    before = reranker.rerank(DOCUMENTS, QUERY)
    copy = pickle.loads(pickle.dumps(reranker))
    assert copy._target_cache is None
    assert copy.rerank(DOCUMENTS, QUERY) == before


# -- langchain-community spellings ---------------------------------------------------
def test_community_spellings(emulator: DashScopeEmulator) -> None:
    reranker = QwenRerank(
        model="qwen3-rerank",
        top_n=1,
        dashscope_api_key=emulator.api_key,
        base_url=emulator.base_url,
    )
    assert reranker.compress_documents(DOCUMENTS, QUERY)[0].id == "d1"
    with pytest.warns(DeprecationWarning, match="`client`"):
        QwenRerank(model="qwen3-rerank", api_key=SECRET, client=object())


@pytest.mark.parametrize("mode", MODES)
def test_answer_order_is_not_trusted_and_ties_keep_document_order(
    emulator: DashScopeEmulator, mode: str
) -> None:
    # A server may list results in any order, ties included: the result is by
    # score, best first, and equal scores in document order (a stable ranking,
    # the same on every call).
    results = [
        {"index": 2, "relevance_score": 0.1},
        {"index": 1, "relevance_score": 0.7},
        {"index": 0, "relevance_score": 0.7},
    ]
    emulator.script(Reply.raw(200, json.dumps({"results": results})))
    ranked = _rerank(_make(emulator, top_n=None), ["a", "b", "c"], "q", mode)
    assert ranked == [
        {"index": 0, "relevance_score": 0.7},
        {"index": 1, "relevance_score": 0.7},
        {"index": 2, "relevance_score": 0.1},
    ]
