"""Orphan audit: every stored object has a row that owns it, and every live row has its objects.

Shared by the tests (after export, clear-data and cleanup) and ``reelsmith audit``. Keys fall in two
sets: *required* (a live row points at them, so the object must exist) and *allowed* (a row may point
at them but the object may be absent: an upload not sent yet, a video past expiry awaiting the sweep,
a composed video whose finalize has not run). An object in neither set is an orphan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reelsmith.domain import clock
from reelsmith.store.db import Connection, Database
from reelsmith.store.expiry import RESULT_FILE_KEYS
from reelsmith.store.objects import ObjectStore

ALL_USERS_PREFIX = "users/"

_REQUIRED = """
    SELECT object_key AS key FROM assets WHERE status IN ('ready', 'replaced')
    UNION SELECT object_key FROM job_assets WHERE object_key IS NOT NULL
    UNION SELECT unnest(ARRAY[object_key, thumbnail_key, small_key, captions_key]) FROM videos
          WHERE status = 'ready' AND expires_at > %(now)s
    UNION SELECT shot->>'keyframe_key' FROM analyses, jsonb_array_elements(report->'shots') AS shot
"""
_ALLOWED = """
    SELECT object_key AS key FROM assets WHERE status = 'pending'
    UNION SELECT unnest(ARRAY[object_key, thumbnail_key, small_key, captions_key]) FROM videos
          WHERE status = 'ready' AND expires_at <= %(now)s
    UNION SELECT j.result->>name FROM jobs j, unnest(%(names)s::text[]) AS name
          WHERE NOT EXISTS (SELECT 1 FROM videos v WHERE v.job_id = j.id)
"""


@dataclass(frozen=True)
class AuditReport:
    objects_checked: int
    objects_without_rows: list[str]
    rows_without_objects: list[str]

    @property
    def ok(self) -> bool:
        return not self.objects_without_rows and not self.rows_without_objects


def referenced_keys(conn: Connection, *, now: datetime) -> tuple[set[str], set[str]]:
    """(required, allowed) object keys as the database sees them at ``now``."""
    params = {"now": now, "names": list(RESULT_FILE_KEYS)}
    required = {r["key"] for r in conn.execute(_REQUIRED, params).fetchall() if r["key"]}
    allowed = {r["key"] for r in conn.execute(_ALLOWED, params).fetchall() if r["key"]}
    return required, allowed - required


def audit(store: ObjectStore, db: Database, *, now: datetime | None = None) -> AuditReport:
    """Compare every object under ``users/`` with every key the rows reference at ``now``.

    Writes racing the audit can show up as false findings: run it on a quiet system for an exact answer."""
    with db.connection() as conn:
        required, allowed = referenced_keys(conn, now=now or clock.now())
    stored = {info.key for info in store.list_prefix(ALL_USERS_PREFIX)}
    return AuditReport(
        objects_checked=len(stored),
        objects_without_rows=sorted(stored - required - allowed),
        rows_without_objects=sorted(required - stored),
    )
