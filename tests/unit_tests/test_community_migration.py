"""langchain-community's documented Qwen examples, with only the import changed.

`ChatTongyi`, `DashScopeEmbeddings` and `DashScopeRerank` are orphaned by the
community sunset (issue 21). Each test below is the class docstring's example (or,
for `DashScopeRerank`, which has none, the community docs page's example), run
against the emulator with the import swapped for langchain_qwen. Where to send
requests comes from the environment (`DASHSCOPE_BASE_URL`), as a user's deployment
would set it; the documented code is unchanged otherwise.

Source read with `pip download --no-deps langchain-community==0.4.2`:
`chat_models/tongyi.py`, `embeddings/dashscope.py`,
`document_compressors/dashscope_rerank.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_qwen import ChatQwen as ChatTongyi
from langchain_qwen import QwenEmbeddings as DashScopeEmbeddings
from langchain_qwen import QwenRerank as DashScopeRerank
from langchain_qwen.testing import DashScopeEmulator, Reply, pytest_plugin

Factory = Callable[..., DashScopeEmulator]
emulator_factory = pytest_plugin.dashscope_emulator_factory

MESSAGES = [
    ("system", "你是一名专业的翻译家，可以将用户的中文翻译为英文。"),  # noqa: RUF001
    ("human", "我喜欢编程。"),
]


@pytest.fixture
def env_emulator(
    emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
) -> DashScopeEmulator:
    """`export DASHSCOPE_API_KEY=...` and a base URL pointing at the emulator."""
    monkeypatch.setenv("DASHSCOPE_API_KEY", emulator.api_key)
    monkeypatch.setenv("DASHSCOPE_BASE_URL", emulator.base_url)
    return emulator


# ------------------------------------------------------------------ ChatTongyi
def test_chat_tongyi_instantiate_invoke_and_metadata(
    env_emulator: DashScopeEmulator,
) -> None:
    tongyi_chat = ChatTongyi(
        model="qwen-max",
        # top_p="...",
        # api_key="...",
        # other params...
    )
    ai_msg = tongyi_chat.invoke(MESSAGES)
    assert isinstance(ai_msg, AIMessage)
    assert ai_msg.content
    # The docstring's response_metadata keys: model_name, finish_reason,
    # request_id and token_usage are all there.
    meta = ai_msg.response_metadata
    assert meta["model_name"] == "qwen-max"
    assert meta["finish_reason"] == "stop"
    assert meta["id"] == f"chatcmpl-{meta['request_id']}"
    assert meta["token_usage"]["total_tokens"] > 0
    assert ai_msg.usage_metadata is not None  # ChatTongyi had none
    body = env_emulator.last_request.json
    assert body["model"] == "qwen-max"
    assert body["messages"][0] == {"role": "system", "content": MESSAGES[0][1]}


def test_chat_tongyi_stream(env_emulator: DashScopeEmulator) -> None:
    tongyi_chat = ChatTongyi(model="qwen-max")
    chunks = list(tongyi_chat.stream(MESSAGES))
    assert len(chunks) > 1
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert len({c.id for c in chunks}) == 1  # one run id, as documented
    full = chunks[0]
    for chunk in chunks[1:]:
        full += chunk
    assert full.response_metadata["finish_reason"] == "stop"
    assert full.usage_metadata is not None
    assert env_emulator.last_request.stream


def test_chat_tongyi_async(env_emulator: DashScopeEmulator) -> None:
    tongyi_chat = ChatTongyi(model="qwen-max")

    async def main() -> tuple[Any, list[Any], list[Any]]:
        answer = await tongyi_chat.ainvoke(MESSAGES)
        streamed = [chunk async for chunk in tongyi_chat.astream(MESSAGES)]
        batch = await tongyi_chat.abatch([MESSAGES])
        return answer, streamed, batch

    answer, streamed, batch = asyncio.run(main())
    assert isinstance(answer, AIMessage)
    assert len(streamed) > 1
    assert len(batch) == 1
    assert len(env_emulator.chat_requests) == 3


def test_chat_tongyi_tool_calling(env_emulator: DashScopeEmulator) -> None:
    from pydantic import BaseModel, Field

    class GetWeather(BaseModel):
        """Get the current weather in a given location"""

        location: str = Field(
            ..., description="The city and state, e.g. San Francisco, CA"
        )

    class GetPopulation(BaseModel):
        """Get the current population in a given location"""

        location: str = Field(
            ..., description="The city and state, e.g. San Francisco, CA"
        )

    tongyi_chat = ChatTongyi(model="qwen-max")
    # The model's documented answer, scripted: one GetWeather call.
    env_emulator.script(
        Reply.tool_calls(
            [{"name": "GetWeather", "arguments": {"location": "Los Angeles, CA"}}]
        )
    )
    chat_with_tools = tongyi_chat.bind_tools([GetWeather, GetPopulation])
    ai_msg = chat_with_tools.invoke(
        "Which city is hotter today and which is bigger: LA or NY?"
    )
    assert [(c["name"], c["args"]) for c in ai_msg.tool_calls] == [
        ("GetWeather", {"location": "Los Angeles, CA"})
    ]
    sent = env_emulator.last_request.json["tools"]
    assert [t["function"]["name"] for t in sent] == ["GetWeather", "GetPopulation"]


def test_chat_tongyi_structured_output(env_emulator: DashScopeEmulator) -> None:
    from pydantic import BaseModel, Field

    class Joke(BaseModel):
        """Joke to tell user."""

        setup: str = Field(description="The setup of the joke")
        punchline: str = Field(description="The punchline to the joke")
        rating: int | None = Field(description="How funny the joke is, from 1 to 10")

    tongyi_chat = ChatTongyi(model="qwen-max")
    structured_chat = tongyi_chat.with_structured_output(Joke)
    joke = structured_chat.invoke("Tell me a joke about cats")
    assert isinstance(joke, Joke)
    assert joke.setup
    assert joke.punchline


# ------------------------------------------------------------------ DashScopeEmbeddings
def test_dashscope_embeddings_key_argument(
    emulator_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = emulator_factory(api_key="my-api-key")  # the key the docstring passes
    monkeypatch.setenv("DASHSCOPE_BASE_URL", emu.base_url)

    # The default model changed (v1 -> v4): a warning says how to keep an index.
    with pytest.warns(DeprecationWarning, match="model='text-embedding-v1'"):
        embeddings = DashScopeEmbeddings(dashscope_api_key="my-api-key")

    vector = embeddings.embed_query("This is a test query.")
    assert len(vector) == 1024  # text-embedding-v4's default (community: v1, 1536)
    assert emu.last_request.headers["authorization"] == "Bearer my-api-key"
    assert "my-api-key" not in repr(embeddings)


def test_dashscope_embeddings_env_key_and_model(
    emulator_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = emulator_factory(api_key="sk-your-dashscope-api-key")
    monkeypatch.setenv("DASHSCOPE_BASE_URL", emu.base_url)

    # os.environ["DASHSCOPE_API_KEY"] = "your DashScope API KEY"; the placeholder
    # itself (with spaces) is refused before sending, so a key-shaped one here.
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-your-dashscope-api-key")

    embeddings = DashScopeEmbeddings(
        model="text-embedding-v1",
    )
    text = "This is a test query."
    query_result = embeddings.embed_query(text)

    assert len(query_result) == 1536
    assert emu.last_request.json["model"] == "text-embedding-v1"
    # embed_documents as the class documents it: 30 texts, v1 takes 25 per request.
    vectors = embeddings.embed_documents([f"text {i}" for i in range(30)])
    assert len(vectors) == 30
    sizes = sorted(len(r.json["input"]) for r in emu.requests[1:])
    assert sizes == [5, 25]


# ------------------------------------------------------------------ DashScopeRerank
def test_dashscope_rerank_needs_a_model_now(env_emulator: DashScopeEmulator) -> None:
    # The community docs page builds `DashScopeRerank()` with no model: the
    # community class then used gte-rerank, retired on 2026-05-30. QwenRerank
    # refuses instead of swapping models silently, and says what to pass.
    with pytest.raises(ValueError, match=r"needs `model`, e\.g\. model='qwen3-rerank'"):
        DashScopeRerank()
    assert env_emulator.requests == []


def test_dashscope_rerank_contextual_compression(
    env_emulator: DashScopeEmulator,
) -> None:
    from langchain_classic.retrievers import ContextualCompressionRetriever

    texts = [
        "The president nominated Ketanji Brown Jackson to the Supreme Court.",
        "Inflation fell for the third month in a row.",
        "Ketanji Brown Jackson is a former federal judge.",
        "The new bridge opens next spring.",
        "Tonight I say to Ketanji Brown Jackson: thank you for your service.",
    ]
    embedder = DashScopeEmbeddings(model="text-embedding-v4")
    retriever = InMemoryVectorStore.from_texts(texts, embedder).as_retriever(
        search_kwargs={"k": 5}
    )

    # The docs page's example; the only change is `model=` (see the test above).
    compressor = DashScopeRerank(model="qwen3-rerank")
    compression_retriever = ContextualCompressionRetriever(
        base_compressor=compressor, base_retriever=retriever
    )
    compressed_docs = compression_retriever.invoke(
        "What did the president say about Ketanji Jackson Brown"
    )

    assert len(compressed_docs) == 3  # the community default top_n
    assert all("Ketanji" in d.page_content for d in compressed_docs)
    scores = [d.metadata["relevance_score"] for d in compressed_docs]
    assert scores == sorted(scores, reverse=True)
    assert env_emulator.last_request.path.endswith("/compatible-api/v1/reranks")


def test_dashscope_rerank_method_and_compress(env_emulator: DashScopeEmulator) -> None:
    reranker = DashScopeRerank(model="qwen3-rerank", top_n=2)
    docs = [
        Document("Paris is the capital of France.", metadata={"id": 1}),
        Document("Berlin is in Germany.", metadata={"id": 2}),
        Document("The capital of France has the Louvre.", metadata={"id": 3}),
    ]
    ranked = reranker.rerank(docs, "capital of France")
    assert [r["index"] for r in ranked] == [0, 2]
    assert set(ranked[0]) == {"index", "relevance_score"}
    kept = reranker.compress_documents(docs, "capital of France")
    assert [d.metadata["id"] for d in kept] == [1, 3]
    assert docs[0].metadata == {"id": 1}  # copies, as the community class made
