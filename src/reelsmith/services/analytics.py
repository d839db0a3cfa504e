"""The caller's numbers: output, success rate, stage timings, model usage, failures, spend and trends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from reelsmith.domain import clock
from reelsmith.pipeline.planning import user_settings
from reelsmith.store import analytics

from .context import AppContext

MONTHS = 12
WEEKS = 12


def month_start(moment: datetime, months_back: int) -> datetime:
    """The first instant (UTC) of the month ``months_back`` before ``moment``'s month."""
    index = moment.year * 12 + moment.month - 1 - months_back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def week_start(moment: datetime, weeks_back: int) -> datetime:
    """The Monday 00:00 UTC ``weeks_back`` weeks before ``moment``'s week."""
    utc = moment.astimezone(UTC)
    day = utc.date() - timedelta(days=utc.weekday(), weeks=weeks_back)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def user_analytics(ctx: AppContext, user_id: UUID) -> dict[str, Any]:
    now = clock.now()
    with ctx.db.connection() as conn:
        totals = analytics.totals(conn, user_id)
        stages = analytics.stage_seconds(conn, user_id)
        models = analytics.model_usage(conn, user_id)
        failures = analytics.failures(conn, user_id)
        spend = analytics.monthly_spend(conn, user_id, first=month_start(now, MONTHS - 1), last=now)
        weekly = analytics.weekly(conn, user_id, first=week_start(now, WEEKS - 1), last=now)
        budget = user_settings(conn, user_id).monthly_budget_usd
    finished = totals["succeeded"] + totals["failed"]
    return {
        "videos_made": totals["videos_made"],
        "success_rate": round(totals["succeeded"] / finished, 4) if finished else None,
        "stage_seconds": {s["stage"]: {"avg": round(s["avg"], 3), "p95": round(s["p95"], 3)} for s in stages},
        "models": [{**m, "seconds": round(m["seconds"], 3)} for m in models],
        "failures": failures,
        "spend": [{**s, "usd": round(s["usd"], 4), "budget_usd": budget} for s in spend],
        "weekly": weekly,
    }
