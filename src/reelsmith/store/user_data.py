"""Everything one user owns, as rows: read for export, inserted by import, deleted by clear-data.

Every statement is scoped by ``user_id``; object keys and owner ids are never exported.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from reelsmith.store.db import Connection

# area -> the user's rows, oldest first (one JSON file each in the export archive).
EXPORT_QUERIES: dict[str, str] = {
    "projects": """SELECT id, title, description, brief, status, favorite, current_plan_version, created_at,
                          updated_at FROM projects WHERE user_id = %s ORDER BY created_at, id""",
    "uploads": """SELECT id, project_id, kind, status, content_type, size_bytes, filename, probe, created_at,
                         completed_at FROM assets WHERE user_id = %s ORDER BY created_at, id""",
    "analyses": """SELECT id, project_id, version, report, summary, source, created_at FROM analyses
                   WHERE user_id = %s ORDER BY project_id, version""",
    "plans": """SELECT project_id, version, plan, source, note, estimated_cost_usd::float8 AS estimated_cost_usd,
                       created_at FROM plan_versions WHERE user_id = %s ORDER BY project_id, version""",
    "chat": """SELECT id, project_id, role, content, plan_version, created_at FROM chat_messages
               WHERE user_id = %s ORDER BY project_id, created_at, id""",
    "jobs": """SELECT id, project_id, kind, status, stage, plan_version, parent_job_id, error_code, error_message,
                      estimated_cost_usd::float8 AS estimated_cost_usd, stage_timings, created_at, started_at,
                      finished_at FROM jobs WHERE user_id = %s ORDER BY created_at, id""",
    "job_assets": """SELECT id, job_id, kind, idx, status, model, provider, attempts, cost_usd::float8 AS cost_usd,
                            error_code, error_message, submitted_at, finished_at, created_at FROM job_assets
                     WHERE user_id = %s ORDER BY created_at, id""",
    "videos": """SELECT id, project_id, job_id, plan_version, status, title, duration_s, size_bytes, width, height,
                        qa, models, cost_usd::float8 AS cost_usd, favorite, created_at, expires_at,
                        object_key FROM videos WHERE user_id = %s ORDER BY created_at, id""",
    "account": "SELECT email, created_at FROM users WHERE id = %s",
    "notifications": """SELECT id, kind, title, body, job_id, video_id, read_at, created_at FROM notifications
                        WHERE user_id = %s ORDER BY created_at, id""",
}

# Children before parents, so no foreign key is ever violated; asset_attempts cascade from job_assets.
DELETE_ORDER = (
    "notifications",
    "videos",
    "job_assets",
    "jobs",
    "chat_messages",
    "plan_versions",
    "analyses",
    "assets",
    "projects",
    "user_settings",
)


def export_rows(conn: Connection, user_id: UUID, area: str) -> list[dict[str, Any]]:
    return conn.execute(EXPORT_QUERIES[area], (user_id,)).fetchall()


def active_job_ids(conn: Connection, user_id: UUID) -> list[UUID]:
    rows = conn.execute(
        "SELECT id FROM jobs WHERE user_id = %s AND status IN ('queued', 'running', 'paused')", (user_id,)
    ).fetchall()
    return [row["id"] for row in rows]


def delete_all_rows(conn: Connection, user_id: UUID) -> dict[str, int]:
    """Delete every row the user owns, the user row last; returns the count per table."""
    counts = {}
    for table in DELETE_ORDER:
        counts[table] = conn.execute(f"DELETE FROM {table} WHERE user_id = %s", (user_id,)).rowcount
    conn.execute("DELETE FROM users WHERE id = %s", (user_id,))
    return counts


def insert_project(
    conn: Connection,
    user_id: UUID,
    *,
    title: str,
    description: str,
    brief: str,
    favorite: bool,
    status: str,
    current_plan_version: int | None,
    created_at: datetime,
) -> UUID:
    row = conn.execute(
        """INSERT INTO projects (user_id, title, description, brief, favorite, status, current_plan_version,
                                 created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id""",
        (user_id, title, description, brief, favorite, status, current_plan_version, created_at),
    ).fetchone()
    assert row is not None  # INSERT ... RETURNING answers its row
    return row["id"]


def insert_plan_versions(conn: Connection, user_id: UUID, rows: list[dict[str, Any]]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO plan_versions (user_id, project_id, version, plan, source, note, estimated_cost_usd,
                                          created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
            [
                (
                    user_id,
                    r["project_id"],
                    r["version"],
                    Jsonb(r["plan"]),
                    r["source"],
                    r["note"],
                    r["estimated_cost_usd"],
                    r["created_at"],
                )
                for r in rows
            ],
        )


def insert_chat_messages(conn: Connection, user_id: UUID, rows: list[dict[str, Any]]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO chat_messages (user_id, project_id, role, content, plan_version, created_at)
               VALUES (%s, %s, %s, %s, %s, %s)""",
            [
                (user_id, r["project_id"], r["role"], r["content"], r["plan_version"], r["created_at"])
                for r in rows
            ],
        )
