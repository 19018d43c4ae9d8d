"""Architecture checks that import-linter cannot express.

The layers and the absence of import cycles are import-linter contracts in
pyproject.toml (`make lint`). Here: only the transport (`_client/http`) sends HTTP
requests.
"""

from __future__ import annotations

import ast
from pathlib import Path

import langchain_qwen

PACKAGE = Path(langchain_qwen.__path__[0])
TRANSPORT = PACKAGE / "_client" / "http"
SENDING = {"send", "build_request", "stream", "request", "get", "post", "put", "delete"}


def _client_modules() -> list[Path]:
    return [
        p
        for p in sorted(PACKAGE.rglob("*.py"))
        if not p.is_relative_to(PACKAGE / "testing")
    ]


def _sends(path: Path) -> list[str]:
    """Calls like ``client.send(...)`` / ``http_client.get(...)`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = ast.unparse(node.func.value).lower()
        if node.func.attr in SENDING and "client" in owner:
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {owner}")
    return found


def test_only_the_transport_sends_requests() -> None:
    outside = [
        hit
        for path in _client_modules()
        if not path.is_relative_to(TRANSPORT)
        for hit in _sends(path)
    ]
    assert outside == []
    # The check itself sees the transport's own sends.
    assert _sends(TRANSPORT / "send.py")
