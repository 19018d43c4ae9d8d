"""DashScope's error bodies: the shapes they come in and the facts they carry.

An error arrives as OpenAI's ``{"error": {...}}``, as the native API's flat
``{"code", "message"}`` (messages may start with ``<NNN>``), or inside the body of a
200 answer from some gateways. ``errors`` builds the exceptions from what is read here.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "NATIVE_PREFIX",
    "answer_error_status",
    "error_fields",
    "is_moderation_code",
    "parse_error_body",
]

_MODERATION_CODES = frozenset(
    {"data_inspection_failed", "datainspectionfailed", "data_inspection_failure"}
)
NATIVE_PREFIX = re.compile(r"^<\d{3}>\s*")


def is_moderation_code(code: object) -> bool:
    """True for DashScope's content-moderation refusal codes."""
    return isinstance(code, str) and code.lower() in _MODERATION_CODES


def error_fields(body: object) -> dict[str, Any]:
    """The ``error`` object of a DashScope error body (tolerating flat bodies)."""
    if isinstance(body, dict):
        inner = body.get("error")
        if isinstance(inner, dict):
            return inner
        if "code" in body or "message" in body:  # native-API style flat body
            return body
    return {}


# The HTTP status DashScope pairs with an error code (/work/shared/dashscope-notes.md
# table; OpenAI's server_error/rate_limit_exceeded too), for an error that came in the
# body of a 200 answer. Keys are lower-cased codes.
_CODE_STATUS: dict[str, int] = {
    "invalid_api_key": 401,
    "invalidapikey": 401,
    "access_denied": 403,
    "accessdenied": 403,
    "model.accessdenied": 403,
    "allocationquota.freetieronly": 403,
    "model_not_found": 404,
    "model_not_supported": 404,
    "limit_requests": 429,
    "limit_burst_rate": 429,
    "rate_limit_exceeded": 429,
    "insufficient_quota": 429,
    "internal_error": 500,
    "internalerror": 500,
    "server_error": 500,
    "requesttimeout": 500,
    "systemerror": 500,
    "modelservingerror": 503,
    "modelunavailable": 503,
}
_NATIVE_STATUS = re.compile(r"^<(\d{3})>")


def answer_error_status(body: dict[str, Any]) -> int | None:
    """The status a 200 answer stands for when its body is an error, else None.

    Some gateways answer 200 with ``{"error": {...}}`` or DashScope's flat
    ``{"code": ..., "message": ...}``. The status is the ``<NNN>`` prefix of the
    message when there is one, else the one DashScope pairs with the code, else 400.
    """
    flat = (
        isinstance(body.get("code"), str)
        and body["code"]
        and "message" in body
        and not any(key in body for key in ("choices", "output", "data"))
    )
    if not body.get("error") and not flat:
        return None
    fields = error_fields(body)
    code = str(fields.get("code") or "").lower()
    native = _NATIVE_STATUS.match(str(fields.get("message") or ""))
    if native:
        return int(native.group(1))
    if code.startswith("throttling"):
        return 429
    return _CODE_STATUS.get(code, 400)


def parse_error_body(content: bytes) -> object:
    """Decode an error response body; raw text when it is not JSON."""
    text = content.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text
