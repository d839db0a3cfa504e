"""The database layer against a real PostgreSQL: transactions, pooler-safe options, error mapping,
and the embedded server shared by two processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pgserver
import psycopg
import pytest

from reelsmith.domain.errors import ServiceUnavailable, ValidationFailed
from reelsmith.settings import Settings
from reelsmith.store.db import Database, open_database, resolve_database_url
from reelsmith.store.migrate import discover_migrations


def _user_count(db: Database, user_id: uuid.UUID) -> int:
    with db.connection() as conn:
        row = conn.execute("SELECT count(*) AS n FROM users WHERE id = %s", (user_id,)).fetchone()
    assert row is not None
    return int(row["n"])


def test_connection_commits_on_success_with_dict_rows(db: Database) -> None:
    user_id = uuid.uuid4()
    with db.connection() as conn:
        row = conn.execute(
            "INSERT INTO users (id, email) VALUES (%s, 'a@example.com') RETURNING id, email", (user_id,)
        ).fetchone()
    assert row == {"id": user_id, "email": "a@example.com"}
    assert _user_count(db, user_id) == 1


def test_connection_rolls_back_on_exception(db: Database) -> None:
    user_id = uuid.uuid4()
    with pytest.raises(RuntimeError), db.connection() as conn:
        conn.execute("INSERT INTO users (id) VALUES (%s)", (user_id,))
        raise RuntimeError("boom")
    assert _user_count(db, user_id) == 0


def test_no_server_side_prepared_statements(db: Database) -> None:
    """A transaction-mode pooler breaks on prepared statements: repeating a query must not prepare it."""
    with db.connection() as conn:
        for _ in range(10):
            conn.execute("SELECT count(*) FROM users WHERE id = %s", (uuid.uuid4(),))
        prepared = conn.execute("SELECT count(*) AS n FROM pg_prepared_statements").fetchone()
    assert prepared == {"n": 0}


def test_dropped_connection_is_service_unavailable_and_rolled_back(db: Database) -> None:
    user_id = uuid.uuid4()
    with pytest.raises(ServiceUnavailable) as caught, db.connection() as conn:
        conn.execute("INSERT INTO users (id) VALUES (%s)", (user_id,))
        conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    assert isinstance(caught.value.__cause__, psycopg.OperationalError)
    assert caught.value.status == 503
    # The pool discards the dead connection and the half-done transaction left nothing behind.
    assert _user_count(db, user_id) == 0


def test_unreachable_database_is_service_unavailable(tmp_path: Path) -> None:
    unreachable = Database(f"postgresql://postgres@/postgres?host={tmp_path}", timeout=0.5)
    try:
        with pytest.raises(ServiceUnavailable), unreachable.connection():
            pass
    finally:
        unreachable.close()


def test_resolve_database_url_prefers_database_url(pg_url: str) -> None:
    assert resolve_database_url(Settings(database_url=pg_url)) == pg_url


def test_open_database_applies_migrations(settings: Settings, database: Database) -> None:
    db = open_database(settings)
    try:
        with db.connection() as conn:
            count = conn.execute("SELECT count(*) AS n FROM schema_migrations").fetchone()["n"]
        assert count == len(discover_migrations())
    finally:
        db.close()


def test_embedded_server_refuses_a_path_pg_ctl_cannot_take(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="REELSMITH_PGDATA"):
        resolve_database_url(Settings(database_url=None, pgdata_dir=tmp_path / "my data"))


def test_two_processes_share_one_embedded_server(tmp_path: Path) -> None:
    """``serve`` and ``demo`` may start together on one data dir that does not exist yet."""
    pgdata = tmp_path / "data" / "pgdata"
    script = textwrap.dedent(
        f"""
        import psycopg
        from reelsmith.settings import Settings
        from reelsmith.store.db import resolve_database_url
        url = resolve_database_url(Settings(database_url=None, pgdata_dir={str(pgdata)!r}))
        with psycopg.connect(url) as conn:
            conn.execute("SELECT 1")
        print(url)
        """
    )
    starts = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    try:
        results = [process.communicate(timeout=120) for process in starts]
        assert [process.returncode for process in starts] == [0, 0], [err.decode() for _, err in results]
        assert len({out.decode().strip() for out, _ in results}) == 1
    finally:
        # The server outlives its starters by design; this handle is the last one, so it stops it.
        pgserver.get_server(pgdata, cleanup_mode="delete").cleanup()
