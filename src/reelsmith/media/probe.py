"""Probe uploaded or generated media without trusting names, content types or headers.

The container family is decided from magic bytes only, and PyAV opens the file with the demuxer
pinned to that family, local files only and no MOV external references: a playlist or concat
script renamed ``.mp4`` never reaches a demuxer that follows URLs or paths. Only allow-listed
decoders run, the decoder refuses frames above the pixel limit before allocating them, and decode
work stops at a deadline. Every PyAV failure becomes ``MediaRejected``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
from pydantic import BaseModel

from reelsmith.domain.errors import MediaRejected
from reelsmith.domain.models import UploadKind
from reelsmith.domain.rules import UPLOAD_LIMITS

Expected = Literal["video", "image", "audio"]

# Container family -> the one FFmpeg demuxer allowed to read it.
DEMUXERS: dict[str, str] = {
    "mp4": "mov",
    "webm": "matroska",
    "png": "png_pipe",
    "jpeg": "jpeg_pipe",
    "webp": "webp_pipe",
    "wav": "wav",
    "mp3": "mp3",
    "ogg": "ogg",
}
CONTAINERS_FOR: dict[Expected, frozenset[str]] = {
    "video": frozenset({"mp4", "webm"}),
    "image": frozenset({"png", "jpeg", "webp"}),
    "audio": frozenset({"wav", "mp3", "ogg", "mp4"}),
}
EXPECTED_FOR_UPLOAD: dict[UploadKind, Expected] = {
    UploadKind.SAMPLE_VIDEO: "video",
    UploadKind.CHARACTER_IMAGE: "image",
    UploadKind.AUDIO: "audio",
}
# Decoders we let run, by codec (canonical) name; anything else in a container is refused.
VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1", "mpeg4"})
IMAGE_CODECS = frozenset({"png", "mjpeg", "webp"})
AUDIO_CODECS = frozenset({"aac", "mp3", "opus", "vorbis", "flac", "alac"}) | frozenset(
    {"pcm_u8", "pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le"}
)
DECODERS_FOR: dict[Expected, dict[str, frozenset[str]]] = {
    "video": {"video": VIDEO_CODECS, "audio": AUDIO_CODECS},
    "image": {"video": IMAGE_CODECS},
    "audio": {"audio": AUDIO_CODECS},  # cover art in audio files is never decoded
}
HARD_MAX_PIXELS = 8192 * 8192  # nothing we accept is larger; the decoder refuses beyond this
MAX_SANE_FPS = 120.0
MAX_STREAMS = 8
DECODE_PACKET_BUDGET = 300
DEFAULT_DEADLINE_SECONDS = 15.0
SNIFF_BYTES = 16


class MediaProbe(BaseModel):
    """What a file really holds. Sizes are as stored; ``display_*`` apply the rotation."""

    container: str
    duration: float = 0.0
    width: int = 0
    height: int = 0
    rotation: int = 0  # degrees from the display matrix: 0, 90, 180 or 270
    display_width: int = 0
    display_height: int = 0
    fps: float = 0.0
    video_codec: str | None = None
    has_video: bool = False
    has_audio: bool = False
    audio_codec: str | None = None
    channels: int | None = None
    sample_rate: int | None = None
    bit_rate: int | None = None
    stream_count: int = 0

    @property
    def pixels(self) -> int:
        return self.width * self.height


def sniff_container(path: Path) -> str | None:
    """The container family from the first bytes of ``path``, or None if it is not one we read."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return None
    if len(head) < 12:
        return None
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"WAVE"):
        return "webp" if head[8:12] == b"WEBP" else "wav"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"ID3") or _is_mpeg_audio_frame(head):
        return "mp3"
    return None


def _is_mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits, a valid version and layer, a valid bitrate index."""
    if head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer, bitrate_index = (head[1] >> 3) & 3, (head[1] >> 1) & 3, head[2] >> 4
    return version != 1 and layer != 0 and bitrate_index != 0xF


def probe_media(
    path: Path,
    *,
    expected: Expected,
    max_pixels: int = HARD_MAX_PIXELS,
    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS,
) -> MediaProbe:
    """Read the streams of ``path`` and decode the first frame of its main stream.

    Raises MediaRejected: ``unsupported_media`` when the file is not a readable container of the
    expected kind (disguised, truncated, undecodable, unknown codec), ``no_video_stream`` or
    ``no_audio_stream`` when the stream the caller expects is missing, ``media_limits_exceeded``
    when its frames are larger than ``max_pixels`` or it cannot be read within the deadline.
    """
    deadline = time.monotonic() + deadline_seconds
    container_name = sniff_container(path)
    if container_name is None or container_name not in CONTAINERS_FOR[expected]:
        raise MediaRejected(_not_a(expected, container_name), code="unsupported_media")
    with open_pinned(path, container_name, max_pixels) as container:
        video = next((s for s in container.streams if s.type == "video"), None)
        audio = next((s for s in container.streams if s.type == "audio"), None)
        _check_codecs(container.streams, expected)
        probe = _header_probe(container_name, container, video, audio, expected)
        if expected != "audio" and probe.pixels > max_pixels:
            raise MediaRejected(
                _too_many_pixels(probe.width, probe.height, max_pixels), code="media_limits_exceeded"
            )
        main = audio if expected == "audio" else video
        if main is None:
            message, code = MISSING_STREAM[expected]
            raise MediaRejected(message, code=code)
        frame = _first_frame(container, main, max_pixels, deadline)
        if isinstance(frame, av.VideoFrame):
            probe = _with_frame(probe, frame)
        if expected != "image" and probe.duration <= 0:
            probe.duration = _measure_duration(path, container_name, deadline)
        return probe


def check_upload(path: Path, kind: UploadKind | str) -> MediaProbe:
    """Accept an upload only if it is real media of its kind within ``UPLOAD_LIMITS``."""
    kind = UploadKind(kind)
    limits = UPLOAD_LIMITS[kind.value]
    expected = EXPECTED_FOR_UPLOAD[kind]
    probe = probe_media(path, expected=expected, max_pixels=limits.max_pixels or HARD_MAX_PIXELS)
    if limits.max_seconds is not None and probe.duration > limits.max_seconds:
        raise MediaRejected(
            f"This file lasts {probe.duration:.0f} s; the limit is {limits.max_seconds:.0f} s.",
            code="media_limits_exceeded",
        )
    if expected == "video" and probe.fps > MAX_SANE_FPS:
        raise MediaRejected(
            f"This video claims {probe.fps:.0f} frames per second; the limit is {MAX_SANE_FPS:.0f}.",
            code="media_limits_exceeded",
        )
    if probe.stream_count > MAX_STREAMS:
        raise MediaRejected(
            f"This file has {probe.stream_count} tracks; the limit is {MAX_STREAMS}.",
            code="media_limits_exceeded",
        )
    return probe


@contextmanager
def open_pinned(path: Path, container_name: str, max_pixels: int) -> Iterator[Any]:
    """Open with the pinned demuxer, local files only, bounded probing; map PyAV errors."""
    demuxer = DEMUXERS[container_name]
    options = {
        "protocol_whitelist": "file",
        "format_whitelist": demuxer,
        "codec_whitelist": ",".join(sorted(VIDEO_CODECS | IMAGE_CODECS | AUDIO_CODECS)),
        "probesize": "5000000",
        "analyzeduration": "5000000",
    }
    if demuxer == "mov":
        options |= {"enable_drefs": "0", "use_absolute_path": "0"}
    try:
        # max_pixels through ``options`` also reaches the decoders that stream probing opens.
        container = av.open(
            str(path), format=demuxer, container_options=options, options={"max_pixels": str(max_pixels)}
        )
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise MediaRejected(_unreadable(container_name), code="unsupported_media") from exc
    try:
        yield container
    except (av.FFmpegError, ValueError, OverflowError, ZeroDivisionError) as exc:
        raise MediaRejected(_unreadable(container_name), code="unsupported_media") from exc
    finally:
        container.close()


def _check_codecs(streams: Any, expected: Expected) -> None:
    """Refuse any picture or sound stream we would decode with a decoder outside the allowlist."""
    allowed = DECODERS_FOR[expected]
    for stream in streams:
        if stream.type in allowed and _codec_name(stream) not in allowed[stream.type]:
            raise MediaRejected(
                f"This file uses the {_codec_name(stream) or 'unknown'} codec, which we do not accept.",
                code="unsupported_media",
            )


def _codec_name(stream: Any) -> str | None:
    try:
        return str(stream.codec_context.codec.canonical_name)
    except (av.FFmpegError, ValueError, AttributeError):
        return None


def _header_probe(
    container_name: str, container: Any, video: Any, audio: Any, expected: Expected
) -> MediaProbe:
    """Values as the headers declare them, with nonsense (negative, NaN, infinite) cleared."""
    width = _positive_int(video.codec_context.width) if video is not None else 0
    height = _positive_int(video.codec_context.height) if video is not None else 0
    moving = expected != "image"
    return MediaProbe(
        container=container_name,
        duration=_declared_duration(container) if moving else 0.0,
        width=width,
        height=height,
        display_width=width,
        display_height=height,
        fps=_finite(_rate(video)) if video is not None and expected == "video" else 0.0,
        video_codec=_codec_name(video) if video is not None else None,
        has_video=video is not None,
        has_audio=audio is not None,
        audio_codec=_codec_name(audio) if audio is not None else None,
        channels=_optional_positive(audio.codec_context.channels) if audio is not None else None,
        sample_rate=_optional_positive(audio.codec_context.sample_rate) if audio is not None else None,
        bit_rate=_optional_positive(container.bit_rate),
        stream_count=len(container.streams),
    )


def _declared_duration(container: Any) -> float:
    if container.duration is not None:
        return _finite(container.duration / av.time_base)
    durations = [
        float(s.duration * s.time_base) for s in container.streams if s.duration is not None and s.time_base
    ]
    return _finite(max(durations, default=0.0))


def _rate(stream: Any) -> float:
    rate = stream.average_rate or stream.guessed_rate
    return float(rate) if isinstance(rate, Fraction | int | float) else 0.0


def _first_frame(container: Any, stream: Any, max_pixels: int, deadline: float) -> Any:
    """Decode until the first frame of ``stream``, within a packet budget and the deadline."""
    stream.codec_context.options = {"max_pixels": str(max_pixels)}
    stream.codec_context.thread_count = 1
    try:
        for count, packet in enumerate(container.demux(stream)):
            if count >= DECODE_PACKET_BUDGET or time.monotonic() > deadline:
                break
            for frame in packet.decode():  # the final empty packet flushes the decoder
                return frame
    except av.error.ArgumentError as exc:  # the decoder refused the frame size (max_pixels)
        raise MediaRejected(_too_many_pixels(None, None, max_pixels), code="media_limits_exceeded") from exc
    raise MediaRejected("This file has no decodable picture or sound.", code="unsupported_media")


def _with_frame(probe: MediaProbe, frame: Any) -> MediaProbe:
    """Trust the decoded frame over the header, and apply the display matrix."""
    width, height = frame.width, frame.height
    degrees = float(frame.rotation or 0)  # counter-clockwise, may be negative
    rotation = round(degrees / 90) * 90 % 360 if math.isfinite(degrees) else 0
    turned = rotation in (90, 270)
    return probe.model_copy(
        update={
            "width": width,
            "height": height,
            "rotation": rotation,
            "display_width": height if turned else width,
            "display_height": width if turned else height,
        }
    )


def _measure_duration(path: Path, container_name: str, deadline: float) -> float:
    """Duration from packet timestamps, for files whose header has none (browser-recorded WebM)."""
    end = 0.0
    with open_pinned(path, container_name, HARD_MAX_PIXELS) as container:
        for packet in container.demux():
            if time.monotonic() > deadline:
                raise MediaRejected("This file took too long to read.", code="media_limits_exceeded")
            if packet.pts is not None and packet.time_base:
                end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    return _finite(end)


def _finite(value: float) -> float:
    return value if math.isfinite(value) and value > 0 else 0.0


def _positive_int(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 0


def _optional_positive(value: Any) -> int | None:
    return _positive_int(value) or None


MISSING_STREAM: dict[Expected, tuple[str, str]] = {
    "video": ("This file has no video track. Upload a video with picture.", "no_video_stream"),
    "image": ("This file holds no picture.", "unsupported_media"),
    "audio": ("This file has no audio track.", "no_audio_stream"),
}
LABELS = {
    "mp4": "an MP4/MOV file",
    "webm": "a WebM file",
    "png": "a PNG image",
    "jpeg": "a JPEG image",
    "webp": "a WebP image",
    "wav": "a WAV file",
    "mp3": "an MP3 file",
    "ogg": "an Ogg file",
}
WANTED = {
    "video": "an MP4, MOV or WebM video",
    "image": "a PNG, JPEG or WebP image",
    "audio": "a WAV, MP3, Ogg or M4A audio file",
}


def _not_a(expected: Expected, container_name: str | None) -> str:
    found = LABELS.get(container_name or "", "not a media file we recognise")
    return f"This file is {found}; upload {WANTED[expected]}."


def _unreadable(container_name: str) -> str:
    return (
        f"This file looks like {LABELS[container_name]} but cannot be read: it may be damaged or truncated."
    )


def _too_many_pixels(width: int | None, height: int | None, max_pixels: int) -> str:
    size = f" ({width}x{height})" if width and height else ""
    return f"This picture is too large{size}; the limit is {max_pixels / 1e6:.1f} megapixels."
