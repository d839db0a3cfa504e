"""In-app notifications (job finished or failed, video expiring, share opened)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from reelsmith.store.db import Connection, one


def add(
    conn: Connection,
    *,
    user_id: UUID,
    kind: str,
    title: str,
    body: str = "",
    job_id: UUID | None = None,
    video_id: UUID | None = None,
) -> None:
    conn.execute(
        "INSERT INTO notifications (user_id, kind, title, body, job_id, video_id) VALUES (%s, %s, %s, %s, %s, %s)",
        (user_id, kind, title, body, job_id, video_id),
    )


def list_recent(
    conn: Connection, user_id: UUID, *, limit: int = 50, unread_only: bool = False
) -> list[dict[str, Any]]:
    unread = " AND read_at IS NULL" if unread_only else ""
    return conn.execute(
        f"""SELECT id, kind, title, body, job_id, video_id, read_at, created_at FROM notifications
            WHERE user_id = %s{unread} ORDER BY created_at DESC LIMIT %s""",
        (user_id, limit),
    ).fetchall()


def mark_read(conn: Connection, user_id: UUID, ids: list[UUID] | None) -> int:
    if ids is None:
        cur = conn.execute(
            "UPDATE notifications SET read_at = now() WHERE user_id = %s AND read_at IS NULL", (user_id,)
        )
    else:
        cur = conn.execute(
            "UPDATE notifications SET read_at = now() WHERE user_id = %s AND id = ANY(%s) AND read_at IS NULL",
            (user_id, ids),
        )
    return cur.rowcount


def unread_count(conn: Connection, user_id: UUID) -> int:
    row = one(
        conn.execute(
            "SELECT count(*) AS n FROM notifications WHERE user_id = %s AND read_at IS NULL", (user_id,)
        )
    )
    return int(row["n"])
