"""The README's first command: the demo agent runs offline and says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "examples" / "agent_demo.py"


def test_demo_runs_offline() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASHSCOPE_")}
    done = subprocess.run(
        [sys.executable, str(DEMO)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("OFFLINE")
    assert "[tool call] get_current_time" in out
    assert "[tool call] get_current_weather" in out
    assert "[tool result] get_current_weather: Hangzhou: light rain, 18°C." in out
    assert "Assistant: Here is what I found." in out
    assert "Usage:" in out
    input_tokens = int(out.split("Usage: ")[1].split(" input")[0])
    assert input_tokens > 0
