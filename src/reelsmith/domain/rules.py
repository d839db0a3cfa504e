"""Product rules that every layer agrees on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

OUTPUT_WIDTH = 1080
OUTPUT_HEIGHT = 1920
OUTPUT_FPS = 30
MAX_VIDEO_SECONDS = 60.0
MAX_SEGMENT_SECONDS = 15.0
# Plans are timed to the output frame: a segment lasts a whole number of frames, so the sample's
# shot lengths survive (a 0.5 s montage shot stays 15 frames). Models make whole seconds; the
# clip is generated at the shortest length the model makes that covers the segment and trimmed.
MIN_SEGMENT_FRAMES = 6  # 0.2 s: a flash cut in a fast montage
MIN_SEGMENT_SECONDS = MIN_SEGMENT_FRAMES / OUTPUT_FPS
MIN_TARGET_SECONDS = 1.0
TRANSITION_SECONDS = 0.5  # a fade or dissolve; a segment shorter than twice this starts with a cut
MAX_SEGMENTS = 40  # a 60 s montage at 40 cuts a minute; more clips than this is a cost, not a style
VIDEO_TTL = timedelta(days=7)
ABANDONED_UPLOAD_TTL = timedelta(days=1)
TARGET_LUFS = -14.0
TRUE_PEAK_DBTP = -1.0


@dataclass(frozen=True)
class UploadLimits:
    """Limits per upload kind. The container is decided by magic bytes, never the extension."""

    content_types: tuple[str, ...]
    max_bytes: int
    max_seconds: float | None = None
    max_pixels: int | None = None


UPLOAD_LIMITS: dict[str, UploadLimits] = {
    "sample_video": UploadLimits(
        content_types=("video/mp4", "video/quicktime", "video/webm"),
        max_bytes=500 * 1024 * 1024,
        max_seconds=180.0,
        max_pixels=3840 * 2160,
    ),
    "character_image": UploadLimits(
        content_types=("image/png", "image/jpeg", "image/webp"),
        max_bytes=15 * 1024 * 1024,
        max_pixels=4096 * 4096,
    ),
    "audio": UploadLimits(
        content_types=("audio/mpeg", "audio/mp4", "audio/x-m4a", "audio/wav", "audio/x-wav", "audio/ogg"),
        max_bytes=50 * 1024 * 1024,
        max_seconds=600.0,
    ),
}


def to_frames(seconds: float) -> int:
    """Seconds on the output frame grid (nearest frame)."""
    return round(seconds * OUTPUT_FPS)


def frames_to_seconds(frames: int) -> float:
    """A frame count as seconds; ``n / fps`` exactly, so sums of segments match their target."""
    return frames / OUTPUT_FPS


def on_frame_grid(seconds: float) -> bool:
    return abs(seconds * OUTPUT_FPS - round(seconds * OUTPUT_FPS)) < 1e-6
