"""Compose the generated assets into the finished video, check it, and deliver it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reelsmith.domain import errors
from reelsmith.domain.plan import Plan
from reelsmith.domain.rules import OUTPUT_HEIGHT, OUTPUT_WIDTH, VIDEO_TTL
from reelsmith.media.captions import CaptionCue, captions_from_script, captions_from_words, write_vtt
from reelsmith.media.compose import AudioInput, ClipInput, ComposeSpec
from reelsmith.media.qa import qa_report
from reelsmith.media.render import compose_video
from reelsmith.media.thumbnail import make_small_copy, make_thumbnail
from reelsmith.observability import logger
from reelsmith.providers.base import WordTiming
from reelsmith.store import assets as uploads
from reelsmith.store import jobs, keys, notifications, plans, projects, videos

from .context import StepContext
from .planning import latest_report

ACTIVE_RENDER = ("running", "paused")
AUDIO_SUFFIX = {
    "audio/mpeg": ".mp3",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/mp4": ".m4a",
    "audio/x-m4a": ".m4a",
    "audio/ogg": ".ogg",
}


def compose_job(ctx: StepContext, job_id: str) -> dict[str, Any]:
    with ctx.db.connection() as conn:
        job = jobs.get_any(conn, job_id)
        if job["status"] not in ACTIVE_RENDER:  # cancelled while generating: nothing to compose
            return {"video_key": None}
        jobs.set_stage(conn, job_id, "composing")
        plan = Plan.model_validate(plans.get_version(conn, job["project_id"], job["plan_version"])["plan"])
        job_assets = jobs.list_assets(conn, job_id)
        music = uploads.ready_of_kind(conn, job["project_id"], "audio") if plan.audio.custom_audio else None
        sample_report = latest_report(conn, job["project_id"])
    segments = _usable_segments(plan, job_assets)

    with ctx.work_dir(f"compose-{job_id}") as work:
        clips = []
        for seg, asset in segments:
            path = work / f"clip-{seg.index:02d}.mp4"
            ctx.store.download_file(asset["object_key"], path)
            clips.append(
                ClipInput(
                    path=path,
                    duration=seg.duration,
                    transition_in=seg.transition.value,
                    overlay_text=seg.text_overlay,
                )
            )
        audio, cues = _audio_inputs(ctx, work, plan, job_assets, music)
        spec = ComposeSpec(
            clips=tuple(clips),
            audio=tuple(audio),
            captions=tuple(cues) if plan.post.captions else (),
            caption_style=plan.post.caption_style,
            grade=plan.post.grade,
            ducking=plan.audio.ducking,
            preset=ctx.settings.x264_preset,
        )
        out = work / "video.mp4"
        result = compose_video(spec, out, work_dir=work, timeout=ctx.settings.ffmpeg_timeout_seconds)
        qa = qa_report(
            out,
            planned_duration=spec.total_duration,
            sample_report=sample_report,
            shot_count=len(segments),
            expect_audio=bool(audio),
        )
        if not qa.passed:
            failed = ", ".join(c.name for c in qa.checks if not c.ok)
            raise errors.QualityCheckFailed(f"The finished video failed its quality check ({failed}).")
        deliverables = {
            "video.mp4": (out, "video/mp4"),
            "thumb.jpg": (make_thumbnail(out, work / "thumb.jpg"), "image/jpeg"),
            "small.mp4": (
                make_small_copy(out, work / "small.mp4", preset=ctx.settings.x264_preset),
                "video/mp4",
            ),
        }
        if cues:
            deliverables["captions.vtt"] = (write_vtt(cues, work / "captions.vtt"), "text/vtt")
        stored = _store_outputs(ctx, job, deliverables)

    result_meta: dict[str, Any] = {
        **stored,
        "duration": qa.duration,
        "size_bytes": qa.size_bytes,
        "qa": qa.model_dump(mode="json"),
        "compose_seconds": result.seconds_taken,
        "models": sorted({a["model"] for _, a in segments if a.get("model")}),
    }
    with ctx.db.connection() as conn:
        jobs.update(conn, job_id, result=result_meta)
    logger.info(
        "composed", extra={"job_id": job_id, "seconds": result.seconds_taken, "duration": qa.duration}
    )
    return {"video_key": stored["video_key"]}


def _usable_segments(plan: Plan, job_assets: list[dict]) -> list[tuple[Any, dict]]:
    """The segments to compose; fails the job when one is missing and the plan wants them all."""
    by_index = {a["idx"]: a for a in job_assets if a["kind"] == "video_segment"}
    usable, failed = [], []
    for seg in plan.segments:
        asset = by_index.get(seg.index)
        if asset and asset["status"] in ("succeeded", "reused") and asset["object_key"]:
            usable.append((seg, asset))
        else:
            failed.append(seg.index + 1)
    if failed and (not plan.allow_partial or not usable):
        listed = ", ".join(str(i) for i in failed)
        raise errors.SegmentsFailed(f"Segments {listed} could not be generated. Regenerate them to finish.")
    return usable


def _audio_inputs(
    ctx: StepContext, work: Path, plan: Plan, job_assets: list[dict], music: dict | None
) -> tuple[list[AudioInput], list[CaptionCue]]:
    """Voice-over (with its word timings for captions), sound effects at their times, the music bed."""
    audio: list[AudioInput] = []
    cues: list[CaptionCue] = []
    for asset in job_assets:
        if asset["kind"] == "video_segment" or asset["status"] not in ("succeeded", "reused"):
            continue
        path = work / f"{asset['kind']}-{asset['idx']}{Path(asset['object_key']).suffix}"
        ctx.store.download_file(asset["object_key"], path)
        if asset["kind"] == "voiceover":
            audio.append(AudioInput(path=path, role="voice"))
            words = [WordTiming(*w) for w in asset["meta"].get("words") or []]
            cues = (
                captions_from_words(words)
                if words
                else captions_from_script(asset["spec"]["text"], plan.total_duration)
            )
        else:
            audio.append(AudioInput(path=path, role="effect", start=float(asset["spec"].get("at", 0.0))))
    if music:
        path = work / f"music{AUDIO_SUFFIX.get(music['content_type'], '.mp3')}"
        ctx.store.download_file(music["object_key"], path)
        audio.append(AudioInput(path=path, role="music"))
    return audio, cues


def _store_outputs(
    ctx: StepContext, job: dict, deliverables: dict[str, tuple[Path, str]]
) -> dict[str, str | None]:
    """Store the deliverables under the video id the finalize step will use (the job id)."""
    keys_by_name = {}
    for name, (path, content_type) in deliverables.items():
        key = keys.video_key(job["user_id"], job["project_id"], job["id"], name)
        ctx.store.put_file(key, path, content_type)
        keys_by_name[name] = key
    return {
        "video_key": keys_by_name["video.mp4"],
        "thumbnail_key": keys_by_name["thumb.jpg"],
        "small_key": keys_by_name["small.mp4"],
        "captions_key": keys_by_name.get("captions.vtt"),
    }


def finalize_job(ctx: StepContext, job_id: str) -> dict[str, str | None]:
    """Create the video row (expires in 7 days) and finish the job; safe to run twice.

    A job cancelled while it was composing gets no video: its outputs are removed instead.
    """
    with ctx.db.connection() as conn:
        job = jobs.get_any(conn, job_id, for_update=True)
        existing = videos.by_job(conn, job_id)
        if existing:
            return {"video_id": str(existing["id"])}
        if job["status"] not in ACTIVE_RENDER:  # cancelled (or failed) while composing
            ctx.store.delete_prefix(keys.video_prefix(job["user_id"], job["project_id"], job["id"]))
            return {"video_id": None}
        jobs.set_stage(conn, job_id, "finalizing")
        result = job["result"]
        project = projects.get(conn, job["user_id"], job["project_id"])
        spent = jobs.spent_usd(conn, job_id)
        video = videos.create(
            conn,
            id=job["id"],
            user_id=job["user_id"],
            project_id=job["project_id"],
            job_id=job["id"],
            plan_version=job["plan_version"],
            title=project["title"],
            object_key=result["video_key"],
            thumbnail_key=result["thumbnail_key"],
            small_key=result.get("small_key"),
            captions_key=result.get("captions_key"),
            duration_s=result["duration"],
            size_bytes=result["size_bytes"],
            width=OUTPUT_WIDTH,
            height=OUTPUT_HEIGHT,
            qa=result["qa"],
            models=result["models"],
            cost_usd=spent,
            expires_at=datetime.now(UTC) + VIDEO_TTL,
        )
        if jobs.transition(conn, job_id, to="succeeded", from_=("running", "paused"), stage="done"):
            projects.set_status(conn, job["project_id"], "ready")
            notifications.add(
                conn,
                user_id=job["user_id"],
                kind="video_ready",
                job_id=job["id"],
                video_id=video["id"],
                title="Your video is ready",
                body=project["title"],
            )
    return {"video_id": str(video["id"])}
