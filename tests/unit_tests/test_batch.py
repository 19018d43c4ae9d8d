"""Batch jobs against the emulator's /files and /batches: every state, sync and async."""

from __future__ import annotations

import asyncio
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage
from langchain_core.prompts import ChatPromptTemplate
from openai import OpenAI
from pydantic import BaseModel

from langchain_qwen._client.errors import (
    DashScopeBadRequestError,
    DashScopeBatchError,
    DashScopeConnectionError,
    DashScopeRateLimitError,
)
from langchain_qwen.batch import BatchJob, asubmit_batch, submit_batch
from langchain_qwen.cli import main
from langchain_qwen.testing import DashScopeEmulator, Reply
from langchain_qwen.testing._batches import BatchTiming

FAST = BatchTiming(validating=0.02, per_line=0.002, finalizing=0.02)
POLL = 0.01


@pytest.fixture
def emu(emulator: DashScopeEmulator) -> DashScopeEmulator:
    emulator.batches.timing = BatchTiming(**vars(FAST))
    return emulator


def _lines(emu: DashScopeEmulator, batch_id: str) -> list[dict[str, Any]]:
    """The input lines the emulator received for one batch."""
    sdk = OpenAI(base_url=emu.base_url, api_key=emu.api_key)
    batch = sdk.batches.retrieve(batch_id)
    data = emu.batches.file_content(batch.input_file_id)
    return [json.loads(line) for line in data.splitlines()]


class Joke(BaseModel):
    """A joke."""

    setup: str
    punchline: str


# ---------------------------------------------------------------- the emulator alone
def test_emulator_walks_every_state_with_the_openai_sdk(emu: DashScopeEmulator) -> None:
    emu.batches.timing = BatchTiming(validating=0.3, per_line=0.1, finalizing=0.3)
    # A fake clock stepped 20 ms per poll: every state is seen, whatever the load.
    now = [1_000.0]
    emu.batches.clock = lambda: now[0]
    sdk = OpenAI(base_url=emu.base_url, api_key=emu.api_key)
    lines = [
        {
            "custom_id": f"r{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {
                "model": "qwen-plus",
                "messages": [{"role": "user", "content": f"q{i}"}],
            },
        }
        for i in range(4)
    ]
    emu.script(Reply.text("ok"), Reply.error(400, "invalid_parameter_error"))
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    uploaded = sdk.files.create(file=("in.jsonl", data), purpose="batch")
    assert uploaded.purpose == "batch"
    assert uploaded.bytes == len(data)
    batch = sdk.batches.create(
        input_file_id=uploaded.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
    )
    seen = [batch.status]
    while batch.status != "completed":
        now[0] += 0.02
        batch = sdk.batches.retrieve(batch.id)
        if batch.status != seen[-1]:
            seen.append(batch.status)
    assert seen == ["validating", "in_progress", "finalizing", "completed"]
    assert batch.request_counts.total == 4
    assert batch.request_counts.completed == 3
    assert batch.request_counts.failed == 1
    out = [
        json.loads(x) for x in sdk.files.content(batch.output_file_id).text.splitlines()
    ]
    errors = [
        json.loads(x) for x in sdk.files.content(batch.error_file_id).text.splitlines()
    ]
    assert [x["custom_id"] for x in out] == ["r0", "r2", "r3"]
    assert out[0]["response"]["status_code"] == 200
    assert out[0]["response"]["body"]["choices"][0]["message"]["content"] == "ok"
    assert errors[0]["custom_id"] == "r1"
    assert errors[0]["response"]["status_code"] == 400
    assert errors[0]["error"]["code"] == "invalid_parameter_error"


def test_emulator_refuses_bad_files_and_ids(emu: DashScopeEmulator) -> None:
    sdk = OpenAI(base_url=emu.base_url, api_key=emu.api_key, max_retries=0)
    import openai

    with pytest.raises(openai.BadRequestError, match="purpose"):
        sdk.files.create(file=("x.jsonl", b"{}"), purpose="fine-tune")
    with pytest.raises(openai.NotFoundError):
        sdk.batches.retrieve("batch_nope")
    mixed = b"".join(
        json.dumps(
            {
                "custom_id": str(i),
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {
                    "model": model,
                    "messages": [{"role": "user", "content": "x"}],
                },
            }
        ).encode()
        + b"\n"
        for i, model in enumerate(["qwen-plus", "qwen-max"])
    )
    uploaded = sdk.files.create(file=("mixed.jsonl", mixed), purpose="batch")
    with pytest.raises(openai.BadRequestError, match="completion_window"):
        sdk.batches.create(
            input_file_id=uploaded.id,
            endpoint="/v1/chat/completions",
            completion_window="1h",  # type: ignore[arg-type]
        )
    batch = sdk.batches.create(
        input_file_id=uploaded.id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
    )
    time.sleep(0.1)
    batch = sdk.batches.retrieve(batch.id)
    assert batch.status == "failed"
    assert "one model" in batch.errors.data[0].message


# ---------------------------------------------------------------- submit and results
def test_results_in_input_order_with_usage(
    emu: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(temperature=0.5, enable_thinking=False)
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Be brief."), ("human", "{q}")]
    )
    inputs: list[Any] = [
        "first",
        [("system", "You label."), ("human", "second")],
        prompt.invoke({"q": "third"}),
    ]
    job = submit_batch(llm, inputs)
    assert job.status().total == 3
    state = job.wait(poll_interval=POLL)
    assert state.status == "completed"
    assert (state.completed, state.failed, state.progress) == (3, 0, 1.0)
    answers = job.results()
    assert [a.content for a in answers] == [
        "You said: first",
        "You said: second",
        "You said: third",
    ]
    for answer in answers:
        assert isinstance(answer, AIMessage)
        assert answer.usage_metadata["total_tokens"] > 0
        assert answer.response_metadata["request_id"]
    # Each line's body is exactly what ChatQwen sends live (every rule applied).
    (line0, line1, _) = _lines(emu, job.batch_ids[0])
    llm.invoke(inputs[1])
    assert line1["body"] == emu.last_request.json
    assert line0["custom_id"] == "0"
    assert line0["url"] == "/v1/chat/completions"
    assert line0["body"]["temperature"] == 0.5
    assert line0["body"]["enable_thinking"] is False
    assert "stream" not in line0["body"]


def test_tools_structured_output_and_per_item_kwargs(
    emu: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm()
    emu.script(
        Reply.tool_calls(
            [{"name": "Joke", "arguments": {"setup": "a", "punchline": "b"}}]
        ),
        Reply.text("not a tool call"),
    )
    job = submit_batch(
        llm.with_structured_output(Joke),
        ["cats", "dogs"],
        per_item_kwargs=[{"max_tokens": 50}, {"max_tokens": 60}],
    )
    job.wait(poll_interval=POLL)
    first, second = job.results()
    assert first == Joke(setup="a", punchline="b")
    # No tool call: the parser's error, as with invoke (never a silent None).
    assert isinstance(second, OutputParserException)
    assert "answered without a call of the `Joke` tool" in str(second)
    lines = _lines(emu, job.batch_ids[0])
    assert [x["body"]["max_tokens"] for x in lines] == [50, 60]
    assert lines[0]["body"]["tools"][0]["function"]["name"] == "Joke"
    assert lines[0]["body"]["tool_choice"]["function"]["name"] == "Joke"

    raw = llm.with_structured_output(Joke, include_raw=True)
    emu.script(
        Reply.tool_calls(
            [{"name": "Joke", "arguments": {"setup": "x", "punchline": "y"}}]
        )
    )
    job = submit_batch(raw, ["one"])
    job.wait(poll_interval=POLL)
    (answer,) = job.results()
    assert answer["parsed"] == Joke(setup="x", punchline="y")
    assert isinstance(answer["raw"], AIMessage)


def test_bound_tools_travel_into_lines(emu: DashScopeEmulator, make_llm: Any) -> None:
    def get_weather(city: str) -> str:
        """Weather in a city."""
        return city

    bound = make_llm().bind_tools([get_weather], tool_choice="required")
    emu.script(
        Reply.tool_calls([{"name": "get_weather", "arguments": {"city": "杭州"}}])
    )
    job = submit_batch(bound, ["weather in Hangzhou?"])
    job.wait(poll_interval=POLL)
    (answer,) = job.results()
    assert answer.tool_calls[0]["args"] == {"city": "杭州"}
    (line,) = _lines(emu, job.batch_ids[0])
    assert line["body"]["tool_choice"] == "required"


def test_bad_input_is_refused_before_any_request(
    emu: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm()
    with pytest.raises(ValueError, match="empty"):
        submit_batch(llm, [])
    with pytest.raises(ValueError, match="stream"):
        submit_batch(llm, ["x"], stream=True)
    with pytest.raises(ValueError, match="per_item_kwargs has 1 entries for 2"):
        submit_batch(llm, ["x", "y"], per_item_kwargs=[{}])
    with pytest.raises(ValueError, match="top_k"):
        submit_batch(llm, ["x"], top_k=-3)  # ChatQwen's own parameter rule
    with pytest.raises(ValueError, match="max_lines"):
        submit_batch(llm, ["x"], max_lines=0)
    with pytest.raises(TypeError, match="needs a ChatQwen"):
        submit_batch(ChatPromptTemplate.from_messages([("human", "x")]) | llm, ["x"])
    assert emu.requests == []


# ---------------------------------------------------------------- split inputs
def test_split_by_lines_bytes_and_model(emu: DashScopeEmulator, make_llm: Any) -> None:
    llm = make_llm()
    texts = [f"item {i}" for i in range(7)]
    per_item: list[dict[str, Any]] = [{} for _ in texts]
    per_item[5] = {"model": "qwen-max"}  # one file holds one model
    job = submit_batch(llm, texts, per_item_kwargs=per_item, max_lines=3)
    groups = [[x["custom_id"] for x in _lines(emu, b)] for b in job.batch_ids]
    assert groups == [["0", "1", "2"], ["3", "4", "6"], ["5"]]  # qwen-plus x2, qwen-max
    models = [{x["body"]["model"] for x in _lines(emu, b)} for b in job.batch_ids]
    assert models == [{"qwen-plus"}, {"qwen-plus"}, {"qwen-max"}]
    job.wait(poll_interval=POLL)
    answers = job.results()
    assert [a.content for a in answers] == [f"You said: {t}" for t in texts]
    assert answers[5].response_metadata["model_name"] == "qwen-max"

    by_bytes = submit_batch(llm, texts, max_bytes=400)
    by_bytes_lines = [_lines(emu, b) for b in by_bytes.batch_ids]
    assert len(by_bytes_lines) > 1
    for lines in by_bytes_lines:
        assert (
            sum(
                len(json.dumps(x, ensure_ascii=False, separators=(",", ":"))) + 1
                for x in lines
            )
            <= 400
        )
    assert [x["custom_id"] for lines in by_bytes_lines for x in lines] == [
        str(i) for i in range(7)
    ]


# ---------------------------------------------------------------- partial failure
def test_partial_failure_errors_in_place_and_retry(
    emu: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm()
    emu.script(
        Reply.text("a0"),
        Reply.error(400, "invalid_parameter_error"),
        Reply.text("a2"),
        Reply.error(429, "limit_requests"),
    )
    job = submit_batch(llm, ["q0", "q1", "q2", "q3"])
    state = job.wait(poll_interval=POLL)
    assert (state.status, state.completed, state.failed) == ("completed", 2, 2)
    answers = job.results()
    assert answers[0].content == "a0"
    assert isinstance(answers[1], DashScopeBadRequestError)
    assert answers[1].code == "invalid_parameter_error"
    assert answers[1].request_id
    assert answers[2].content == "a2"
    assert isinstance(answers[3], DashScopeRateLimitError)
    assert job.failed() == [1, 3]

    retried = job.retry_failed()
    assert retried.batch_ids[:1] == job.batch_ids
    assert [x["custom_id"] for x in _lines(emu, retried.batch_ids[-1])] == ["1", "3"]
    retried.wait(poll_interval=POLL)
    final = retried.results()
    assert [a.content for a in final] == ["a0", "You said: q1", "a2", "You said: q3"]
    assert retried.failed() == []


def test_failed_job_lists_every_item(emu: DashScopeEmulator, make_llm: Any) -> None:
    emu.batches.max_lines = 2  # the server refuses the file at validation
    job = submit_batch(make_llm(), ["a", "b", "c"])
    state = job.wait(poll_interval=POLL)
    assert state.status == "failed"
    answers = job.results()
    assert all(isinstance(a, DashScopeBatchError) for a in answers)
    assert answers[0].code == "failed"
    assert "more than 2 requests" in str(answers[0])
    assert job.failed() == [0, 1, 2]
    emu.batches.max_lines = 50_000
    retried = job.retry_failed()
    retried.wait(poll_interval=POLL)
    assert [a.content for a in retried.results()] == [
        "You said: a",
        "You said: b",
        "You said: c",
    ]


def test_expired_job_keeps_answers_and_resubmits_the_rest(
    emu: DashScopeEmulator, make_llm: Any
) -> None:
    emu.batches.timing = BatchTiming(
        validating=0.01, per_line=0.1, finalizing=0.01, expire_after=0.26
    )
    job = submit_batch(make_llm(), [f"e{i}" for i in range(6)])
    state = job.wait(poll_interval=POLL)
    assert state.status == "expired"
    answers = job.results()
    done = [i for i, a in enumerate(answers) if isinstance(a, AIMessage)]
    assert done == [0, 1]
    assert all(
        isinstance(a, DashScopeBatchError) and a.code == "expired" for a in answers[2:]
    )
    emu.batches.timing = BatchTiming(**vars(FAST))
    retried = job.retry_failed()
    assert [x["custom_id"] for x in _lines(emu, retried.batch_ids[-1])] == [
        "2",
        "3",
        "4",
        "5",
    ]
    retried.wait(poll_interval=POLL)
    assert [a.content for a in retried.results()] == [
        f"You said: e{i}" for i in range(6)
    ]


def test_cancel(emu: DashScopeEmulator, make_llm: Any) -> None:
    emu.batches.timing = BatchTiming(validating=0.01, per_line=0.1, finalizing=0.05)
    job = submit_batch(make_llm(), [f"c{i}" for i in range(100)])
    time.sleep(0.15)
    with pytest.raises(DashScopeBatchError, match="wait"):
        job.results()
    state = job.cancel()
    assert state.status in ("cancelling", "cancelled")
    state = job.wait(poll_interval=POLL)
    assert state.status == "cancelled"
    answers = job.results()
    answered = [a for a in answers if isinstance(a, AIMessage)]
    assert 0 < len(answered) < 100
    assert all(a.code == "cancelled" for a in answers if isinstance(a, Exception))


def test_reattach_after_restart(emu: DashScopeEmulator, make_llm: Any) -> None:
    job = submit_batch(make_llm(), ["r0", "r1", "r2"], max_lines=2)
    job_id = job.id
    del job
    # A new process: a fresh model and nothing but the id.
    again = BatchJob.attach(make_llm(), job_id)
    assert again.batch_ids == job_id.split(",")
    again.wait(poll_interval=POLL)
    assert again.status().total == 3
    assert [a.content for a in again.results()] == [
        "You said: r0",
        "You said: r1",
        "You said: r2",
    ]
    with pytest.raises(ValueError, match="names no batch"):
        BatchJob.attach(make_llm(), " , ")


def test_submission_that_stops_midway_loses_nothing(
    emu: DashScopeEmulator, make_llm: Any
) -> None:
    emu.batches.max_file_bytes = 1000  # the second file is refused at upload
    texts = ["short", "long " * 300, "third"]
    with pytest.raises(DashScopeBatchError, match="stopped after 1 of 3") as info:
        submit_batch(make_llm(), texts, max_lines=1)
    job = info.value.job
    assert len(job.batch_ids) == 1
    job.wait(poll_interval=POLL)
    answers = job.results()
    assert answers[0].content == "You said: short"
    assert [a.code for a in answers[1:]] == ["not_submitted", "not_submitted"]
    emu.batches.max_file_bytes = 500 * 1024 * 1024
    done = job.retry_failed()
    done.wait(poll_interval=POLL)
    assert all(isinstance(a, AIMessage) for a in done.results())


def test_progress_bar(
    emu: DashScopeEmulator, make_llm: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    job = submit_batch(make_llm(), ["p0", "p1"])
    job.wait(poll_interval=POLL, progress=True)
    err = capsys.readouterr().err
    assert "2/2 (0 failed) completed" in err
    job.wait(poll_interval=POLL, progress=False)
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------- async
async def test_async_twin(emu: DashScopeEmulator, make_llm: Any) -> None:
    llm = make_llm()
    # Two batches run side by side, so their lines reach the emulator in no fixed
    # order: each reply is chosen by the line it answers, not by arrival.
    by_prompt = {
        "a0": Reply.text("x0"),
        "a1": Reply.error(400, "invalid_parameter_error"),
        "a2": Reply.text("You said: a2"),
    }

    def reply_for(request: dict[str, Any]) -> Reply:
        return by_prompt[request["messages"][-1]["content"]]

    emu.script(reply_for, reply_for, reply_for)
    job = await asubmit_batch(llm, ["a0", "a1", "a2"], max_lines=2)
    assert len(job.batch_ids) == 2
    state = await job.await_(poll_interval=POLL)
    assert state.status == "completed"
    answers = await job.aresults()
    assert answers[0].content == "x0"
    assert isinstance(answers[1], DashScopeBadRequestError)
    assert await job.afailed() == [1]
    retried = await job.aretry_failed()
    await retried.await_(poll_interval=POLL)
    assert [a.content for a in await retried.aresults()] == [
        "x0",
        "You said: a1",
        "You said: a2",
    ]

    emu.batches.timing = BatchTiming(validating=0.01, per_line=0.1, finalizing=0.01)
    slow = await asubmit_batch(llm, [f"s{i}" for i in range(100)])
    state = await slow.acancel()
    assert state.status in ("cancelling", "cancelled")
    assert (await slow.await_(poll_interval=POLL)).status == "cancelled"


# ---------------------------------------------------------------- CLI
def test_cli_submit_status_results(
    emu: DashScopeEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHSCOPE_API_KEY", emu.api_key)
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text(
        '"hello"\n'
        '{"prompt": "second", "kwargs": {"max_tokens": 20}}\n'
        '{"messages": [{"role": "user", "content": "third"}]}\n',
        "utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["batch", "submit", str(prompts), "--base-url", emu.base_url, "--json"],
        stdout=out,
        stderr=err,
    )
    assert code == 0, err.getvalue()
    job_id = json.loads(out.getvalue())["id"]
    (_, line1, _) = _lines(emu, job_id)
    assert line1["body"]["max_tokens"] == 20

    out = io.StringIO()
    assert (
        main(["batch", "status", job_id, "--base-url", emu.base_url], stdout=out) == 0
    )
    assert "/3 answered" in out.getvalue()

    target = tmp_path / "answers.jsonl"
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [
            "batch",
            "results",
            job_id,
            "--base-url",
            emu.base_url,
            "--wait",
            "-o",
            str(target),
        ],
        stdout=out,
        stderr=err,
    )
    assert code == 0, err.getvalue()
    rows = [json.loads(x) for x in target.read_text("utf-8").splitlines()]
    assert [r["index"] for r in rows] == [0, 1, 2]
    assert [r["content"] for r in rows] == [
        "You said: hello",
        "You said: second",
        "You said: third",
    ]
    assert rows[0]["usage"]["total_tokens"] > 0

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"nope": 1}\n', "utf-8")
    err = io.StringIO()
    assert (
        main(["batch", "submit", str(bad), "--base-url", emu.base_url], stderr=err) == 2
    )
    assert "bad.jsonl:1" in err.getvalue()


# ------------------------------------------------------------ transport failures
# A failure without an answer may come after the server did the work. Sending the
# request again is safe only when repeating it changes nothing: GETs and cancel
# (cancelling twice changes nothing) are retried; upload and create never are, or a
# lost answer duplicates a file or a job (paid twice). Faults come from the emulator,
# over real HTTP.
_POSTS = [
    pytest.param("files", "reset", True, id="upload-reset-after-storing"),
    pytest.param("files", "reset", False, id="upload-reset-before"),
    pytest.param("batches", "reset", True, id="create-reset-after-creating"),
    pytest.param("batches", "reset", False, id="create-reset-before"),
    pytest.param("files", "hang", True, id="upload-timeout-after-storing"),
    pytest.param("batches", "hang", True, id="create-timeout-after-creating"),
]


def _posts(emu: DashScopeEmulator, endpoint: str) -> int:
    return sum(
        r.method == "POST" and r.path.rstrip("/").endswith("/" + endpoint)
        for r in emu.requests
    )


@pytest.mark.usefixtures("fast_backoff")
@pytest.mark.parametrize("run", ["sync", "async"])
@pytest.mark.parametrize(("endpoint", "kind", "handled"), _POSTS)
def test_a_post_that_may_have_arrived_is_not_sent_again(
    emu: DashScopeEmulator,
    make_llm: Any,
    endpoint: str,
    kind: str,
    handled: bool,
    run: str,
) -> None:
    emu.batches.fail_next("POST", endpoint, kind=kind, handled=handled)  # type: ignore[arg-type]
    llm = make_llm(max_retries=3, timeout=0.2 if kind == "hang" else 10)

    def submit() -> BatchJob:
        if run == "sync":
            return submit_batch(llm, ["q0", "q1"])
        return asyncio.run(asubmit_batch(llm, ["q0", "q1"]))

    with pytest.raises(DashScopeBatchError, match="stopped after 0 of 1 files") as info:
        submit()
    assert info.value.code == "submission_incomplete"
    assert _posts(emu, endpoint) == 1  # sent once, despite max_retries=3
    assert _posts(emu, "batches") == (1 if endpoint == "batches" else 0)
    stored = emu.batches.file_ids
    assert len(stored) == (1 if endpoint == "batches" or handled else 0)
    created = emu.batches.batch_ids
    assert len(created) == (1 if endpoint == "batches" and handled else 0)
    # The handle on the error sends what did not go, once.
    job = info.value.job.retry_failed()
    job.wait(poll_interval=POLL)
    assert [a.content for a in job.results()] == ["You said: q0", "You said: q1"]


@pytest.mark.usefixtures("fast_backoff")
def test_a_lost_cancel_is_sent_again(emu: DashScopeEmulator, make_llm: Any) -> None:
    # Cancelling twice changes nothing (the job ends cancelling or cancelled
    # either way): retried like a GET.
    emu.batches.timing = BatchTiming(validating=0.05, per_line=0.2, finalizing=0.05)
    job = submit_batch(make_llm(max_retries=3), ["c0", "c1", "c2"])
    emu.batches.fail_next("POST", "batches/*/cancel")
    assert job.cancel().status in ("cancelling", "cancelled")
    assert _posts(emu, "cancel") == 2


@pytest.mark.usefixtures("fast_backoff")
@pytest.mark.parametrize("run", ["sync", "async"])
@pytest.mark.parametrize("kind", ["reset", "hang"])
def test_gets_are_retried_after_a_connection_failure(
    emu: DashScopeEmulator, make_llm: Any, run: str, kind: str
) -> None:
    job = submit_batch(make_llm(), ["g0", "g1"])
    job.wait(poll_interval=POLL)
    retrying = BatchJob.attach(make_llm(max_retries=2, timeout=0.2), job.id)
    emu.batches.fail_next("GET", "batches/*", kind=kind)  # type: ignore[arg-type]
    emu.batches.fail_next("GET", "files/*/content", kind=kind, times=2)  # type: ignore[arg-type]
    emu.clear()
    if run == "sync":
        state = retrying.status()
        answers = retrying.results()
    else:
        state = asyncio.run(retrying.astatus())
        answers = asyncio.run(retrying.aresults())
    assert state.status == "completed"
    assert [a.content for a in answers] == ["You said: g0", "You said: g1"]
    polls = [r for r in emu.requests if r.method == "GET" and "/batches/" in r.path]
    downloads = [r for r in emu.requests if r.path.endswith("/content")]
    assert len(polls) >= 2  # the first was lost, then answered
    assert len(downloads) >= 3  # two lost, then answered
    assert all(r.method == "GET" for r in emu.requests)


@pytest.mark.usefixtures("fast_backoff")
def test_gets_give_up_after_max_retries(emu: DashScopeEmulator, make_llm: Any) -> None:
    job = submit_batch(make_llm(), ["x"])
    emu.batches.fail_next("GET", "batches/*", times=5)
    emu.clear()
    with pytest.raises(DashScopeConnectionError, match="broke before the answer"):
        BatchJob.attach(make_llm(max_retries=2), job.id).status()
    assert len(emu.requests) == 3  # the first try and two retries
