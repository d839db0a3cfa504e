"""A user's numbers, computed in SQL over jobs, job assets, paid attempts and videos.

Every query is scoped to one user and walks an index on user_id, so it stays fast with thousands of
videos. Months and weeks are UTC calendar buckets.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from reelsmith.store.db import Connection


def totals(conn: Connection, user_id: UUID) -> dict[str, int]:
    """Videos made (expired ones included) and finished render jobs by outcome."""
    row = conn.execute(
        """SELECT (SELECT count(*) FROM videos WHERE user_id = %(user)s) AS videos_made,
                  count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
                  count(*) FILTER (WHERE status = 'failed') AS failed
           FROM jobs WHERE user_id = %(user)s AND kind = 'render'""",
        {"user": user_id},
    ).fetchone()
    assert row is not None  # an aggregate always answers one row
    return row


def stage_seconds(conn: Connection, user_id: UUID) -> list[dict[str, Any]]:
    """Per stage of succeeded jobs: average and 95th percentile seconds. ``stage_timings`` holds when each
    stage started (epoch seconds); a stage lasts until the next one starts, the last until the job ends."""
    return conn.execute(
        """WITH marks AS (
               SELECT t.key AS stage,
                      coalesce(lead(t.value::float8) OVER (PARTITION BY j.id ORDER BY t.value::float8),
                               extract(epoch FROM j.finished_at)::float8) - t.value::float8 AS seconds
               FROM jobs j, jsonb_each_text(j.stage_timings) AS t
               WHERE j.user_id = %s AND j.status = 'succeeded' AND j.finished_at IS NOT NULL)
           SELECT stage, avg(seconds) AS avg, percentile_cont(0.95) WITHIN GROUP (ORDER BY seconds) AS p95
           FROM marks GROUP BY stage ORDER BY stage""",
        (user_id,),
    ).fetchall()


def model_usage(conn: Connection, user_id: UUID) -> list[dict[str, Any]]:
    """Segments generated per model and their seconds (reused clips are not counted twice)."""
    return conn.execute(
        """SELECT model, count(*) AS segments, coalesce(sum((spec->>'duration')::float8), 0) AS seconds
           FROM job_assets WHERE user_id = %s AND kind = 'video_segment' AND status = 'succeeded'
           AND model IS NOT NULL GROUP BY model ORDER BY segments DESC, model""",
        (user_id,),
    ).fetchall()


def failures(conn: Connection, user_id: UUID) -> list[dict[str, Any]]:
    return conn.execute(
        """SELECT coalesce(error_code, 'unknown') AS code, count(*) AS count FROM jobs
           WHERE user_id = %s AND status = 'failed' GROUP BY 1 ORDER BY count DESC, code""",
        (user_id,),
    ).fetchall()


def monthly_spend(
    conn: Connection, user_id: UUID, *, first: datetime, last: datetime
) -> list[dict[str, Any]]:
    """Paid attempts per UTC month from the month of ``first`` to the month of ``last`` (zero months kept)."""
    return conn.execute(
        """WITH spend AS (
               SELECT date_trunc('month', a.created_at AT TIME ZONE 'UTC') AS month, sum(a.cost_usd) AS usd
               FROM job_assets ja JOIN asset_attempts a ON a.job_asset_id = ja.id
               WHERE ja.user_id = %(user)s AND a.created_at >= %(first)s
               GROUP BY 1)
           SELECT to_char(m, 'YYYY-MM') AS month, coalesce(spend.usd, 0)::float8 AS usd
           FROM generate_series(date_trunc('month', %(first)s AT TIME ZONE 'UTC'),
                                date_trunc('month', %(last)s AT TIME ZONE 'UTC'), interval '1 month') AS m
           LEFT JOIN spend ON spend.month = m ORDER BY m""",
        {"user": user_id, "first": first, "last": last},
    ).fetchall()


def weekly(conn: Connection, user_id: UUID, *, first: datetime, last: datetime) -> list[dict[str, Any]]:
    """Render jobs per UTC week (Monday): videos made and failures (zero weeks kept)."""
    return conn.execute(
        """WITH w AS (
               SELECT date_trunc('week', created_at AT TIME ZONE 'UTC') AS week,
                      count(*) FILTER (WHERE status = 'succeeded') AS videos,
                      count(*) FILTER (WHERE status = 'failed') AS failures
               FROM jobs WHERE user_id = %(user)s AND kind = 'render' AND created_at >= %(first)s
               GROUP BY 1)
           SELECT to_char(m, 'YYYY-MM-DD') AS week, coalesce(w.videos, 0) AS videos,
                  coalesce(w.failures, 0) AS failures
           FROM generate_series(date_trunc('week', %(first)s AT TIME ZONE 'UTC'),
                                date_trunc('week', %(last)s AT TIME ZONE 'UTC'), interval '1 week') AS m
           LEFT JOIN w ON w.week = m ORDER BY m""",
        {"user": user_id, "first": first, "last": last},
    ).fetchall()
