"""Finished videos."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from psycopg.types.json import Jsonb

from reelsmith.domain.errors import NotFound
from reelsmith.store.db import Connection, one

COLUMNS = (
    "id, user_id, project_id, job_id, plan_version, status, title, object_key, thumbnail_key, small_key,"
    " captions_key, duration_s, size_bytes, width, height, qa, models, cost_usd, favorite, share_expires_at,"
    " created_at, expires_at, share_token_hash IS NOT NULL AS share_active"
)


def create(conn: Connection, **fields: Any) -> dict[str, Any]:
    names = list(fields)
    values = [Jsonb(v) if isinstance(v, dict) else v for v in fields.values()]
    return one(
        conn.execute(
            f"INSERT INTO videos ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))}) RETURNING {COLUMNS}",
            values,
        )
    )


def by_job(conn: Connection, job_id: UUID | str) -> dict[str, Any] | None:
    return conn.execute(f"SELECT {COLUMNS} FROM videos WHERE job_id = %s", (job_id,)).fetchone()


def get(conn: Connection, user_id: UUID, video_id: UUID, *, now: datetime | None = None) -> dict[str, Any]:
    """A live video of the user's; expired videos are never served, even before the sweep."""
    row = conn.execute(
        f"""SELECT {COLUMNS} FROM videos WHERE id = %s AND user_id = %s AND status = 'ready'
            AND expires_at > COALESCE(%s, now())""",
        (video_id, user_id, now),
    ).fetchone()
    if row is None:
        raise NotFound("Video not found.", code="video_not_found")
    return row


def latest_for_project(conn: Connection, project_id: UUID) -> dict[str, Any] | None:
    return conn.execute(
        f"""SELECT {COLUMNS} FROM videos WHERE project_id = %s AND status = 'ready' AND expires_at > now()
            ORDER BY created_at DESC LIMIT 1""",
        (project_id,),
    ).fetchone()


def for_project(conn: Connection, project_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(f"SELECT {COLUMNS} FROM videos WHERE project_id = %s", (project_id,)).fetchall()


# The library ------------------------------------------------------------------------------------

SORTS: dict[str, tuple[str, str]] = {
    "created_desc": ("created_at", "DESC"),
    "created_asc": ("created_at", "ASC"),
    "duration_desc": ("duration_s", "DESC"),
    "duration_asc": ("duration_s", "ASC"),
}
_WORD = re.compile(r"\w+")
MAX_SEARCH_WORDS = 10


@dataclass(frozen=True)
class VideoFilters:
    project_id: UUID | None = None
    status: Literal["ready", "expired"] = "ready"
    favorite: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    min_duration: float | None = None
    max_duration: float | None = None
    model: str | None = None
    query: str | None = None


def prefix_tsquery(text: str) -> str | None:
    """``morn coff`` -> ``morn:* & coff:*`` (every word, as a prefix); None when there is no word.
    Words are runs of letters and digits only, so no tsquery operator can come from the user."""
    words = _WORD.findall(text.lower())[:MAX_SEARCH_WORDS]
    return " & ".join(f"{word}:*" for word in words) or None


def list_page(
    conn: Connection,
    user_id: UUID,
    filters: VideoFilters,
    *,
    now: datetime,
    sort: str,
    after: tuple[Any, UUID] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """One page of the user's videos, keyset-paginated on (sort value, id)."""
    where: list[str] = ["user_id = %s"]
    params: list[Any] = [user_id]
    if filters.status == "ready":
        where.append("status = 'ready' AND expires_at > %s")
    else:
        where.append("(status = 'expired' OR expires_at <= %s)")
    params.append(now)
    optional = [
        ("project_id = %s", filters.project_id),
        ("favorite = %s", filters.favorite),
        ("created_at >= %s", filters.created_from),
        ("created_at < %s", filters.created_to),
        ("duration_s >= %s", filters.min_duration),
        ("duration_s <= %s", filters.max_duration),
        ("models @> ARRAY[%s]::text[]", filters.model),
        ("search @@ to_tsquery('simple', %s)", prefix_tsquery(filters.query) if filters.query else None),
    ]
    for clause, value in optional:
        if value is not None:
            where.append(clause)
            params.append(value)
    column, direction = SORTS[sort]
    if after is not None:
        where.append(f"({column}, id) {'<' if direction == 'DESC' else '>'} (%s, %s)")
        params += list(after)
    params.append(limit)
    return conn.execute(
        f"""SELECT {COLUMNS} FROM videos WHERE {" AND ".join(where)}
            ORDER BY {column} {direction}, id {direction} LIMIT %s""",
        params,
    ).fetchall()


def get_owned(conn: Connection, user_id: UUID, video_id: UUID, *, for_update: bool = False) -> dict[str, Any]:
    """A video of the user's in any status (deleting an expired row is allowed; serving it is not)."""
    lock = " FOR UPDATE" if for_update else ""
    row = conn.execute(
        f"SELECT {COLUMNS} FROM videos WHERE id = %s AND user_id = %s{lock}", (video_id, user_id)
    ).fetchone()
    if row is None:
        raise NotFound("Video not found.", code="video_not_found")
    return row


def set_favorite(
    conn: Connection, user_id: UUID, video_id: UUID, favorite: bool, *, now: datetime
) -> dict[str, Any]:
    row = conn.execute(
        f"""UPDATE videos SET favorite = %s WHERE id = %s AND user_id = %s AND status = 'ready' AND expires_at > %s
            RETURNING {COLUMNS}""",
        (favorite, video_id, user_id, now),
    ).fetchone()
    if row is None:
        raise NotFound("Video not found.", code="video_not_found")
    return row


def set_captions_key(conn: Connection, video_id: UUID, key: str) -> None:
    conn.execute("UPDATE videos SET captions_key = %s WHERE id = %s", (key, video_id))


def delete(conn: Connection, video_id: UUID) -> None:
    conn.execute("DELETE FROM videos WHERE id = %s", (video_id,))


# Share links: only the token's SHA-256 is stored ------------------------------------------------


def set_share(conn: Connection, video_id: UUID, token_hash: str, expires_at: datetime) -> None:
    """A new link replaces (and so revokes) the previous one."""
    conn.execute(
        "UPDATE videos SET share_token_hash = %s, share_expires_at = %s, share_notified_at = NULL WHERE id = %s",
        (token_hash, expires_at, video_id),
    )


def clear_share(conn: Connection, video_id: UUID) -> None:
    conn.execute(
        "UPDATE videos SET share_token_hash = NULL, share_expires_at = NULL WHERE id = %s", (video_id,)
    )


def by_share_token(conn: Connection, token_hash: str, *, now: datetime) -> dict[str, Any] | None:
    """The live video a live link points at; None for unknown, revoked and expired links alike."""
    return conn.execute(
        f"""SELECT {COLUMNS} FROM videos WHERE share_token_hash = %s AND status = 'ready' AND expires_at > %s
            AND share_expires_at > %s""",
        (token_hash, now, now),
    ).fetchone()


def claim_share_notification(conn: Connection, video_id: UUID, *, now: datetime, quiet: timedelta) -> bool:
    """True for at most one caller per ``quiet`` period: compare-and-set on share_notified_at."""
    row = conn.execute(
        """UPDATE videos SET share_notified_at = %s WHERE id = %s
           AND (share_notified_at IS NULL OR share_notified_at <= %s) RETURNING id""",
        (now, video_id, now - quiet),
    ).fetchone()
    return row is not None
