"""langchain-tests' standard unit suite for ChatQwen."""

from __future__ import annotations

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.unit_tests import ChatModelUnitTests
from syrupy.assertion import SnapshotAssertion

from langchain_qwen import ChatQwen


class TestChatQwenStandard(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatQwen

    @property
    def chat_model_params(self) -> dict:
        return {"model": "qwen-plus", "api_key": "sk-test-key", "region": "singapore"}

    @property
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        return (
            {
                "DASHSCOPE_API_KEY": "sk-env-key",
                "DASHSCOPE_BASE_URL": "https://dashscope-us.aliyuncs.com/compatible-mode/v1",
            },
            {"model": "qwen-plus"},
            {
                "openai_api_key": "sk-env-key",
                "openai_api_base": "https://dashscope-us.aliyuncs.com/compatible-mode/v1",
            },
        )

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return False  # qwen-plus is text-only; ChatQwen refuses images for it

    @property
    def supports_image_urls(self) -> bool:
        return False

    @property
    def supports_model_override(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "qwen-max"

    @pytest.mark.xfail(
        reason=(
            "langchain-core's load(allowed_objects='all') only admits classes listed "
            "in langchain_core.load.mapping, which has no entry for langchain_qwen; "
            "test_serialization.py round-trips ChatQwen with an explicit allowlist."
        ),
        strict=True,
    )
    def test_serdes(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        super().test_serdes(model, snapshot)


class TestChatQwenVisionStandard(TestChatQwenStandard):
    """The same suite for a VL model, whose profile has image and video input."""

    @property
    def chat_model_params(self) -> dict:
        return {
            "model": "qwen3-vl-plus",
            "api_key": "sk-test-key",
            "region": "singapore",
        }

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_video_inputs(self) -> bool:
        return True
