"""The one database access layer: a psycopg 3 connection pool, and the embedded server for local runs.

Connections never use server-side prepared statements (``prepare_threshold=None``) so the same code
works behind a transaction-mode pooler (Neon, Supabase Supavisor). A dropped connection or an
exhausted pool surfaces as ``ServiceUnavailable`` so the API answers 503 instead of a stack trace.
"""

from __future__ import annotations

import fcntl
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

from reelsmith.domain.errors import ServiceUnavailable, ValidationFailed
from reelsmith.settings import Settings

CONNECT_TIMEOUT_SECONDS = 10
POOL_WAIT_SECONDS = 10.0  # fail fast with 503 well before an API gateway's 30 s timeout

Connection = psycopg.Connection[DictRow]


def one(cursor: psycopg.Cursor[DictRow]) -> DictRow:
    """The row a statement must produce (INSERT ... RETURNING, an aggregate)."""
    row = cursor.fetchone()
    if row is None:
        raise RuntimeError("the statement returned no row")
    return row


def connection_options() -> dict[str, Any]:
    """Options for every connection we open, pooled or not."""
    return {
        "row_factory": dict_row,
        "prepare_threshold": None,
        "autocommit": False,
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
    }


class Database:
    """A connection pool. Use ``with db.connection() as conn: conn.execute(...)``."""

    def __init__(self, url: str, *, max_size: int = 8, timeout: float = POOL_WAIT_SECONDS) -> None:
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            kwargs=connection_options(),
            timeout=timeout,
            check=ConnectionPool.check_connection,  # a pooler may have closed an idle connection
            open=True,
        )

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A pooled connection in a transaction: committed on success, rolled back on an exception."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg.OperationalError as exc:
            raise ServiceUnavailable("The database is unavailable; try again shortly.") from exc

    def close(self) -> None:
        self._pool.close()


def resolve_database_url(settings: Settings) -> str:
    """``DATABASE_URL`` when set, else the embedded PostgreSQL in the data dir (started if needed)."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    return _embedded_server_url(settings.resolved_pgdata_dir)


def open_database(settings: Settings) -> Database:
    """A migrated database, ready to use: what local start-up and the CLI call."""
    from reelsmith.store.migrate import apply_migrations  # migrate builds on this module

    db = Database(resolve_database_url(settings), max_size=settings.db_pool_max)
    try:
        apply_migrations(db)
    except BaseException:
        db.close()
        raise
    return db


def _embedded_server_url(pgdata: Path) -> str:
    """Start (or reuse) pgserver's PostgreSQL in ``pgdata``; it keeps running after we exit.

    pgserver serialises start-up with a lock in the user's runtime dir, but creates ``pgdata``
    outside that lock and the runtime dir depends on ``XDG_RUNTIME_DIR``; a lock file next to
    ``pgdata`` makes two processes starting at once (``serve`` and ``demo``) safe regardless.
    pg_ctl passes the path through a shell unquoted, so a path needing quotes cannot work.
    """
    import pgserver

    pgdata = pgdata.expanduser().resolve()
    if shlex.quote(str(pgdata)) != str(pgdata):
        raise ValidationFailed(
            "The embedded PostgreSQL needs a data path without spaces or special characters; "
            "set REELSMITH_PGDATA (or REELSMITH_DATA_DIR) to one."
        )
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with open(pgdata.parent / f".{pgdata.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        server = pgserver.get_server(pgdata, cleanup_mode=None)
    info = server.get_postmaster_info()
    if info.socket_dir is None:
        return server.get_uri()
    port = f"&port={info.port}" if info.port else ""
    return f"postgresql://postgres@/postgres?host={quote(str(info.socket_dir), safe='/')}{port}"
