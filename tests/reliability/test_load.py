"""The load run of bench/load.py, small: 50 concurrent users against `reelsmith serve` on loopback.

Every user signs in, creates a project, uploads a sample (which starts its analysis), polls the job
to its end and then asks for more uploads than the limit allows. Zero answers other than 2xx and the
intended 429s, zero lost jobs; the read latency is reported, never asserted.
"""

from __future__ import annotations

from pathlib import Path

from bench.load import reelsmith_serve, run_load, tiny_sample
from tests.conftest import create_database, drop_database

from . import figures

USERS = 50
POLLS = 60
UPLOADS_PER_MINUTE = 2
TIME_LIMIT_SECONDS = 150


def test_fifty_concurrent_users(pg_server_url: str, tmp_path: Path) -> None:
    database_url = create_database(pg_server_url)
    try:
        with reelsmith_serve(database_url, tmp_path / "data", uploads_per_minute=UPLOADS_PER_MINUTE) as url:
            report = run_load(
                url,
                tiny_sample(tmp_path),
                users=USERS,
                polls=POLLS,
                uploads_per_minute=UPLOADS_PER_MINUTE,
                time_limit=TIME_LIMIT_SECONDS,
            )
    finally:
        drop_database(pg_server_url, database_url)
    figures.count("concurrent users", USERS)
    figures.count("load requests", sum(report.statuses.values()))
    figures.count("load 429 (intended)", report.statuses["429"])
    figures.count("lost jobs", len(report.lost_jobs))
    figures.measure(
        "load read latency p50/p95 (ms)",
        f"{1000 * report.percentile(0.5):.0f}/{1000 * report.percentile(0.95):.0f}",
    )
    assert report.ok, "\n".join(report.lines())
    assert report.jobs_started == USERS
    assert report.statuses["429"] >= USERS  # every user went past the upload limit and was told so
