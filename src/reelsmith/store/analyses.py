"""Versioned analysis reports of a project's sample."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from reelsmith.store.db import Connection, one

COLUMNS = "id, project_id, asset_id, version, report, summary, source, created_at"


def add(
    conn: Connection,
    *,
    user_id: UUID,
    project_id: UUID,
    asset_id: UUID | None,
    report: dict[str, Any],
    summary: str,
    source: str,
) -> dict[str, Any]:
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('analyses:' || %s::text))", (str(project_id),))
    return one(
        conn.execute(
            f"""INSERT INTO analyses (user_id, project_id, asset_id, version, report, summary, source)
            VALUES (%s, %s, %s,
                    (SELECT COALESCE(MAX(version), 0) + 1 FROM analyses WHERE project_id = %s), %s, %s, %s)
            RETURNING {COLUMNS}""",
            (user_id, project_id, asset_id, project_id, Jsonb(report), summary, source),
        )
    )


def latest(conn: Connection, project_id: UUID) -> dict[str, Any] | None:
    return conn.execute(
        f"SELECT {COLUMNS} FROM analyses WHERE project_id = %s ORDER BY version DESC LIMIT 1", (project_id,)
    ).fetchone()
