"""The main job, offline: sample -> analysis -> plan -> generated segments -> composed 9:16 video.

It drives the same services the API uses (upload, analyse, render through the real state machine
on the local engine), as a demo user, and reports progress per stage and per segment.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reelsmith.domain.errors import ReelsmithError
from reelsmith.domain.models import UploadKind
from reelsmith.media.samples import make_sample_video
from reelsmith.services import jobs as job_service
from reelsmith.services import plans as plan_service
from reelsmith.services import uploads
from reelsmith.services.context import AppContext, build_app_context
from reelsmith.settings import Settings, get_settings
from reelsmith.store import analyses, jobs, projects, users, videos

DEMO_EMAIL = "demo@reelsmith.local"
DEMO_BRIEF = (
    "Morning light through the window. A fresh cup of coffee. Five quiet minutes before the day begins. "
    "Make them count."
)
POLL_SECONDS = 0.3

Reporter = Callable[..., None]


def run_demo(
    *,
    sample: Path | None,
    duration: float | None,
    brief: str,
    reporter: Reporter,
    settings: Settings | None = None,
) -> dict[str, Any]:
    settings = settings or get_settings()
    ctx = build_app_context(settings)
    try:
        return _run(ctx, sample, duration, brief, reporter)
    finally:
        ctx.close()


def _run(
    ctx: AppContext, sample: Path | None, duration: float | None, brief: str, reporter: Reporter
) -> dict:
    out_dir = ctx.settings.data_dir / "demo"
    out_dir.mkdir(parents=True, exist_ok=True)
    if sample is None:
        reporter("sample", 0.0, "making a sample video")
        sample = out_dir / "sample.mp4"
        make_sample_video(sample)
        reporter("sample", 1.0, "sample video ready")

    user_id = uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{DEMO_EMAIL}")
    with ctx.db.connection() as conn:
        users.ensure_user(conn, user_id, DEMO_EMAIL)
        project = projects.create(
            conn,
            user_id,
            title=f"Demo {time.strftime('%Y-%m-%d %H:%M')}",
            description="Made by `reelsmith demo`.",
            brief=brief or DEMO_BRIEF,
        )
    _upload_sample(ctx, user_id, project["id"], sample, reporter)

    analysis = _follow(ctx, user_id, project["id"], "analyze", reporter)
    if analysis["status"] != "succeeded":
        raise ReelsmithError(f"Analysis failed: {analysis['error_message']}")
    if duration:
        plan_service.generate(ctx, user_id, project["id"], duration)

    job = job_service.start_render(ctx, user_id, project["id"], plan_version=None, idempotency_key=None)
    final = _follow(ctx, user_id, project["id"], "render", reporter, job_id=job["id"])
    view = job_service.job_view(ctx, final)
    if final["status"] != "succeeded":
        raise ReelsmithError(f"Render {final['status']}: {final['error_message']}")
    with ctx.db.connection() as conn:
        video = videos.get(conn, user_id, view["video_id"])
        summary = plan_service.current(ctx, user_id, project["id"])
    target = out_dir / "reelsmith-demo.mp4"
    ctx.store.download_file(video["object_key"], target)
    segments = [a for a in view["assets"] if a["kind"] == "video_segment"]
    plan_segments = summary["plan"]["segments"]
    return {
        "video_path": str(target.resolve()),
        "duration": video["duration_s"],
        "width": video["width"],
        "height": video["height"],
        "size_bytes": video["size_bytes"],
        "qa_passed": video["qa"].get("passed", False),
        "summary": _analysis_summary(ctx, project["id"]),
        "segments": [
            {
                "index": a["index"],
                "model": a["model"],
                "status": a["status"],
                "duration": plan_segments[a["index"]]["duration"],
            }
            for a in segments
        ],
    }


def _upload_sample(
    ctx: AppContext, user_id: uuid.UUID, project_id: uuid.UUID, sample: Path, reporter: Reporter
):
    reporter("upload", 0.0, "uploading the sample")
    created = uploads.create_upload(
        ctx,
        user_id,
        project_id,
        kind=UploadKind.SAMPLE_VIDEO,
        content_type="video/mp4",
        size_bytes=sample.stat().st_size,
        filename=sample.name,
    )
    ctx.store.put_file(created["upload"]["object_key"], sample, "video/mp4")
    uploads.complete_upload(ctx, user_id, project_id, created["upload"]["id"])
    reporter("upload", 1.0, "sample uploaded and checked")


def _follow(
    ctx: AppContext,
    user_id: uuid.UUID,
    project_id: uuid.UUID,
    kind: str,
    reporter: Reporter,
    job_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Report progress until the job ends; the job runs in the local engine's threads."""
    while True:
        with ctx.db.connection() as conn:
            job = (
                jobs.get(conn, user_id, job_id) if job_id else jobs.latest_for_project(conn, project_id, kind)
            )
        if job is None:
            raise ReelsmithError(f"No {kind} job was started.")
        view = job_service.job_view(ctx, job)
        reporter(kind, view["percent"] / 100, f"{kind}: {view['stage']}")
        for asset in view["assets"]:
            name = f"{asset['kind']} {asset['index'] + 1}"
            reporter(
                name,
                asset["progress"]
                if asset["status"] == "submitted"
                else (1.0 if asset["status"] in ("succeeded", "reused") else 0.0),
                f"  {name} ({asset['status']})",
            )
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(POLL_SECONDS)


def _analysis_summary(ctx: AppContext, project_id: uuid.UUID) -> str:
    with ctx.db.connection() as conn:
        row = analyses.latest(conn, project_id)
    return row["summary"] if row else ""
