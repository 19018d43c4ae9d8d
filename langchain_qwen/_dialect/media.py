r"""Media in and out: images, video and audio for Qwen-VL, QVQ and Qwen-Omni.

Inbound (what we send): LangChain content blocks are rewritten, before
langchain-openai converts the messages, into the shapes DashScope's compatible mode
reads, so nothing is lost on the way (langchain-openai refuses video blocks and drops
``cache_control`` from the image blocks it converts):

* ``{"type": "image", "url" | "base64" + "mime_type"}`` (LangChain standard, also the
  v0 ``source_type`` form and Anthropic's ``source`` form) ->
  ``{"type": "image_url", "image_url": {"url": <url or data:<mime>;base64,...>}}``.
* ``{"type": "image_url", "image_url": ...}`` -> as given (a bare string is wrapped).
* ``{"type": "video", "url" | "base64"}`` ->
  ``{"type": "video_url", "video_url": {"url": ...}}``.
* ``{"type": "video", "video": [url, ...]}`` -> as given: a video as frame images.
* ``{"type": "video_url", "video_url": ...}`` -> as given.
* ``{"type": "audio", "url" | "base64"}`` ->
  ``{"type": "input_audio", "input_audio": {"data": ..., "format": "mp3"}}``.
* ``{"type": "input_audio", ...}`` -> as given.

``cache_control`` markers on any of these blocks are kept. Before anything is sent,
media going to a DashScope model whose profile says it cannot read them
(``image_inputs``/``video_inputs``/``audio_inputs`` False) raises a ``ValueError``;
unknown model names are allowed.

Outbound (what Qwen-Omni streams back): ``delta.audio.data`` pieces (base64 of 16-bit
mono PCM at 24 kHz, even when ``"format": "wav"`` was asked, as the vendor's own
decoding sample shows) and ``delta.audio.transcript`` pieces accumulate in
``additional_kwargs["audio"]``; the finish chunk adds the audio ``id``/``expires_at``
when the server sent them and, with ``output_version="v1"``, a standard audio content
block holding a playable WAV file.
"""

from __future__ import annotations

import base64
import binascii
import io
import mimetypes
import os
import re
import wave
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk

from langchain_qwen._models.profiles import get_model_profile

__all__ = [
    "OMNI_SAMPLE_RATE",
    "AudioCollector",
    "audio_block_from_file",
    "audio_wav_bytes",
    "image_block_from_file",
    "prepare_media",
    "video_block_from_file",
    "video_frames_block",
]

MediaKind = Literal["image", "video", "audio"]

OMNI_SAMPLE_RATE = 24_000
"""Sample rate of Qwen-Omni's audio output (16-bit mono PCM)."""

_PROFILE_KEY: dict[MediaKind, str] = {
    "image": "image_inputs",
    "video": "video_inputs",
    "audio": "audio_inputs",
}
_SUGGESTION: dict[MediaKind, str] = {
    "image": "a vision model such as qwen3-vl-plus, qwen3-vl-flash or qwen-vl-max",
    "video": "a vision model such as qwen3-vl-plus, qwen3-vl-flash or qwen-vl-max",
    "audio": "an Omni model such as qwen3-omni-flash",
}
# Suffixes mimetypes does not know everywhere.
_EXTRA_MIME = {
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".avif": "image/avif",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".flac": "audio/flac",
    ".amr": "audio/amr",
    ".opus": "audio/opus",
    ".wav": "audio/wav",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
    ".webm": "video/webm",
    ".avi": "video/x-msvideo",
}
# Audio mime subtypes whose DashScope `format` name differs.
_AUDIO_FORMATS = {
    "mpeg": "mp3",
    "mp3": "mp3",
    "x-wav": "wav",
    "wave": "wav",
    "vnd.wave": "wav",
    "wav": "wav",
    "mp4": "m4a",
    "x-m4a": "m4a",
    "ogg": "ogg",
    "flac": "flac",
    "x-flac": "flac",
    "aac": "aac",
    "amr": "amr",
    "opus": "opus",
    "webm": "webm",
    "pcm": "pcm",
    "l16": "pcm",
}
_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)
_URL_SCHEMES = ("data:", "http://", "https://", "oss://", "file://")
# LangChain's own bookkeeping keys on v1 blocks: never sent.
_LC_KEYS = frozenset(
    {
        "type",
        "id",
        "index",
        "extras",
        "metadata",
        "url",
        "base64",
        "mime_type",
        "source_type",
        "data",
        "file_id",
    }
)


# --------------------------------------------------------------------------- helpers
def _mime_for(path: str, kind: MediaKind) -> str:
    suffix = os.path.splitext(path)[1].lower()
    mime = _EXTRA_MIME.get(suffix) or mimetypes.guess_type(path)[0]
    if not mime or not mime.startswith(kind + "/"):
        msg = (
            f"Cannot tell the {kind} type of {path!r} from its suffix {suffix!r}; "
            f"pass mime_type= (e.g. '{kind}/...')."
        )
        raise ValueError(msg)
    return mime


def _read_b64(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode("ascii")


def _file_block(
    kind: MediaKind, path: str | os.PathLike[str], mime_type: str | None
) -> dict[str, Any]:
    """A standard ``image``/``video``/``audio`` block holding a local file."""
    name = os.fspath(path)
    return {
        "type": kind,
        "base64": _read_b64(name),
        "mime_type": mime_type or _mime_for(name, kind),
    }


def image_block_from_file(
    path: str | os.PathLike[str],
    *,
    mime_type: str | None = None,
    cache: bool = False,
) -> dict[str, Any]:
    """A LangChain image content block holding a local image file, base64-encoded.

    ChatQwen sends it to DashScope as an ``image_url`` block with a
    ``data:<mime>;base64,...`` URL, which Qwen-VL models read. The block is LangChain's
    standard one, so other chat models accept it too.

    Args:
        path: The image file (PNG, JPEG, WEBP, GIF, BMP, ...).
        mime_type: Override the type guessed from the file suffix.
        cache: Add an explicit context cache marker
            (``cache_control: {"type": "ephemeral"}``) to the block.

    Returns:
        ``{"type": "image", "base64": ..., "mime_type": ...}``.

    Raises:
        ValueError: If the suffix tells no image type and no ``mime_type`` is given.
        OSError: If the file cannot be read.
    """
    block = _file_block("image", path, mime_type)
    if cache:
        block["cache_control"] = {"type": "ephemeral"}
    return block


def video_block_from_file(
    path: str | os.PathLike[str], *, mime_type: str | None = None
) -> dict[str, Any]:
    """A LangChain video content block holding a local video file, base64-encoded.

    Sent as ``{"type": "video_url", "video_url": {"url": "data:video/...;base64,..."}}``
    (DashScope reads base64 video data URLs).
    DashScope caps base64 input size; prefer a public URL for long videos.

    Args:
        path: The video file (MP4, MOV, ...).
        mime_type: Override the type guessed from the file suffix.

    Returns:
        ``{"type": "video", "base64": ..., "mime_type": ...}``.

    Raises:
        ValueError: If the suffix tells no video type and no ``mime_type`` is given.
        OSError: If the file cannot be read.
    """
    return _file_block("video", path, mime_type)


def audio_block_from_file(
    path: str | os.PathLike[str], *, mime_type: str | None = None
) -> dict[str, Any]:
    """A LangChain audio content block holding a local audio file (for Qwen-Omni).

    Sent as ``{"type": "input_audio", "input_audio": {"data": "data:;base64,...",
    "format": "mp3"}}``, the shape of the vendor's Base64 audio example.

    Args:
        path: The audio file (WAV, MP3, ...).
        mime_type: Override the type guessed from the file suffix.

    Returns:
        ``{"type": "audio", "base64": ..., "mime_type": ...}``.

    Raises:
        ValueError: If the suffix tells no audio type and no ``mime_type`` is given.
        OSError: If the file cannot be read.
    """
    return _file_block("audio", path, mime_type)


def video_frames_block(frames: Sequence[str]) -> dict[str, Any]:
    """A video given as a list of frame images, DashScope's ``video`` block.

    Args:
        frames: Image URLs (or ``data:`` URLs), in playing order.

    Returns:
        ``{"type": "video", "video": [url, ...]}``.

    Raises:
        ValueError: If ``frames`` is empty or holds something other than strings.
    """
    items = list(frames)
    if not items or not all(isinstance(f, str) and f for f in items):
        msg = "A video as frames needs a non-empty list of image URLs (strings)."
        raise ValueError(msg)
    return {"type": "video", "video": items}


# --------------------------------------------------------------------------- inbound
def _marker(block: Mapping[str, Any]) -> dict[str, Any]:
    """The block's cache_control marker (top level, or in ``extras``), if any."""
    if "cache_control" in block:
        return {"cache_control": block["cache_control"]}
    extras = block.get("extras")
    if isinstance(extras, Mapping) and "cache_control" in extras:
        return {"cache_control": extras["cache_control"]}
    return {}


def _sniff_image_mime(data: str) -> str | None:
    try:
        head = base64.b64decode(data[:24] + "=" * (-len(data[:24]) % 4))
    except (binascii.Error, ValueError):
        return None
    for magic, mime in _IMAGE_MAGIC:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _source_url(block: Mapping[str, Any], kind: MediaKind) -> str:
    """URL (or data URL) of a LangChain v1/v0 or Anthropic-style media block."""
    source = block.get("source")
    if isinstance(source, Mapping):  # Anthropic's image shape
        if source.get("type") == "url" and source.get("url"):
            return str(source["url"])
        if source.get("type") == "base64" and source.get("data"):
            mime = source.get("media_type") or f"{kind}/*"
            return f"data:{mime};base64,{source['data']}"
    source_type = block.get("source_type")
    if source_type == "url" or (source_type is None and block.get("url")):
        url = block.get("url")
        if isinstance(url, str) and url:
            return url
    data = block.get("base64")
    if data is None and source_type == "base64":
        data = block.get("data")
    if isinstance(data, str) and data:
        if data.startswith(_URL_SCHEMES):
            # A URL: langchain-core turns OpenAI `input_audio` blocks into standard
            # blocks whose `base64` holds whatever `data` held (DashScope takes URLs).
            return data
        mime = block.get("mime_type")
        if not mime and kind == "image":
            mime = _sniff_image_mime(data)
        if not mime:
            msg = (
                f"A base64 {kind} block needs mime_type (e.g. '{kind}/png'); "
                f"got keys {sorted(block)}."
            )
            raise ValueError(msg)
        return f"data:{mime};base64,{data}"
    if block.get("file_id") or source_type == "id":
        msg = (
            f"DashScope cannot read {kind} blocks by file id; pass a URL or base64 "
            "data instead."
        )
        raise ValueError(msg)
    msg = f"A {kind} block needs a url or base64 data; got keys {sorted(block)}."
    raise ValueError(msg)


def _audio_format(block: Mapping[str, Any], url: str) -> str:
    mime = block.get("mime_type") or ""
    if not mime and url.startswith("data:"):
        mime = url[5:].split(";", 1)[0]
    if not mime:
        suffix = os.path.splitext(url.split("?", 1)[0])[1].lower()
        mime = _EXTRA_MIME.get(suffix) or mimetypes.guess_type(url)[0] or ""
    subtype = mime.split("/", 1)[1].lower() if "/" in mime else ""
    fmt = _AUDIO_FORMATS.get(subtype, subtype)
    if not fmt:
        msg = (
            "An audio block needs mime_type (e.g. 'audio/wav', 'audio/mpeg') when the "
            f"URL does not tell the format: {url[:80]!r}."
        )
        raise ValueError(msg)
    return fmt


def _extra_keys(block: Mapping[str, Any]) -> dict[str, Any]:
    """DashScope keys the user put beside a LangChain block (``fps``, ...)."""
    return {
        k: v
        for k, v in block.items()
        if k not in _LC_KEYS and k not in ("cache_control", "source", "video")
    }


# ChatTongyi / DashScope-native parts carry no "type": {"image": url}, {"text": ...}.
_NATIVE_KINDS = ("text", "image", "video", "audio")


def _typed_native(part: Mapping[str, Any]) -> tuple[Mapping[str, Any], Any]:
    """A native part with its LangChain ``type`` (unknown shapes stay as they are)."""
    kinds = [k for k in _NATIVE_KINDS if k in part]
    if len(kinds) != 1:
        return part, None
    kind = kinds[0]
    value = part[kind]
    rest = {k: v for k, v in part.items() if k != kind}
    if kind == "text":
        return {"type": "text", "text": value, **rest}, "text"
    if kind == "video" and isinstance(value, list):
        return {"type": "video", "video": value, **rest}, "video"
    if not isinstance(value, str):
        msg = f"A native {kind!r} part needs a URL string; got {type(value).__name__}."
        raise ValueError(msg)
    return {"type": kind, "url": value, **rest}, kind


def _shape_part(part: Any) -> tuple[Any, MediaKind | None]:
    """One content part in DashScope's wire shape, and the media kind it carries."""
    if not isinstance(part, Mapping):
        return part, None
    kind = part.get("type")
    if kind is None:
        part, kind = _typed_native(part)
    if kind == "image":
        url = _source_url(part, "image")
        return {
            "type": "image_url",
            "image_url": {"url": url},
            **_marker(part),
        }, "image"
    if kind == "image_url":
        image_url = part.get("image_url")
        if isinstance(image_url, str):
            return {**part, "image_url": {"url": image_url}}, "image"
        return dict(part), "image"
    if kind == "video":
        frames = part.get("video")
        if isinstance(frames, list):
            video_frames_block(frames)  # validates
            return dict(part), "video"
        if isinstance(frames, str) and frames:
            url = frames
        else:
            url = _source_url(part, "video")
        shaped = {"type": "video_url", "video_url": {"url": url}}
        return {**shaped, **_extra_keys(part), **_marker(part)}, "video"
    if kind == "video_url":
        video_url = part.get("video_url")
        if isinstance(video_url, str):
            return {**part, "video_url": {"url": video_url}}, "video"
        return dict(part), "video"
    if kind == "audio":
        url = _source_url(part, "audio")
        fmt = _audio_format(part, url)
        if url.startswith("data:"):
            # The vendor's Base64 audio example sends `data:;base64,<data>`.
            url = "data:;base64," + url.split(",", 1)[1]
        shaped = {"type": "input_audio", "input_audio": {"data": url, "format": fmt}}
        return {**shaped, **_marker(part)}, "audio"
    if kind == "input_audio":
        shaped_audio = dict(part)
        inner = part.get("input_audio")
        if isinstance(inner, Mapping):
            data = inner.get("data")
            if isinstance(data, str) and data and not data.startswith(_URL_SCHEMES):
                # OpenAI's form carries bare base64; DashScope reads a data URL.
                shaped_audio["input_audio"] = {**inner, "data": "data:;base64," + data}
        return shaped_audio, "audio"
    return part, None


def _check_model(model: str, kinds: set[MediaKind]) -> None:
    profile = get_model_profile(model)
    if profile is None:
        return  # unknown model: let the server decide
    for kind in ("image", "video", "audio"):
        if kind in kinds and profile.get(_PROFILE_KEY[kind]) is False:
            msg = (
                f"Model {model!r} does not accept {kind} input (its profile says "
                f"{_PROFILE_KEY[kind]}=False). Use {_SUGGESTION[kind]}, or remove the "
                f"{kind} blocks from the messages."
            )
            raise ValueError(msg)


def prepare_media(
    messages: Sequence[BaseMessage], *, model: str, check_profile: bool = True
) -> list[BaseMessage]:
    """Rewrite media blocks into DashScope's shapes; refuse media a model cannot read.

    Args:
        messages: The LangChain messages of a request.
        model: The model the request goes to.
        check_profile: Check media against the model's profile (DashScope models).

    Returns:
        The messages, copied where a block was rewritten (inputs are not mutated).

    Raises:
        ValueError: A media block is malformed, or the model's profile says it cannot
            read that kind of input.
    """
    out: list[BaseMessage] = []
    kinds: set[MediaKind] = set()
    for message in messages:
        content = message.content
        if not isinstance(content, list) or message.type == "tool":
            out.append(message)
            continue
        shaped: list[Any] = []
        changed = False
        for part in content:
            new, kind = _shape_part(part)
            if kind is not None:
                kinds.add(kind)
            changed = changed or new is not part
            shaped.append(new)
        out.append(
            message.model_copy(update={"content": shaped}) if changed else message
        )
    if kinds and check_profile:
        _check_model(model, kinds)
    return out


# --------------------------------------------------------------------------- outbound
def _decode_pieces(pieces: Sequence[str]) -> bytes:
    """Decode concatenated base64 pieces.

    Servers may encode each streamed piece on its own, so padding (``=``) can sit in
    the middle of the joined text: decode it run by run, each ending at its padding.
    """
    joined = "".join(pieces)
    runs = [run for run in re.findall(r"[^=]*=*", joined) if run]
    return b"".join(base64.b64decode(run + "=" * (-len(run) % 4)) for run in runs)


def pcm_to_wav(pcm: bytes, *, sample_rate: int = OMNI_SAMPLE_RATE) -> bytes:
    """Wrap 16-bit mono PCM in a WAV (RIFF) container.

    Args:
        pcm: Little-endian 16-bit mono samples.
        sample_rate: Samples per second.

    Returns:
        The WAV file bytes.
    """
    if len(pcm) % 2:
        pcm = pcm[:-1]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm)
    return buffer.getvalue()


def _as_wav(raw: bytes, sample_rate: int) -> bytes:
    if raw[:4] == b"RIFF" and raw[8:12] == b"WAVE":
        return raw
    return pcm_to_wav(raw, sample_rate=sample_rate)


def audio_wav_bytes(
    message: BaseMessage, *, sample_rate: int = OMNI_SAMPLE_RATE
) -> bytes:
    """The audio a Qwen-Omni answer carries, as a playable WAV file.

    Reads the v1 audio content block when present, else
    ``additional_kwargs["audio"]["data"]`` (raw 16-bit mono PCM, wrapped in a WAV
    header here).

    Args:
        message: An aggregated streamed answer (``AIMessageChunk``/``AIMessage``).
        sample_rate: Sample rate of raw PCM data (Qwen-Omni: 24 kHz).

    Returns:
        The WAV file bytes.

    Raises:
        ValueError: If the message carries no audio.
    """
    if isinstance(message.content, list):
        for block in message.content:
            if (
                isinstance(block, dict)
                and block.get("type") == "audio"
                and block.get("base64")
            ):
                return _as_wav(base64.b64decode(block["base64"]), sample_rate)
    audio = message.additional_kwargs.get("audio")
    if isinstance(audio, Mapping) and audio.get("data"):
        return _as_wav(_decode_pieces([str(audio["data"])]), sample_rate)
    msg = "The message carries no audio (ask with modalities=['text', 'audio'])."
    raise ValueError(msg)


_MIME_FOR_FORMAT = {"wav": "audio/wav", "mp3": "audio/mpeg", "pcm": "audio/pcm"}


class AudioCollector:
    """Gathers Qwen-Omni audio deltas across a stream and finishes the audio output.

    Each chunk's ``additional_kwargs["audio"]`` is reduced to its ``data`` and
    ``transcript`` pieces (they concatenate when chunks are added); ``id`` and
    ``expires_at`` are held back and put on the finish chunk once, so adding chunks
    never sums or repeats them. With ``v1`` output, chunks get v1 content blocks
    and the finish chunk gets a standard audio block with the whole answer as a WAV
    file; the blocks' ``index`` is left to whoever reads the chunks
    (``BaseChatModel.stream``, or ``_wire.generate_from_chunks`` for ``invoke``),
    which number every answer's blocks by one rule.

    Args:
        output_format: The ``audio.format`` the request asked for (``"wav"``...).
        v1: Whether the model's ``output_version`` is ``"v1"``.
        audio_requested: Whether the request asked for audio (``modalities``).
        sample_rate: Sample rate of the PCM the server sends.
    """

    def __init__(
        self,
        *,
        output_format: str | None = "wav",
        v1: bool = False,
        audio_requested: bool = False,
        sample_rate: int = OMNI_SAMPLE_RATE,
    ) -> None:
        self._format = (output_format or "wav").lower()
        self._v1 = v1 and audio_requested
        self._rate = sample_rate
        self._pieces: list[str] = []
        self._transcript: list[str] = []
        self._meta: dict[str, Any] = {}

    @classmethod
    def for_payload(
        cls, payload: Mapping[str, Any], output_version: str | None
    ) -> AudioCollector:
        """A collector set up from the request body."""
        audio = payload.get("audio")
        modalities = payload.get("modalities")
        fmt = audio.get("format") if isinstance(audio, Mapping) else None
        return cls(
            output_format=fmt if isinstance(fmt, str) else None,
            v1=output_version == "v1",
            audio_requested=isinstance(modalities, list) and "audio" in modalities,
        )

    def process(self, chunk: ChatGenerationChunk) -> ChatGenerationChunk:
        """Normalize one chunk (mutated in place and returned)."""
        message = chunk.message
        audio = message.additional_kwargs.get("audio")
        if isinstance(audio, Mapping):
            piece: dict[str, Any] = {}
            if isinstance(data := audio.get("data"), str) and data:
                self._pieces.append(data)
                piece["data"] = data
            if isinstance(text := audio.get("transcript"), str) and text:
                self._transcript.append(text)
                piece["transcript"] = text
            for key in ("id", "expires_at", "format"):
                if audio.get(key) not in (None, ""):
                    self._meta[key] = audio[key]
            if piece:
                message.additional_kwargs["audio"] = piece
            else:
                message.additional_kwargs.pop("audio")
        finished = bool((chunk.generation_info or {}).get("finish_reason"))
        if finished and (self._pieces or self._transcript or self._meta):
            message.additional_kwargs["audio"] = {
                **message.additional_kwargs.get("audio", {}),
                **self._meta,
            }
        if self._v1 and isinstance(message, AIMessageChunk):
            self._to_v1(message, finished)
        return chunk

    def _to_v1(self, message: AIMessageChunk, finished: bool) -> None:
        blocks: list[Any] = [dict(b) for b in message.content_blocks]
        if finished and self._pieces:
            blocks.append(self.audio_block())
        message.content = blocks
        message.response_metadata = {
            **message.response_metadata,
            "output_version": "v1",
        }

    def audio_block(self) -> dict[str, Any]:
        """The whole audio answer as a standard LangChain audio content block."""
        raw = _decode_pieces(self._pieces)
        mime = _MIME_FOR_FORMAT.get(self._format, f"audio/{self._format}")
        if self._format == "wav":
            raw = _as_wav(raw, self._rate)
        block: dict[str, Any] = {
            "type": "audio",
            "base64": base64.b64encode(raw).decode("ascii"),
            "mime_type": mime,
        }
        if self._meta.get("id"):
            block["id"] = self._meta["id"]
        extras: dict[str, Any] = {}
        if self._transcript:
            extras["transcript"] = "".join(self._transcript)
        if self._format == "wav":
            extras["sample_rate"] = self._rate
        if extras:
            block["extras"] = extras
        return block
