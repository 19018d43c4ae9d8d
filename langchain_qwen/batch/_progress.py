"""The one-line progress bar of ``BatchJob.wait``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from langchain_qwen.batch._job import BatchStatus

__all__ = ["Progress"]


class Progress:
    """A one-line progress bar on a terminal (nothing when not interactive)."""

    def __init__(self, enabled: bool | None, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        if enabled is None:  # a terminal or a notebook
            enabled = self.stream.isatty() or "ipykernel" in sys.modules
        self.enabled = enabled
        self.width = 30

    def update(self, state: BatchStatus) -> None:
        if not self.enabled:
            return
        filled = int(self.width * state.progress)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(
            f"\r[{bar}] {state.completed + state.failed}/{state.total} "
            f"({state.failed} failed) {state.status:<11}"
        )
        if state.done:
            self.stream.write("\n")
        self.stream.flush()
