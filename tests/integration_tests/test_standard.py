"""langchain-tests' standard integration suite against live DashScope.

Region from DASHSCOPE_REGION (default singapore); model from QWEN_MODEL (default
qwen-plus, which offers tools, JSON mode and json_schema structured output).
"""

from __future__ import annotations

import os

from langchain_core.language_models import BaseChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_qwen import ChatQwen


class TestChatQwenLive(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatQwen

    @property
    def chat_model_params(self) -> dict:
        return {"model": os.environ.get("QWEN_MODEL", "qwen-plus"), "max_retries": 3}

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def structured_output_kwargs(self) -> dict:
        return {"method": "function_calling"}

    @property
    def supports_image_inputs(self) -> bool:
        return False  # qwen-plus is text-only; see test_vision_live for qwen3-vl

    @property
    def supports_model_override(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "qwen-flash"


class TestChatQwenVisionLive(TestChatQwenLive):
    """A VL model: image inputs (base64 and URLs) on top of the chat features."""

    @property
    def chat_model_params(self) -> dict:
        return {
            "model": os.environ.get("QWEN_VL_MODEL", "qwen3-vl-plus"),
            "max_retries": 3,
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
