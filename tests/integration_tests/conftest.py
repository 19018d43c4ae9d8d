"""Integration tests talk to live DashScope and run only when DASHSCOPE_API_KEY is set."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    if os.environ.get("DASHSCOPE_API_KEY"):
        return
    skip = pytest.mark.skip(
        reason="DASHSCOPE_API_KEY is not set: live DashScope tests skipped"
    )
    for item in items:
        if "compile" not in item.keywords:
            item.add_marker(skip)
