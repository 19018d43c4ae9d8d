"""The emulator's embeddings and rerank endpoints over raw HTTP.

The rules asserted here are DashScope's (issue 21's "Vendor facts"; pages cited in
`langchain_qwen/testing/_embeddings.py` and `_rerank.py`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from langchain_qwen.testing import DashScopeEmulator, Reply

NATIVE_EMBED = "/api/v1/services/embeddings/text-embedding/text-embedding"
NATIVE_RERANK = "/api/v1/services/rerank/text-rerank/text-rerank"
DOCS = [
    "Quantum computing is a frontier of computer science.",
    "Rerank models sort candidate documents by their relevance to a query.",
    "Pre-trained language models brought progress to text rerank models.",
]


@pytest.fixture
def http(emulator: DashScopeEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=emulator.url,
        headers={"Authorization": f"Bearer {emulator.api_key}"},
        timeout=10,
    ) as client:
        yield client


def embed(http: httpx.Client, **body: Any) -> httpx.Response:
    body.setdefault("model", "text-embedding-v4")
    return http.post("/compatible-mode/v1/embeddings", json=body)


def rerank(http: httpx.Client, **body: Any) -> httpx.Response:
    body.setdefault("model", "qwen3-rerank")
    return http.post("/compatible-api/v1/reranks", json=body)


def vectors(response: httpx.Response) -> dict[int, list[float]]:
    assert response.status_code == 200, response.text
    return {item["index"]: item["embedding"] for item in response.json()["data"]}


def error_message(response: httpx.Response) -> str:
    body = response.json()
    return str(body["error"]["message"] if "error" in body else body["message"])


def dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


# ------------------------------------------------------------------ embeddings
@pytest.mark.parametrize(
    ("model", "cap"),
    [
        ("text-embedding-v4", 10),
        ("text-embedding-v3", 10),
        ("qwen3.7-text-embedding", 20),
        ("text-embedding-v2", 25),
        ("text-embedding-v1", 25),
        ("text-embedding-v9", 10),  # unknown: the safe cap
    ],
)
def test_input_cap_per_model(http: httpx.Client, model: str, cap: int) -> None:
    texts = [f"text {i}" for i in range(cap + 1)]
    assert len(vectors(embed(http, model=model, input=texts[:cap]))) == cap
    over = embed(http, model=model, input=texts)
    assert over.status_code == 400
    assert over.json()["error"]["code"] == "InvalidParameter"
    assert error_message(over) == (
        "<400> InternalError.Algo.InvalidParameter: Value error, batch size is "
        f"invalid, it should not be larger than {cap}.: input.contents"
    )


@pytest.mark.parametrize(
    ("model", "dimensions", "expected"),
    [
        ("text-embedding-v4", None, 1024),
        ("text-embedding-v4", 2048, 2048),
        ("text-embedding-v4", 64, 64),
        ("text-embedding-v3", None, 1024),
        ("text-embedding-v3", 512, 512),
        ("qwen3.7-text-embedding", 2560, 2560),
        ("text-embedding-v1", None, 1536),
    ],
)
def test_dimensions(
    http: httpx.Client, model: str, dimensions: int | None, expected: int
) -> None:
    body: dict[str, Any] = {"model": model, "input": "hello"}
    if dimensions is not None:
        body["dimensions"] = dimensions
    (vector,) = vectors(embed(http, **body)).values()
    assert len(vector) == expected
    assert math.isclose(math.sqrt(dot(vector, vector)), 1.0, rel_tol=1e-4)


@pytest.mark.parametrize(
    ("model", "dimensions"),
    [
        ("text-embedding-v3", 2048),
        ("text-embedding-v4", 1000),
        ("text-embedding-v1", 1024),
    ],
)
def test_refused_dimensions_name_the_allowed_values(
    http: httpx.Client, model: str, dimensions: int
) -> None:
    response = embed(http, model=model, input="hello", dimensions=dimensions)
    assert response.status_code == 400
    assert "dimensions is invalid" in error_message(response)
    assert "512" in error_message(response) or "1536" in error_message(response)


@pytest.mark.parametrize("tokens", [[1, 2, 3], [[1, 2], [3, 4]]])
def test_token_arrays_are_refused(http: httpx.Client, tokens: list[Any]) -> None:
    response = embed(http, input=tokens)
    assert response.status_code == 400
    assert error_message(response).startswith("contents is neither str nor list of str")


def test_empty_string_is_refused(http: httpx.Client) -> None:
    response = embed(http, input=["fine", ""])
    assert response.status_code == 400
    assert "Range of input length should be [1, 8192]" in error_message(response)


def test_encoding_format_float_and_usage(
    http: httpx.Client, emulator: DashScopeEmulator
) -> None:
    response = embed(http, input=["a cat", "a dog"], encoding_format="float")
    body = response.json()
    assert body["object"] == "list"
    assert body["model"] == "text-embedding-v4"
    assert body["usage"]["prompt_tokens"] == body["usage"]["total_tokens"] > 0
    assert body["id"] == response.headers["x-request-id"]
    assert all(isinstance(x, float) for x in body["data"][0]["embedding"])
    assert embed(http, input="a", encoding_format="int8").status_code == 400
    # `text_type` is documented for the native endpoint only: compatible mode ignores it.
    embed(http, input="a", text_type="query")
    assert emulator.last_request.unknown_keys == ("text_type",)


def test_answers_come_out_of_order_with_their_index(
    http: httpx.Client, emulator: DashScopeEmulator
) -> None:
    texts = [f"document number {i}" for i in range(10)]
    shuffled = embed(http, input=texts).json()["data"]
    order = [item["index"] for item in shuffled]
    assert sorted(order) == list(range(10))
    assert order != list(range(10))
    assert [item["index"] for item in embed(http, input=texts).json()["data"]] == order
    emulator.retrieval.shuffle = False
    in_order = embed(http, input=texts).json()["data"]
    assert [item["index"] for item in in_order] == list(range(10))
    by_index = {item["index"]: item["embedding"] for item in shuffled}
    assert all(by_index[i] == item["embedding"] for i, item in enumerate(in_order))


def test_similar_texts_are_closer(http: httpx.Client) -> None:
    got = vectors(
        embed(
            http,
            input=[
                "How do rerank models sort documents?",
                DOCS[1],
                DOCS[0],
                "今天天气很好",
                "今天的天气不错",
            ],
        )
    )
    assert dot(got[0], got[1]) > dot(got[0], got[2]) + 0.2
    assert dot(got[3], got[4]) > dot(got[3], got[0]) + 0.2


def test_native_embeddings(http: httpx.Client, emulator: DashScopeEmulator) -> None:
    body = {
        "model": "text-embedding-v4",
        "input": {"texts": ["hello world", "goodbye"]},
        "parameters": {
            "dimension": 256,
            "text_type": "query",
            "output_type": "dense&sparse",
        },
    }
    response = http.post(NATIVE_EMBED, json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["request_id"] == response.headers["x-request-id"]
    assert answer["usage"]["total_tokens"] > 0
    items = {e["text_index"]: e for e in answer["output"]["embeddings"]}
    assert sorted(items) == [0, 1]
    assert len(items[0]["embedding"]) == 256
    assert {t["token"] for t in items[0]["sparse_embedding"]} == {"hello", "world"}
    compat = vectors(embed(http, input=["hello world"], dimensions=256))
    assert items[0]["embedding"] == compat[0]
    assert emulator.last_request.unknown_keys == ()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"input": {"texts": ["x"] * 11}}, "should not be larger than 10"),
        ({"input": {"texts": [[1, 2]]}}, "contents is neither str nor list of str"),
        ({"input": {"texts": ["x"]}, "parameters": {"dimension": 100}}, "dimension"),
        ({"input": {"texts": ["x"]}, "parameters": {"text_type": "code"}}, "text_type"),
        ({"model": "qwen-plus", "input": {"texts": ["x"]}}, "Model not exist"),
    ],
)
def test_native_embeddings_refusals(
    http: httpx.Client, body: dict[str, Any], message: str
) -> None:
    body.setdefault("model", "text-embedding-v4")
    response = http.post(NATIVE_EMBED, json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParameter"
    assert message in response.json()["message"]


# ------------------------------------------------------------------ rerank
def test_rerank_ranks_by_overlap(http: httpx.Client) -> None:
    response = rerank(
        http, query="What is a rerank model?", documents=DOCS, return_documents=True
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    results = answer["results"]
    assert [r["index"] for r in results][:2] == [1, 2]
    assert results[-1]["index"] == 0
    scores = [r["relevance_score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s < 1 for s in scores)
    assert results[0]["document"] == {"text": DOCS[1]}
    assert answer["model"] == "qwen3-rerank"
    assert answer["usage"]["total_tokens"] > 0
    assert answer["id"] == response.headers["x-request-id"]


def test_rerank_top_n_and_no_documents_by_default(http: httpx.Client) -> None:
    results = rerank(http, query="rerank model", documents=DOCS, top_n=2).json()
    assert len(results["results"]) == 2
    assert all("document" not in r for r in results["results"])
    assert rerank(http, query="q", documents=DOCS, top_n=0).status_code == 400


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("compat", {"model": "qwen3-rerank", "documents": ["d"] * 501}, 400, "500"),
        ("compat", {"model": "qwen3-rerank", "documents": []}, 400, "non-empty"),
        ("compat", {"model": "qwen3-rerank", "documents": [1, 2]}, 400, "list of str"),
        ("compat", {"model": "gte-rerank-v2", "documents": ["d"]}, 404, "does not"),
        ("compat", {"model": "gte-rerank", "documents": ["d"]}, 404, "does not"),
        ("native", {"model": "qwen3-vl-rerank", "documents": ["d"] * 101}, 400, "100"),
        ("native", {"model": "gte-rerank", "documents": ["d"]}, 400, "not exist"),
    ],
)
def test_rerank_refusals(
    http: httpx.Client, path: str, body: dict[str, Any], status: int, message: str
) -> None:
    if path == "compat":
        response = rerank(http, query="q", **body)
    else:
        model = body.pop("model")
        native = {"model": model, "input": {"query": "q", **body}}
        response = http.post(NATIVE_RERANK, json=native)
    assert response.status_code == status, response.text
    assert message in error_message(response)


@pytest.mark.parametrize("model", ["gte-rerank-v2", "qwen3-rerank", "qwen3-vl-rerank"])
def test_native_rerank(http: httpx.Client, model: str) -> None:
    body = {
        "model": model,
        "input": {"query": "rerank model", "documents": DOCS},
        "parameters": {"top_n": 1, "return_documents": True},
    }
    response = http.post(NATIVE_RERANK, json=body)
    assert response.status_code == 200, response.text
    (result,) = response.json()["output"]["results"]
    assert result["index"] in (1, 2)
    assert result["document"]["text"] == DOCS[result["index"]]


# ------------------------------------------------------------------ server wiring
@pytest.fixture(scope="module")
def regional(request: pytest.FixtureRequest) -> Iterator[DashScopeEmulator]:
    from langchain_qwen.testing.pytest_plugin import _allow_loopback

    _allow_loopback(request)
    keys = {"singapore": "sk-sg", "us": "sk-us", "china": "sk-cn"}
    with DashScopeEmulator(regions=keys) as emu:
        yield emu


@pytest.mark.parametrize(
    ("region", "path", "model", "status"),
    [
        ("us", "/compatible-mode/v1/embeddings", "text-embedding-v4", 404),
        ("singapore", "/compatible-mode/v1/embeddings", "text-embedding-v4", 200),
        ("singapore", "/compatible-mode/v1/embeddings", "text-embedding-v1", 404),
        ("china", "/compatible-mode/v1/embeddings", "text-embedding-v1", 200),
        ("singapore", "/compatible-api/v1/reranks", "qwen3-rerank", 200),
        ("us", "/compatible-api/v1/reranks", "qwen3-rerank", 404),
        ("singapore", NATIVE_RERANK, "gte-rerank-v2", 400),
        ("china", NATIVE_RERANK, "gte-rerank-v2", 200),
    ],
)
def test_models_per_region(
    regional: DashScopeEmulator, region: str, path: str, model: str, status: int
) -> None:
    key = {"singapore": "sk-sg", "us": "sk-us", "china": "sk-cn"}[region]
    if "embeddings" in path:
        body: dict[str, Any] = {"model": model, "input": "hi"}
    elif path == NATIVE_RERANK:
        body = {"model": model, "input": {"query": "q", "documents": ["d"]}}
    else:
        body = {"model": model, "query": "q", "documents": ["d"]}
    response = httpx.post(
        f"{regional.url}/{region}{path}",
        json=body,
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    ("path", "error_key"),
    [
        ("/compatible-mode/v1/embeddings", "error"),
        ("/compatible-api/v1/reranks", "error"),
        (NATIVE_EMBED, "code"),
        (NATIVE_RERANK, "code"),
    ],
)
def test_wrong_key_is_refused(
    emulator: DashScopeEmulator, path: str, error_key: str
) -> None:
    response = httpx.post(
        emulator.url + path,
        json={"model": "text-embedding-v4"},
        headers={"Authorization": "Bearer sk-wrong"},
    )
    assert response.status_code == 401
    assert error_key in response.json()
    assert emulator.last_request.status == 401


def test_scripted_faults_apply_and_answers_wait_for_chat(
    http: httpx.Client, emulator: DashScopeEmulator
) -> None:
    emulator.script(
        Reply.error(429, "limit_requests"), Reply.text("for the chat"), Reply.reset()
    )
    assert embed(http, input="a").status_code == 429
    assert embed(http, input="a").status_code == 200  # the text reply stays queued
    assert emulator.pending == 2
    chat = http.post(
        "/compatible-mode/v1/chat/completions",
        json={"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert chat.json()["choices"][0]["message"]["content"] == "for the chat"
    with pytest.raises(httpx.TransportError):
        rerank(http, query="q", documents=["d"])


def test_native_scripted_error_has_the_native_shape(
    http: httpx.Client, emulator: DashScopeEmulator
) -> None:
    emulator.script(Reply.error(500, "InternalError", message="boom"))
    body = {"model": "gte-rerank-v2", "input": {"query": "q", "documents": ["d"]}}
    response = http.post(NATIVE_RERANK, json=body)
    assert response.status_code == 500
    assert response.json()["code"] == "InternalError"
    assert response.json()["message"] == "boom"


def test_rate_limits_apply(http: httpx.Client, emulator: DashScopeEmulator) -> None:
    emulator.rate_limits.set("text-embedding-v4", rpm=1)
    assert embed(http, input="a").status_code == 200
    refused = embed(http, input="a")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "limit_requests"


def test_latency_delays_every_answer(
    http: httpx.Client, emulator: DashScopeEmulator
) -> None:
    assert int(embed(http, input="a").headers["req-cost-time"]) < 30
    emulator.latency = 0.03
    # The server's own clock (req-cost-time, ms) shows the wait.
    assert int(embed(http, input="a").headers["req-cost-time"]) >= 30
    emulator.retrieval.shuffle = False
    emulator.reset()
    assert emulator.latency == 0.0
    assert emulator.retrieval.shuffle is True


def test_rerank_base_url(emulator: DashScopeEmulator) -> None:
    assert emulator.rerank_base_url == emulator.url + "/compatible-api/v1"
