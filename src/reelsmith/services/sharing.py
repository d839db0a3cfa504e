"""Share links: an unguessable token per video, of which only the SHA-256 is stored.

A link never outlives its video, can be revoked (or replaced by a new one), and opening it reveals
the video and nothing else of its owner. Unknown, revoked and expired links look exactly alike.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from reelsmith.domain import clock
from reelsmith.store import notifications, videos

from .context import AppContext
from .videos import link_ttl

TOKEN_BYTES = 32  # 256 bits from secrets.token_urlsafe
OPEN_NOTICE_QUIET = timedelta(hours=1)  # at most one "share opened" notification per video per hour
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,128}$")


@dataclass(frozen=True)
class SharedVideo:
    video_url: str
    poster_url: str | None
    link_expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_share(
    ctx: AppContext, user_id: UUID, video_id: UUID, expires_in_hours: float | None
) -> dict[str, Any]:
    """A new link (the previous one stops working); it expires with the video at the latest."""
    now = clock.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with ctx.db.connection() as conn:
        video = videos.get(conn, user_id, video_id, now=now)
        expires_at = video["expires_at"]
        if expires_in_hours is not None:
            expires_at = min(expires_at, now + timedelta(hours=expires_in_hours))
        videos.set_share(conn, video_id, token_hash(token), expires_at)
    return {"url": f"{ctx.settings.resolved_public_url}/s/{token}", "expires_at": expires_at}


def revoke_share(ctx: AppContext, user_id: UUID, video_id: UUID) -> None:
    with ctx.db.connection() as conn:
        videos.get_owned(conn, user_id, video_id)
        videos.clear_share(conn, video_id)


def open_share(ctx: AppContext, token: str) -> SharedVideo | None:
    """The shared video's short-lived URLs, or None when the link is not (or no longer) valid.
    The owner hears about it at most once an hour per video."""
    if not _TOKEN.match(token):
        return None
    now = clock.now()
    with ctx.db.connection() as conn:
        video = videos.by_share_token(conn, token_hash(token), now=now)
        if video is None:
            return None
        if videos.claim_share_notification(conn, video["id"], now=now, quiet=OPEN_NOTICE_QUIET):
            notifications.add(
                conn,
                user_id=video["user_id"],
                kind="share_opened",
                video_id=video["id"],
                title="Someone opened your shared video",
                body=video["title"],
            )
    link_expires = min(video["share_expires_at"], video["expires_at"])
    ttl = max(1, min(link_ttl(ctx, video, now), int((link_expires - now).total_seconds())))
    poster = video["thumbnail_key"]
    return SharedVideo(
        video_url=ctx.store.presign_get(video["object_key"], ttl=ttl, content_type="video/mp4"),
        poster_url=ctx.store.presign_get(poster, ttl=ttl, content_type="image/jpeg") if poster else None,
        link_expires_at=link_expires,
    )
