"""What the cleanup sweep selects and marks. Every selection locks its rows with SKIP LOCKED, so two
sweeps running at once take disjoint batches and neither waits for the other."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from reelsmith.store.db import Connection

RESULT_FILE_KEYS = ("video_key", "thumbnail_key", "small_key", "captions_key")
FINISHED = ("succeeded", "failed", "cancelled")


def lock_expired_videos(conn: Connection, *, now: datetime, limit: int) -> list[dict[str, Any]]:
    return conn.execute(
        """SELECT id, object_key, thumbnail_key, small_key, captions_key FROM videos
           WHERE status = 'ready' AND expires_at <= %s ORDER BY expires_at LIMIT %s FOR UPDATE SKIP LOCKED""",
        (now, limit),
    ).fetchall()


def mark_expired(conn: Connection, video_ids: list[UUID]) -> None:
    """Expired rows keep their metadata for the library and analytics; their links are gone."""
    conn.execute(
        """UPDATE videos SET status = 'expired', share_token_hash = NULL, share_expires_at = NULL
           WHERE id = ANY(%s)""",
        (video_ids,),
    )


def lock_stale_jobs(conn: Connection, *, finished_before: datetime, now: datetime, limit: int) -> list[UUID]:
    """Finished jobs past the video lifetime that still hold objects and have no live video."""
    rows = conn.execute(
        """SELECT j.id FROM jobs j
           WHERE j.status = ANY(%s) AND j.finished_at <= %s
             AND (EXISTS (SELECT 1 FROM job_assets ja WHERE ja.job_id = j.id AND ja.object_key IS NOT NULL)
                  OR j.result ?| %s)
             AND NOT EXISTS (SELECT 1 FROM videos v WHERE v.job_id = j.id AND v.status = 'ready'
                             AND v.expires_at > %s)
           ORDER BY j.finished_at LIMIT %s FOR UPDATE OF j SKIP LOCKED""",
        (list(FINISHED), finished_before, list(RESULT_FILE_KEYS), now, limit),
    ).fetchall()
    return [row["id"] for row in rows]


def stale_job_keys(conn: Connection, job_ids: list[UUID]) -> list[str]:
    """The objects of these jobs that no other job still uses (a regenerate reuses clips by key)."""
    rows = conn.execute(
        """SELECT DISTINCT ja.object_key AS key FROM job_assets ja
           WHERE ja.job_id = ANY(%(jobs)s) AND ja.object_key IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM job_assets other WHERE other.object_key = ja.object_key
                             AND other.job_id <> ALL(%(jobs)s))
           UNION
           SELECT j.result->>name FROM jobs j, unnest(%(names)s::text[]) AS name
           WHERE j.id = ANY(%(jobs)s) AND j.result->>name IS NOT NULL""",
        {"jobs": job_ids, "names": list(RESULT_FILE_KEYS)},
    ).fetchall()
    return [row["key"] for row in rows]


def forget_job_objects(conn: Connection, job_ids: list[UUID]) -> None:
    conn.execute(
        "UPDATE job_assets SET object_key = NULL WHERE job_id = ANY(%s) AND object_key IS NOT NULL",
        (job_ids,),
    )
    conn.execute(
        "UPDATE jobs SET result = result - %s::text[] WHERE id = ANY(%s)", (list(RESULT_FILE_KEYS), job_ids)
    )


def lock_abandoned_uploads(conn: Connection, *, created_before: datetime, limit: int) -> list[dict[str, Any]]:
    return conn.execute(
        """SELECT id, object_key FROM assets WHERE status = 'pending' AND created_at <= %s
           ORDER BY created_at LIMIT %s FOR UPDATE SKIP LOCKED""",
        (created_before, limit),
    ).fetchall()


def delete_uploads(conn: Connection, asset_ids: list[UUID]) -> None:
    conn.execute("DELETE FROM assets WHERE id = ANY(%s)", (asset_ids,))


def claim_expiring_videos(
    conn: Connection, *, now: datetime, until: datetime, limit: int
) -> list[dict[str, Any]]:
    """Live videos expiring before ``until`` whose owner was not told yet; marks them told."""
    return conn.execute(
        """WITH due AS (
               SELECT id FROM videos WHERE status = 'ready' AND expires_at > %s AND expires_at <= %s
               AND expiry_notified_at IS NULL LIMIT %s FOR UPDATE SKIP LOCKED)
           UPDATE videos v SET expiry_notified_at = %s FROM due WHERE v.id = due.id
           RETURNING v.id, v.user_id, v.title, v.expires_at""",
        (now, until, limit, now),
    ).fetchall()
