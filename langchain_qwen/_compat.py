"""The ``httpx`` flavour the installed ``openai`` SDK is built on.

``openai>=3`` uses ``httpx2`` (API-identical to ``httpx``), older releases ``httpx``.
We send requests through the SDK client's own HTTP client, so response and exception
objects must come from the same library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import openai

# Type checking assumes the current SDK (httpx2).
if TYPE_CHECKING or int(openai.__version__.split(".", 1)[0]) >= 3:
    import httpx2 as httpx
else:
    import httpx

__all__ = ["httpx"]
