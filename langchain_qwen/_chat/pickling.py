"""What of a ChatQwen travels to another process (pickle, cloudpickle, deepcopy).

Ray, Spark, Dask and ``multiprocessing`` ship a model to workers by pickling it. The
openai SDK clients (and their httpx pools, which hold locks and sockets) cannot travel;
every setting they were built from can. So the clients are left behind and rebuilt on
arrival from the settings (langchain-openai caches the default httpx clients, so no new
connection pool is opened until the first request).
"""

from __future__ import annotations

import copy
from typing import Any

from typing_extensions import Self

# Built from the other fields by BaseChatOpenAI.validate_environment.
_CLIENTS = ("client", "async_client", "root_client", "root_async_client")
# Given by the user; rebuilt only when they came from ``openai_proxy``.
_USER_CLIENTS = ("http_client", "http_async_client")


def portable_state(state: dict[str, Any], *, share_clients: bool) -> dict[str, Any]:
    """A pydantic ``__getstate__`` dict without the HTTP clients.

    Args:
        state: ``BaseModel.__getstate__()`` of the model.
        share_clients: keep user-given ``http_client``/``http_async_client`` as they
            are (deepcopy within one process shares them); else refuse them, since
            a connection pool cannot be sent to another process.

    Raises:
        TypeError: user-given HTTP clients and ``share_clients`` is False.
    """
    fields = dict(state["__dict__"])
    for name in _CLIENTS:
        fields[name] = None
    if fields.get("openai_proxy"):
        for name in _USER_CLIENTS:
            fields[name] = None  # built from openai_proxy again on arrival
    elif not share_clients:
        given = [name for name in _USER_CLIENTS if fields.get(name) is not None]
        if given:
            msg = (
                f"Cannot pickle a ChatQwen built with {' and '.join(given)}: an HTTP "
                "client holds live connections and cannot be sent to another "
                "process. Pass its settings instead (timeout, openai_proxy, "
                "default_headers), or build the client in the worker."
            )
            raise TypeError(msg)
    private = dict(state.get("__pydantic_private__") or {})
    private["_target_cache"] = None  # headers built from the key: rebuilt on use
    return {**state, "__dict__": fields, "__pydantic_private__": private}


def deep_copy(model: Any, state: dict[str, Any], memo: dict[int, Any] | None) -> Any:
    """``copy.deepcopy`` of a ChatQwen; clients are rebuilt on the copy.

    A user's own connection pools are shared, not copied.
    """
    memo = {} if memo is None else memo
    for given in (model.http_client, model.http_async_client):
        memo[id(given)] = given
    clone = model.__class__.__new__(model.__class__)
    clone.__setstate__(copy.deepcopy(portable_state(state, share_clients=True), memo))
    return clone


class Portable:
    """Mixin placed before ``BaseChatOpenAI``: pickle and deepcopy leave clients behind.

    Ray, multiprocessing and ``copy.deepcopy`` then rebuild them on arrival.
    """

    def __getstate__(self) -> dict[Any, Any]:
        return portable_state(super().__getstate__(), share_clients=False)  # type: ignore[misc]

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)  # type: ignore[misc]
        self.validate_environment()  # type: ignore[attr-defined]  # rebuilds the clients

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        return deep_copy(self, super().__getstate__(), memo)  # type: ignore[misc]
