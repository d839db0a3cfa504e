"""Per-user rate and concurrency limits on the routes that spend money (OWASP API4 and API6).

A script must not be able to flood job starts, chat or uploads and run up the provider bill. Every
count lives in Postgres, so all API containers (each Lambda, or one ``reelsmith serve``) enforce
the same limit. A refused request raises ``RateLimited`` (429 with Retry-After) before anything is
spent. The callers check after ownership and idempotent replays, so another user's project is
still 404 and repeating a request with the same Idempotency-Key is never refused.

Rates use a fixed one-minute window per user and action (one row each): simple and exact, at the
price of allowing up to twice the rate across a window boundary.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from reelsmith.domain import clock
from reelsmith.domain.errors import RateLimited
from reelsmith.settings import Settings
from reelsmith.store.db import Connection, one

Action = Literal["job", "assistant", "upload"]
WINDOW = timedelta(minutes=1)
ACTIVE_JOB_RETRY_SECONDS = 30  # a job takes minutes; a client should not ask again every second
ACTIVE_JOB_STATUSES = ("queued", "running", "paused")

_MESSAGES: dict[Action, str] = {
    "job": "You are starting jobs too quickly.",
    "assistant": "You are asking the assistant too quickly.",
    "upload": "You are starting uploads too quickly.",
}


def per_minute(settings: Settings, action: Action) -> int:
    return {
        "job": settings.jobs_per_minute,
        "assistant": settings.assistant_per_minute,
        "upload": settings.uploads_per_minute,
    }[action]


def check_rate(conn: Connection, settings: Settings, user_id: UUID, action: Action) -> None:
    """Count one request of ``action`` for the user in the current window; refuse it past the limit.

    The count is part of the caller's transaction: a request that later fails (not found, invalid)
    is not counted, and a refused one is not counted either.
    """
    now = clock.now()
    start = _window_start(now)
    row = one(
        conn.execute(
            """INSERT INTO rate_counters (user_id, action, window_start, hits) VALUES (%s, %s, %s, 1)
               ON CONFLICT (user_id, action) DO UPDATE SET
                   hits = CASE WHEN rate_counters.window_start = EXCLUDED.window_start
                               THEN rate_counters.hits + 1 ELSE 1 END,
                   window_start = EXCLUDED.window_start
               RETURNING hits""",
            (user_id, action, start),
        )
    )
    limit = per_minute(settings, action)
    if row["hits"] > limit:
        wait = math.ceil((start + WINDOW - now).total_seconds())
        raise RateLimited(
            f"{_MESSAGES[action]} The limit is {limit} a minute; try again in {wait} s.",
            code="rate_limited",
            retry_after=max(wait, 1),
        )


def check_active_jobs(conn: Connection, settings: Settings, user_id: UUID) -> None:
    """Refuse a new job while the user already has ``max_active_jobs`` unfinished ones.

    Call it in the transaction that creates the job: it locks the user's row, so two starts at the
    same instant are counted one after the other and the cap is exact.
    """
    conn.execute("SELECT 1 FROM users WHERE id = %s FOR UPDATE", (user_id,))
    row = one(
        conn.execute(
            "SELECT count(*) AS n FROM jobs WHERE user_id = %s AND status = ANY(%s)",
            (user_id, list(ACTIVE_JOB_STATUSES)),
        )
    )
    if row["n"] >= settings.max_active_jobs:
        raise RateLimited(
            f"You already have {row['n']} jobs running; wait for one to finish or cancel one.",
            code="too_many_active_jobs",
            retry_after=ACTIVE_JOB_RETRY_SECONDS,
        )


def _window_start(now: datetime) -> datetime:
    seconds = WINDOW.total_seconds()
    return datetime.fromtimestamp(math.floor(now.timestamp() / seconds) * seconds, tz=now.tzinfo)
