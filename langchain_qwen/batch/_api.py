"""DashScope's ``/files`` and ``/batches`` through the package's one HTTP path.

With ChatQwen's endpoint, key, retries and timeout. Uploads and job creation must not
run twice, so they are re-sent only after a failure before any connection existed
(the transport's rule); status, cancel and file downloads are retried like any call.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from langchain_qwen._client import http as _http
from langchain_qwen._compat import httpx
from langchain_qwen.batch._lines import ENDPOINT
from langchain_qwen.chat_models import ChatQwen

__all__ = ["BatchApi"]


class BatchApi:
    """DashScope's /files and /batches for one ChatQwen."""

    def __init__(self, llm: ChatQwen) -> None:
        self.llm = llm
        target = llm._request_target(None)
        timeout = target.timeout
        if isinstance(timeout, int | float) and not isinstance(timeout, bool):
            # File transfers may be long: per phase, no deadline for a whole call.
            timeout = httpx.Timeout(timeout)
        self.spec = dataclasses.replace(target, timeout=timeout)
        self.base = target.url.removesuffix("/chat/completions")
        self.region = target.region

    def _send(self, out: _http.Outgoing, answer: Any = "json") -> Any:
        value, _ = _http.request(self.llm._sync_http(), self.spec, out, answer=answer)
        return value

    async def _asend(self, out: _http.Outgoing, answer: Any = "json") -> Any:
        client = self.llm._async_http()
        value, _ = await _http.arequest(client, self.spec, out, answer=answer)
        return value

    # Requests: what each call sends.
    def _get(self, path: str) -> _http.Outgoing:
        return _http.Outgoing("GET", self.base + path)

    def _cancel(self, batch_id: str) -> _http.Outgoing:
        # Cancelling twice is harmless: retried like a GET.
        return _http.Outgoing("POST", f"{self.base}/batches/{batch_id}/cancel")

    def _upload(self, data: bytes, name: str) -> _http.Outgoing:
        return _http.Outgoing(
            "POST",
            self.base + "/files",
            files={"file": (name, data, "application/jsonl")},
            data={"purpose": "batch"},
            repeatable=False,
        )

    def _create(
        self, file_id: str, window: str, metadata: Mapping[str, str]
    ) -> _http.Outgoing:
        body = {
            "input_file_id": file_id,
            "endpoint": ENDPOINT,
            "completion_window": window,
            "metadata": dict(metadata),
        }
        return _http.Outgoing(
            "POST",
            self.base + "/batches",
            content=_http.encode_json(body),
            repeatable=False,
        )

    # Sync calls.
    def batch(self, batch_id: str) -> dict[str, Any]:
        """The batch object."""
        return self._send(self._get(f"/batches/{batch_id}"))

    def cancel(self, batch_id: str) -> dict[str, Any]:
        """Ask DashScope to cancel a batch."""
        return self._send(self._cancel(batch_id))

    def content(self, file_id: str) -> bytes:
        """A file's content."""
        return self._send(self._get(f"/files/{file_id}/content"), "bytes")

    def upload(self, data: bytes, name: str) -> dict[str, Any]:
        """Upload a JSONL input file (purpose ``batch``)."""
        return self._send(self._upload(data, name))

    def create(
        self, file_id: str, window: str, metadata: Mapping[str, str]
    ) -> dict[str, Any]:
        """Create a batch over an uploaded file."""
        return self._send(self._create(file_id, window, metadata))

    # Async twins.
    async def abatch(self, batch_id: str) -> dict[str, Any]:
        """Async twin of :meth:`batch`."""
        return await self._asend(self._get(f"/batches/{batch_id}"))

    async def acancel(self, batch_id: str) -> dict[str, Any]:
        """Async twin of :meth:`cancel`."""
        return await self._asend(self._cancel(batch_id))

    async def acontent(self, file_id: str) -> bytes:
        """Async twin of :meth:`content`."""
        return await self._asend(self._get(f"/files/{file_id}/content"), "bytes")

    async def aupload(self, data: bytes, name: str) -> dict[str, Any]:
        """Async twin of :meth:`upload`."""
        return await self._asend(self._upload(data, name))

    async def acreate(
        self, file_id: str, window: str, metadata: Mapping[str, str]
    ) -> dict[str, Any]:
        """Async twin of :meth:`create`."""
        return await self._asend(self._create(file_id, window, metadata))
