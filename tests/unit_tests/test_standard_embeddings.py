"""langchain-tests' standard embeddings suites for QwenEmbeddings, offline.

``EmbeddingsIntegrationTests`` runs against the emulator (real HTTP on loopback):
its ``model`` fixture is pointed at it instead of DashScope.
"""

from __future__ import annotations

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from langchain_qwen import QwenEmbeddings
from langchain_qwen.testing import DashScopeEmulator

_BEIJING = "https://dashscope.aliyuncs.com/compatible-mode/v1"


class TestQwenEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[QwenEmbeddings]:
        return QwenEmbeddings

    @property
    def embedding_model_params(self) -> dict:
        return {"model": "text-embedding-v4", "api_key": "sk-test-key"}

    @property
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        return (
            {"DASHSCOPE_API_KEY": "sk-env-key", "DASHSCOPE_BASE_URL": _BEIJING},
            {"model": "text-embedding-v3"},
            {
                "openai_api_key": "sk-env-key",
                "openai_api_base": _BEIJING,
                "region": "china",
                "model": "text-embedding-v3",
            },
        )


class TestQwenEmbeddingsOffline(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[QwenEmbeddings]:
        return QwenEmbeddings

    @property
    def embedding_model_params(self) -> dict:
        return {"model": "text-embedding-v4", "dimensions": 512}

    @pytest.fixture
    def model(self, emulator: DashScopeEmulator) -> QwenEmbeddings:
        return QwenEmbeddings(
            base_url=emulator.base_url,
            api_key=emulator.api_key,
            **self.embedding_model_params,
        )
