"""Terminal output shared by the commands: colour, wrapping, error text."""

from __future__ import annotations

import os
import shutil
import textwrap
from typing import IO

DIM = "\x1b[2m"
BOLD = "\x1b[1m"
RED = "\x1b[31m"
GREEN = "\x1b[32m"
YELLOW = "\x1b[33m"
RESET = "\x1b[0m"
REGION_ABBR = {"singapore": "sg", "us": "us", "china": "cn", "hongkong": "hk"}


def use_color(stream: IO[str], mode: str = "auto") -> bool:
    """Whether to write ANSI codes to ``stream``.

    Args:
        stream: The output stream.
        mode: ``always``, ``never`` or ``auto`` (a terminal, ``NO_COLOR`` unset and
            ``TERM`` not ``dumb``).
    """
    if mode == "always":
        return True
    if mode == "never":
        return False
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.color and text else text


def error_text(exc: BaseException) -> str:
    """The message of an exception; pydantic validation errors without the noise."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            items = errors()
        except Exception:  # fall back to str() below
            items = None
        if isinstance(items, list) and items:
            msgs = [
                str(item.get("msg", "")) for item in items if isinstance(item, dict)
            ]
            text = "; ".join(m.removeprefix("Value error, ") for m in msgs if m)
            if text:
                return text
    return str(exc)


def width() -> int:
    return max(60, min(110, shutil.get_terminal_size((100, 24)).columns))


def wrap(text: str, first: str, rest: str) -> str:
    return textwrap.fill(
        text,
        width=width(),
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
