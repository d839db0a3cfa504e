"""Uploaded assets (sample video, character image, audio)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from reelsmith.domain.errors import NotFound
from reelsmith.store.db import Connection, one

COLUMNS = (
    "id, user_id, project_id, kind, status, object_key, content_type, size_bytes, filename, probe,"
    " created_at, completed_at"
)


def create(
    conn: Connection,
    *,
    asset_id: UUID,
    user_id: UUID,
    project_id: UUID,
    kind: str,
    object_key: str,
    content_type: str,
    size_bytes: int,
    filename: str,
) -> dict[str, Any]:
    return one(
        conn.execute(
            f"""INSERT INTO assets (id, user_id, project_id, kind, object_key, content_type, size_bytes, filename)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING {COLUMNS}""",
            (asset_id, user_id, project_id, kind, object_key, content_type, size_bytes, filename),
        )
    )


def get(conn: Connection, user_id: UUID, project_id: UUID, asset_id: UUID, *, for_update: bool = False):
    lock = " FOR UPDATE" if for_update else ""
    row = conn.execute(
        f"SELECT {COLUMNS} FROM assets WHERE id = %s AND project_id = %s AND user_id = %s{lock}",
        (asset_id, project_id, user_id),
    ).fetchone()
    if row is None:
        raise NotFound("Upload not found.", code="upload_not_found")
    return row


def ready_of_kind(conn: Connection, project_id: UUID, kind: str) -> dict[str, Any] | None:
    return conn.execute(
        f"SELECT {COLUMNS} FROM assets WHERE project_id = %s AND kind = %s AND status = 'ready'",
        (project_id, kind),
    ).fetchone()


def list_for_project(conn: Connection, project_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(
        f"SELECT {COLUMNS} FROM assets WHERE project_id = %s AND status IN ('pending','ready') ORDER BY created_at",
        (project_id,),
    ).fetchall()


def mark_ready(conn: Connection, asset_id: UUID, probe: dict[str, Any]) -> dict[str, Any]:
    """Make this asset the project's one ready asset of its kind (the previous one is replaced)."""
    row = one(conn.execute("SELECT project_id, kind FROM assets WHERE id = %s", (asset_id,)))
    conn.execute(
        "UPDATE assets SET status = 'replaced' WHERE project_id = %s AND kind = %s AND status = 'ready' AND id <> %s",
        (row["project_id"], row["kind"], asset_id),
    )
    return one(
        conn.execute(
            f"""UPDATE assets SET status = 'ready', probe = %s, completed_at = now() WHERE id = %s
            RETURNING {COLUMNS}""",
            (Jsonb(probe), asset_id),
        )
    )


def delete(conn: Connection, asset_id: UUID) -> None:
    conn.execute("DELETE FROM assets WHERE id = %s", (asset_id,))
