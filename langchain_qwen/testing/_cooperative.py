"""The unscripted model: reads the request and answers like a cooperative model.

With nothing scripted, the emulator answers the way a model that follows the prompt
would, from the request alone (never from who sends it):

* a forced ``tool_choice`` calls that tool; under ``auto`` it calls the offered tool
  the last user message asks for (its name, or the words of its name, are in the
  message), with arguments read from the message: ``f(3)`` call syntax,
  ``name=value``, values after "named"/"called", quoted strings (unicode kept),
  proper names after "in"/"for"/..., numbers in order; the tool's JSON schema gives
  the names, types and bounds, and whatever the message does not give is filled with
  a small valid value;
* after a tool result it gives a final answer that quotes the result;
* it answers JSON fitting the schema when one is given in ``response_format``
  (``json_schema``) or in a system instruction, and in JSON mode with the keys the
  prompt asks for;
* it describes the images it is sent (kind and size read from the data).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_qwen.testing._rules import message_text
from langchain_qwen.testing._schema_examples import example_for_schema

__all__ = ["Answer", "answer_for", "arguments_for", "function_tools", "relevant_tool"]

# Words of a tool's name that say nothing about what it does.
_FILLER_WORDS = frozenset(
    {"get", "set", "do", "run", "call", "make", "tool", "my", "the", "a", "an", "fn"}
)
# Quoted values: ASCII quotes, curly quotes and CJK brackets (\u escapes for the
# curly ones, which look like ASCII quotes in an editor).
_QUOTED = re.compile(
    r"'([^']+)'|\"([^\"]+)\"|\u201c([^\u201d]+)\u201d|\u2018([^\u2019]+)\u2019"
    r"|「([^」]+)」|《([^》]+)》"
)
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.]*[A-Za-z_])")
_NAMED = re.compile(
    r"\b(?:named|called|titled)\s+(?:'([^']+)'|\"([^\"]+)\"|(\S+(?:\s+[A-Z]\S*)*))"
)
# A proper name after a preposition: "in San Francisco, CA", "for Alice".
_PROPER = re.compile(
    r"\b(?:in|at|for|of|about|from|to|near)\s+"
    r"([A-Z][\w.'-]*(?:(?:\s+|,\s*)[A-Z][\w.'-]*)*)"
)
# Capitalised words: a run of two or more ("Ada Lovelace"), or one that does not
# start a sentence ("generate a Pirate greeting").
_CAPITALISED = re.compile(
    r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)+|(?<=[a-z,;:]\s)[A-Z][a-z][\w'-]*"
)
# Properties that take free text rather than one value picked from the prompt.
_FREE_TEXT = re.compile(
    r"desc|text|content|query|question|message|prompt|summary|note|detail|comment", re.I
)
# Names of formats, not of things: "answer in JSON" names no place.
_FORMAT_WORDS = frozenset({"JSON", "XML", "YAML", "CSV", "Markdown", "HTML"})
_JSON_WORDS = re.compile(r"\b(?:keys?|fields?|properties|attributes)\b", re.I)
_MAX_SCHEMA_TRIES = 64  # "{" positions tried when looking for a schema in a text
_IDENTIFIER = re.compile(r"^[A-Za-z_][\w-]{0,63}$")


@dataclass(frozen=True)
class Answer:
    """What the model says: a text, or tool calls (name, arguments)."""

    content: str = ""
    calls: tuple[tuple[str, dict[str, Any]], ...] = field(default=())


def _messages(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    messages = body.get("messages")
    if not isinstance(messages, list):
        return []
    return [m for m in messages if isinstance(m, Mapping)]


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------- tools
def function_tools(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The ``function`` objects of the request's function tools."""
    tools = body.get("tools")
    if not isinstance(tools, list):
        return []
    return [
        t["function"]
        for t in tools
        if isinstance(t, Mapping)
        and isinstance(t.get("function"), Mapping)
        and isinstance(t["function"].get("name"), str)
    ]


def _name_words(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    words = {w.lower() for w in re.split(r"[\W_]+", spaced) if len(w) > 1}
    return words - _FILLER_WORDS


def relevant_tool(
    functions: Sequence[Mapping[str, Any]], text: str
) -> Mapping[str, Any] | None:
    """The tool a message asks for: its name, or the most words of its name, in it.

    A message that says "use the tool" with a single tool offered asks for that one.
    """
    lowered = text.lower()
    words = set(re.findall(r"\w+", lowered))
    best: tuple[int, Mapping[str, Any]] | None = None
    for function in functions:
        name = str(function["name"])
        score = 100 if name.lower() in lowered else len(_name_words(name) & words)
        if score and (best is None or score > best[0]):
            best = (score, function)
    if best is not None:
        return best[1]
    if len(functions) == 1 and re.search(r"\b(?:the|a|this) tool\b", lowered):
        return functions[0]
    return None


# ------------------------------------------------------------------ arguments
def _resolve(schema: Any, root: Mapping[str, Any]) -> Any:
    """Follow a local ``$ref`` (one level per call, up to a few hops)."""
    for _ in range(8):
        ref = schema.get("$ref") if isinstance(schema, Mapping) else None
        if not (isinstance(ref, str) and ref.startswith("#/")):
            return schema
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, Mapping) else None
        schema = target
    return schema


def _kinds(schema: Mapping[str, Any], root: Mapping[str, Any]) -> set[str]:
    """The JSON types a property accepts (through ``anyOf``/``oneOf``)."""
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind} if kind else set()
    for key in ("anyOf", "oneOf"):
        for option in schema.get(key) or ():
            option = _resolve(option, root)
            if isinstance(option, Mapping):
                kinds |= _kinds(option, root)
    return {str(k) for k in kinds}


def _literal(raw: str) -> Any:
    """A value as written in a prompt: JSON literal, number, or bare text."""
    raw = raw.strip().rstrip(".?!;")
    try:
        return json.loads(raw)
    except ValueError:
        pass
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return raw


def _split_args(inner: str) -> list[str]:
    """Top-level comma-separated pieces of a call's argument list."""
    pieces: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in inner:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            pieces.append("".join(current))
            current = []
            continue
        current.append(char)
    if "".join(current).strip():
        pieces.append("".join(current))
    return [p.strip() for p in pieces if p.strip()]


def _fits(value: Any, schema: Mapping[str, Any], kinds: set[str]) -> bool:
    """Whether a value read from the prompt is valid for the property."""
    enum = schema.get("enum")
    if isinstance(enum, list):
        return value in enum
    if not kinds:  # no type given: any value the prompt gives
        return isinstance(value, str | int | float) and value != ""
    if isinstance(value, bool):
        return "boolean" in kinds
    if isinstance(value, int | float):
        if "integer" in kinds and not (
            isinstance(value, int) or float(value).is_integer()
        ):
            return False
        if not kinds & {"integer", "number"}:
            return False
        bounds = (
            ("minimum", lambda v, b: v >= b),
            ("maximum", lambda v, b: v <= b),
            ("exclusiveMinimum", lambda v, b: v > b),
            ("exclusiveMaximum", lambda v, b: v < b),
        )
        return all(
            ok(value, schema[key])
            for key, ok in bounds
            if isinstance(schema.get(key), int | float)
        )
    if isinstance(value, str):
        if "string" not in kinds or schema.get("format") or schema.get("pattern"):
            return False
        low, high = schema.get("minLength"), schema.get("maxLength")
        return not (isinstance(low, int) and len(value) < low) and not (
            isinstance(high, int) and len(value) > high
        )
    return False


def _coerce(value: Any, kinds: set[str]) -> Any:
    if isinstance(value, float) and "integer" in kinds and value.is_integer():
        return int(value)
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric and "string" in kinds and not kinds & {"integer", "number"}:
        return str(value)
    return value


class _Prompt:
    """The values a message offers, each given to at most one property."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]
        unquoted = _QUOTED.sub(" ", text)
        self.numbers: list[int | float] = [
            float(n) if "." in n else int(n) for n in _NUMBER.findall(unquoted)
        ]
        proper = [m.group(1) for m in _PROPER.finditer(unquoted)]
        proper += _CAPITALISED.findall(unquoted)
        self.proper = [p for p in proper if p not in _FORMAT_WORDS]
        named = [next(g for g in m.groups() if g) for m in _NAMED.finditer(text)]
        self.named = [n.rstrip(".,;:!?") for n in named]
        self.used: list[Any] = []
        self.keys: set[str] = set()  # property names: never a value of their own

    def take(self, pool: list[Any], ok: Any) -> Any:
        for value in pool:
            if value not in self.used and value not in self.keys and ok(value):
                self.used.append(value)
                return value
        return None

    def explicit(self, name: str) -> Any:
        """``name=value``, ``name: value`` or ``name is value`` in the text."""
        pattern = rf"['\"]?\b{re.escape(name)}\b['\"]?\s*(?:=|:|\bis\b)\s*"
        match = re.search(pattern + r"('[^']*'|\"[^\"]*\"|[^,;\n)]+)", self.text)
        return _literal(match.group(1)) if match else None

    def near(self, name: str, ok: Any) -> Any:
        """A number or quoted value a few words after the property's word.

        "aged 36" gives `age` 36; "named 'Ada'" gives `name` "Ada".
        """
        if len(name) < 3:
            return None  # "a", "b", "x": too common as words
        word = re.escape(name).replace("_", "[ _]")
        pattern = (
            rf"\b{word}(?:s|d|ed|ing)?\b\W+(?:[A-Za-z]+\W+){{0,2}}?"
            r"(-?\d+(?:\.\d+)?(?![\w.]*[A-Za-z_])|'[^']+'|\"[^\"]+\")"
        )
        for match in re.finditer(pattern, self.text, re.I):
            value = _literal(match.group(1))
            if value not in self.used and value not in self.keys and ok(value):
                self.used.append(value)
                return value
        return None


def arguments_for(
    schema: Any, text: str, *, function_name: str | None = None
) -> dict[str, Any]:
    """Arguments valid for an object schema, with the values a message gives.

    Args:
        schema: The tool's ``parameters`` (or a structured-output schema).
        text: The message to read values from.
        function_name: The tool's name, to read ``name(1, 2)`` call syntax.

    Returns:
        One value per property: read from the message where it gives one that fits
        the property's type and bounds, else a small valid example.
    """
    root = schema if isinstance(schema, Mapping) else {}
    schema = _resolve(root, root)
    example = example_for_schema(root)
    values: dict[str, Any] = dict(example) if isinstance(example, dict) else {}
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(props, Mapping) or not props:
        return values
    prompt = _Prompt(text)
    prompt.keys = set(props)
    positional: list[Any] = []
    if function_name:
        call = re.search(rf"\b{re.escape(function_name)}\s*\(([^)]*)\)", text)
        if call:
            for piece in _split_args(call.group(1)):
                key, eq, raw = piece.partition("=")
                if eq and key.strip() in props:
                    positional.append((key.strip(), _literal(raw)))
                else:
                    positional.append((None, _literal(piece)))
    names = list(props)
    filled: set[str] = set()
    for index, (key, value) in enumerate(positional):
        name = key or (names[index] if index < len(names) else "")
        prop = _resolve(props.get(name), root) if name else None
        if isinstance(prop, Mapping) and _fits(value, prop, _kinds(prop, root)):
            prompt.used.append(value)
            values[name] = _coerce(value, _kinds(prop, root))
            filled.add(name)
    for name in names:
        if name in filled:
            continue
        prop = _resolve(props[name], root)
        if not isinstance(prop, Mapping):
            continue
        value = _read(name, prop, root, prompt)
        if value is not None:
            values[name] = value
    return values


def _read(
    name: str, prop: Mapping[str, Any], root: Mapping[str, Any], prompt: _Prompt
) -> Any:
    kinds = _kinds(prop, root)

    def ok(value: Any) -> bool:
        return _fits(_coerce(value, kinds), prop, kinds)

    explicit = prompt.explicit(name)
    if explicit is not None and explicit not in prompt.keys and ok(explicit):
        return _coerce(explicit, kinds)
    # As written: "named Alice, aged 30" gives no number to a string `name`.
    near = prompt.near(name, lambda value: _fits(value, prop, kinds))
    if near is not None:
        return _coerce(near, kinds)
    enum = prop.get("enum")
    if isinstance(enum, list):
        lowered = prompt.text.lower()
        return next((v for v in enum if str(v).lower() in lowered), None)
    if kinds & {"integer", "number"}:
        return _coerce(prompt.take(prompt.numbers, ok), kinds)
    if kinds and "string" not in kinds:
        return None
    free = _snippet(prompt.text)
    if _FREE_TEXT.search(name) and ok(free):
        return free  # a description or query: the request in its own words
    pools = [prompt.quoted, prompt.proper]
    if "name" in name.lower():
        pools.insert(0, prompt.named)
    for pool in pools:
        value = prompt.take(pool, ok)
        if value is not None:
            return value
    return free if free and ok(free) else None


# ------------------------------------------------------------ structured text
def _schema_in_text(text: str) -> Mapping[str, Any] | None:
    """A JSON schema written into an instruction ({"properties": ...})."""
    if '"properties"' not in text and '"object"' not in text:
        return None  # the common case, and cheap on long instructions
    start = text.find("{")
    for _ in range(_MAX_SCHEMA_TRIES):
        if start == -1:
            break
        try:
            value, _ = json.JSONDecoder().raw_decode(text[start:])
        except ValueError:
            value = None
        if isinstance(value, Mapping) and (
            "properties" in value or value.get("type") == "object"
        ):
            return value
        start = text.find("{", start + 1)
    return None


def _asked_keys(text: str) -> list[str]:
    """The keys a JSON-mode prompt asks for ("with 'setup' and 'punchline' keys")."""
    if not _JSON_WORDS.search(text):
        return []
    keys = [k for k in _Prompt(text).quoted if _IDENTIFIER.match(k)]
    return list(dict.fromkeys(keys))


def _json_answer(body: Mapping[str, Any], text: str, fallback: str) -> str | None:
    """The JSON a structured request asks for, or None for a plain answer."""
    fmt = body.get("response_format")
    kind = fmt.get("type") if isinstance(fmt, Mapping) else None
    if kind == "json_schema":
        spec = fmt.get("json_schema") if isinstance(fmt, Mapping) else None
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        return _dumps(_structured(schema, text))
    instructions = " ".join(
        message_text(m.get("content"))
        for m in _messages(body)
        if m.get("role") == "system"
    )
    schema = _schema_in_text(instructions)
    if schema is not None:
        return _dumps(_structured(schema, text))
    if kind == "json_object":
        keys = _asked_keys(text)
        if keys:  # untyped properties: values as the prompt gives them
            asked = {"type": "object", "properties": {k: {} for k in keys}}
            return _dumps(arguments_for(asked, text))
        return _dumps({"answer": fallback})
    return None


def _structured(schema: Any, text: str) -> Any:
    if isinstance(schema, Mapping) and isinstance(schema.get("properties"), Mapping):
        return arguments_for(schema, text)
    return example_for_schema(schema) if schema is not None else {}


def _dumps(value: Any) -> str:
    # ensure_ascii=False: DashScope sends Chinese as text, not \u escapes.
    return json.dumps({} if value is None else value, ensure_ascii=False)


# --------------------------------------------------------------------- images
def describe_images(content: Any) -> list[str]:
    """One short description per image part of a message."""
    notes: list[str] = []
    for part in content if isinstance(content, list) else []:
        if not isinstance(part, Mapping) or part.get("type") != "image_url":
            continue
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, Mapping) else image
        if isinstance(url, str):
            notes.append(_describe(url))
    return notes


def _describe(url: str) -> str:
    if not url.startswith("data:"):
        return f"an image from {url.split('/')[2] if '//' in url else url[:40]}"
    header, _, data = url.partition(",")
    mime = header[5:].split(";")[0] or "image"
    try:
        raw = base64.b64decode(data[:64] + "=" * (-len(data[:64]) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    size = ""
    if raw.startswith(b"\x89PNG\r\n\x1a\n") and len(raw) >= 24:
        width, height = struct.unpack(">II", raw[16:24])
        size = f" of {width}x{height} pixels"
    elif raw[:6] in (b"GIF87a", b"GIF89a") and len(raw) >= 10:
        width, height = struct.unpack("<HH", raw[6:10])
        size = f" of {width}x{height} pixels"
    return f"a {mime} picture{size} ({len(data) * 3 // 4} bytes)"


# --------------------------------------------------------------------- answer
def _tool_results(messages: list[Mapping[str, Any]]) -> str:
    """The results of the tool calls that end the conversation, in order."""
    results: list[str] = []
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        results.insert(0, message_text(message.get("content")))
    return "; ".join(results)


def answer_for(body: Mapping[str, Any], forced: Mapping[str, Any] | None) -> Answer:
    """What a cooperative model answers to this request.

    Args:
        body: The chat request body (already checked against DashScope's rules).
        forced: The function a forced ``tool_choice`` makes the model call, if any.

    Returns:
        The answer: tool calls, or a text (JSON when the request asks for it).
    """
    messages = _messages(body)
    last = messages[-1] if messages else {}
    user: Mapping[str, Any] = next(
        (m for m in reversed(messages) if m.get("role") == "user"), {}
    )
    text = message_text(user.get("content"))
    if forced is not None:
        name = str(forced["name"])
        args = arguments_for(forced.get("parameters"), text, function_name=name)
        return Answer(calls=((name, args),))
    choice = body.get("tool_choice")
    if last.get("role") == "user" and choice != "none":
        function = relevant_tool(function_tools(body), text)
        if function is not None:
            name = str(function["name"])
            args = arguments_for(function.get("parameters"), text, function_name=name)
            return Answer(calls=((name, args),))
    said = _snippet(message_text(last.get("content")))
    if last.get("role") == "tool":
        content = f"The tool returned: {_snippet(_tool_results(messages))}"
    elif said:
        content = f"You said: {said}"
    else:
        content = "Hello from the DashScope emulator."
    images = describe_images(last.get("content"))
    if images:
        content += " I see " + "; ".join(images) + "."
    structured = _json_answer(body, text, content)
    return Answer(content=content if structured is None else structured)
