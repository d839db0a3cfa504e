"""The expiry sweep: videos live 7 days, then their files go and their rows are marked expired.

Also removes the intermediate files of jobs whose video expired (generated clips, voice-over), and
uploads never completed within a day. Runs hourly on AWS (EventBridge -> functions/cleanup), from
``reelsmith cleanup``, and on a timer inside ``reelsmith serve``.

Idempotent and batched: each batch locks its rows with SKIP LOCKED, deletes the objects, then updates
the rows in the same transaction. Object deletes are idempotent, so a crash between the two only
means the next run deletes again; two sweeps at once take disjoint batches.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from reelsmith.domain import clock
from reelsmith.domain.rules import ABANDONED_UPLOAD_TTL, VIDEO_TTL
from reelsmith.observability import logger
from reelsmith.store import expiry, notifications

from .context import StepContext

DEFAULT_BATCH = 100
EXPIRY_NOTICE = timedelta(hours=24)
VIDEO_FILE_COLUMNS = ("object_key", "thumbnail_key", "small_key", "captions_key")


@dataclass
class CleanupReport:
    videos_expired: int = 0
    jobs_cleaned: int = 0
    uploads_removed: int = 0
    objects_deleted: int = 0
    expiry_notices: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def run_cleanup(
    ctx: StepContext, *, now: datetime | None = None, batch_size: int = DEFAULT_BATCH
) -> CleanupReport:
    """One full sweep at ``now`` (the product clock by default); returns what it did."""
    moment = now or clock.now()
    report = CleanupReport()
    sweeps: list[Callable[[], int]] = [
        lambda: _expire_videos(ctx, report, moment, batch_size),
        lambda: _clean_stale_jobs(ctx, report, moment, batch_size),
        lambda: _remove_abandoned_uploads(ctx, report, moment, batch_size),
        lambda: _notify_expiring(ctx, report, moment, batch_size),
    ]
    for sweep in sweeps:
        while sweep() == batch_size:
            pass
    logger.info("cleanup finished", extra=report.as_dict())
    return report


def _delete_objects(ctx: StepContext, report: CleanupReport, keys: Iterable[str | None]) -> None:
    for key in keys:
        if key:
            ctx.store.delete(key)
            report.objects_deleted += 1


def _expire_videos(ctx: StepContext, report: CleanupReport, now: datetime, limit: int) -> int:
    with ctx.db.connection() as conn:
        rows = expiry.lock_expired_videos(conn, now=now, limit=limit)
        _delete_objects(ctx, report, [row[column] for row in rows for column in VIDEO_FILE_COLUMNS])
        expiry.mark_expired(conn, [row["id"] for row in rows])
    report.videos_expired += len(rows)
    return len(rows)


def _clean_stale_jobs(ctx: StepContext, report: CleanupReport, now: datetime, limit: int) -> int:
    """Clips and voice-overs of jobs finished longer ago than a video lives, once no live video needs them."""
    with ctx.db.connection() as conn:
        job_ids = expiry.lock_stale_jobs(conn, finished_before=now - VIDEO_TTL, now=now, limit=limit)
        if job_ids:
            _delete_objects(ctx, report, expiry.stale_job_keys(conn, job_ids))
            expiry.forget_job_objects(conn, job_ids)
    report.jobs_cleaned += len(job_ids)
    return len(job_ids)


def _remove_abandoned_uploads(ctx: StepContext, report: CleanupReport, now: datetime, limit: int) -> int:
    with ctx.db.connection() as conn:
        rows = expiry.lock_abandoned_uploads(conn, created_before=now - ABANDONED_UPLOAD_TTL, limit=limit)
        _delete_objects(ctx, report, [row["object_key"] for row in rows])
        expiry.delete_uploads(conn, [row["id"] for row in rows])
    report.uploads_removed += len(rows)
    return len(rows)


def _notify_expiring(ctx: StepContext, report: CleanupReport, now: datetime, limit: int) -> int:
    with ctx.db.connection() as conn:
        due = expiry.claim_expiring_videos(conn, now=now, until=now + EXPIRY_NOTICE, limit=limit)
        for video in due:
            notifications.add(
                conn,
                user_id=video["user_id"],
                kind="video_expiring",
                video_id=video["id"],
                title="A video expires within 24 hours",
                body=f"{video['title'] or 'Your video'} will be deleted soon. Download it to keep it.",
            )
    report.expiry_notices += len(due)
    return len(due)


def start_cleanup_timer(ctx: StepContext, interval_seconds: float = 3600) -> threading.Event:
    """Sweep now and then every ``interval_seconds`` on a daemon thread; set the event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while True:
            try:
                run_cleanup(ctx)
            except Exception:
                logger.exception("cleanup failed; it will run again at the next interval")
            if stop.wait(interval_seconds):
                return

    threading.Thread(target=loop, name="reelsmith-cleanup", daemon=True).start()
    return stop
