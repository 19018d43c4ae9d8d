"""DashScope's text rerank endpoints, with the rules the vendor documents.

* OpenAI-style: ``POST {prefix}/compatible-api/v1/reranks`` (note `compatible-api`
  and the plural) with ``{model, query, documents, top_n?, instruct?,
  return_documents?}`` -> ``{object: "list", results: [{index, relevance_score,
  document?: {text}}], model, usage: {total_tokens}, id}``.
* Native: ``POST {prefix}/api/v1/services/rerank/text-rerank/text-rerank`` with
  ``{model, input: {query, documents}, parameters: {top_n?, return_documents?,
  instruct?}}`` -> ``{output: {results: [...]}, usage: {total_tokens},
  request_id}``.

Vendor pages: "Rerank" https://www.alibabacloud.com/help/en/model-studio/rerank and
"Text rerank" https://www.alibabacloud.com/help/en/model-studio/text-rerank-api
(models, document caps, regions). `gte-rerank` was retired on 2026-05-30: it is in
no list, so it gets the unknown-model error.

Scores are lexical (`_lexical.relevance`): the share of the query's content words a
document contains, so rankings make sense in a notebook. Results are sorted by
score, best first (ties: input order), cut to `top_n`.

The facts here are the emulator's own: it imports nothing from the client.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from langchain_qwen.testing import _lexical
from langchain_qwen.testing._rules import RuleError, model_not_found

_ALGO = "<400> InternalError.Algo.InvalidParameter: "

COMPATIBLE = "compatible"
NATIVE = "native"


@dataclass(frozen=True)
class RerankModel:
    """One rerank model's limits and where it is served.

    Attributes:
        name: Model id.
        max_documents: Documents per request.
        max_tokens: Tokens per query or document (longer ones are truncated).
        endpoints: `compatible` and/or `native`.
        regions: Catalogue regions serving it.
        multimodal: Documents may be `{text|image|video}` objects.
    """

    name: str
    max_documents: int
    max_tokens: int
    endpoints: frozenset[str]
    regions: frozenset[str]
    multimodal: bool = False


_BOTH = frozenset({COMPATIBLE, NATIVE})

RERANK_MODELS: dict[str, RerankModel] = {
    m.name: m
    for m in (
        RerankModel(
            "qwen3-rerank", 500, 4000, _BOTH, frozenset({"singapore", "china"})
        ),
        RerankModel("qwen3.7-text-rerank", 500, 4000, _BOTH, frozenset({"china"})),
        RerankModel(
            "gte-rerank-v2", 500, 4000, frozenset({NATIVE}), frozenset({"china"})
        ),
        RerankModel(
            "qwen3-vl-rerank",
            100,
            8000,
            frozenset({NATIVE}),
            frozenset({"china"}),
            multimodal=True,
        ),
    )
}
"""Rerank models, their caps, endpoints and regions (issue 21's "Vendor facts")."""

_CATALOGUE_REGIONS = frozenset({"singapore", "china", "us", "hongkong", "global"})

COMPATIBLE_KEYS = frozenset(
    {"model", "query", "documents", "top_n", "instruct", "return_documents"}
)
NATIVE_KEYS = frozenset({"model", "input", "parameters"})


def _invalid(message: str) -> RuleError:
    return RuleError(400, "InvalidParameter", message, "InvalidParameter")


@dataclass(frozen=True)
class Ranked:
    """A successful answer: the body, the tokens it used and the model."""

    body: dict[str, Any]
    tokens: int
    model: str


def find_model(model: Any, region: str | None, endpoint: str) -> RerankModel | None:
    """The model if this endpoint (and region) serves it, else None."""
    found = RERANK_MODELS.get(model) if isinstance(model, str) else None
    if found is None or endpoint not in found.endpoints:
        return None
    if region in _CATALOGUE_REGIONS and region not in found.regions:
        return None
    return found


def _document_text(doc: Any, model: RerankModel) -> str | None:
    if isinstance(doc, str):
        return doc
    if model.multimodal and isinstance(doc, Mapping):
        for key in ("text", "image", "video"):
            if isinstance(doc.get(key), str):
                return str(doc[key])
    return None


def _rank(
    model: RerankModel,
    query: Any,
    documents: Any,
    top_n: Any,
    return_documents: Any,
    prefix: str,
) -> tuple[list[dict[str, Any]], int] | RuleError:
    if not isinstance(query, str) or not query:
        return _invalid(f"{_ALGO}{prefix}query must be a non-empty string")
    if not isinstance(documents, list) or not documents:
        return _invalid(f"{_ALGO}{prefix}documents must be a non-empty list")
    if len(documents) > model.max_documents:
        return _invalid(
            f"{_ALGO}Value error, documents size is invalid, it should not be "
            f"larger than {model.max_documents}.: {prefix}documents"
        )
    texts = [_document_text(d, model) for d in documents]
    if any(t is None for t in texts):
        kind = "str or object" if model.multimodal else "str"
        return _invalid(f"{_ALGO}{prefix}documents must be a list of {kind}")
    if top_n is not None and (
        isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1
    ):
        return _invalid(f"{_ALGO}top_n must be a positive integer")
    if return_documents is not None and not isinstance(return_documents, bool):
        return _invalid(f"{_ALGO}return_documents must be a boolean")
    scored = sorted(
        ((_lexical.relevance(query, str(t)), i) for i, t in enumerate(texts)),
        key=lambda pair: (-pair[0], pair[1]),
    )
    if top_n is not None:
        scored = scored[:top_n]
    results: list[dict[str, Any]] = []
    for score, i in scored:
        item: dict[str, Any] = {"index": i, "relevance_score": score}
        if return_documents:
            doc = documents[i]
            item["document"] = dict(doc) if isinstance(doc, Mapping) else {"text": doc}
        results.append(item)
    # Vendor formula: query tokens x documents + document tokens.
    q = min(_lexical.token_count(query), model.max_tokens)
    tokens = q * len(texts) + sum(
        min(_lexical.token_count(str(t)), model.max_tokens) for t in texts
    )
    return results, tokens


def compatible(body: Any, region: str | None, request_id: str) -> Ranked | RuleError:
    """Answer ``POST .../compatible-api/v1/reranks``."""
    if not isinstance(body, Mapping):
        return _invalid(f"{_ALGO}The request body is not valid JSON.")
    name = body.get("model")
    model = find_model(name, region, COMPATIBLE)
    if model is None:
        return model_not_found(str(name))
    ranked = _rank(
        model,
        body.get("query"),
        body.get("documents"),
        body.get("top_n"),
        body.get("return_documents"),
        "",
    )
    if isinstance(ranked, RuleError):
        return ranked
    results, tokens = ranked
    answer = {
        "object": "list",
        "results": results,
        "model": model.name,
        "usage": {"total_tokens": tokens},
        "id": request_id,
    }
    return Ranked(answer, tokens, model.name)


def native(body: Any, region: str | None, request_id: str) -> Ranked | RuleError:
    """Answer ``POST .../api/v1/services/rerank/text-rerank/text-rerank``."""
    if not isinstance(body, Mapping):
        return _invalid("The request body is not valid JSON.")
    model = find_model(body.get("model"), region, NATIVE)
    if model is None:
        return _invalid("Model not exist.")
    source = body.get("input")
    if not isinstance(source, Mapping):
        return _invalid(f"{_ALGO}input must be an object with query and documents")
    params = body.get("parameters") or {}
    if not isinstance(params, Mapping):
        return _invalid("parameters must be an object")
    ranked = _rank(
        model,
        source.get("query"),
        source.get("documents"),
        params.get("top_n"),
        params.get("return_documents"),
        "input.",
    )
    if isinstance(ranked, RuleError):
        return ranked
    results, tokens = ranked
    answer = {
        "output": {"results": results},
        "usage": {"total_tokens": tokens},
        "request_id": request_id,
    }
    return Ranked(answer, tokens, model.name)
