"""QwenEmbeddings against the emulator's /embeddings endpoint (real HTTP)."""

from __future__ import annotations

import asyncio
import json
import pickle
import traceback
import warnings
from typing import Any

import pytest
from langchain_core.rate_limiters import BaseRateLimiter

from langchain_qwen import (
    ChatQwen,
    DashScopeAuthenticationError,
    DashScopeBadRequestError,
    DashScopeConnectionError,
    DashScopeRateLimitError,
    QwenEmbeddings,
)
from langchain_qwen import embeddings as embeddings_module
from langchain_qwen.rate_limiters import QwenRateLimiter
from langchain_qwen.testing import DashScopeEmulator, Reply

SECRET = "sk-emb-secret-0123456789"


def _texts(n: int) -> list[str]:
    return [f"document number {i} about topic {i % 7}" for i in range(n)]


def _make(emulator: DashScopeEmulator, **kwargs: Any) -> QwenEmbeddings:
    params: dict[str, Any] = {
        "base_url": emulator.base_url,
        "api_key": emulator.api_key,
        "max_retries": 0,
    }
    params.update(kwargs)
    return QwenEmbeddings(**params)


def _embed_requests(emulator: DashScopeEmulator) -> list[Any]:
    return [r for r in emulator.requests if r.path.endswith("/embeddings")]


async def _aembed(emb: QwenEmbeddings, texts: list[str]) -> list[list[float]]:
    return await emb.aembed_documents(texts)


def _run(emb: QwenEmbeddings, texts: list[str], mode: str) -> list[list[float]]:
    if mode == "sync":
        return emb.embed_documents(texts)
    return asyncio.run(_aembed(emb, texts))


MODES = ("sync", "async")


# -- order, batching, request body ---------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_vectors_come_back_in_input_order(
    emulator: DashScopeEmulator, mode: str
) -> None:
    emb = _make(emulator)
    texts = _texts(23)
    together = _run(emb, texts, mode)
    # The emulator lists `data` shuffled; each text alone must give the same vector.
    alone = [emb.embed_query(t) for t in texts]
    assert together == alone
    assert len({tuple(v) for v in together}) == len(texts)


@pytest.mark.parametrize(
    ("model", "chunk_size", "sizes"),
    [
        ("text-embedding-v4", None, [10, 10, 5]),
        ("qwen3.7-text-embedding", None, [20, 5]),
        ("text-embedding-v1", None, [25]),
        ("my-own-embedding", None, [10, 10, 5]),  # unknown: the safe cap
        ("text-embedding-v4", 4, [4, 4, 4, 4, 4, 4, 1]),
        # chunk_size equal to the cap is allowed (only above it is refused).
        ("text-embedding-v4", 10, [10, 10, 5]),
        ("text-embedding-v1", 25, [25]),
    ],
)
def test_batches_follow_the_model_cap(
    emulator: DashScopeEmulator, model: str, chunk_size: int | None, sizes: list[int]
) -> None:
    emb = _make(emulator, model=model, chunk_size=chunk_size)
    vectors = emb.embed_documents(_texts(25))
    assert len(vectors) == 25
    sent = sorted(
        (len(r.json["input"]) for r in _embed_requests(emulator)), reverse=True
    )
    assert sent == sizes
    assert all(r.status == 200 for r in _embed_requests(emulator))


def test_chunk_size_over_the_cap_is_refused() -> None:
    with pytest.raises(ValueError, match="at most 10 inputs"):
        QwenEmbeddings(api_key=SECRET, chunk_size=11)


def test_body_is_strings_and_float_and_no_text_type(
    emulator: DashScopeEmulator,
) -> None:
    emb = _make(emulator)
    emb.embed_query("a query")
    emb.embed_documents(["a document"])
    for request in _embed_requests(emulator):
        assert request.json["encoding_format"] == "float"
        assert request.json["input"] in (["a query"], ["a document"])
        assert "text_type" not in request.json
        assert "dimensions" not in request.json
        assert request.unknown_keys == ()


NATIVE = "/api/v1/services/embeddings/text-embedding/text-embedding"


@pytest.mark.parametrize("mode", MODES)
def test_native_endpoint_sends_text_type_and_keeps_order(
    emulator: DashScopeEmulator, mode: str
) -> None:
    emb = _make(emulator, endpoint="native", dimensions=512, instruct="Find answers.")
    texts = _texts(12)
    vectors = _run(emb, texts, mode)
    query = emb.embed_query(texts[11])
    assert vectors[11] == query  # order by text_index (the emulator shuffles)
    assert len({tuple(v) for v in vectors}) == 12
    requests = emulator.requests
    assert [r.path for r in requests] == [NATIVE] * 3
    assert all(r.status == 200 and r.unknown_keys == () for r in requests)
    document_body, _, query_body = sorted(
        (r.json for r in requests),
        key=lambda b: (-len(b["input"]["texts"]), b["parameters"]["text_type"]),
    )
    assert document_body["parameters"] == {"text_type": "document", "dimension": 512}
    assert query_body == {
        "model": "text-embedding-v4",
        "input": {"texts": [texts[11]]},
        "parameters": {
            "text_type": "query",
            "dimension": 512,
            "instruct": "Find answers.",
        },
    }


def test_instruct_needs_the_native_endpoint() -> None:
    with pytest.raises(ValueError, match="endpoint='native'"):
        QwenEmbeddings(api_key=SECRET, instruct="Find answers.")


# -- dimensions ---------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_allowed_dimensions_are_sent(emulator: DashScopeEmulator, mode: str) -> None:
    emb = _make(emulator, dimensions=256)
    vectors = _run(emb, ["one", "two"], mode)
    assert [len(v) for v in vectors] == [256, 256]
    assert _embed_requests(emulator)[0].json["dimensions"] == 256


@pytest.mark.parametrize(
    ("model", "dimensions", "named"),
    [
        ("text-embedding-v4", 500, "2048, 1536, 1024, 768, 512, 256, 128, 64"),
        ("text-embedding-v3", 2048, "1024, 768, 512, 256, 128, 64"),
        ("text-embedding-v1", 1024, "1536"),
        ("text-embedding-v4", 0, "a positive int"),
        ("text-embedding-v4", True, "a positive int"),
    ],
)
def test_bad_dimensions_are_refused_before_sending(
    model: str, dimensions: Any, named: str
) -> None:
    with pytest.raises(ValueError, match="`dimensions`") as info:
        QwenEmbeddings(api_key=SECRET, model=model, dimensions=dimensions)
    assert named in str(info.value)


def test_unknown_model_dimensions_are_left_to_the_server(
    emulator: DashScopeEmulator,
) -> None:
    emb = _make(emulator, model="my-own-embedding", dimensions=300)
    assert emb.dimensions == 300


# -- input checks -------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("texts", "match"),
    [
        (["fine", "also fine", ""], r"texts\[2\] is an empty string"),
        (["fine", [1, 2, 3]], r"texts\[1\] is a list: DashScope embeds strings only"),
    ],
)
def test_bad_texts_are_refused_before_sending(
    emulator: DashScopeEmulator, mode: str, texts: list[Any], match: str
) -> None:
    emb = _make(emulator)
    with pytest.raises(ValueError, match=match):
        _run(emb, texts, mode)
    assert emulator.requests == []


def test_no_texts_no_request(emulator: DashScopeEmulator) -> None:
    assert _make(emulator).embed_documents([]) == []
    assert emulator.requests == []


# -- concurrency --------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_batches_go_out_concurrently_within_the_bound(
    emulator: DashScopeEmulator, mode: str
) -> None:
    latency = 0.1
    emulator.latency = latency
    emb = _make(emulator, max_concurrency=2, chunk_size=1)
    _run(emb, _texts(6), mode)
    arrivals = sorted(r.received_at for r in _embed_requests(emulator))
    assert len(arrivals) == 6
    # Two at once: the first two arrive together...
    assert arrivals[1] - arrivals[0] < latency / 2
    # ...and never a third before one of them has been answered.
    for first, third in zip(arrivals, arrivals[2:], strict=False):
        assert third - first >= latency * 0.9


# -- retries ------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_only_the_failed_batch_is_sent_again_after_retry_after(
    emulator: DashScopeEmulator, mode: str, fast_backoff: None
) -> None:
    wait = 0.2
    emulator.script(
        Reply.error(429, "Throttling.RateQuota", headers={"Retry-After": str(wait)})
    )
    emb = _make(emulator, max_retries=2, max_concurrency=1)
    texts = _texts(30)
    vectors = _run(emb, texts, mode)
    assert len(vectors) == 30
    requests = _embed_requests(emulator)
    assert [r.status for r in requests] == [429, 200, 200, 200]
    inputs = [tuple(r.json["input"]) for r in requests]
    assert inputs[0] == inputs[1]  # the refused batch, sent again
    assert sorted(set(inputs)) == sorted(
        tuple(texts[i : i + 10]) for i in range(0, 30, 10)
    )
    assert requests[1].received_at - requests[0].received_at >= wait * 0.9


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_batch_stops_the_batches_not_yet_sent(
    emulator: DashScopeEmulator, mode: str
) -> None:
    # One request at a time: after the first fails, the other two would only cost
    # money and quota for vectors the caller never gets.
    emulator.script(Reply.error(400, "InvalidParameter", "bad input"))
    emb = _make(emulator, max_concurrency=1)
    with pytest.raises(DashScopeBadRequestError, match="bad input"):
        _run(emb, _texts(30), mode)
    assert len(_embed_requests(emulator)) == 1


@pytest.mark.parametrize("mode", MODES)
def test_no_retries_left_raises_the_package_error(
    emulator: DashScopeEmulator, mode: str
) -> None:
    emulator.script(Reply.error(429, "Throttling.RateQuota"))
    emb = _make(emulator, max_concurrency=1)
    with pytest.raises(DashScopeRateLimitError):
        _run(emb, _texts(3), mode)


def _item(index: Any) -> dict[str, Any]:
    return {"index": index, "embedding": [0.1]}


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        ([_item(5)], "; missing index [0, 1]"),
        ([_item(0), _item(0)], "; missing index [1]"),
        ([_item(0), _item("1")], "; missing index [1]"),
        ([_item(-1), _item(0)], "; missing index [1]"),
        # Every input has its vector, but one more came: the answer is not ours.
        ([_item(0), _item(1), _item(2)], ""),
    ],
)
def test_malformed_answer_is_a_package_error(
    emulator: DashScopeEmulator, data: list[Any], missing: str
) -> None:
    emulator.script(Reply.raw(200, json.dumps({"data": data})))
    with pytest.raises(DashScopeConnectionError) as info:
        _make(emulator).embed_documents(["a", "b"])
    assert str(info.value).endswith(f"expected 2 vectors with index 0..1{missing}.")


# -- rate limiter -------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_qwen_rate_limiter_paces_and_retries_429s(
    emulator: DashScopeEmulator, mode: str
) -> None:
    limiter = QwenRateLimiter(requests_per_minute=60_000)
    emulator.script(Reply.error(429, "Throttling.RateQuota"))
    # max_retries=0: the limiter, not the HTTP layer, retries the 429.
    emb = _make(emulator, rate_limiter=limiter, max_concurrency=1)
    vectors = _run(emb, _texts(15), mode)
    assert len(vectors) == 15
    assert limiter.throttled == 1
    assert [r.status for r in _embed_requests(emulator)] == [429, 200, 200]


class _CountingLimiter(BaseRateLimiter):
    """A plain langchain-core limiter that counts the slots it hands out."""

    def __init__(self) -> None:
        self.slots = 0

    def acquire(self, *, blocking: bool = True) -> bool:
        self.slots += 1
        return True

    async def aacquire(self, *, blocking: bool = True) -> bool:
        self.slots += 1
        return True


@pytest.mark.parametrize("mode", MODES)
def test_plain_rate_limiter_gives_each_request_a_slot(
    emulator: DashScopeEmulator, mode: str
) -> None:
    limiter = _CountingLimiter()
    _run(_make(emulator, rate_limiter=limiter), _texts(25), mode)
    assert limiter.slots == len(_embed_requests(emulator)) == 3


# -- errors and secrets -------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_key_absent_from_errors_frames_and_repr(
    emulator: DashScopeEmulator, mode: str
) -> None:
    emb = _make(emulator, api_key=SECRET)
    with pytest.raises(DashScopeAuthenticationError) as info:
        _run(emb, _texts(12), mode)
    frames = "".join(
        traceback.TracebackException.from_exception(
            info.value, capture_locals=True
        ).format()
    )
    for text in (str(info.value), repr(info.value), frames, repr(emb), str(emb)):
        assert SECRET not in text
    assert SECRET not in str(info.value.body)


# -- pickling -----------------------------------------------------------------
def test_pickles_after_use_and_embeds_in_the_copy(emulator: DashScopeEmulator) -> None:
    emb = _make(emulator, dimensions=512)
    before = emb.embed_query("hello")
    copy = pickle.loads(pickle.dumps(emb))
    assert copy._target_cache is None
    assert copy.embed_query("hello") == before
    assert copy.dimensions == 512


# -- endpoint resolution shared with ChatQwen -----------------------------------
@pytest.mark.parametrize(
    "settings",
    [
        {"region": "china"},
        {"region": "hongkong"},
        {"workspace_id": "ws-1", "region": "singapore"},
        {"plan": "trial"},
        {"base_url": "https://proxy.example/compatible-mode/v1/"},
    ],
)
def test_endpoint_resolution_is_chats(settings: dict[str, Any]) -> None:
    emb = QwenEmbeddings(api_key=SECRET, **settings)
    llm = ChatQwen(api_key=SECRET, **settings)
    assert emb.openai_api_base == llm.openai_api_base
    assert emb.region == llm.region


def test_no_key_for_dashscope_is_refused() -> None:
    with pytest.raises(ValueError, match="DASHSCOPE_API_KEY"):
        QwenEmbeddings(region="china")


def test_region_without_embedding_models_warns_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(embeddings_module, "_warned_regions", set())
    with pytest.warns(UserWarning, match="no embedding model in US") as record:
        QwenEmbeddings(api_key=SECRET, region="us")
    assert "singapore" in str(record[0].message)
    assert "hongkong" in str(record[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        QwenEmbeddings(api_key=SECRET, region="us")
        QwenEmbeddings(api_key=SECRET, region="china")


# -- langchain-community spellings --------------------------------------------
def test_community_spellings(emulator: DashScopeEmulator) -> None:
    emb = QwenEmbeddings(
        dashscope_api_key=emulator.api_key,
        base_url=emulator.base_url,
        model="text-embedding-v3",
        max_retries=5,
    )
    assert len(emb.embed_query("hi")) == 1024
    with pytest.warns(DeprecationWarning, match="`client`.*is ignored"):
        QwenEmbeddings(dashscope_api_key=SECRET, model="text-embedding-v4", client=1)
    with pytest.warns(DeprecationWarning, match="defaulted to 'text-embedding-v1'"):
        default = QwenEmbeddings(dashscope_api_key=SECRET)
    assert default.model == "text-embedding-v4"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        QwenEmbeddings(api_key=SECRET)  # our own spelling: no warning
    with pytest.raises(ValueError, match="not both"):
        QwenEmbeddings(dashscope_api_key=SECRET, api_key=SECRET)
    with pytest.raises(TypeError, match="did you mean 'model'"):
        QwenEmbeddings(api_key=SECRET, modle="text-embedding-v4")


@pytest.mark.filterwarnings("ignore:The function `loads` is in beta")
def test_dumps_writes_a_secret_reference_and_loads(
    emulator: DashScopeEmulator,
) -> None:
    from langchain_core.load import dumps, loads

    emb = _make(emulator, api_key=SECRET, model="text-embedding-v3", dimensions=512)
    text = dumps(emb)
    assert SECRET not in text
    assert "DASHSCOPE_API_KEY" in text
    copy = loads(
        text,
        secrets_map={"DASHSCOPE_API_KEY": SECRET},
        valid_namespaces=["langchain_qwen"],
        allowed_objects=[QwenEmbeddings],
    )
    assert isinstance(copy, QwenEmbeddings)
    assert copy.openai_api_key.get_secret_value() == SECRET  # type: ignore[union-attr]
    assert (copy.model, copy.dimensions) == ("text-embedding-v3", 512)
