"""The one decode pass: every video frame reduced to a small analysis grid, the audio to 16 kHz mono.

Decoding is the whole cost of analysis, so it happens once: frame-threaded, with the H.264/HEVC
loop filter skipped (deblocking changes nothing a 72-pixel grid can see), and each frame reduced
by sampling its planes directly instead of converting the full picture. Only reduced data leaves
this module, so memory stays bounded by the grid, never by the video's resolution.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import numpy as np

from reelsmith.domain.analysis import MediaInfo
from reelsmith.domain.errors import MediaRejected
from reelsmith.media.probe import HARD_MAX_PIXELS, open_pinned, sniff_container

GRID_SHORT = 72  # analysis grid: short side in pixels (the long side follows the aspect, multiple of 8)
AUDIO_RATE = 16000
FAST_FORMATS = {
    "yuv420p": (2, 2),
    "yuvj420p": (2, 2),
    "yuv422p": (1, 2),
    "yuvj422p": (1, 2),
    "yuv444p": (1, 1),
}
# Y'CbCr -> R'G'B' (rows: R, G, B; columns: Y, Cb, Cr) for the two matrices phones and encoders use.
BT601 = np.array([[1.0, 0.0, 1.402], [1.0, -0.344136, -0.714136], [1.0, 1.772, 0.0]], dtype=np.float32)
BT709 = np.array([[1.0, 0.0, 1.5748], [1.0, -0.187324, -0.468124], [1.0, 1.8556, 0.0]], dtype=np.float32)

MAX_SKIPPED_GAP = 2.5  # frame durations between kept frames beyond which skipping stops
JPEG_RANGE = 2  # AVCOL_RANGE_JPEG: full-range samples
FrameSink = Callable[[int, float, np.ndarray, Any], None]


@dataclass(frozen=True)
class Grid:
    """The analysis grid of a video, in stored orientation."""

    height: int
    width: int

    @classmethod
    def for_size(cls, width: int, height: int) -> Grid:
        scale = GRID_SHORT / min(width, height)
        return cls(_multiple_of_8(height * scale), _multiple_of_8(width * scale))


def _multiple_of_8(value: float) -> int:
    return max(8, round(value / 8) * 8)


@contextmanager
def open_sample(path: Path) -> Iterator[Any]:
    """Open a sample with the demuxer its magic bytes call for, local files only."""
    family = sniff_container(path)
    if family not in ("mp4", "webm"):
        raise MediaRejected("This file is not an MP4, MOV or WebM video.", code="unsupported_media")
    with open_pinned(path, family, HARD_MAX_PIXELS) as container:
        if not container.streams.video:
            raise MediaRejected("This file has no video track.", code="no_video_stream")
        yield container


def media_info(
    container: Any, width: int, height: int, rotation: int, *, frame_times: np.ndarray
) -> MediaInfo:
    """Container and stream facts; size and rotation come from the first decoded frame, not headers."""
    video = container.streams.video[0]
    audio = container.streams.audio[0] if container.streams.audio else None
    turned = rotation in (90, 270)
    shown_w, shown_h = (height, width) if turned else (width, height)
    duration = _duration(container, frame_times)
    steps = np.diff(frame_times)
    fps = _fps(video, steps)
    variable = bool(steps.size > 2 and np.ptp(steps) > 0.5 / max(fps, 1.0))
    orientation: Literal["portrait", "landscape", "square"] = (
        "portrait" if shown_h > shown_w else "landscape" if shown_w > shown_h else "square"
    )
    layout = audio.layout.name if audio is not None else None
    return MediaInfo(
        duration=round(duration, 3),
        fps=round(fps, 3),
        variable_fps=variable,
        video_codec=video.codec_context.codec.name,
        bit_rate=container.bit_rate or None,
        width=width,
        height=height,
        rotation=rotation,
        display_width=shown_w,
        display_height=shown_h,
        orientation=orientation,
        has_audio=audio is not None,
        audio_codec=audio.codec_context.codec.name if audio is not None else None,
        audio_channels=audio.codec_context.channels if audio is not None else None,
        audio_layout=layout,
        sample_rate=audio.codec_context.sample_rate if audio is not None else None,
    )


def _duration(container: Any, frame_times: np.ndarray) -> float:
    if container.duration:
        return container.duration / av.time_base
    if frame_times.size > 1:
        return float(frame_times[-1] + np.median(np.diff(frame_times)))
    return 0.0


def _fps(video: Any, steps: np.ndarray) -> float:
    if steps.size:
        median = float(np.median(steps))
        if median > 0:
            return 1.0 / median
    rate = video.average_rate or video.guessed_rate
    return float(rate) if isinstance(rate, Fraction | int | float) and rate > 0 else 30.0


@dataclass(frozen=True)
class PassResult:
    audio: np.ndarray  # first audio stream as 16 kHz mono float32 (empty without audio)
    frame_times: np.ndarray  # presentation time of every video frame, decoded or skipped, sorted


def decode_pass(
    container: Any,
    on_frame: FrameSink,
    *,
    reference_only: bool = True,
    progress: Callable[[float], None] | None = None,
) -> PassResult:
    """Decode the video once, handing ``on_frame(index, time, grid_rgb, frame)`` each reduced picture.

    With ``reference_only`` the decoder skips frames no other frame depends on (the non-reference
    B-frames of most encoders: a third to a half of the pictures). The frames it keeps are at most
    two apart in common encodes (B-pyramid), which keeps every cut within one frame; as soon as
    two kept frames are further apart, the rest of the stream is decoded whole. A stream without
    B-frames is decoded whole anyway.
    """
    video = container.streams.video[0]
    codec = video.codec_context
    codec.thread_type = "AUTO"
    codec.options = {"skip_loop_filter": "all", "max_pixels": str(HARD_MAX_PIXELS)}
    if reference_only:
        codec.skip_frame = "NONREF"
    rate = video.average_rate or video.guessed_rate
    widest = MAX_SKIPPED_GAP / float(rate) if rate else 0.1
    previous: float | None = None
    audio = container.streams.audio[0] if container.streams.audio else None
    resampler = av.AudioResampler(format="flt", layout="mono", rate=AUDIO_RATE) if audio is not None else None
    chunks: list[np.ndarray] = []
    times: list[float] = []
    duration = (container.duration or 0) / av.time_base
    reducer: FrameReducer | None = None
    index = 0
    streams = [video] if audio is None else [video, audio]
    try:
        for packet in container.demux(*streams):
            if packet.stream.type == "video" and packet.pts is not None and packet.time_base:
                times.append(float(packet.pts * packet.time_base))
            for frame in packet.decode():
                if isinstance(frame, av.AudioFrame):
                    assert resampler is not None
                    chunks.extend(out.to_ndarray()[0] for out in resampler.resample(frame))
                    continue
                if reducer is None:
                    reducer = FrameReducer(frame)
                time = float(frame.time) if frame.time is not None else index / 30.0
                if reference_only and previous is not None and time - previous > widest:
                    codec.skip_frame, reference_only = "DEFAULT", False  # too sparse to place cuts
                previous = time
                on_frame(index, time, reducer.reduce(frame), frame)
                index += 1
                if progress and duration and index % 30 == 0:
                    progress(min(1.0, time / duration))
    except av.FFmpegError as exc:
        if index == 0:
            raise MediaRejected("This video cannot be decoded.", code="unsupported_media") from exc
        # A damaged tail: keep what decoded, as players do.
    if index == 0:
        raise MediaRejected("This video has no decodable frames.", code="unsupported_media")
    if resampler is not None:
        chunks.extend(out.to_ndarray()[0] for out in resampler.resample(None))
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    return PassResult(samples, np.sort(np.asarray(times, dtype=np.float64)))


class FrameReducer:
    """Reduce a decoded frame to the analysis grid as RGB in 0..1.

    For planar 8-bit YUV it samples luma at twice the grid density and box-averages 2x2, chroma
    at the grid density (about 50 thousand samples instead of three million); any other pixel
    format goes through swscale at the small size.
    """

    def __init__(self, first: Any) -> None:
        self.grid = Grid.for_size(first.width, first.height)
        self.format = first.format.name
        self.full_range = self.format.startswith("yuvj") or first.color_range == JPEG_RANGE
        self.matrix = BT709 if first.height >= 720 or first.width >= 1280 else BT601
        sub_y, sub_x = FAST_FORMATS.get(self.format, (1, 1))
        luma_rows = _sample_points(first.height, self.grid.height * 2)
        luma_cols = _sample_points(first.width, self.grid.width * 2)
        self.luma_points = np.ix_(luma_rows, luma_cols)
        self.chroma_points = np.ix_(luma_rows[1::2] // sub_y, luma_cols[1::2] // sub_x)

    def reduce(self, frame: Any) -> np.ndarray:
        if self.format not in FAST_FORMATS or frame.format.name != self.format:
            small = frame.reformat(width=self.grid.width, height=self.grid.height, format="rgb24")
            return small.to_ndarray().astype(np.float32) / 255.0
        y = _plane(frame.planes[0])[self.luma_points].astype(np.float32)
        y = (y[0::2, 0::2] + y[1::2, 0::2] + y[0::2, 1::2] + y[1::2, 1::2]) * 0.25
        cb = _plane(frame.planes[1])[self.chroma_points].astype(np.float32) - 128.0
        cr = _plane(frame.planes[2])[self.chroma_points].astype(np.float32) - 128.0
        if self.full_range:
            y, chroma_scale = y / 255.0, 1 / 255.0
        else:
            y, chroma_scale = (y - 16.0) / 219.0, 1 / 224.0
        cb *= chroma_scale
        cr *= chroma_scale
        m = self.matrix
        rgb = np.stack((y + m[0, 2] * cr, y + m[1, 1] * cb + m[1, 2] * cr, y + m[2, 1] * cb), axis=-1)
        return np.clip(rgb, 0.0, 1.0, out=rgb)


def _plane(plane: Any) -> np.ndarray:
    return np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)


def _sample_points(size: int, count: int) -> np.ndarray:
    step = size / count
    return np.minimum(size - 1, (np.arange(count) * step + step / 2).astype(np.int64))


def rotate_to_display(image: np.ndarray, rotation: int) -> np.ndarray:
    """Turn a stored-orientation image as the display matrix says (counter-clockwise degrees)."""
    return np.rot90(image, k=(rotation // 90) % 4) if rotation % 360 else image
