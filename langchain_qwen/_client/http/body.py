"""Request bodies: strict JSON, refused with the path of the offending value."""

from __future__ import annotations

import json
import math
from typing import Any

from langchain_qwen._client.errors import non_finite_error, unencodable_error

__all__ = ["encode_json"]


def encode_json(body: Any) -> bytes:
    """``body`` as compact UTF-8 JSON; NaN/Infinity and non-JSON types refused.

    ``ensure_ascii=False`` keeps Chinese text as UTF-8 on the wire: smaller, and what
    DashScope's own SDKs send. ``allow_nan=False``: ``NaN`` is not JSON.

    Raises:
        ValueError: a NaN or infinite float, naming where it is
            (``body['tools'][0]...``), or a body nested too deeply.
        TypeError: a value JSON cannot hold, naming where it is.
    """
    try:
        return json.dumps(
            body, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode("utf-8")
    except RecursionError:
        msg = "The request body is nested too deeply to encode. Nothing was sent."
        raise ValueError(msg) from None
    except (ValueError, TypeError) as exc:
        found = _find_bad(body, "body", set())
        if found is None:
            raise
        path, value = found
        if isinstance(value, float):
            raise non_finite_error(path, value) from None
        raise unencodable_error(path, value) from exc


def _find_bad(value: Any, path: str, seen: set[int]) -> tuple[str, Any] | None:
    """The first value (depth first) ``json.dumps(allow_nan=False)`` refuses."""
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, value)
    if value is None or isinstance(value, str | int | bool):
        return None
    if isinstance(value, dict | list | tuple):
        if id(value) in seen:  # a cycle: json reports it itself
            return None
        seen.add(id(value))
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            found = _find_bad(item, f"{path}[{key!r}]", seen)
            if found is not None:
                return found
        return None
    return path, value
