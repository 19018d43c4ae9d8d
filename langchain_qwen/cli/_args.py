"""Argument types shared by the commands' parsers."""

from __future__ import annotations

import argparse

from langchain_qwen._client.regions import normalize_region


def timeout_arg(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 600:
        msg = f"expected seconds between 0 and 600, got {value!r}"
        raise argparse.ArgumentTypeError(msg)
    return seconds


def region_arg(value: str) -> str:
    try:
        return normalize_region(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def models_region_arg(value: str) -> str:
    # `models` also lists the Coding Plan hosts' models.
    if value.strip().lower() in ("coding", "coding-intl", "coding-cn"):
        return value.strip().lower()
    return region_arg(value)
