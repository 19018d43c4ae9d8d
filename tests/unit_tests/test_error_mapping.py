"""HTTP status + DashScope code + message -> exception class, on every call path.

The map decides what a user's ``except`` catches: ``ContextOverflowError`` makes
``SummarizationMiddleware`` shorten the conversation, ``ModelRateLimitError`` makes
retry middleware wait. Each row is one answer as a server sends it; each must become
exactly its class, whichever path (invoke, stream, Responses API, Batch item)
received it.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from langchain_core.exceptions import ContextOverflowError

from langchain_qwen import (
    ContentModerationError,
    DashScopeAPIError,
    DashScopeAuthenticationError,
    DashScopeBadRequestError,
    DashScopeContextOverflowError,
    DashScopeModelNotFoundError,
    DashScopePermissionDeniedError,
    DashScopeQuotaError,
    DashScopeRateLimitError,
    DashScopeServerError,
    DashScopeStreamError,
)
from langchain_qwen.batch import submit_batch
from langchain_qwen.testing import DashScopeEmulator, Reply
from langchain_qwen.testing._batches import BatchTiming
from tests.call_modes import MODES, STREAMS, run

# Input-too-long answers, in the words of DashScope and of the OpenAI-compatible
# servers and gateways ChatQwen talks to (vLLM, SGLang, LiteLLM, OpenAI).
OVERFLOWS: list[tuple[int, str, str]] = [
    (
        400,
        "invalid_parameter_error",
        "<400> InternalError.Algo.InvalidParameter: Range of input length should "
        "be [1, 129024]",
    ),
    (400, "context_length_exceeded", "The input is too long."),
    (
        400,
        "invalid_request_error",
        "This model's maximum context length is 32768 tokens. However, your "
        "messages resulted in 40000 tokens.",
    ),
    (413, "invalid_request_error", "Input too long: 140000 tokens > 131072."),
    (413, "request_too_large", "The input is too long for the model."),
    (400, "invalid_request_error", "prompt is too long: 200000 tokens > 131072"),
    (400, "BadRequestError", "Input tokens exceed the configured limit of 272000"),
    (400, "ContextWindowExceededError", "litellm.ContextWindowExceededError: x"),
    (400, "invalid_request_error", "Requested 9000 tokens exceeds the context window"),
    (400, "invalid_parameter_error", "Please reduce the length of the messages."),
    # Only the code says it.
    (400, "context_length_exceeded", "Bad request."),
    (413, "ContextWindowExceededError", "Request rejected."),
]

# Answers that mention sizes or tokens but are not an overflow, and the rest of the
# map: (status, code, message, the class it must be).
OTHERS: list[tuple[int, str, str, type[Exception]]] = [
    (
        400,
        "invalid_parameter_error",
        "<400> InternalError.Algo.InvalidParameter: Range of max_tokens should be "
        "[1, 8192]",
        DashScopeBadRequestError,
    ),
    (400, "invalid_parameter_error", "bad temperature", DashScopeBadRequestError),
    (
        429,
        "limit_requests",
        "Requests rate limit exceeded: too many tokens per minute",
        DashScopeRateLimitError,
    ),
    (429, "insufficient_quota", "", DashScopeQuotaError),
    (400, "Arrearage", "", DashScopeQuotaError),
    (
        500,
        "internal_error",
        "context length computation failed",
        DashScopeServerError,
    ),
    (503, "ModelServingError", "", DashScopeServerError),
    (
        400,
        "data_inspection_failed",
        "Input data may contain inappropriate content; the input is too long",
        ContentModerationError,
    ),
    (401, "invalid_api_key", "", DashScopeAuthenticationError),
    (403, "access_denied", "", DashScopePermissionDeniedError),
    (404, "model_not_found", "", DashScopeModelNotFoundError),
]


def _ids(rows: list[Any]) -> list[str]:
    return [f"{r[0]}-{r[1]}-{i}" for i, r in enumerate(rows)]


@pytest.mark.parametrize(("status", "code", "message"), OVERFLOWS, ids=_ids(OVERFLOWS))
def test_input_too_long_is_a_context_overflow(
    emulator: DashScopeEmulator, make_llm: Any, status: int, code: str, message: str
) -> None:
    emulator.script(Reply.error(status, code, message))
    with pytest.raises(DashScopeContextOverflowError) as info:
        make_llm().invoke("x")
    err = info.value
    assert isinstance(err, ContextOverflowError)  # what langchain's middleware catches
    assert isinstance(err, DashScopeBadRequestError)
    assert err.is_retryable is False
    assert err.status_code == status
    assert code in str(err)
    assert message.split(":")[-1].strip() in str(err)


@pytest.mark.parametrize(("status", "code", "message", "cls"), OTHERS, ids=_ids(OTHERS))
def test_other_answers_keep_their_own_class(
    emulator: DashScopeEmulator,
    make_llm: Any,
    status: int,
    code: str,
    message: str,
    cls: type[Exception],
) -> None:
    emulator.script(Reply.error(status, code, message or None))
    with pytest.raises(cls) as info:
        make_llm().invoke("x")
    assert isinstance(info.value, DashScopeAPIError)
    assert not isinstance(info.value, ContextOverflowError)
    assert info.value.status_code == status
    assert code in str(info.value)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("status", [400, 413])
def test_overflow_on_every_call_path(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, status: int
) -> None:
    emulator.script(Reply.error(status, "invalid_request_error", "input too long"))
    with pytest.raises(DashScopeContextOverflowError):
        run(make_llm(), "x", mode)
    # Not retried: the same input overflows again (and max_retries is on here).
    emulator.script(Reply.error(status, "invalid_request_error", "input too long"))
    with pytest.raises(DashScopeContextOverflowError):
        run(make_llm(max_retries=2), "x", mode)
    assert len(emulator.chat_requests) == 2


@pytest.mark.parametrize("status", [400, 413])
def test_overflow_on_the_responses_api(
    emulator: DashScopeEmulator, make_llm: Any, status: int
) -> None:
    llm = make_llm(use_responses_api=True)
    for mode in ("invoke", "stream"):
        emulator.script(Reply.error(status, "invalid_request_error", "input too long"))
        with pytest.raises(DashScopeContextOverflowError):
            run(llm, "x", mode)


# DashScope's overflow wording in an error event part-way through a 200 stream.
OVERFLOW_EVENT = {
    "error_code": "invalid_parameter_error",
    "error_message": OVERFLOWS[0][2],
}


@pytest.mark.parametrize("responses_api", [False, True], ids=["chat", "responses"])
@pytest.mark.parametrize("mode", STREAMS)
def test_overflow_inside_a_stream(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, responses_api: bool
) -> None:
    text = "The first part of a longer answer that never ends."
    emulator.script(Reply.text(text, error_after=6, **OVERFLOW_EVENT))
    streamed: list[str] = []
    with pytest.raises(DashScopeContextOverflowError) as info:
        consume(make_llm(use_responses_api=responses_api), mode, streamed)
    err = info.value
    assert isinstance(err, ContextOverflowError)
    assert err.status_code == 400
    assert err.code == "invalid_parameter_error"
    assert "Range of input length" in str(err)
    # The partial answer rides on the error, as on every other stream error.
    assert err.partial is not None
    assert err.partial.text == "".join(streamed)
    assert err.partial.text
    assert text.startswith(err.partial.text)
    assert err.partial.text != text


@pytest.mark.parametrize("mode", STREAMS)
def test_overflow_as_the_json_body_of_a_stream(
    emulator: DashScopeEmulator, make_llm: Any, mode: str
) -> None:
    # A gateway answers a stream request with a 200 JSON error body.
    error = {"code": OVERFLOW_EVENT["error_code"], "message": OVERFLOWS[0][2]}
    emulator.script(Reply.raw(200, json.dumps({"error": error})))
    with pytest.raises(DashScopeContextOverflowError) as info:
        consume(make_llm(), mode, [])
    assert info.value.partial is not None  # nothing had arrived: an empty message
    assert info.value.partial.text == ""


@pytest.mark.parametrize("responses_api", [False, True], ids=["chat", "responses"])
def test_other_errors_inside_a_stream_stay_stream_errors(
    emulator: DashScopeEmulator, make_llm: Any, responses_api: bool
) -> None:
    _, code, message, _ = OTHERS[0]  # a 400 about max_tokens, not the input
    emulator.script(
        Reply.text("abc", error_after=4, error_code=code, error_message=message)
    )
    with pytest.raises(DashScopeStreamError) as info:
        consume(make_llm(use_responses_api=responses_api), "stream", [])
    assert not isinstance(info.value, ContextOverflowError)


def consume(llm: Any, mode: str, into: list[str]) -> None:
    """Stream one call, keeping each chunk's text as it arrives."""
    if mode == "stream":
        into.extend(chunk.text for chunk in llm.stream("x"))
        return

    async def collect() -> None:
        async for chunk in llm.astream("x"):
            into.append(chunk.text)

    asyncio.run(collect())


def test_overflow_in_a_batch_item(emulator: DashScopeEmulator, make_llm: Any) -> None:
    emulator.batches.timing = BatchTiming(validating=0.0, per_line=0.0, finalizing=0.0)
    emulator.script(
        Reply.text("fine"),
        Reply.error(413, "invalid_request_error", "input too long"),
        Reply.error(400, "invalid_parameter_error", "Range of max_tokens should be"),
    )
    job = submit_batch(make_llm(), ["a", "b", "c"])
    job.wait(poll_interval=0.005)
    first, second, third = job.results()
    assert first.content == "fine"
    assert isinstance(second, DashScopeContextOverflowError)
    assert isinstance(third, DashScopeBadRequestError)
    assert not isinstance(third, ContextOverflowError)


@pytest.mark.parametrize("responses", [False, True], ids=["chat", "responses"])
@pytest.mark.parametrize("mode", MODES)
def test_request_id_from_the_header_when_the_body_has_none(
    emulator: DashScopeEmulator, make_llm: Any, mode: str, responses: bool
) -> None:
    # Gateways and the native API put the id in x-request-id only; it is what
    # Alibaba support asks for, so it must reach the exception and its message.
    body = '{"error": {"code": "invalid_parameter_error", "message": "bad value"}}'
    emulator.script(Reply.raw(400, body, headers={"x-request-id": "rid-0042"}))
    with pytest.raises(DashScopeBadRequestError) as info:
        run(make_llm(use_responses_api=responses), "x", mode)
    assert info.value.request_id == "rid-0042"
    assert str(info.value).endswith("bad value (request_id: rid-0042)")


@pytest.mark.parametrize(
    ("status", "code"),
    [(404, "model_not_found"), (400, "model_not_found"), (400, "model_not_supported")],
)
def test_unknown_model_answers_say_where_models_are_listed(
    emulator: DashScopeEmulator, make_llm: Any, status: int, code: str
) -> None:
    # The code alone says it (some endpoints answer 400): the advice must come
    # with it, naming the model and the endpoint it was asked of.
    emulator.script(Reply.error(status, code, "no such model"))
    with pytest.raises(DashScopeAPIError) as info:
        make_llm().invoke("x")
    assert type(info.value) is (
        DashScopeModelNotFoundError if status == 404 else DashScopeBadRequestError
    )
    text = str(info.value)
    assert "Model 'qwen-plus' is not offered in compatible mode in" in text
    assert "`langchain-qwen models --region R` lists them" in text


# A 200 answer whose JSON body is an error (a gateway's habit; DashScope's flat native
# body too): the class follows the code, as for the status DashScope pairs with it.
ERROR_BODIES_IN_200: list[tuple[dict[str, Any], type[DashScopeAPIError], str]] = [
    (
        {"error": {"code": "server_error", "message": "The server had an error"}},
        DashScopeServerError,
        "Error code: 500 - server_error: The server had an error",
    ),
    (
        {"code": "InternalError", "message": "An internal error has occured."},
        DashScopeServerError,
        "Error code: 500 - InternalError: An internal error has occured.",
    ),
    (
        {"error": {"code": OVERFLOWS[0][1], "message": OVERFLOWS[0][2]}},
        DashScopeContextOverflowError,
        "Error code: 400 - invalid_parameter_error: InternalError.Algo."
        "InvalidParameter: Range of input length",
    ),
    (
        {"code": "Throttling.RateQuota", "message": "Requests rate limit exceeded"},
        DashScopeRateLimitError,
        "Error code: 429 - Throttling.RateQuota: Requests rate limit exceeded",
    ),
    (
        {"error": {"code": "insufficient_quota", "message": "You exceeded quota"}},
        DashScopeQuotaError,
        "Error code: 429 - insufficient_quota: You exceeded quota",
    ),
    (
        {"error": {"code": "invalid_value", "message": "bad top_p"}},
        DashScopeBadRequestError,
        "Error code: 400 - invalid_value: bad top_p",
    ),
]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
@pytest.mark.parametrize(("body", "cls", "text"), ERROR_BODIES_IN_200)
def test_error_body_in_a_200_answer_gets_the_class_of_its_code(
    emulator: DashScopeEmulator,
    make_llm: Any,
    mode: str,
    body: dict[str, Any],
    cls: type[DashScopeAPIError],
    text: str,
) -> None:
    emulator.script(Reply.raw(200, json.dumps(body)))
    with pytest.raises(cls) as info:
        run(make_llm(), "x", mode)
    assert str(info.value).startswith(text)


@pytest.mark.parametrize(
    ("code", "retried"), [("server_error", True), ("insufficient_quota", False)]
)
def test_error_body_in_a_200_answer_follows_the_retry_rule(
    emulator: DashScopeEmulator, make_llm: Any, code: str, retried: bool
) -> None:
    # Transient (server error, throttling) is retried; quota and 4xx are not.
    body = json.dumps({"error": {"code": code, "message": "no"}})
    emulator.script(Reply.raw(200, body), Reply.text("fine"))
    llm = make_llm(max_retries=1)
    if retried:
        assert llm.invoke("x").text == "fine"
    else:
        with pytest.raises(DashScopeQuotaError):
            llm.invoke("x")
    assert len(emulator.chat_requests) == (2 if retried else 1)
