"""The library: list, show, favourite, delete and download finished videos.

An expired video is never served, even before the cleanup sweep has run: every read compares
``expires_at`` with the product clock. Links are short-lived presigned URLs whose lifetime never
outlasts the video.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from reelsmith.domain import clock
from reelsmith.domain import cursor as cursors
from reelsmith.domain.errors import BadRequest, NotFound
from reelsmith.store import videos
from reelsmith.store.videos import VideoFilters

from .context import AppContext

Variant = Literal["master", "small", "thumbnail", "captions"]
FILE_COLUMNS = ("object_key", "thumbnail_key", "small_key", "captions_key")


# variant -> (column, name suffix, extension, content type, message when the file does not exist)
VARIANTS: dict[str, tuple[str, str, str, str, str]] = {
    "master": ("object_key", "", "mp4", "video/mp4", "This video's file is not available."),
    "small": (
        "small_key",
        "-720p",
        "mp4",
        "video/mp4",
        "The 720x1280 copy is not available for this video; download the master instead.",
    ),
    "thumbnail": ("thumbnail_key", "-thumbnail", "jpg", "image/jpeg", "This video has no thumbnail."),
    "captions": (
        "captions_key",
        "-captions",
        "vtt",
        "text/vtt",
        "This video has no captions file: it was made without a voice-over.",
    ),
}


def seconds_left(row: dict[str, Any], now: datetime) -> int:
    return max(0, int((row["expires_at"] - now).total_seconds()))


def is_live(row: dict[str, Any], now: datetime) -> bool:
    return row["status"] == "ready" and row["expires_at"] > now


def link_ttl(ctx: AppContext, row: dict[str, Any], now: datetime) -> int:
    """A link lives at most the configured download TTL and never past the video's expiry."""
    return max(1, min(ctx.settings.download_url_ttl_seconds, seconds_left(row, now)))


def is_shared(row: dict[str, Any], now: datetime) -> bool:
    expires = row["share_expires_at"]
    return is_live(row, now) and row["share_active"] and expires is not None and expires > now


def summary(ctx: AppContext, row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A video as the library shows it; an expired one has no links and no time left."""
    live = is_live(row, now)
    thumb = row["thumbnail_key"]
    return {
        "id": row["id"],
        "project_id": row["project_id"],
        "title": row["title"],
        "status": "ready" if live else "expired",
        "duration_s": row["duration_s"],
        "size_bytes": row["size_bytes"],
        "width": row["width"],
        "height": row["height"],
        "favorite": row["favorite"],
        "models": row["models"],
        "cost_usd": float(row["cost_usd"]),
        "created_at": row["created_at"],
        "expires_at": row["expires_at"],
        "seconds_left": seconds_left(row, now) if live else 0,
        "thumbnail_url": ctx.store.presign_get(thumb, ttl=link_ttl(ctx, row, now), content_type="image/jpeg")
        if live and thumb
        else None,
        "shared": is_shared(row, now),
    }


def encode_cursor(sort: str, row: dict[str, Any]) -> str:
    column = videos.SORTS[sort][0]
    value = row[column].isoformat() if isinstance(row[column], datetime) else row[column]
    return cursors.pack([sort, value, str(row["id"])])


def decode_cursor(sort: str, cursor: str) -> tuple[Any, UUID]:
    try:
        made_for, value, ident = cursors.unpack(cursor)
        if made_for != sort:
            raise ValueError("cursor of another sort order")
        parsed = datetime.fromisoformat(value) if sort.startswith("created") else float(value)
        return parsed, UUID(ident)
    except (ValueError, TypeError) as exc:
        raise BadRequest("The cursor is not valid for this sort order.", code="invalid_cursor") from exc


def list_videos(
    ctx: AppContext, user_id: UUID, filters: VideoFilters, *, sort: str, limit: int, cursor: str | None
) -> dict[str, Any]:
    now = clock.now()
    after = decode_cursor(sort, cursor) if cursor else None
    with ctx.db.connection() as conn:
        rows = videos.list_page(conn, user_id, filters, now=now, sort=sort, after=after, limit=limit + 1)
    page = rows[:limit]
    return {
        "items": [summary(ctx, row, now) for row in page],
        "next_cursor": encode_cursor(sort, page[-1]) if len(rows) > limit else None,
    }


def video_detail(ctx: AppContext, user_id: UUID, video_id: UUID) -> dict[str, Any]:
    now = clock.now()
    with ctx.db.connection() as conn:
        row = videos.get(conn, user_id, video_id, now=now)
    shared = is_shared(row, now)
    return {
        **summary(ctx, row, now),
        "qa": row["qa"],
        "plan_version": row["plan_version"],
        "job_id": row["job_id"],
        "stream_url": ctx.store.presign_get(
            row["object_key"], ttl=link_ttl(ctx, row, now), content_type="video/mp4"
        ),
        "share": {"active": shared, "expires_at": row["share_expires_at"] if shared else None},
    }


def set_favorite(ctx: AppContext, user_id: UUID, video_id: UUID, favorite: bool) -> dict[str, Any]:
    now = clock.now()
    with ctx.db.connection() as conn:
        row = videos.set_favorite(conn, user_id, video_id, favorite, now=now)
    return summary(ctx, row, now)


def delete_video(ctx: AppContext, user_id: UUID, video_id: UUID) -> None:
    """Objects first, then the row: a failure half-way leaves a row to retry with, never an orphan."""
    with ctx.db.connection() as conn:
        row = videos.get_owned(conn, user_id, video_id)
    for key in (row[column] for column in FILE_COLUMNS):
        if key:
            ctx.store.delete(key)
    with ctx.db.connection() as conn:
        videos.delete(conn, video_id)


def download_name(row: dict[str, Any], suffix: str, extension: str) -> str:
    """``<title-slug>-<date><suffix>.<ext>``, e.g. ``morning-routine-2025-03-01-720p.mp4``."""
    slug = re.sub(r"[^a-z0-9]+", "-", row["title"].lower()).strip("-")[:60].rstrip("-") or "reelsmith-video"
    return f"{slug}-{row['created_at']:%Y-%m-%d}{suffix}.{extension}"


def download_url(ctx: AppContext, user_id: UUID, video_id: UUID, variant: Variant) -> str:
    column, suffix, extension, content_type, missing = VARIANTS[variant]
    now = clock.now()
    with ctx.db.connection() as conn:
        row = videos.get(conn, user_id, video_id, now=now)
    if not row[column]:
        raise NotFound(missing, code="not_available")
    return ctx.store.presign_get(
        row[column],
        ttl=link_ttl(ctx, row, now),
        filename=download_name(row, suffix, extension),
        content_type=content_type,
    )
