"""Integration tests talk to live DashScope and run only when DASHSCOPE_API_KEY is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    if os.environ.get("DASHSCOPE_API_KEY"):
        return
    skip = pytest.mark.skip(
        reason="DASHSCOPE_API_KEY is not set: live DashScope tests skipped"
    )
    here = Path(__file__).parent
    for item in items:
        # The hook sees every collected item, unit tests included: skip only ours.
        if here in Path(item.path).parents and "compile" not in item.keywords:
            item.add_marker(skip)
