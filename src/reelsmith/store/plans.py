"""Plan versions (every change is a new version) and the chat that shapes them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from reelsmith.domain.errors import NotFound
from reelsmith.store.db import Connection, one

COLUMNS = "version, plan, source, note, estimated_cost_usd, created_at"


def add_version(
    conn: Connection,
    *,
    user_id: UUID,
    project_id: UUID,
    plan: dict[str, Any],
    source: str,
    note: str,
    estimated_cost_usd: float,
) -> dict[str, Any]:
    """Append a version and make it the project's current plan."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('plans:' || %s::text))", (str(project_id),))
    row = one(
        conn.execute(
            f"""INSERT INTO plan_versions (user_id, project_id, version, plan, source, note, estimated_cost_usd)
            VALUES (%s, %s, (SELECT COALESCE(MAX(version), 0) + 1 FROM plan_versions WHERE project_id = %s),
                    %s, %s, %s, %s)
            RETURNING {COLUMNS}""",
            (user_id, project_id, project_id, Jsonb(plan), source, note, estimated_cost_usd),
        )
    )
    conn.execute(
        "UPDATE projects SET current_plan_version = %s, updated_at = now() WHERE id = %s",
        (row["version"], project_id),
    )
    return row


def get_version(conn: Connection, project_id: UUID, version: int) -> dict[str, Any]:
    row = conn.execute(
        f"SELECT {COLUMNS} FROM plan_versions WHERE project_id = %s AND version = %s", (project_id, version)
    ).fetchone()
    if row is None:
        raise NotFound("Plan version not found.", code="plan_not_found")
    return row


def list_versions(conn: Connection, project_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(
        f"SELECT {COLUMNS} FROM plan_versions WHERE project_id = %s ORDER BY version DESC", (project_id,)
    ).fetchall()


def add_message(
    conn: Connection, *, user_id: UUID, project_id: UUID, role: str, content: str, plan_version: int | None
) -> dict[str, Any]:
    return one(
        conn.execute(
            """INSERT INTO chat_messages (user_id, project_id, role, content, plan_version)
           VALUES (%s, %s, %s, %s, %s) RETURNING id, role, content, plan_version, created_at""",
            (user_id, project_id, role, content, plan_version),
        )
    )


def list_messages(conn: Connection, project_id: UUID, *, limit: int = 200) -> list[dict[str, Any]]:
    return conn.execute(
        """SELECT id, role, content, plan_version, created_at FROM chat_messages WHERE project_id = %s
           ORDER BY created_at, id LIMIT %s""",
        (project_id, limit),
    ).fetchall()
