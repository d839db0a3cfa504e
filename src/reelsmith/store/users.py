"""Users and their settings."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from reelsmith.store.db import Connection


def ensure_user(conn: Connection, user_id: UUID, email: str | None) -> None:
    """Create the user row on first sight; refresh last_seen_at at most once a minute."""
    conn.execute(
        """INSERT INTO users (id, email) VALUES (%s, %s)
           ON CONFLICT (id) DO UPDATE SET last_seen_at = now(), email = COALESCE(EXCLUDED.email, users.email)
           WHERE users.last_seen_at < now() - interval '1 minute'""",
        (user_id, email),
    )


def get_settings(conn: Connection, user_id: UUID) -> dict[str, Any]:
    row = conn.execute("SELECT settings FROM user_settings WHERE user_id = %s", (user_id,)).fetchone()
    return dict(row["settings"]) if row else {}


def put_settings(conn: Connection, user_id: UUID, settings: dict[str, Any]) -> None:
    conn.execute(
        """INSERT INTO user_settings (user_id, settings) VALUES (%s, %s)
           ON CONFLICT (user_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now()""",
        (user_id, Jsonb(settings)),
    )
