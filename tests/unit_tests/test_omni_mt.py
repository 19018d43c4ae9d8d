"""Qwen-Omni audio output and qwen-mt translation options.

The emulator has no audio output, so the Omni streams here are hand-built SSE bodies
served with ``Reply.raw``. Their shape follows Alibaba Cloud Model Studio's Qwen-Omni
page (https://www.alibabacloud.com/help/en/model-studio/qwen-omni): text arrives in
``delta.content``, audio as base64 pieces in ``delta.audio.data`` (16-bit mono PCM
at 24 kHz: the vendor's sample decodes it with ``np.frombuffer(..., np.int16)`` and
writes it at ``samplerate=24000``); the older qwen-omni-turbo sample reads
``delta.audio.transcript``. The closing ``audio.id``/``expires_at`` delta follows
OpenAI's audio delta shape, which DashScope's compatible mode mirrors; it is not in
the vendor sample, so the client treats both as optional.
"""

from __future__ import annotations

import base64
import io
import json
import math
import struct
import wave
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.outputs import ChatGenerationChunk

from langchain_qwen import ChatQwen
from langchain_qwen._dialect.media import AudioCollector, audio_wav_bytes
from langchain_qwen.testing import DashScopeEmulator, Reply

MODEL = "qwen3-omni-flash"
VOICE = {"voice": "Cherry", "format": "wav"}
RATE = 24_000
PCM = b"".join(
    struct.pack("<h", int(8000 * math.sin(i / 9))) for i in range(RATE // 10)
)


def _event(delta: dict[str, Any] | None, finish: str | None = None) -> str:
    body: dict[str, Any] = {
        "choices": [
            {
                "delta": delta or {},
                "finish_reason": finish,
                "index": 0,
                "logprobs": None,
            }
        ],
        "object": "chat.completion.chunk",
        "usage": None,
        "created": 1757647800,
        "system_fingerprint": None,
        "model": MODEL,
        "id": "chatcmpl-3f0e5f3c-9b83-4d1e-8a7e-2b1c0d9e8f7a",
    }
    return "data: " + json.dumps(body, ensure_ascii=False) + "\n\n"


def omni_sse(
    *,
    text: str = "I am Qwen.",
    transcript_only: bool = False,
    padded_pieces: bool = True,
    closing_meta: bool = True,
) -> str:
    """A Qwen-Omni text+audio stream in DashScope's compatible-mode shape."""
    events = [_event({"content": None if transcript_only else "", "role": "assistant"})]
    words = [text[:4], text[4:]]
    for word in words:
        if transcript_only:
            events.append(_event({"content": None, "audio": {"transcript": word}}))
        else:
            events.append(_event({"content": word}))
    if padded_pieces:  # each piece base64-encoded on its own (padding inside)
        size = 1001
        pieces = [
            base64.b64encode(PCM[i : i + size]).decode()
            for i in range(0, len(PCM), size)
        ]
    else:  # one base64 string cut anywhere
        whole = base64.b64encode(PCM).decode()
        pieces = [whole[i : i + 777] for i in range(0, len(whole), 777)]
    events += [_event({"content": None, "audio": {"data": p}}) for p in pieces]
    if closing_meta:
        events.append(
            _event(
                {
                    "content": None,
                    "audio": {
                        "data": "",
                        "expires_at": 1757647879,
                        "id": "audio_a68eca3b-c67e-4666-a72f-73c0b4919860",
                    },
                }
            )
        )
    events.append(_event({"content": ""}, finish="stop"))
    usage = {
        "choices": [],
        "object": "chat.completion.chunk",
        "usage": {
            "prompt_tokens": 14,
            "completion_tokens": 120,
            "total_tokens": 134,
            "completion_tokens_details": {"audio_tokens": 110, "text_tokens": 10},
            "prompt_tokens_details": {"text_tokens": 14},
        },
        "created": 1757647800,
        "model": MODEL,
        "id": "chatcmpl-3f0e5f3c-9b83-4d1e-8a7e-2b1c0d9e8f7a",
    }
    events.append("data: " + json.dumps(usage) + "\n\n")
    events.append("data: [DONE]\n\n")
    return "".join(events)


def _omni(make_llm: Any, **kwargs: Any) -> ChatQwen:
    return make_llm(model=MODEL, modalities=["text", "audio"], audio=VOICE, **kwargs)


def _aggregate(chunks: list[Any]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


def _check_wav(wav_bytes: bytes) -> None:
    with wave.open(io.BytesIO(wav_bytes)) as wav:
        assert wav.getframerate() == RATE
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        assert wav.readframes(wav.getnframes()) == PCM


# -- Omni: audio output -----------------------------------------------------------------


def test_omni_stream_collects_audio(emulator: DashScopeEmulator, make_llm: Any) -> None:
    emulator.script(Reply.raw(200, omni_sse()))
    llm = _omni(make_llm)
    chunks = list(llm.stream([HumanMessage("Who are you?")]))
    body = emulator.last_request.json
    assert body["modalities"] == ["text", "audio"]
    assert body["audio"] == VOICE
    assert body["stream"] is True
    pieces = [
        c.additional_kwargs["audio"] for c in chunks if "audio" in c.additional_kwargs
    ]
    assert all(set(p) <= {"data", "transcript", "id", "expires_at"} for p in pieces)
    full = _aggregate(chunks)
    assert full.content == "I am Qwen."
    audio = full.additional_kwargs["audio"]
    assert audio["id"] == "audio_a68eca3b-c67e-4666-a72f-73c0b4919860"
    assert audio["expires_at"] == 1757647879  # once, never summed
    _check_wav(audio_wav_bytes(full))
    assert full.usage_metadata is not None
    assert full.usage_metadata["output_token_details"] == {"audio": 110}


def test_omni_invoke_streams_under_the_hood(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.raw(200, omni_sse(padded_pieces=False)))
    msg = _omni(make_llm).invoke("Who are you?")
    assert emulator.last_request.json["stream"] is True  # Omni is stream-only
    assert msg.content == "I am Qwen."
    _check_wav(audio_wav_bytes(msg))


async def test_omni_transcript_shape(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.raw(200, omni_sse(transcript_only=True, closing_meta=False)))
    chunks = [c async for c in _omni(make_llm).astream("Who are you?")]
    full = _aggregate(chunks)
    assert full.content == ""
    assert full.additional_kwargs["audio"]["transcript"] == "I am Qwen."
    assert "id" not in full.additional_kwargs["audio"]
    _check_wav(audio_wav_bytes(full))


def test_omni_v1_audio_block_stream_and_invoke(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = _omni(make_llm, output_version="v1")
    emulator.script(Reply.raw(200, omni_sse()), Reply.raw(200, omni_sse()))
    chunks = list(llm.stream("Who are you?"))
    full = _aggregate(chunks)
    invoked = llm.invoke("Who are you?")
    # Each chunk's blocks carry the index of their block in the whole answer.
    streamed = [(b["type"], b["index"]) for c in chunks for b in c.content]
    assert set(streamed) == {("text", 0), ("audio", 1)}
    for message in (full, invoked):
        blocks = message.content
        assert isinstance(blocks, list)
        assert all(isinstance(b, dict) for b in blocks)
        assert [(b["type"], b["index"]) for b in blocks] == [("text", 0), ("audio", 1)]
        assert blocks[0]["text"] == "I am Qwen."
        audio = blocks[1]
        assert audio["mime_type"] == "audio/wav"
        assert audio["id"] == "audio_a68eca3b-c67e-4666-a72f-73c0b4919860"
        _check_wav(base64.b64decode(audio["base64"]))
        assert audio_wav_bytes(message)[:4] == b"RIFF"
        assert message.content_blocks[1]["type"] == "audio"


def test_omni_v1_transcript_in_extras(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.raw(200, omni_sse(transcript_only=True)))
    msg = _omni(make_llm, output_version="v1").invoke("Who are you?")
    (audio,) = [b for b in msg.content if isinstance(b, dict)]
    assert audio["type"] == "audio"
    assert audio["extras"]["transcript"] == "I am Qwen."


def test_omni_text_only_is_unchanged(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(model=MODEL, output_version="v1")
    emulator.script(Reply.text("Plain text."))
    msg = llm.invoke("hi")
    # Omni answers on streams only: invoke's blocks are the stream's, indexed.
    assert msg.content == [{"type": "text", "text": "Plain text.", "index": 0}]
    assert "modalities" not in emulator.last_request.json


def test_omni_answer_goes_back_as_text(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = _omni(make_llm)
    emulator.script(Reply.raw(200, omni_sse()), Reply.raw(200, omni_sse()))
    first = llm.invoke("Who are you?")
    llm.invoke([HumanMessage("Who are you?"), first, HumanMessage("And then?")])
    assistant = emulator.last_request.json["messages"][1]
    assert assistant == {"role": "assistant", "content": "I am Qwen."}
    # A transcript-only answer is sent back as its transcript.
    spoken = AIMessage(
        "", additional_kwargs={"audio": {"data": "AAAA", "transcript": "Hello."}}
    )
    llm.invoke([HumanMessage("Hi"), spoken, HumanMessage("Again")])
    assert emulator.last_request.json["messages"][1] == {
        "role": "assistant",
        "content": "Hello.",
    }


def test_omni_v1_answer_goes_back_without_audio(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = _omni(make_llm, output_version="v1")
    emulator.script(Reply.raw(200, omni_sse()))
    first = llm.invoke("Who are you?")
    llm.invoke([HumanMessage("Who are you?"), first, HumanMessage("And then?")])
    assistant = emulator.last_request.json["messages"][1]
    assert assistant["content"] == "I am Qwen."
    assert "audio" not in assistant


def test_audio_collector_without_audio_deltas() -> None:
    collector = AudioCollector(v1=False)
    chunk = ChatGenerationChunk(
        message=AIMessageChunk(content="hi"), generation_info={"finish_reason": "stop"}
    )
    assert collector.process(chunk).message.additional_kwargs == {}
    with pytest.raises(ValueError, match="no audio"):
        audio_wav_bytes(AIMessage("hi"))


def test_omni_parameters_are_checked(make_llm: Any) -> None:
    with pytest.raises(ValueError, match="audio"):
        make_llm(model=MODEL, audio={"format": "wav"})
    with pytest.raises(ValueError, match="modalities"):
        make_llm(model=MODEL, modalities=["text", "video"])


# -- qwen-mt ------------------------------------------------------------------------------


def test_translation_options_reach_the_body(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    options = {
        "source_lang": "auto",
        "target_lang": "English",
        "terms": [{"source": "生物传感器", "target": "biological sensor"}],
        "domains": "The sentence is from a biomedical paper.",
    }
    emulator.script(Reply.text("I did not laugh."))
    llm = make_llm(model="qwen-mt-plus", translation_options=options)
    assert llm.invoke("我没有笑。").content == "I did not laugh."
    body = emulator.last_request.json
    assert body["translation_options"] == options
    assert body["messages"] == [{"role": "user", "content": "我没有笑。"}]
    assert emulator.last_request.unknown_keys == ()


def test_translation_options_per_call_and_stream(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(model="qwen-mt-turbo")
    chunks = list(
        llm.stream(
            "你好",
            translation_options={"source_lang": "Chinese", "target_lang": "French"},
        )
    )
    assert _aggregate(chunks).content
    body = emulator.last_request.json
    assert body["translation_options"] == {
        "source_lang": "Chinese",
        "target_lang": "French",
    }
    assert body["stream"] is True


def test_translation_options_need_target_lang(make_llm: Any) -> None:
    with pytest.raises(ValueError, match="target_lang"):
        make_llm(model="qwen-mt-plus", translation_options={"source_lang": "auto"})
    llm = make_llm(model="qwen-mt-plus")
    with pytest.raises(ValueError, match="target_lang"):
        llm.invoke("hi", translation_options={"source_lang": "auto"})
