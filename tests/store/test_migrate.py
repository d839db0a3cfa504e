"""Migrations on fresh databases: once only, in order, atomically, and safely from two places at once."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from reelsmith.domain.errors import ServiceUnavailable
from reelsmith.store.db import Database
from reelsmith.store.migrate import MIGRATIONS_DIR, apply_migrations, discover_migrations
from tests.conftest import create_database, drop_database


@pytest.fixture
def empty_url(pg_server_url: str) -> Iterator[str]:
    url = create_database(pg_server_url)
    yield url
    drop_database(pg_server_url, url)


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {name for (name,) in rows}


def _recorded(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [v for (v,) in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]


def _migrations_dir(tmp_path: Path, extra: dict[str, str]) -> Path:
    directory = tmp_path / "migrations"
    directory.mkdir()
    for migration in discover_migrations():
        (directory / migration.path.name).write_text(migration.path.read_text())
    for name, text in extra.items():
        (directory / name).write_text(text)
    return directory


PACKAGED = [m.version for m in discover_migrations()]


def test_the_packaged_migrations_are_found_in_order() -> None:
    versions = [m.version for m in discover_migrations()]
    assert versions[0] == "0001"
    assert versions == sorted(versions)
    assert all(m.path.parent == MIGRATIONS_DIR for m in discover_migrations())


def test_second_run_applies_nothing(empty_url: str) -> None:
    assert apply_migrations(empty_url) == PACKAGED
    assert {"users", "projects", "jobs", "videos", "schema_migrations"} <= _tables(empty_url)
    assert apply_migrations(empty_url) == []
    db = Database(empty_url)
    try:
        assert apply_migrations(db) == []
    finally:
        db.close()
    assert _recorded(empty_url) == PACKAGED


def test_only_new_migrations_are_applied_in_order(empty_url: str, tmp_path: Path) -> None:
    apply_migrations(empty_url)
    directory = _migrations_dir(
        tmp_path,
        {
            "9003_third.sql": "ALTER TABLE extra ADD COLUMN note text;",
            "9002_second.sql": "CREATE TABLE extra (id int PRIMARY KEY);",
        },
    )
    assert apply_migrations(empty_url, directory) == ["9002", "9003"]
    assert _recorded(empty_url) == [*PACKAGED, "9002", "9003"]


def test_a_failing_migration_leaves_no_trace(empty_url: str, tmp_path: Path) -> None:
    apply_migrations(empty_url)
    directory = _migrations_dir(
        tmp_path, {"9002_broken.sql": "CREATE TABLE half_done (id int); SELECT no_such_function();"}
    )
    with pytest.raises(psycopg.errors.UndefinedFunction):
        apply_migrations(empty_url, directory)
    assert "half_done" not in _tables(empty_url)
    assert _recorded(empty_url) == PACKAGED


def test_misnamed_migration_file_is_refused(tmp_path: Path) -> None:
    directory = _migrations_dir(tmp_path, {"2_oops.sql": "SELECT 1;"})
    with pytest.raises(RuntimeError, match=r"0001_name\.sql"):
        discover_migrations(directory)


def test_two_threads_at_once_apply_each_migration_once(empty_url: str) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(apply_migrations, [empty_url, empty_url]))
    # Each file is applied once, by whichever runner holds the lock at that moment, in order.
    assert sorted(v for applied in results for v in applied) == PACKAGED
    assert _recorded(empty_url) == PACKAGED


def test_two_processes_at_once_apply_each_migration_once(empty_url: str) -> None:
    script = "import sys; from reelsmith.store.migrate import apply_migrations as a; print(a(sys.argv[1]))"
    runs = [
        subprocess.Popen([sys.executable, "-c", script, empty_url], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = sorted(run.communicate(timeout=120)[0].strip() for run in runs)
    assert [run.returncode for run in runs] == [0, 0]
    applied = [v for out in outputs for v in ast.literal_eval(out)]
    assert sorted(applied) == PACKAGED  # each file once, whichever process held the lock
    assert _recorded(empty_url) == PACKAGED


def test_unreachable_url_is_service_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ServiceUnavailable):
        apply_migrations(f"postgresql://postgres@/postgres?host={tmp_path}")
