"""In-app notifications: job finished or failed, video expiring, share link opened."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from reelsmith.pipeline.planning import user_settings
from reelsmith.store import notifications

from .context import AppContext

PAGE_SIZE = 50


def list_notifications(ctx: AppContext, user_id: UUID, *, unread_only: bool) -> dict[str, Any]:
    """The newest notifications and the unread count for the badge; none when the user turned them off."""
    with ctx.db.connection() as conn:
        if user_settings(conn, user_id).notifications == "none":
            return {"items": [], "unread_count": 0}
        items = notifications.list_recent(conn, user_id, limit=PAGE_SIZE, unread_only=unread_only)
        return {"items": items, "unread_count": notifications.unread_count(conn, user_id)}


def mark_read(ctx: AppContext, user_id: UUID, ids: list[UUID] | None) -> int:
    """Mark these (or all) of the user's notifications read; another user's ids are ignored."""
    with ctx.db.connection() as conn:
        return notifications.mark_read(conn, user_id, ids)
