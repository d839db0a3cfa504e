"""Projects: create, list, update, favourite, delete (objects first, then rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from reelsmith.domain import cursor as cursors
from reelsmith.domain.errors import BadRequest
from reelsmith.store import assets, jobs, keys, projects

from . import jobs as job_service
from .context import AppContext


def encode_cursor(row: dict[str, Any]) -> str:
    return cursors.pack([row["updated_at"].isoformat(), str(row["id"])])


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        stamp, ident = cursors.unpack(cursor)
        return datetime.fromisoformat(stamp), UUID(ident)
    except (ValueError, TypeError) as exc:
        raise BadRequest("The cursor is not valid.", code="invalid_cursor") from exc


def list_projects(
    ctx: AppContext,
    user_id: UUID,
    *,
    limit: int,
    cursor: str | None,
    search: str | None,
    status: str | None,
    favorite: bool | None,
) -> dict[str, Any]:
    after = decode_cursor(cursor) if cursor else None
    with ctx.db.connection() as conn:
        rows = projects.list_page(
            conn, user_id, limit=limit + 1, after=after, search=search, status=status, favorite=favorite
        )
    page = rows[:limit]
    return {"items": page, "next_cursor": encode_cursor(page[-1]) if len(rows) > limit else None}


def project_detail(ctx: AppContext, user_id: UUID, project_id: UUID) -> dict[str, Any]:
    with ctx.db.connection() as conn:
        project = projects.get(conn, user_id, project_id)
        project["uploads"] = assets.list_for_project(conn, project_id)
        project["latest_job"] = jobs.latest_for_project(conn, project_id)
    return project


def delete_project(ctx: AppContext, user_id: UUID, project_id: UUID) -> None:
    """Cancel running jobs, remove every object under the project, then its rows."""
    with ctx.db.connection() as conn:
        projects.get(conn, user_id, project_id)
        active = [
            j for kind in ("analyze", "render") if (j := jobs.active_for_project(conn, project_id, kind))
        ]
    for job in active:
        job_service.cancel_job(ctx, user_id, job["id"])
    ctx.store.delete_prefix(keys.project_prefix(user_id, project_id))
    with ctx.db.connection() as conn:
        projects.delete_rows(conn, user_id, project_id)
