"""Images, video and audio input: the request shapes DashScope receives."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from langchain_qwen import ChatQwen
from langchain_qwen._dialect.media import (
    audio_block_from_file,
    image_block_from_file,
    prepare_media,
    video_block_from_file,
    video_frames_block,
)
from langchain_qwen.testing import DashScopeEmulator, Reply, pytest_plugin

emulator_factory = pytest_plugin.dashscope_emulator_factory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
PNG_B64 = base64.b64encode(PNG).decode()
IMAGE_URL = "https://example.com/cat.png"


def _parts(emulator: DashScopeEmulator, index: int = -1) -> list[dict[str, Any]]:
    content = emulator.last_request.json["messages"][index]["content"]
    assert isinstance(content, list)
    return content


def _ask(*blocks: Any, text: str = "What is this?") -> list[HumanMessage]:
    return [HumanMessage(content=[{"type": "text", "text": text}, *blocks])]


# -- images -----------------------------------------------------------------------


def test_standard_image_url_block(emulator: DashScopeEmulator, make_llm: Any) -> None:
    emulator.script(Reply.text("A cat."))
    llm = make_llm(model="qwen3-vl-plus")
    msg = llm.invoke(_ask({"type": "image", "url": IMAGE_URL}))
    assert msg.content == "A cat."
    assert _parts(emulator) == [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": IMAGE_URL}},
    ]


def test_standard_base64_image_block(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(model="qwen-vl-max")
    llm.invoke(_ask({"type": "image", "base64": PNG_B64, "mime_type": "image/png"}))
    assert _parts(emulator)[1] == {
        "type": "image_url",
        "image_url": {"url": f"data:image/png;base64,{PNG_B64}"},
    }


def test_base64_image_without_mime_is_sniffed() -> None:
    # langchain-core's own tracing refuses such blocks in invoke(); the shaping
    # step still reads PNG/JPEG/GIF/WEBP signatures when called directly.
    (message,) = prepare_media(
        _ask({"type": "image", "base64": PNG_B64}), model="qwen3-vl-plus"
    )
    assert message.content[1]["image_url"]["url"].startswith("data:image/png;base64,")


def test_openai_image_url_blocks_pass_through(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(model="qwen3-vl-plus")
    llm.invoke(
        _ask(
            {"type": "image_url", "image_url": {"url": IMAGE_URL, "detail": "high"}},
            {"type": "image_url", "image_url": "https://example.com/dog.jpg"},
        )
    )
    assert _parts(emulator)[1:] == [
        {"type": "image_url", "image_url": {"url": IMAGE_URL, "detail": "high"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/dog.jpg"}},
    ]


def test_v0_and_anthropic_image_blocks(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(model="qwen3-vl-plus")
    llm.invoke(
        _ask(
            {"type": "image", "source_type": "url", "url": IMAGE_URL},
            {
                "type": "image",
                "source_type": "base64",
                "data": PNG_B64,
                "mime_type": "image/png",
            },
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/png", "data": "AA"},
            },
        )
    )
    urls = [p["image_url"]["url"] for p in _parts(emulator)[1:]]
    assert urls == [
        IMAGE_URL,
        f"data:image/png;base64,{PNG_B64}",
        "data:image/png;base64,AA",
    ]


def test_image_block_from_file(
    tmp_path: Path, emulator: DashScopeEmulator, make_llm: Any
) -> None:
    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    block = image_block_from_file(path)
    assert block == {"type": "image", "base64": PNG_B64, "mime_type": "image/png"}
    jpeg = tmp_path / "photo.JPG"
    jpeg.write_bytes(b"\xff\xd8\xff\xe0")
    assert image_block_from_file(str(jpeg))["mime_type"] == "image/jpeg"
    webp = tmp_path / "x.webp"
    webp.write_bytes(b"RIFF0000WEBP")
    assert image_block_from_file(webp)["mime_type"] == "image/webp"
    marked = image_block_from_file(path, cache=True)
    assert marked["cache_control"] == {"type": "ephemeral"}

    llm = make_llm(model="qwen3-vl-plus")
    llm.invoke(_ask(block))
    assert _parts(emulator)[1] == {
        "type": "image_url",
        "image_url": {"url": f"data:image/png;base64,{PNG_B64}"},
    }


def test_image_block_from_file_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(PNG)
    with pytest.raises(ValueError, match="mime_type"):
        image_block_from_file(path)
    assert image_block_from_file(path, mime_type="image/png")["mime_type"] == (
        "image/png"
    )
    text = tmp_path / "notes.txt"
    text.write_text("hi")
    with pytest.raises(ValueError, match="image type"):
        image_block_from_file(text)


def test_vl_high_resolution_images(emulator: DashScopeEmulator, make_llm: Any) -> None:
    llm = make_llm(model="qwen3-vl-plus", vl_high_resolution_images=True)
    llm.invoke(_ask({"type": "image", "url": IMAGE_URL}))
    assert emulator.last_request.json["vl_high_resolution_images"] is True
    llm = make_llm(model="qwen3-vl-plus")
    llm.invoke(
        _ask({"type": "image", "url": IMAGE_URL}), vl_high_resolution_images=False
    )
    assert emulator.last_request.json["vl_high_resolution_images"] is False


def test_image_cache_marker_survives(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(model="qwen3-vl-plus")
    marker = {"type": "ephemeral"}
    llm.invoke(_ask({"type": "image", "url": IMAGE_URL, "cache_control": marker}))
    assert _parts(emulator)[1] == {
        "type": "image_url",
        "image_url": {"url": IMAGE_URL},
        "cache_control": marker,
    }


# -- video --------------------------------------------------------------------------


def test_video_url_block(emulator: DashScopeEmulator, make_llm: Any) -> None:
    llm = make_llm(model="qwen3-vl-plus")
    video = {"type": "video_url", "video_url": {"url": "https://example.com/a.mp4"}}
    llm.invoke(_ask(video, text="Describe the video."))
    assert _parts(emulator)[1] == video


def test_standard_video_block_becomes_video_url(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(model="qwen3-vl-plus")
    llm.invoke(_ask({"type": "video", "url": "https://example.com/a.mp4", "fps": 2}))
    assert _parts(emulator)[1] == {
        "type": "video_url",
        "video_url": {"url": "https://example.com/a.mp4"},
        "fps": 2,
    }
    llm.invoke(_ask({"type": "video_url", "video_url": "https://example.com/b.mp4"}))
    assert _parts(emulator)[1] == {
        "type": "video_url",
        "video_url": {"url": "https://example.com/b.mp4"},
    }


def test_video_as_frames(emulator: DashScopeEmulator, make_llm: Any) -> None:
    frames = [f"https://example.com/f{i}.jpg" for i in range(4)]
    llm = make_llm(model="qwen-vl-max")
    llm.invoke(_ask(video_frames_block(frames)))
    assert _parts(emulator)[1] == {"type": "video", "video": frames}
    with pytest.raises(ValueError, match="frames"):
        video_frames_block([])
    with pytest.raises(ValueError, match="frames"):
        llm.invoke(_ask({"type": "video", "video": [1, 2]}))


def test_video_block_from_file(
    tmp_path: Path, emulator: DashScopeEmulator, make_llm: Any
) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    block = video_block_from_file(path)
    assert block["mime_type"] == "video/mp4"
    llm = make_llm(model="qwen3-vl-plus")
    llm.invoke(_ask(block))
    url = _parts(emulator)[1]["video_url"]["url"]
    assert url == "data:video/mp4;base64," + block["base64"]


async def test_qvq_streams_an_image_question(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    emulator.script(Reply.text("Two cats.", reasoning="I count the cats."))
    llm = make_llm(model="qvq-max")
    msg = await llm.ainvoke(_ask({"type": "image", "url": IMAGE_URL}))
    assert msg.content == "Two cats."
    assert msg.additional_kwargs["reasoning_content"] == "I count the cats."
    body = emulator.last_request.json
    assert body["stream"] is True
    assert body["messages"][0]["content"][1]["type"] == "image_url"


# -- audio input (Omni) ---------------------------------------------------------------


def test_audio_input_blocks(
    tmp_path: Path, emulator: DashScopeEmulator, make_llm: Any
) -> None:
    path = tmp_path / "question.mp3"
    path.write_bytes(b"ID3\x00\x00")
    block = audio_block_from_file(path)
    assert block["mime_type"] == "audio/mpeg"
    llm = make_llm(model="qwen3-omni-flash")
    llm.invoke(
        _ask(
            block,
            {"type": "audio", "url": "https://example.com/cherry.wav"},
            text="What does it say?",
        )
    )
    assert emulator.last_request.json["stream"] is True  # Omni is stream-only
    assert _parts(emulator)[1:] == [
        {
            "type": "input_audio",
            "input_audio": {"data": "data:;base64," + block["base64"], "format": "mp3"},
        },
        {
            "type": "input_audio",
            "input_audio": {"data": "https://example.com/cherry.wav", "format": "wav"},
        },
    ]


def test_openai_input_audio_base64_gets_a_data_url(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(model="qwen3-omni-flash")
    llm.invoke(
        _ask(
            {
                "type": "input_audio",
                "input_audio": {"data": "UklGRg==", "format": "wav"},
            },
            {
                "type": "input_audio",
                "input_audio": {"data": "https://x/a.mp3", "format": "mp3"},
            },
        )
    )
    assert [p["input_audio"]["data"] for p in _parts(emulator)[1:]] == [
        "data:;base64,UklGRg==",
        "https://x/a.mp3",
    ]


# -- refusals before sending ---------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "block", "kind"),
    [
        ("qwen-plus", {"type": "image", "url": IMAGE_URL}, "image"),
        ("qwen3-max", {"type": "image_url", "image_url": {"url": IMAGE_URL}}, "image"),
        ("qwen-plus", {"type": "video", "video": ["a.jpg", "b.jpg"]}, "video"),
        ("qwen3-vl-plus", {"type": "audio", "url": "https://x/a.wav"}, "audio"),
    ],
)
def test_media_refused_for_models_without_it(
    emulator: DashScopeEmulator, make_llm: Any, model: str, block: Any, kind: str
) -> None:
    llm = make_llm(model=model)
    with pytest.raises(ValueError, match=f"does not accept {kind} input") as info:
        llm.invoke(_ask(block))
    assert model in str(info.value)
    assert emulator.chat_requests == []


def test_per_call_model_override_is_checked(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm(model="qwen3-vl-plus")
    with pytest.raises(ValueError, match="qwen-plus"):
        llm.invoke(_ask({"type": "image", "url": IMAGE_URL}), model="qwen-plus")
    assert emulator.chat_requests == []


def test_unknown_model_is_allowed(emulator: DashScopeEmulator) -> None:
    # A model without a profile (a custom deployment) is not second-guessed.
    with DashScopeEmulator(models=["custom-vl-finetune"]) as emu:
        llm = ChatQwen(
            model="custom-vl-finetune",
            base_url=emu.base_url,
            api_key=emu.api_key,
            max_retries=0,
        )
        assert llm.profile is None
        llm.invoke(_ask({"type": "image", "url": IMAGE_URL}))
        assert _parts(emu)[1]["type"] == "image_url"


def test_text_only_lists_still_collapse(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    llm = make_llm()
    llm.invoke(
        [
            SystemMessage(content=[{"type": "text", "text": "Be brief."}]),
            HumanMessage(content=[{"type": "text", "text": "Hi"}]),
        ]
    )
    assert [m["content"] for m in emulator.last_request.json["messages"]] == [
        "Be brief.",
        "Hi",
    ]


def test_malformed_media_blocks() -> None:
    with pytest.raises(ValueError, match="url or base64"):
        prepare_media(_ask({"type": "image"}), model="qwen3-vl-plus")
    with pytest.raises(ValueError, match="file id"):
        prepare_media(_ask({"type": "image", "file_id": "f-1"}), model="qwen3-vl-plus")
    with pytest.raises(ValueError, match="mime_type"):
        prepare_media(_ask({"type": "video", "base64": "AAAA"}), model="qwen3-vl-plus")
    with pytest.raises(ValueError, match="format"):
        prepare_media(
            _ask({"type": "audio", "url": "https://x/stream"}), model="qwen3-omni-flash"
        )


def test_input_messages_are_not_mutated(
    emulator: DashScopeEmulator, make_llm: Any
) -> None:
    block = {"type": "image", "url": IMAGE_URL}
    messages = _ask(block)
    make_llm(model="qwen3-vl-plus").invoke(messages)
    assert messages[0].content[1] == {"type": "image", "url": IMAGE_URL}


def test_self_hosted_vl_model_is_not_profile_checked(emulator_factory: Any) -> None:
    emu = emulator_factory(flavor="vllm")
    llm = ChatQwen(model="qwen-plus", base_url=emu.base_url, max_retries=0)
    llm.invoke(_ask({"type": "image", "url": IMAGE_URL}))
    part = emu.last_request.json["messages"][0]["content"][1]
    assert part == {"type": "image_url", "image_url": {"url": IMAGE_URL}}
