"""Keyframe candidates taken during the decode pass, and the one JPEG per shot chosen after it.

Shots are only known once the whole video is read, and a second decode to fetch keyframes would
double the cost, so the pass keeps small JPEGs (long side 640, displayed orientation) twice a
second plus a few frames after every sharp change (so even a short shot has one). Afterwards each
shot takes the candidate nearest the middle of its steady part. Each candidate also gets a
caption check: rows dense with letter strokes in the bands where captions live.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from reelsmith.media.analysis.decode import rotate_to_display

LONG_SIDE = 640
PER_SECOND = 2
AFTER_CHANGE = 2  # frames offered after a sharp change: past the cut, before the next one
SHARP_CHANGE = 0.08  # motion-compensated luma difference that triggers a candidate
JPEG_QSCALE = 4  # MJPEG quantiser: 2 (best) .. 31
QP2LAMBDA = 118  # FFmpeg's FF_QP2LAMBDA
# Captions: bands (fractions of the displayed height) and what a line of text looks like there.
CAPTION_BANDS = ((0.05, 0.3), (0.55, 0.92))
STROKE_EDGE = 48  # luma step (0..255) of a letter stroke against its background
TEXT_ROW_DENSITY = 0.06  # share of a row's pixels on a stroke edge
BUSY_BAND = 0.3  # share of a band's rows dense with edges beyond which it is texture, not text
TEXT_LINE_HEIGHT = (0.012, 0.1)  # a text line's height, as a share of the picture height


@dataclass(frozen=True)
class Candidate:
    index: int
    time: float
    jpeg: bytes
    text: bool


class KeyframeSampler:
    """Offered every decoded frame; keeps a JPEG of a few of them."""

    def __init__(self, rotation: int) -> None:
        self.rotation = rotation
        self.next_time = -1.0
        self.due = -1
        self.candidates: list[Candidate] = []

    def offer(self, index: int, time: float, frame: Any, change: float) -> None:
        """``index`` counts the frames offered; ``change`` is the frame's difference from the previous."""
        if change >= SHARP_CHANGE and index > self.due:
            self.due = index + AFTER_CHANGE
        scheduled = time >= self.next_time
        if scheduled:
            self.next_time = time + 1 / PER_SECOND
        if scheduled or index == self.due:
            picture = self._picture(frame)
            self.candidates.append(Candidate(index, time, encode_jpeg(picture), has_caption(_luma(picture))))

    def _picture(self, frame: Any) -> Any:
        scale = LONG_SIDE / max(frame.width, frame.height)
        width, height = _even(frame.width * scale), _even(frame.height * scale)
        if not self.rotation:
            return frame.reformat(width=width, height=height, format="yuvj420p", interpolation="AREA")
        rgb = frame.reformat(width=width, height=height, format="rgb24", interpolation="AREA").to_ndarray()
        turned = np.ascontiguousarray(rotate_to_display(rgb, self.rotation))
        return av.VideoFrame.from_ndarray(turned, format="rgb24").reformat(format="yuvj420p")


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _luma(picture: Any) -> np.ndarray:
    plane = picture.planes[0]
    return np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, : picture.width]


def encode_jpeg(picture: Any) -> bytes:
    """A yuvj420p frame as baseline JPEG bytes (FFmpeg's MJPEG encoder: no imaging library needed)."""
    codec = av.CodecContext.create("mjpeg", "w")
    codec.width, codec.height = picture.width, picture.height
    codec.pix_fmt = "yuvj420p"
    codec.time_base = Fraction(1, 25)
    codec.flags |= av.codec.context.Flags.qscale
    codec.global_quality = JPEG_QSCALE * QP2LAMBDA
    return b"".join(bytes(packet) for packet in [*codec.encode(picture), *codec.encode(None)])


def has_caption(gray: np.ndarray) -> bool:
    """Whether a caption band holds a line of text: a short run of rows dense with stroke edges."""
    height = gray.shape[0]
    edges = np.abs(np.diff(gray.astype(np.int16), axis=1)) > STROKE_EDGE
    density = edges.mean(axis=1) > TEXT_ROW_DENSITY
    low, high = (max(1, round(f * height)) for f in TEXT_LINE_HEIGHT)
    for top, bottom in CAPTION_BANDS:
        band = density[round(top * height) : round(bottom * height)]
        if band.mean() > BUSY_BAND:
            continue  # texture everywhere (foliage, fractals): no legible caption line to find
        padded = np.r_[False, band, False].astype(np.int8)
        starts, ends = np.nonzero(np.diff(padded) == 1)[0], np.nonzero(np.diff(padded) == -1)[0]
        if any(low <= end - start <= high for start, end in zip(starts, ends, strict=True)):
            return True
    return False


def choose(
    candidates: Sequence[Candidate], shots: Sequence[tuple[tuple[int, int], tuple[int, int]]]
) -> list[Candidate]:
    """One candidate per shot, given each shot's (steady frames, all frames) as inclusive ranges.

    The nearest to the middle of the steady part, else of the whole shot (a transition frame
    beats a frame of another shot), else the nearest at all.
    """
    chosen = []
    for steady, whole in shots:
        for first, last in (steady, whole):
            inside = [c for c in candidates if first <= c.index <= last]
            if inside:
                break
        middle = (first + last) / 2
        chosen.append(min(inside or candidates, key=lambda c: abs(c.index - middle)))
    return chosen


def write_keyframes(chosen: Sequence[Candidate], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, candidate in enumerate(chosen):
        path = directory / f"shot-{number:03d}.jpg"
        path.write_bytes(candidate.jpeg)
        paths.append(path)
    return paths
