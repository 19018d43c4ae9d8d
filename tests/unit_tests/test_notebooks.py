"""The notebooks in notebooks/ execute top to bottom, offline, against the emulator.

Each notebook's first code cell starts a `DashScopeEmulator` and scripts the replies
when `DASHSCOPE_API_KEY` is unset, so the run needs no key and no network. The
committed notebooks carry the outputs of such a run; these tests also check that
they do.

All runs share one Jupyter kernel (started once, on one xdist worker): before each
notebook a hidden first cell clears the kernel's namespace and sets its
`DASHSCOPE_*` environment, so each run starts as a fresh kernel would, less the
seconds of starting Python and importing langchain again.
"""

from __future__ import annotations

import ast
import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_core.utils import run_sync
from nbclient import NotebookClient

from langchain_qwen.testing import BuiltinCall, DashScopeEmulator, Reply, ResponsesReply

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CELL_TIMEOUT = 60

# Expected outputs that depend on the emulator branch or on region resolution
# (with DASHSCOPE_BASE_URL set, every region resolves to that URL).
OFFLINE_ONLY = (
    "Offline: DashScope emulator",
    "dashscope-us.aliyuncs.com",
    "ws-1234abcd",
)

# Outputs a successful offline run must contain, per notebook.
EXPECTED: dict[str, list[str]] = {
    "chat_qwen.ipynb": [
        "Offline: DashScope emulator at http://127.0.0.1:",
        "us         https://dashscope-us.aliyuncs.com/compatible-mode/v1",
        "https://ws-1234abcd.eu-central-1.maas.aliyuncs.com/compatible-mode/v1",
        "J'adore la programmation.",
        "'input_tokens':",  # usage_metadata after streaming
        "Ich liebe das Programmieren.",
        "Reasoning: Compare the decimals",
        "Reasoning tokens:",
        "'name': 'GetWeather'",
        "Hangzhou has light rain at 18°C",
        "Joke(setup='Why was the cat sitting on the computer?'",
        "Apsara Conference",
        "[web_search] Apsara Conference 2026 dates",  # Responses API agent
        "[sources] ['https://www.alibabacloud.com/apsara-conference']",
        "[tool call] get_weather {'city': 'Hangzhou'}",
        "[tool result] light rain, 18°C",
        "expect light rain at 18°C, so bring an umbrella.",
        "previous_response_id is the last answer: True",
        "input sent: [{'content': 'Sum that up in five words.', 'role': 'user', 'type': 'message'}]",
        "Apsara: Hangzhou, autumn, umbrella.",
        "Labrador retriever",
        "'mime_type': 'image/png'",  # image_block_from_file on a local PNG
        '"target_lang": "English"',  # qwen-mt request body
        '"type": "input_audio"',  # Qwen-Omni request body
        "おはようございます",
        "qwen3-vl-plus  context",
        "qwen-plus-us",  # the CLI's models table
        "2 [108386, 103924]",  # local token counting
        "messages + tools:",
        "-> 4 messages",  # trim_messages(token_counter=llm)
        "stop: [[37763, 367, 25]]",
        "Action Input: Hangzhou",
        "{'cache_read': 0, 'cache_creation': 1146}",  # explicit context cache
        "{'cache_read': 1146}",
        '"chat_template_kwargs": {',  # self-hosted request bodies
        '"reasoning_effort": "none"',
    ],
    "langgraph_agent.ipynb": [
        "Offline: DashScope emulator at http://127.0.0.1:",
        '[tool call] get_weather {"city": "Hangzhou"}',
        '[tool call] get_weather {"city": "Beijing"}',
        "[tool result] Beijing: sunny, 24°C",
        "Assistant: Hangzhou has light rain at 18°C",
        '[tool call] celsius_to_fahrenheit {"celsius": 24}',
        "Assistant: Beijing is the warmer one today: 24°C, which is 75.2°F.",
        "human: Which of the two is warmer?",  # memory: the thread kept turn 1
        "| turn | model call | produced | input | output | reasoning | total |",
        "| **all** | **4** |",
    ],
    "qwen_embeddings.ipynb": [
        "Offline: DashScope emulator at http://127.0.0.1:",
        "text-embedding-v3 allows: 1024, 768, 512, 256, 128, 64",  # refused early
        "'LangChain is the framework for building context-aware reasoning",
        "25 vectors of 256 floats",  # 3 concurrent batches, back in input order
        "texts[1] is an empty string",
        "25 True",  # async and sync agree
        "'LangChain is a framework for building applications with large language",
    ],
    "qwen_rerank.ipynb": [
        "Offline: DashScope emulator at http://127.0.0.1:",
        "0.776 Create an API key in the Model Studio console.",
        "0.01 The Great Wall of China",  # top_n=None: all documents
        "{'id': 0, 'relevance_score': 0.776182} Create an API key",
        "2 0.198 Keys are region-specific",  # through ContextualCompressionRetriever
        "[0, 1, 2]",  # async
        "'Use the Model Studio console: create an API key there",
    ],
    "rag_qwen.ipynb": [
        "Offline: DashScope emulator at http://127.0.0.1:",
        "6 notes -> 9 chunks",
        "9 chunks indexed",
        "[1] 0.400 rerank.md",
        "[2] 0.316 retired.md",
        "as its replacement [2]. qwen3-rerank scores up to 500 documents",
        "[1] rerank.md: qwen3-rerank scores up to 500 documents",
        "[2] retired.md: The gte-rerank model was retired on 30 May 2026.",
    ],
}


def _texts(nb: Any) -> str:
    """All text outputs of a notebook, joined (stream pieces glued back together)."""
    parts: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "stream":
                parts.append(out.get("text", ""))
            elif kind in ("execute_result", "display_data"):
                data = out.get("data", {})
                rich = data.get("text/markdown", "") or data.get("text/plain", "")
                parts.append(f"\n{rich}\n")
            elif kind == "error":
                parts.append(f"\nERROR {out.get('ename')}: {out.get('evalue')}\n")
        parts.append("\n")
    return "".join(parts)


pytestmark = [pytest.mark.notebook, pytest.mark.xdist_group("notebooks")]


def _is_notebook_env(var: str) -> bool:
    return var.startswith("DASHSCOPE_") or var == "LANGCHAIN_QWEN_REGION_URLS"


class Kernel:
    """One python3 kernel that runs notebook after notebook."""

    def __init__(self) -> None:
        starter = NotebookClient(
            nbformat.v4.new_notebook(), kernel_name="python3", timeout=CELL_TIMEOUT
        )
        env = {k: v for k, v in os.environ.items() if not _is_notebook_env(k)}
        self.km = starter.create_kernel_manager()
        starter.start_new_kernel(cwd=str(NOTEBOOKS), env=env)
        self.kc = starter.start_new_kernel_client()

    def execute(self, nb: Any, env: dict[str, str] | None = None) -> Any:
        """Run a fresh copy of ``nb`` with ``env`` as its DASHSCOPE_* settings.

        Any cell error raises (CellExecutionError).
        """
        nb = copy.deepcopy(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        reset = (
            "%reset -f\n"
            "def _prepare():\n"
            "    import os\n"
            "    for var in list(os.environ):\n"
            "        if var.startswith('DASHSCOPE_') or var == 'LANGCHAIN_QWEN_REGION_URLS':\n"
            "            del os.environ[var]\n"
            f"    os.environ.update({env or {}!r})\n"
            f"    os.chdir({str(NOTEBOOKS)!r})\n"
            "_prepare()\n"
            "del _prepare\n"
        )
        nb.cells.insert(0, nbformat.v4.new_code_cell(reset))
        client = NotebookClient(
            nb,
            km=self.km,  # not owned: execute() leaves the kernel running
            timeout=CELL_TIMEOUT,
            allow_errors=False,  # a failing cell raises CellExecutionError
            record_timing=False,
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        client.kc = self.kc
        client.execute()
        del nb.cells[0]
        return nb

    def shutdown(self) -> None:
        self.kc.stop_channels()
        run_sync(self.km.shutdown_kernel)(now=True)


@pytest.fixture(scope="session")  # xdist may interleave other modules' tests
def kernel() -> Iterator[Kernel]:
    started = Kernel()
    yield started
    started.shutdown()


def _scripted_replies(nb: Any) -> list[Reply]:
    """The replies the notebook's first code cell scripts (its emu.script(...) call)."""
    setup = next(c for c in nb.cells if c.cell_type == "code").source
    for node in ast.walk(ast.parse(setup)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "script"
        ):
            expr = ast.Expression(ast.List(elts=node.args, ctx=ast.Load()))
            ast.fix_missing_locations(expr)
            names = {
                "Reply": Reply,
                "ResponsesReply": ResponsesReply,
                "BuiltinCall": BuiltinCall,
            }
            return eval(compile(expr, "<notebook script>", "eval"), names)
    raise AssertionError("the first code cell has no emu.script(...) call")


@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_executes_offline(name: str, kernel: Kernel) -> None:
    nb = kernel.execute(nbformat.read(NOTEBOOKS / name, as_version=4))
    text = _texts(nb)
    assert "ERROR " not in text
    missing = [s for s in EXPECTED[name] if s not in text]
    assert not missing, f"{name}: outputs lack {missing}"


@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_online_branch_runs_unchanged(
    name: str, emulator: DashScopeEmulator, kernel: Kernel
) -> None:
    """With DASHSCOPE_API_KEY set the notebook takes its DashScope branch.

    DASHSCOPE_BASE_URL points that branch at an emulator owned by this test,
    scripted with the notebook's own replies, so the run stays offline while
    every later cell runs exactly as it would on DashScope (llm_kwargs = {}).
    """
    committed = nbformat.read(NOTEBOOKS / name, as_version=4)
    emulator.script(*_scripted_replies(committed))
    env = {
        "DASHSCOPE_API_KEY": emulator.api_key,
        "DASHSCOPE_BASE_URL": emulator.base_url,
    }
    text = _texts(kernel.execute(committed, env))
    assert "Online: DashScope" in text
    assert "Offline:" not in text
    expected = [s for s in EXPECTED[name] if not any(k in s for k in OFFLINE_ONLY)]
    missing = [s for s in expected if s not in text]
    assert not missing, f"{name} (online branch): outputs lack {missing}"
    assert emulator.pending == 0  # exactly the scripted model calls were made
    assert all(r.status == 200 for r in emulator.chat_requests)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_structure_and_committed_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"

    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert "offline DashScope emulator" in first.source
    assert "DASHSCOPE_API_KEY" in first.source

    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    setup = code_cells[0].source
    assert 'if os.environ.get("DASHSCOPE_API_KEY"):' in setup
    assert "llm_kwargs = {}" in setup
    assert "DashScopeEmulator().start()" in setup
    assert 'llm_kwargs = {"base_url": emu.base_url, "api_key": emu.api_key}' in setup
    # Replies are scripted in the emulator branch only; later cells just build
    # ChatQwen(model=..., **llm_kwargs) and never touch the emulator's script.
    for cell in code_cells[1:]:
        assert "Reply." not in cell.source
        assert "emu.script" not in cell.source
    assert any("**llm_kwargs" in c.source for c in code_cells[1:])

    # Committed with the outputs of an offline run, in order, without errors.
    counts = [c.execution_count for c in code_cells]
    assert counts == list(range(1, len(code_cells) + 1))
    text = _texts(nb)
    assert "ERROR " not in text
    missing = [s for s in EXPECTED[name] if s not in text]
    assert not missing, f"committed {name} lacks outputs {missing}"


# What a notebook's code needs beyond `langchain-qwen`, and how its install line says so.
_NEEDS = {
    "[tokenizer]": ("get_num_tokens", "stop_to_token_ids", "token_counter="),
    "langgraph": ("from langgraph", "import langgraph"),
    "langchain ": ("from langchain.", "import langchain."),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_install_line_covers_its_code(name: str) -> None:
    """The first `pip install` a notebook shows is enough to run it top to bottom."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    install = next(
        line
        for cell in nb.cells
        for line in cell.source.splitlines()
        if line.startswith("pip install")
    )
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for extra, uses in _NEEDS.items():
        if any(use in code for use in uses):
            assert extra in install + " ", f"{name}: {install!r} lacks {extra.strip()}"
