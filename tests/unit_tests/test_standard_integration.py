"""langchain-tests' standard integration suite, offline, on four kinds of Qwen model.

`ChatModelIntegrationTests` runs against the DashScope emulator (loopback) exactly as
it runs live (tests/integration_tests/test_standard.py). One base class holds the
shared setup; each kind differs only in its `_Kind` row. A standard test is skipped
only through the suite's own capability flags, each False one citing the vendor fact.

The suite downloads its sample image from GitHub with `httpx.get`; offline, that one
download is served a small PNG made here (ChatQwen itself never calls `httpx.get`).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_qwen import ChatQwen
from langchain_qwen.testing import DashScopeEmulator

# Vendor sources of the capability flags below.
# Vision models (Qwen3.6/3.5, Qwen3-VL, QVQ, ...); qwen-plus and QwQ are not among
# them, and ChatQwen's generated profiles (models.dev data) give them text input only.
_VISION_PAGE = "https://docs.qwencloud.com/developer-guides/multimodal/vision"
# Documents (PDF, DOCX, ...) go to Qwen-Long as uploaded files referenced by file-id
# in a system message, not as content blocks of a chat message.
_LONG_PAGE = "https://www.alibabacloud.com/help/en/model-studio/long-context-qwen-long"
# Audio input is for Qwen-Omni (and Qwen-Audio) models.
_AUDIO_PAGE = "https://www.alibabacloud.com/help/en/model-studio/qwen-omni"
# The real 400 for a forced tool_choice in thinking mode (a capture of a live call).
_THINKING_TOOL_CHOICE = (
    "/work/shared/dashscope-captures/cases/"
    "33_maruel_intl_ERROR_400_tool_choice_required_in_thinking.json"
)


@dataclass(frozen=True)
class _Kind:
    """What distinguishes one kind of Qwen model in the standard suite."""

    model: str
    override: str  # another model of the same kind, for the model-override tests
    images: bool
    tool_choice: bool = True
    structured_output: dict[str, Any] | None = None


QWEN_PLUS = _Kind(
    "qwen-plus",
    "qwen-flash",
    images=False,  # text input only (_VISION_PAGE)
    # qwen-plus offers json_schema structured output; the other kinds use the default.
    structured_output={"method": "json_schema"},
)
QWEN36_PLUS = _Kind(
    "qwen3.6-plus",
    "qwen3.6-flash",
    images=True,  # a vision model too (_VISION_PAGE)
)
QWQ_PLUS = _Kind(
    "qwq-plus",
    "qwq-plus-latest",  # the QwQ series of the Beijing list (/work/shared/seeds)
    images=False,  # text input only (_VISION_PAGE)
    # Thinking-only: DashScope refuses tool_choice "required" or a named function in
    # thinking mode (_THINKING_TOOL_CHOICE), so no tool choice can be forced.
    tool_choice=False,
)
QWEN3_VL_PLUS = _Kind("qwen3-vl-plus", "qwen3-vl-flash", images=True)


def _png(width: int = 32, height: int = 24) -> bytes:
    """A small valid RGB PNG (DashScope wants images over 10 pixels a side)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80\x40\x20" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


_SAMPLE_IMAGE = _png()


def _offline_get(url: str, *args: Any, **kwargs: Any) -> httpx.Response:
    """The suite's sample downloads, offline: images get a PNG, the rest fails."""
    if url.lower().endswith((".png", ".jpg", ".jpeg")):
        return httpx.Response(
            200, content=_SAMPLE_IMAGE, request=httpx.Request("GET", url)
        )
    raise httpx.ConnectError(f"offline test: no download of {url}")


class _EmulatedQwen(ChatModelIntegrationTests):
    """The standard integration suite for one `_Kind`, against the emulator.

    Per kind (50 standard tests each): qwen-plus 43 pass, 7 skipped (images, PDF,
    audio, Anthropic blocks with an image, VCR); qwen3.6-plus and qwen3-vl-plus 46
    pass, 4 skipped (PDF, audio, VCR); qwq-plus 42 pass, 8 skipped (those of
    qwen-plus and tool choice).
    """

    kind = QWEN_PLUS
    _emulator: DashScopeEmulator | None = None

    @pytest.fixture(autouse=True)
    def _offline(
        self, emulator: DashScopeEmulator, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The worker's shared emulator (reset per test, loopback allowed): one
        # base URL, so ChatQwen's HTTP clients are built once per worker.
        type(self)._emulator = emulator
        monkeypatch.setattr(httpx, "get", _offline_get)

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatQwen

    @property
    def chat_model_params(self) -> dict[str, Any]:
        emulator = self._emulator
        assert emulator is not None, "the _offline fixture sets the emulator"
        return {
            "model": self.kind.model,
            "base_url": emulator.base_url,
            "api_key": emulator.api_key,
        }

    @property
    def has_tool_choice(self) -> bool:
        return self.kind.tool_choice

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        return dict(self.kind.structured_output or {})

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return self.kind.images

    @property
    def supports_image_urls(self) -> bool:
        return self.kind.images

    @property
    def supports_video_inputs(self) -> bool:
        return self.kind.images

    @property
    def supports_image_tool_message(self) -> bool:
        return self.kind.images

    @property
    def supports_anthropic_inputs(self) -> bool:
        # langchain converts Anthropic-style blocks; the test's message holds an
        # image, which the text-only kinds refuse (see `images`).
        return self.kind.images

    @property
    def enable_vcr_tests(self) -> bool:
        # Not a model capability: the stream-time benchmark replays cassettes
        # recorded from a live run, which an offline suite does not have.
        return False

    @property
    def supports_audio_inputs(self) -> bool:
        # Audio input is for the Qwen-Omni and Qwen-Audio models (_AUDIO_PAGE); none
        # of the four kinds takes it.
        return False

    @property
    def supports_pdf_inputs(self) -> bool:
        # Chat models take no PDF content block; documents go to Qwen-Long as
        # uploaded files referenced by `fileid://` (_LONG_PAGE).
        return False

    @property
    def supports_pdf_tool_message(self) -> bool:
        return False  # no PDF block in any message (_LONG_PAGE)

    @property
    def supports_model_override(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return self.kind.override


class TestQwenPlus(_EmulatedQwen):
    kind = QWEN_PLUS


class TestQwen36Plus(_EmulatedQwen):
    kind = QWEN36_PLUS


class TestQwqPlus(_EmulatedQwen):
    kind = QWQ_PLUS


class TestQwen3VLPlus(_EmulatedQwen):
    kind = QWEN3_VL_PLUS


@pytest.mark.parametrize(
    "kind", [QWEN_PLUS, QWEN36_PLUS, QWQ_PLUS, QWEN3_VL_PLUS], ids=lambda k: k.model
)
def test_kind_flags_agree_with_the_generated_profiles(kind: _Kind) -> None:
    # The flags above restate vendor facts; ChatQwen's profiles are generated from
    # data: the two must not drift apart.
    profile = ChatQwen(model=kind.model, api_key="sk-test").profile or {}
    assert profile["image_inputs"] is kind.images
    assert profile["image_url_inputs"] is kind.images
    assert profile["tool_choice"] is kind.tool_choice
    assert profile["audio_inputs"] is False
    assert profile["pdf_inputs"] is False
    assert profile["reasoning_output"] is True
