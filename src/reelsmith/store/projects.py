"""Projects: every query is scoped to the owner, so another user's project is simply not found."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from reelsmith.domain.errors import NotFound
from reelsmith.store.db import Connection, one

COLUMNS = (
    "id, user_id, title, description, brief, status, favorite, current_plan_version, created_at, updated_at"
)


def create(conn: Connection, user_id: UUID, *, title: str, description: str, brief: str) -> dict[str, Any]:
    return one(
        conn.execute(
            f"INSERT INTO projects (user_id, title, description, brief) VALUES (%s, %s, %s, %s) RETURNING {COLUMNS}",
            (user_id, title, description, brief),
        )
    )


def get(conn: Connection, user_id: UUID, project_id: UUID, *, for_update: bool = False) -> dict[str, Any]:
    lock = " FOR UPDATE" if for_update else ""
    row = conn.execute(
        f"SELECT {COLUMNS} FROM projects WHERE id = %s AND user_id = %s{lock}", (project_id, user_id)
    ).fetchone()
    if row is None:
        raise NotFound("Project not found.", code="project_not_found")
    return row


def list_page(
    conn: Connection,
    user_id: UUID,
    *,
    limit: int,
    after: tuple[datetime, UUID] | None,
    search: str | None,
    status: str | None,
    favorite: bool | None,
) -> list[dict[str, Any]]:
    """One page, newest first, keyset-paginated on (updated_at, id)."""
    where = ["user_id = %s"]
    params: list[Any] = [user_id]
    if after:
        where.append("(updated_at, id) < (%s, %s)")
        params += list(after)
    if search:
        where.append("(search @@ plainto_tsquery('simple', %s) OR title ILIKE %s)")
        params += [search, f"%{_escape_like(search)}%"]
    if status:
        where.append("status = %s")
        params.append(status)
    if favorite is not None:
        where.append("favorite = %s")
        params.append(favorite)
    params.append(limit)
    return conn.execute(
        f"SELECT {COLUMNS} FROM projects WHERE {' AND '.join(where)} ORDER BY updated_at DESC, id DESC LIMIT %s",
        params,
    ).fetchall()


def update(conn: Connection, user_id: UUID, project_id: UUID, **fields: Any) -> dict[str, Any]:
    if not fields:
        return get(conn, user_id, project_id)
    assignments = ", ".join(f"{name} = %s" for name in fields)
    row = conn.execute(
        f"UPDATE projects SET {assignments}, updated_at = now() WHERE id = %s AND user_id = %s RETURNING {COLUMNS}",
        [*fields.values(), project_id, user_id],
    ).fetchone()
    if row is None:
        raise NotFound("Project not found.", code="project_not_found")
    return row


def set_status(conn: Connection, project_id: UUID, status: str) -> None:
    conn.execute("UPDATE projects SET status = %s, updated_at = now() WHERE id = %s", (status, project_id))


def delete_rows(conn: Connection, user_id: UUID, project_id: UUID) -> None:
    """Delete the project and every row under it (objects must already be gone)."""
    for table in ("videos", "job_assets", "jobs", "assets"):
        column = (
            "job_id IN (SELECT id FROM jobs WHERE project_id = %s)"
            if table == "job_assets"
            else "project_id = %s"
        )
        conn.execute(f"DELETE FROM {table} WHERE {column}", (project_id,))
    conn.execute("DELETE FROM projects WHERE id = %s AND user_id = %s", (project_id, user_id))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
