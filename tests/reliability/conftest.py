"""Reliability fixtures: the API fixtures, one of everything for Alice, bad identities, and the orphan
audit that closes every test which touched storage (objects without rows, rows without objects)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest

from reelsmith.api.auth import AUDIENCE, LOCAL_ISSUER, local_signing_key
from reelsmith.services.context import AppContext
from reelsmith.settings import Settings
from reelsmith.store.audit import audit
from tests.api.conftest import alice, api_settings, app_ctx, bob, client, local_workflow, small_sample  # noqa: F401
from tests.api.helpers import ApiUser
from tests.library.conftest import media  # noqa: F401
from tests.library.library import Library, Media

from . import figures

ACTIVE = ("queued", "running", "paused")
QUIET_SECONDS = 60.0


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = figures.summary_lines()
    if lines:
        terminalreporter.section("reliability figures")
        for line in lines:
            terminalreporter.write_line(line)


@dataclass
class World:
    """Alice's objects of every kind, the ids routes take, and what must never reach anyone else."""

    owner: ApiUser
    ids: dict[str, str]
    share_token: str
    secrets: set[str] = field(default_factory=set)


@pytest.fixture
def world(alice: ApiUser, app_ctx: AppContext, small_sample, media: Media) -> World:  # noqa: F811
    """An analysed project with a plan, a ready and a pending upload, its analysis job, a finished
    render with its video in another project, and a share link to that video."""
    project = alice.create_project("Alice's secret reel", brief="Alice's private brief")
    upload = alice.upload(project["id"], "sample_video", small_sample.path)
    assert upload.status_code == 200, upload.text
    job = alice.latest_job(project["id"])
    assert job is not None and alice.wait_job(job["id"])["status"] == "succeeded"
    pending = alice.start_upload(project["id"], "audio", small_sample.path, content_type="audio/mp4")
    assert pending.status_code == 201, pending.text
    video = Library(app_ctx, media).make_video(alice.user_id, title="Alice's secret video")
    share = alice.call("POST", f"/api/videos/{video['id']}/share", json={})
    assert share.status_code == 200, share.text
    ids = {
        "project_id": project["id"],
        "upload_id": upload.json()["id"],
        "pending_upload_id": pending.json()["upload"]["id"],
        "job_id": job["id"],
        "render_job_id": str(video["job_id"]),
        "video_project_id": str(video["project_id"]),
        "video_id": str(video["id"]),
        "version": "1",
    }
    token = share.json()["url"].rsplit("/s/", 1)[1]
    secrets = {v for k, v in ids.items() if k != "version"}
    secrets |= {token, alice.user_id, "Alice's secret", "Alice's private brief", "alice@example.com"}
    return World(owner=alice, ids=ids, share_token=token, secrets=secrets)


@pytest.fixture
def expired_token(api_settings: Settings) -> str:  # noqa: F811
    """Alice's token, correctly signed, that expired an hour ago."""
    now = int(time.time())
    claims = {
        "iss": LOCAL_ISSUER,
        "aud": AUDIENCE,
        "sub": "6f1d3c2a-9b7e-4c1d-8a2f-0e5b7c9d1a23",
        "role": AUDIENCE,
        "iat": now - 7200,
        "exp": now - 3600,
    }
    return jwt.encode(claims, local_signing_key(api_settings), algorithm="HS256")


def wait_until_quiet(ctx: AppContext, timeout: float = QUIET_SECONDS) -> None:
    """Wait (bounded) until no job is unfinished, so the audit sees a settled system."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with ctx.db.connection() as conn:
            row = conn.execute("SELECT count(*) AS n FROM jobs WHERE status = ANY(%s)", (list(ACTIVE),))
            if row.fetchone()["n"] == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"jobs still unfinished after {timeout} s")


@pytest.fixture(autouse=True)
def orphan_audit(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every test that used the app: no object without a row, no row without its object."""
    if "app_ctx" not in request.fixturenames:
        yield
        return
    ctx: AppContext = request.getfixturevalue("app_ctx")  # set up inside this fixture: torn down after it
    yield
    wait_until_quiet(ctx)
    report = audit(ctx.store, ctx.db)
    figures.count("orphan audits run")
    figures.count("objects audited", report.objects_checked)
    figures.count("orphans found", len(report.objects_without_rows) + len(report.rows_without_objects))
    assert report.ok, (report.objects_without_rows, report.rows_without_objects)
