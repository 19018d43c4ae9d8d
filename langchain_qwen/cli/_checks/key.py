"""The API key's presence and shape: what was pasted, and what to fix."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from langchain_qwen._client.regions import (
    CODING_KEY_PREFIX,
)
from langchain_qwen.cli._checks.report import Finding, KeyCheck
from langchain_qwen.cli._checks.targets import set_env_command

_KEY_LENGTH = 35  # "sk-" + 32 hex characters
_SHORT_KEY = 20
_QUOTES = "\"'`\u201c\u201d\u2018\u2019"
_PLACEHOLDER = re.compile(r"\.\.\.|xxxx|<|>|your[-_ ]?(api[-_ ]?)?key", re.IGNORECASE)
CONSOLE = (
    "API Keys page of the Model Studio console: "
    "https://modelstudio.console.alibabacloud.com, or "
    "https://bailian.console.aliyun.com for China"
)


def _mask(key: str) -> str:
    prefix = "sk-" if key.startswith("sk-") else ""
    tail = key[-4:] if len(key) >= _SHORT_KEY else ""
    return f"{prefix}...{tail}"


def check_key(raw: str | None, environ: Mapping[str, str] | None = None) -> KeyCheck:
    """Check the presence and shape of an API key.

    Args:
        raw: The key as found in the environment (None when unset).
        environ: Environment for hints (``OPENAI_API_KEY`` set instead).

    Returns:
        The findings and the cleaned key to probe with. The key itself never
        appears in any message.
    """
    env = os.environ if environ is None else environ
    findings: list[Finding] = []
    if raw is None or not raw.strip(_QUOTES + " \t\r\n"):
        what = "is not set" if raw is None else "is empty"
        hint = ""
        if env.get("OPENAI_API_KEY"):
            hint = " OPENAI_API_KEY is set, but ChatQwen reads DASHSCOPE_API_KEY."
        findings.append(
            Finding(
                "key",
                "fail",
                f"DASHSCOPE_API_KEY {what}: ChatQwen cannot authenticate.{hint} "
                "Create a key (keys are region-specific) on the "
                f"{CONSOLE}.",
                set_env_command("DASHSCOPE_API_KEY", "sk-...") + "  # your key",
            )
        )
        return KeyCheck(False, None, "", findings)

    cleaned = raw.strip().strip(_QUOTES).strip()
    masked = _mask(cleaned)
    reclean = (
        'export DASHSCOPE_API_KEY="$(printf %s "$DASHSCOPE_API_KEY" '
        '| tr -d "[:space:]\\"\'")"'
    )
    if raw != raw.strip():
        findings.append(
            Finding(
                "key",
                "fail",
                "DASHSCOPE_API_KEY has leading or trailing whitespace (a pasted "
                "newline or space); it would be sent as part of the key.",
                reclean,
            )
        )
    stray = set(raw.strip()) - set(raw.strip().strip(_QUOTES)) if raw else set()
    if raw.strip() != raw.strip().strip(_QUOTES):
        findings.append(
            Finding(
                "key",
                "fail",
                "DASHSCOPE_API_KEY starts or ends with quote characters that are part "
                "of its value (quoted twice when it was set?).",
                reclean
                if all(ch.isascii() for ch in stray)
                else set_env_command("DASHSCOPE_API_KEY", "sk-...")
                + "  # re-copied without the typographic quotes",
            )
        )
    if any(ch.isspace() for ch in cleaned):
        findings.append(
            Finding(
                "key",
                "fail",
                "DASHSCOPE_API_KEY contains whitespace inside the key; copy it "
                "again from the console.",
                reclean,
            )
        )
    if not cleaned.isascii():
        findings.append(
            Finding(
                "key",
                "fail",
                "DASHSCOPE_API_KEY contains non-ASCII characters (smart quotes or "
                "look-alike letters from a document?); HTTP headers cannot carry "
                "them. Copy the key again from the console.",
                set_env_command("DASHSCOPE_API_KEY", "sk-...") + "  # re-copied key",
            )
        )
    if _PLACEHOLDER.search(cleaned):
        findings.append(
            Finding(
                "key",
                "fail",
                "DASHSCOPE_API_KEY looks like a placeholder from an example, not a "
                "real key.",
                set_env_command("DASHSCOPE_API_KEY", "sk-...") + "  # your real key",
            )
        )
    elif cleaned.startswith("LTAI"):
        findings.append(
            Finding(
                "key",
                "fail",
                "DASHSCOPE_API_KEY looks like an Alibaba Cloud AccessKey ID (LTAI...), "
                "not a Model Studio API key. Create an API key on the "
                f"{CONSOLE}.",
                set_env_command("DASHSCOPE_API_KEY", "sk-...") + "  # API key",
            )
        )
    elif cleaned.startswith(CODING_KEY_PREFIX):
        findings.append(
            Finding(
                "key",
                "info",
                "DASHSCOPE_API_KEY is a Coding Plan key "
                f"({CODING_KEY_PREFIX}...): only the Coding Plan hosts accept it "
                "(coding-intl.dashscope.aliyuncs.com for Singapore, "
                "coding.dashscope.aliyuncs.com for China); ChatQwen uses them by "
                "itself for such a key (plan='coding').",
            )
        )
    elif not cleaned.startswith("sk-"):
        findings.append(
            Finding(
                "key",
                "warn",
                "DASHSCOPE_API_KEY does not start with 'sk-' as Model Studio API "
                "keys do.",
            )
        )
    if len(cleaned) < _SHORT_KEY:
        findings.append(
            Finding(
                "key",
                "warn",
                f"DASHSCOPE_API_KEY is only {len(cleaned)} characters long "
                f"(DashScope keys are usually {_KEY_LENGTH}): truncated?",
            )
        )
    elif len(cleaned) != _KEY_LENGTH and not cleaned.startswith(CODING_KEY_PREFIX):
        findings.append(
            Finding(
                "key",
                "info",
                f"DASHSCOPE_API_KEY has {len(cleaned)} characters; DashScope keys "
                f"are usually {_KEY_LENGTH} ('sk-' and 32 hex digits).",
            )
        )
    if not any(f.status == "fail" for f in findings):
        findings.insert(
            0,
            Finding(
                "key",
                "ok",
                f"DASHSCOPE_API_KEY is set ({masked}, {len(cleaned)} characters).",
            ),
        )
    return KeyCheck(True, cleaned, masked, findings)
