"""The expiry sweep with a controllable clock: what goes, what stays, twice at once, after a crash."""

from __future__ import annotations

import importlib.util
import threading
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from reelsmith.cli import app as cli
from reelsmith.domain import clock
from reelsmith.domain.errors import ServiceUnavailable
from reelsmith.pipeline.cleanup import run_cleanup, start_cleanup_timer
from reelsmith.settings import Settings, get_settings
from reelsmith.store import jobs, keys
from tests.api.helpers import ApiUser

from .library import Library

ROOT = Path(__file__).resolve().parents[2]


def _status(library: Library, video_id) -> str:
    with library.ctx.db.connection() as conn:
        return conn.execute("SELECT status FROM videos WHERE id = %s", (video_id,)).fetchone()["status"]


def test_videos_expire_after_seven_days(alice: ApiUser, any_library: Library) -> None:
    lib, now = any_library, clock.now()
    fresh = lib.make_video(alice.user_id, title="Fresh")
    older = lib.make_video(alice.user_id, title="Older", created_at=now - timedelta(days=2))
    project = lib.project(alice.user_id)
    abandoned = lib.pending_upload(alice.user_id, project, created_at=now - timedelta(days=2))
    lib.pending_upload(alice.user_id, project, created_at=now - timedelta(days=2), sent=False)
    recent = lib.pending_upload(alice.user_id, project, created_at=now - timedelta(hours=1))

    first = run_cleanup(lib.ctx)
    assert (first.videos_expired, first.uploads_removed, first.jobs_cleaned) == (0, 2, 0)
    assert abandoned not in lib.stored_keys() and recent in lib.stored_keys()
    lib.assert_no_orphans()

    clock.advance(timedelta(days=5) - timedelta(hours=1))  # "Older" now expires within 24 h
    notice = run_cleanup(lib.ctx)
    assert (notice.expiry_notices, notice.uploads_removed) == (1, 1)  # the recent upload is a day old now
    assert run_cleanup(lib.ctx).expiry_notices == 0
    expiring = [
        n for n in alice.call("GET", "/api/notifications").json()["items"] if n["kind"] == "video_expiring"
    ]
    assert [n["video_id"] for n in expiring] == [str(older["id"])]

    clock.advance(timedelta(days=1))
    swept = run_cleanup(lib.ctx)
    assert (swept.videos_expired, swept.jobs_cleaned, swept.uploads_removed) == (1, 1, 0)
    assert _status(lib, older["id"]) == "expired" and _status(lib, fresh["id"]) == "ready"
    assert not {k for k in lib.stored_keys() if str(older["id"]) in k}, "the video's files and clips are gone"
    lib.assert_no_orphans()
    assert run_cleanup(lib.ctx).as_dict() == dict.fromkeys(swept.as_dict(), 0)  # idempotent

    clock.advance(timedelta(days=2))
    assert run_cleanup(lib.ctx).videos_expired == 1
    assert lib.stored_keys(alice.user_id) == set()
    lib.assert_no_orphans()
    listed = alice.call("GET", "/api/videos", params={"status": "expired"}).json()["items"]
    assert {v["id"] for v in listed} == {str(fresh["id"]), str(older["id"])}


def test_a_reused_clip_stays_until_its_last_job_expires(alice: ApiUser, library: Library) -> None:
    now = clock.now()
    old = library.make_video(alice.user_id, created_at=now - timedelta(days=8))
    new = library.make_video(alice.user_id, project_id=old["project_id"])
    shared_clip = keys.job_asset_key(
        alice.user_id, old["project_id"], old["id"], "video_segment", 0, 1, "mp4"
    )
    with library.ctx.db.connection() as conn:
        jobs.add_asset(
            conn,
            user_id=alice.user_id,
            job_id=new["id"],
            kind="video_segment",
            idx=7,
            spec={},
            model="animatic",
            provider="offline",
            status="reused",
            object_key=shared_clip,
        )

    run_cleanup(library.ctx)
    assert shared_clip in library.stored_keys()
    library.assert_no_orphans()
    clock.advance(timedelta(days=7, seconds=1))
    run_cleanup(library.ctx)
    assert library.stored_keys(alice.user_id) == set()
    library.assert_no_orphans()


def test_two_sweeps_at_once_share_the_work(alice: ApiUser, library: Library) -> None:
    for i in range(12):
        library.make_video(alice.user_id, title=f"v{i}", created_at=clock.now() - timedelta(days=8))
    reports, errors = [], []

    def sweep() -> None:
        try:
            reports.append(run_cleanup(library.ctx, batch_size=2))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(r.videos_expired for r in reports) == 12
    assert library.stored_keys(alice.user_id) == set()
    library.assert_no_orphans()


def test_a_crash_half_way_is_finished_by_the_next_run(
    alice: ApiUser, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        library.make_video(alice.user_id, created_at=clock.now() - timedelta(days=8))
    real_delete, calls = library.ctx.store.delete, []

    def flaky_delete(key: str) -> None:
        calls.append(key)
        if len(calls) == 3:
            raise ServiceUnavailable("storage went away")
        real_delete(key)

    monkeypatch.setattr(library.ctx.store, "delete", flaky_delete)
    with pytest.raises(ServiceUnavailable):
        run_cleanup(library.ctx)
    monkeypatch.setattr(library.ctx.store, "delete", real_delete)
    assert run_cleanup(library.ctx).videos_expired == 3
    assert library.stored_keys(alice.user_id) == set()
    library.assert_no_orphans()


def test_lambda_handler_and_serve_timer(alice: ApiUser, library: Library) -> None:
    video = library.make_video(alice.user_id, created_at=clock.now() - timedelta(days=8))
    spec = importlib.util.spec_from_file_location("cleanup_function", ROOT / "functions/cleanup/app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    context = SimpleNamespace(
        function_name="CleanupFunction",
        memory_limit_in_mb=512,
        aws_request_id="req-1",
        invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:CleanupFunction",
    )
    assert module.handler({"source": "aws.events"}, context)["videos_expired"] == 1
    assert _status(library, video["id"]) == "expired"

    second = library.make_video(alice.user_id, created_at=clock.now() - timedelta(days=8))
    stop = start_cleanup_timer(library.ctx, interval_seconds=3600)
    try:
        deadline = time.monotonic() + 30
        while _status(library, second["id"]) != "expired" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _status(library, second["id"]) == "expired"
    finally:
        stop.set()
        for thread in threading.enumerate():
            if thread.name == "reelsmith-cleanup":
                thread.join(timeout=30)


def test_cli_cleanup_and_audit(
    alice: ApiUser, library: Library, api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    library.make_video(alice.user_id, created_at=clock.now() - timedelta(days=8))
    for name, value in {
        "DATABASE_URL": api_settings.database_url.get_secret_value(),
        "REELSMITH_DATA_DIR": str(api_settings.data_dir),
        "STORAGE_BACKEND": "local",
        "REELSMITH_STORAGE_DIR": str(api_settings.resolved_storage_dir),
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        swept = runner.invoke(cli, ["cleanup"])
        assert swept.exit_code == 0 and "videos expired: 1" in swept.output, swept.output
        clean = runner.invoke(cli, ["audit"])
        assert clean.exit_code == 0 and "objects without rows: 0" in clean.output, clean.output
        stray = f"{keys.user_prefix(alice.user_id)}projects/{alice.user_id}/stray.bin"
        library.ctx.store.put_bytes(stray, b"x", "application/octet-stream")
        dirty = runner.invoke(cli, ["audit"])
        assert dirty.exit_code == 1 and "objects without rows: 1" in dirty.output and stray in dirty.output
    finally:
        get_settings.cache_clear()
