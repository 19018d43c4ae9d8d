"""Small values valid for a JSON schema: the emulator's unscripted structured answers.

With nothing scripted, a forced tool call gets arguments, and JSON-schema mode a
content, that validate against the schema sent: what a model asked for structured
output returns. Covered: ``$ref`` into ``$defs``/``definitions``, ``const``, ``enum``,
``default``, ``anyOf``/``oneOf`` (first option), ``allOf`` (merged), objects (every
property), arrays (``minItems``, ``uniqueItems``), strings (``minLength``,
``maxLength``, common ``format`` values, simple ``pattern`` regexes), numbers
(``minimum``/``maximum``, exclusive bounds, ``multipleOf``), booleans and null.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

try:  # the regex parser: re._parser since Python 3.11, sre_parse before
    from re import _parser as _sre  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre

__all__ = ["example_for_schema"]

_FORMATS = {
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "time": "00:00:00",
    "duration": "P1D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "uri": "https://example.com",
    "url": "https://example.com",
    "iri": "https://example.com",
    "uri-reference": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
_MAX_DEPTH = 8


def example_for_schema(
    schema: Any, depth: int = 0, root: Mapping[str, Any] | None = None
) -> Any:
    """A small value that satisfies ``schema`` (None for what it cannot read)."""
    if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
        return None
    root = schema if root is None else root
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, Mapping) else None
        return example_for_schema(target, depth + 1, root)
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    parts = schema.get("allOf")
    if isinstance(parts, list) and parts:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in parts:
            if isinstance(part, Mapping):
                merged.update(part)
        return example_for_schema(merged, depth + 1, root)
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            return example_for_schema(options[0], depth + 1, root)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties")
        if not isinstance(props, Mapping):
            return {}
        return {k: example_for_schema(v, depth + 1, root) for k, v in props.items()}
    if kind == "array":
        return _array(schema, depth, root)
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "boolean":
        return False
    return None


def _array(schema: Mapping[str, Any], depth: int, root: Mapping[str, Any]) -> Any:
    count = schema.get("minItems")
    count = count if isinstance(count, int) and count > 0 else 0
    item = example_for_schema(schema.get("items"), depth + 1, root)
    if not schema.get("uniqueItems"):
        return [item] * count
    return [_variant(item, i) for i in range(count)]


def _variant(value: Any, i: int) -> Any:
    """A value like ``value``, different for each ``i`` (unique array items)."""
    if i == 0:
        return value
    if isinstance(value, str):
        return f"{value}{i}"
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + i
    return value


def _string(schema: Mapping[str, Any]) -> str:
    text = "example"
    fmt = schema.get("format")
    pattern = schema.get("pattern")
    if isinstance(fmt, str) and fmt in _FORMATS:
        text = _FORMATS[fmt]
    elif isinstance(pattern, str):
        text = _matching(pattern) or text
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(low, int) and len(text) < low:
        text += "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text


def _number(schema: Mapping[str, Any], *, integer: bool) -> int | float:
    """0, moved inside the bounds (the lower one first), on ``multipleOf``."""
    inside = 1 if integer else 1e-6  # how far inside an exclusive bound
    lows: list[float] = []
    highs: list[float] = []
    for key, bounds, shift in (
        ("minimum", lows, 0),
        ("exclusiveMinimum", lows, inside),
        ("maximum", highs, 0),
        ("exclusiveMaximum", highs, -inside),
    ):
        bound = schema.get(key)
        if isinstance(bound, int | float) and not isinstance(bound, bool):
            bounds.append(bound + shift)
    value: float = 0.0
    if highs:
        value = min(value, min(highs))
    if lows:
        value = max(value, max(lows))
    step = schema.get("multipleOf")
    if isinstance(step, int | float) and step > 0:
        value = math.ceil(value / step) * step
    if integer:
        value = math.ceil(value)
    return int(value) if integer else float(value)


def _matching(pattern: str) -> str | None:
    """The shortest string of a simple regex (None when it uses something else)."""
    try:
        return _emit(_sre.parse(pattern))
    except (re.error, ValueError, TypeError, KeyError, IndexError):
        return None


_CATEGORY = {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " "}
_CATEGORY |= {"CATEGORY_NOT_DIGIT": "a", "CATEGORY_NOT_WORD": "-"}
_CATEGORY |= {"CATEGORY_NOT_SPACE": "a"}


def _emit(tokens: Any) -> str:
    out = []
    for op, arg in tokens:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_one_of(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, sub = arg
            out.append(_emit(sub) * max(low, 0))
        elif name == "SUBPATTERN":
            out.append(_emit(arg[-1]))
        elif name == "ATOMIC_GROUP":
            out.append(_emit(arg))
        elif name == "BRANCH":
            out.append(_emit(arg[1][0]))
        elif name == "CATEGORY":
            out.append(_CATEGORY[str(arg)])
        elif name != "AT":  # anchors match the empty string
            raise ValueError(name)
    return "".join(out)


def _one_of(items: Any) -> str:
    """A character of a ``[...]`` class (not negated ones)."""
    for op, arg in items:
        name = str(op)
        if name == "NEGATE":
            raise ValueError(name)
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return _CATEGORY[str(arg)]
    raise ValueError("empty class")
