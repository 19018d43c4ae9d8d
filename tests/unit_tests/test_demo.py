"""The README's first command: the demo agent runs offline and says so.

The script runs in this process (`runpy`, as `python examples/agent_demo.py` would
run it): a subprocess would only add the seconds of importing langchain again.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from langchain_qwen.testing import DashScopeEmulator

DEMO = Path(__file__).resolve().parents[2] / "examples" / "agent_demo.py"


def test_demo_runs_offline(
    emulator: DashScopeEmulator,  # allows loopback sockets for the demo's emulator
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as done:
        runpy.run_path(str(DEMO), run_name="__main__")
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("OFFLINE")
    assert "[tool call] get_current_time" in out
    assert "[tool call] get_current_weather" in out
    assert "[tool result] get_current_weather: Hangzhou: light rain, 18°C." in out
    assert "Assistant: Here is what I found." in out
    assert "Usage:" in out
    input_tokens = int(out.split("Usage: ")[1].split(" input")[0])
    assert input_tokens > 0
