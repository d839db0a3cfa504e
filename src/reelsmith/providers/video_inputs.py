"""What every vendor video adapter checks and prepares before it spends a request.

Vendor SDKs validate nothing, so the catalogue decides the model and its durations here. The
first-frame image is decoded with PyAV (which also proves it is an image), sent unchanged when
the vendor takes its format and it is small enough, and otherwise re-encoded as a JPEG no larger
than the models' output size. Only local files and the three still-image demuxers are allowed.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from reelsmith.domain.catalogue import UnknownModel, VideoModel, video_model
from reelsmith.domain.errors import ProviderRejected
from reelsmith.providers.base import VideoRequest

MIME_BY_CODEC = {"png": "image/png", "mjpeg": "image/jpeg", "webp": "image/webp"}
IMAGE_DEMUXERS = "png_pipe,jpeg_pipe,webp_pipe"
MAX_PIXELS = 8192 * 8192
MAX_SIDE = 1920  # the largest 9:16 output any catalogue model makes
JPEG_QUALITY = 3  # MJPEG quantiser: 2 (best) .. 31


def checked_model(request: VideoRequest, provider: str) -> VideoModel:
    """The catalogue model of ``request``, refused unless ``provider`` serves it at that duration."""
    try:
        model = video_model(request.model)
    except UnknownModel:
        raise ProviderRejected(f"Unknown video model {request.model!r}.", code="unknown_model") from None
    if model.provider != provider:
        raise ProviderRejected(f"{model.label} is not served by {provider}.", code="unknown_model")
    if request.duration not in model.durations:
        allowed = ", ".join(str(d) for d in model.durations)
        raise ProviderRejected(
            f"{model.label} makes clips of {allowed} s, not {request.duration} s.", code="invalid_duration"
        )
    return model


@dataclass(frozen=True)
class PromptImage:
    data: bytes
    mime_type: str

    def data_uri(self) -> str:
        return f"data:{self.mime_type};base64,{base64.b64encode(self.data).decode('ascii')}"


def load_prompt_image(path: Path, *, accepted: frozenset[str], max_bytes: int) -> PromptImage:
    """``path`` as is when its type is in ``accepted`` and it fits ``max_bytes``, else a JPEG."""
    mime, frame = _decode(path)
    data = path.read_bytes()
    if mime in accepted and len(data) <= max_bytes:
        return PromptImage(data, mime)
    return PromptImage(_jpeg(frame), "image/jpeg")


def _decode(path: Path) -> tuple[str | None, Any]:
    options = {"protocol_whitelist": "file", "format_whitelist": IMAGE_DEMUXERS}
    try:
        with av.open(str(path), container_options=options, options={"max_pixels": str(MAX_PIXELS)}) as box:
            stream = box.streams.video[0]
            frame = next(box.decode(stream))
            return MIME_BY_CODEC.get(stream.codec_context.name), frame
    except (av.FFmpegError, OSError, ValueError, IndexError, StopIteration) as exc:
        raise ProviderRejected(
            "The segment image is not a readable PNG, JPEG or WebP image.", code="image_unreadable"
        ) from exc


def _jpeg(frame: Any) -> bytes:
    scale = min(1.0, MAX_SIDE / max(frame.width, frame.height))
    width, height = max(2, round(frame.width * scale) // 2 * 2), max(2, round(frame.height * scale) // 2 * 2)
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuvj420p"
    encoder.time_base = Fraction(1, 1)
    encoder.qmin = encoder.qmax = JPEG_QUALITY
    packets = encoder.encode(frame.reformat(width=width, height=height, format="yuvj420p"))
    packets += encoder.encode(None)
    return b"".join(bytes(packet) for packet in packets)
