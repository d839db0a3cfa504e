"""Analyze: read the project's sample and store a versioned report with its keyframes."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from reelsmith.domain.analysis import AnalysisReport
from reelsmith.domain.errors import ValidationFailed
from reelsmith.media.analysis import analyze_video
from reelsmith.providers.base import VideoUnderstanding
from reelsmith.providers.understanding import understand_with_fallback
from reelsmith.store import analyses, assets, jobs, keys, projects

from .context import StepContext


def run_analyze(ctx: StepContext, job_id: str) -> dict[str, str]:
    with ctx.db.connection() as conn:
        job = jobs.transition(conn, job_id, to="running", from_=("queued", "running")) or jobs.get_any(
            conn, job_id
        )
        jobs.set_stage(conn, job_id, "analyzing")
        sample = assets.ready_of_kind(conn, job["project_id"], "sample_video")
        previous = analyses.latest(conn, job["project_id"])
    if sample is None:
        raise ValidationFailed("Upload a sample video before analysing.", code="no_sample")
    version = (previous["version"] + 1) if previous else 1

    with ctx.work_dir(f"analyze-{job_id}") as work:
        source = work / "sample"
        ctx.store.download_file(sample["object_key"], source)
        report, keyframes = analyze_sample(
            source, keyframe_dir=work / "keyframes", understanding=ctx.providers.understanding
        )
        for shot, frame in zip(report.shots, keyframes, strict=False):
            shot.keyframe_key = _store_keyframe(ctx, job, version, frame)

    with ctx.db.connection() as conn:
        row = analyses.add(
            conn,
            user_id=job["user_id"],
            project_id=job["project_id"],
            asset_id=sample["id"],
            report=report.model_dump(mode="json"),
            summary=report.summary,
            source=report.understanding.source,
        )
        projects.set_status(conn, job["project_id"], "analyzed")
        jobs.set_stage(conn, job_id, "planning")
    return {"analysis_id": str(row["id"])}


def analyze_sample(
    path: Path,
    *,
    keyframe_dir: Path | None = None,
    understanding: VideoUnderstanding | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> tuple[AnalysisReport, list[Path]]:
    """Signals first (one decode pass), then the AI read, or the signals' own read saying why not."""
    report, keyframes = analyze_video(path, keyframe_dir=keyframe_dir, progress=progress)
    if understanding is not None:
        started = time.perf_counter()
        report.understanding = understand_with_fallback([understanding], path, report, keyframes)
        report.timings["understanding"] = round(time.perf_counter() - started, 3)
    if progress:
        progress("understanding", 1.0)
    return report, keyframes


def _store_keyframe(ctx: StepContext, job: dict, version: int, frame: Path) -> str:
    key = keys.analysis_key(job["user_id"], job["project_id"], version, frame.name)
    ctx.store.put_file(key, frame, "image/jpeg")
    return key
