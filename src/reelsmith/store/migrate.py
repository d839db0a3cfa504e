"""Versioned SQL migrations: ``migrations/NNNN_name.sql``, applied in order, each in its own transaction.

Every migration takes a transaction-scoped advisory lock first, so two processes migrating at once
(two Lambdas, ``serve`` and ``demo``) apply each file exactly once; a transaction-scoped lock also
works through a transaction-mode pooler, where session locks do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from reelsmith.domain.errors import ServiceUnavailable
from reelsmith.store.db import Connection, Database, connection_options

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK_KEY = 0x7265656C736D6974  # "reelsmit": fixed so every process contends on the same lock
_FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

_CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    version: str
    path: Path


def discover_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file in version order; a misnamed or duplicate file is a packaging bug."""
    migrations: dict[str, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise RuntimeError(f"Migration file name must look like 0001_name.sql: {path.name}")
        version = match.group(1)
        if version in migrations:
            raise RuntimeError(f"Two migrations share version {version}")
        migrations[version] = Migration(version, path)
    return [migrations[v] for v in sorted(migrations)]


def apply_migrations(target: Database | str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply the migrations not yet recorded in ``schema_migrations``; return their versions."""
    applied: list[str] = []
    with _connect(target) as conn:
        for migration in discover_migrations(directory):
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
                conn.execute(_CREATE_LEDGER)
                done = conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = %s", (migration.version,)
                ).fetchone()
                if done:
                    continue
                conn.execute(migration.path.read_text(encoding="utf-8"))
                conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (migration.version,))
            applied.append(migration.version)
    return applied


@contextmanager
def _connect(target: Database | str) -> Iterator[Connection]:
    if isinstance(target, Database):
        with target.connection() as conn:
            yield conn
        return
    try:
        conn = psycopg.connect(target, **connection_options())
    except psycopg.OperationalError as exc:
        raise ServiceUnavailable("The database is unavailable; try again shortly.") from exc
    with conn:
        yield conn
