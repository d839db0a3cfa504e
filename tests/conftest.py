"""Shared fixtures: a real PostgreSQL database, object stores (moto S3 with an R2 endpoint, a folder),
and settings that point every local path at the test's tmp_path."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import boto3
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

# moto reads its custom S3 endpoints when its S3 module is first imported: set them before that.
R2_ENDPOINT = "https://acct.r2.cloudflarestorage.com"
_endpoints = [e for e in os.environ.get("MOTO_S3_CUSTOM_ENDPOINTS", "").split(",") if e]
os.environ["MOTO_S3_CUSTOM_ENDPOINTS"] = ",".join(dict.fromkeys([*_endpoints, R2_ENDPOINT]))

from moto import mock_aws  # noqa: E402

from reelsmith.settings import Settings  # noqa: E402
from reelsmith.store.db import Database  # noqa: E402
from reelsmith.store.migrate import apply_migrations  # noqa: E402
from reelsmith.store.objects import LocalObjectStore, S3ObjectStore  # noqa: E402

logging.getLogger("moto").setLevel(logging.CRITICAL)

TEST_BUCKET = "reelsmith-test"


def database_url(server_url: str, dbname: str) -> str:
    """``server_url`` with its database replaced by ``dbname`` (URL or key=value form)."""
    if "://" in server_url:
        return urlunsplit(urlsplit(server_url)._replace(path=f"/{dbname}"))
    return make_conninfo(server_url, dbname=dbname)


def create_database(server_url: str) -> str:
    """A new empty database ``reelsmith_test_<random>`` on the server; returns its URL."""
    name = f"reelsmith_test_{secrets.token_hex(6)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(server_url, name)


def drop_database(server_url: str, url: str) -> None:
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(str(name))))


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The PostgreSQL server for this session: ``DATABASE_URL``, or an embedded one that is deleted after."""
    if url := os.environ.get("DATABASE_URL"):
        yield url
        return
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("pg") / "data", cleanup_mode="delete")
    yield server.get_uri()
    server.cleanup()


@pytest.fixture(scope="session")
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A fresh database for this session, dropped at the end."""
    url = create_database(pg_server_url)
    yield url
    drop_database(pg_server_url, url)


@pytest.fixture(scope="session")
def database(pg_url: str) -> Iterator[Database]:
    db = Database(pg_url)
    apply_migrations(db)
    yield db
    db.close()


def _truncate_all(db: Database) -> None:
    with db.connection() as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename <> 'schema_migrations'"
        ).fetchall()
        if tables:
            names = sql.SQL(", ").join(sql.Identifier(row["tablename"]) for row in tables)
            conn.execute(sql.SQL("TRUNCATE {} CASCADE").format(names))


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    """The session database, emptied after the test (every table but schema_migrations)."""
    yield database
    _truncate_all(database)


@pytest.fixture
def s3_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[S3ObjectStore]:
    """An S3ObjectStore configured like R2 (endpoint, region "auto"), on moto."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        # moto refuses LocationConstraint "auto": create the bucket through a us-east-1 client.
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=TEST_BUCKET)
        yield S3ObjectStore(
            Settings(
                storage_backend="s3",
                s3_endpoint_url=R2_ENDPOINT,
                s3_bucket=TEST_BUCKET,
                s3_region="auto",
                s3_access_key_id="testing",
                s3_secret_access_key="testing",
            )
        )


@pytest.fixture
def local_store(tmp_path: Path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path / "objects", "http://testserver", secrets.token_bytes(32))


@pytest.fixture
def settings(tmp_path: Path, pg_url: str) -> Settings:
    """Local everything, rooted in tmp_path; provider keys cleared so no test can reach a paid service."""
    return Settings(
        data_dir=tmp_path,
        storage_dir=tmp_path / "storage",
        database_url=pg_url,
        storage_backend="local",
        auth_mode="local",
        workflow_backend="local",
        poll_seconds=0,
        runway_api_key=None,
        google_api_key=None,
        elevenlabs_api_key=None,
        groq_api_key=None,
    )
