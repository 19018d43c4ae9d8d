"""Deterministic text features shared by the emulator's embeddings and rerank.

Vectors and relevance scores come from the same bag of words, so that a notebook's
retrieval ranks sensibly on the emulator: texts that share words are close, and a
document that contains the query's words scores high. No model, no randomness.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import zlib

# Words (letters and digits) or single CJK ideographs / kana / hangul.
_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|[^\W_]+", re.UNICODE
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# fmt: off
_STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "do", "does", "for", "from",
    "has", "have", "how", "i", "in", "is", "it", "its", "of", "on", "or", "that",
    "the", "their", "this", "to", "was", "what", "when", "where", "which", "who",
    "why", "will", "with", "you", "your", "了", "吗", "呢", "和", "在", "是", "的",
})
# fmt: on


def tokens(text: str) -> list[str]:
    """Lower-case tokens of `text` (CJK characters one by one)."""
    return [t.lower() for t in _TOKEN.findall(text)]


def _stem(word: str) -> str:
    # A crude plural fold ("models" -> "model") is enough for sensible rankings.
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=65536)
def features(text: str) -> frozenset[str]:
    """Content words of `text`, stemmed; CJK text also gives character bigrams."""
    toks = tokens(text)
    words = [_stem(t) for t in toks if t not in _STOPWORDS]
    out = set(words)
    cjk = [t for t in toks if _CJK.fullmatch(t)]
    out.update(a + b for a, b in itertools.pairwise(cjk))
    return frozenset(out)


def token_count(text: str) -> int:
    """A token estimate: one per CJK character, about four characters per word."""
    cjk = len(_CJK.findall(text))
    return max(1, cjk + math.ceil((len(text) - cjk) / 4))


_SPREAD = 4


@functools.lru_cache(maxsize=65536)
def vector(text: str, dimension: int) -> tuple[float, ...]:
    """A unit vector of `dimension` floats: hashed bag of words, signed buckets.

    Texts sharing content words have a positive dot product; unrelated texts are
    near orthogonal. A text without content words hashes whole, so it still gets a
    (deterministic) non-zero vector.
    """
    acc: dict[int, float] = {}
    feats = features(text) or frozenset({"\0" + text})
    for feat in feats:
        # Several buckets per word: a chance collision then shares one bucket of
        # _SPREAD, while a shared word shares them all.
        for j in range(_SPREAD):
            h = zlib.crc32(f"{j}:{feat}".encode())
            bucket = h % dimension
            acc[bucket] = acc.get(bucket, 0.0) + (1.0 if (h >> 20) & 1 else -1.0)
    # A small text-specific component keeps distinct texts from colliding exactly.
    h = zlib.crc32(text.encode())
    bucket = (h >> 3) % dimension
    acc[bucket] = acc.get(bucket, 0.0) + (0.05 if h & 1 else -0.05)
    norm = math.sqrt(sum(v * v for v in acc.values())) or 1.0
    values = [0.0] * dimension
    for bucket, v in acc.items():  # only the few non-zero entries need work
        values[bucket] = round(v / norm, 6)
    return tuple(values)


def relevance(query: str, document: str) -> float:
    """A score in (0, 1): how much of the query the document covers, and how tightly.

    Ties between documents are broken by the caller (input order).
    """
    q, d = features(query), features(document)
    if not q or not d:
        return 0.01
    shared = len(q & d)
    coverage = shared / len(q)
    dice = 2 * shared / (len(q) + len(d))
    return round(0.01 + 0.98 * (0.75 * coverage + 0.25 * dice), 6)


def shuffled(keys: list[str]) -> list[int]:
    """A deterministic permutation of `range(len(keys))` derived from the keys."""
    return sorted(
        range(len(keys)), key=lambda i: (zlib.crc32(f"{i}:{keys[i]}".encode()), i)
    )
