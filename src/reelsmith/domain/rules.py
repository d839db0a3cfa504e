"""Product rules that every layer agrees on."""

from __future__ import annotations

from datetime import timedelta

OUTPUT_WIDTH = 1080
OUTPUT_HEIGHT = 1920
OUTPUT_FPS = 30
MAX_VIDEO_SECONDS = 60.0
MAX_SEGMENT_SECONDS = 15.0
MIN_SEGMENT_SECONDS = 1.0
VIDEO_TTL = timedelta(days=7)
ABANDONED_UPLOAD_TTL = timedelta(days=1)
TARGET_LUFS = -14.0
TRUE_PEAK_DBTP = -1.0

# Upload limits per kind: allowed container families (decided by magic bytes, never the
# extension), allowed declared content types, and the largest size we sign a PUT for.
UPLOAD_LIMITS: dict[str, dict[str, object]] = {
    "sample_video": {
        "content_types": ("video/mp4", "video/quicktime", "video/webm"),
        "max_bytes": 500 * 1024 * 1024,
        "max_seconds": 180.0,
        "max_pixels": 3840 * 2160,
    },
    "character_image": {
        "content_types": ("image/png", "image/jpeg", "image/webp"),
        "max_bytes": 15 * 1024 * 1024,
        "max_pixels": 4096 * 4096,
    },
    "audio": {
        "content_types": ("audio/mpeg", "audio/mp4", "audio/x-m4a", "audio/wav", "audio/x-wav", "audio/ogg"),
        "max_bytes": 50 * 1024 * 1024,
        "max_seconds": 600.0,
    },
}
