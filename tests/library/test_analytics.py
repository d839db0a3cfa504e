"""Analytics in SQL: exact numbers on a small history, and index use and a full answer on 10,000 videos."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from reelsmith.domain import clock
from reelsmith.services.analytics import user_analytics
from reelsmith.store import expiry, jobs, videos
from reelsmith.store.videos import VideoFilters
from tests.api.helpers import ApiUser

from .library import Library

WEDNESDAY = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)
# 10,000 succeeded renders a minute apart, one clip each, and their videos; one is titled "needle".
BULK_VIDEOS = """
WITH made AS (
    INSERT INTO jobs (user_id, project_id, kind, status, created_at, finished_at, stage_timings)
    SELECT %(user)s, %(project)s, 'render', 'succeeded', t, t + interval '60 seconds',
           jsonb_build_object('generating', extract(epoch FROM t), 'composing', extract(epoch FROM t) + 50)
    FROM generate_series(1, 10000) AS g, LATERAL (SELECT %(now)s - g * interval '1 minute' AS t) AS s
    RETURNING id, created_at),
clips AS (
    INSERT INTO job_assets (user_id, job_id, kind, idx, status, model, spec)
    SELECT %(user)s, id, 'video_segment', 0, 'succeeded', 'animatic', '{"duration": 4}'::jsonb FROM made)
INSERT INTO videos (id, user_id, project_id, job_id, title, object_key, duration_s, size_bytes, width, height,
                    models, created_at, expires_at)
SELECT id, %(user)s, %(project)s, id, CASE row_number() OVER () WHEN 1 THEN 'needle' ELSE 'hay' END,
       'k/' || id, 5 + (extract(epoch FROM created_at)::bigint %% 50), 1000, 1080, 1920, ARRAY['animatic'],
       created_at, created_at + interval '7 days'
FROM made
"""


def _timings(finished: datetime, generating: float, composing: float) -> dict[str, float]:
    end = finished.timestamp()
    return {"generating": end - generating - composing, "composing": end - composing}


def test_numbers_on_a_small_history(alice: ApiUser, library: Library) -> None:
    now = clock.freeze(WEDNESDAY)
    alice.set_preferences(monthly_budget_usd=12.5)
    for i, (generating, composing) in enumerate([(20, 5), (30, 5), (40, 10)]):
        finished = now - timedelta(hours=i + 1)
        library.make_video(
            alice.user_id,
            created_at=finished,
            stage_timings=_timings(finished, generating, composing),
            prompts=["a", "b"],
            models=["animatic", "gen4.5"] if i == 0 else ["animatic"],
            cost_usd=2.0 if i == 0 else 0.0,
        )
    library.make_video(
        alice.user_id,
        created_at=now - timedelta(days=40),
        cost_usd=1.0,
        stage_timings=_timings(now - timedelta(days=40), 50, 50),
    )
    with alice.ctx.db.connection() as conn:
        project = library.project(alice.user_id)
        failed = jobs.create(
            conn,
            user_id=alice.user_id,
            project_id=project,
            kind="render",
            plan_version=None,
            idempotency_key=None,
            request_hash="x",
        )
        jobs.update(
            conn, failed["id"], status="failed", error_code="segments_failed", created_at=now, finished_at=now
        )

    stats = alice.call("GET", "/api/analytics").json()
    assert stats["videos_made"] == 4 and stats["success_rate"] == 0.8
    generating, composing = stats["stage_seconds"]["generating"], stats["stage_seconds"]["composing"]
    assert generating["avg"] == pytest.approx(35.0) and generating["p95"] == pytest.approx(48.5)
    assert composing["avg"] == pytest.approx(17.5) and composing["p95"] == pytest.approx(44.0)
    assert stats["models"] == [
        {"model": "animatic", "segments": 6, "seconds": 24.0},
        {"model": "gen4.5", "segments": 1, "seconds": 4.0},
    ]
    assert stats["failures"] == [{"code": "segments_failed", "count": 1}]
    assert len(stats["spend"]) == 12 and stats["spend"][-1] == {
        "month": "2025-03",
        "usd": 2.0,
        "budget_usd": 12.5,
    }
    assert {"month": "2025-01", "usd": 1.0, "budget_usd": 12.5} in stats["spend"]
    assert len(stats["weekly"]) == 12
    assert stats["weekly"][-1] == {"week": "2025-03-10", "videos": 3, "failures": 1}


def _explain(conn: Any) -> tuple[Any, list[set[str]]]:
    """A connection that records the indexes PostgreSQL plans to use for every statement it runs."""
    used: list[set[str]] = []

    class Explaining:
        def execute(self, query: str, params: Any = None) -> Any:
            plan = conn.execute("EXPLAIN (FORMAT JSON) " + query, params).fetchone()["QUERY PLAN"]
            used.append(_indexes(plan))
            return conn.execute(query, params)

    return Explaining(), used


def _indexes(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*map(_indexes, node)) if node else set()
    if isinstance(node, dict):
        found = {node["Index Name"]} if "Index Name" in node else set()
        return found.union(*map(_indexes, node.values()))
    return set()


def test_ten_thousand_videos(alice: ApiUser, library: Library) -> None:
    mine = library.make_video(alice.user_id, title="Alice's only one")
    heavy, project, now = uuid.uuid4(), uuid.uuid4(), clock.now()
    with library.ctx.db.connection() as conn:
        conn.execute("INSERT INTO users (id) VALUES (%s)", (heavy,))
        conn.execute("INSERT INTO projects (id, user_id, title) VALUES (%s, %s, 'Bulk')", (project, heavy))
        conn.execute(BULK_VIDEOS, {"user": heavy, "project": project, "now": now})
        conn.execute("ANALYZE")

    stats = user_analytics(library.ctx, heavy)
    assert stats["videos_made"] == 10_000 and stats["success_rate"] == 1.0
    assert stats["stage_seconds"]["composing"] == {"avg": 10.0, "p95": 10.0}
    assert stats["models"] == [{"model": "animatic", "segments": 10_000, "seconds": 40_000.0}]

    with library.ctx.db.connection() as conn:
        spy, used = _explain(conn)
        page = videos.list_page(
            spy, heavy, VideoFilters(query="needle"), now=now, sort="created_desc", after=None, limit=21
        )
        # A rare exact word goes through the GIN index; a prefix may walk the user's newest-first index.
        assert [v["title"] for v in page] == ["needle"] and used[-1] & {
            "videos_search",
            "videos_user_created",
        }
        videos.list_page(spy, heavy, VideoFilters(), now=now, sort="duration_asc", after=None, limit=21)
        assert "videos_user_duration" in used[-1]
        assert (
            len(
                videos.list_page(
                    spy, heavy, VideoFilters(), now=now, sort="created_desc", after=None, limit=21
                )
            )
            == 21
        )
        assert "videos_user_created" in used[-1]
        assert [
            v["id"]
            for v in videos.list_page(
                spy,
                uuid.UUID(alice.user_id),
                VideoFilters(),
                now=now,
                sort="created_desc",
                after=None,
                limit=21,
            )
        ] == [mine["id"]]
        assert used[-1] & {"videos_user_created", "videos_user_duration"}
        expiry.lock_expired_videos(spy, now=now, limit=100)
        assert "videos_expiry" in used[-1]
