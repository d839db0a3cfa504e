"""Submit and poll one generated asset. A retried or duplicated submit never pays twice.

Each paid attempt is a row keyed (job asset, attempt), inserted before the provider is called
and completed with the provider's task id before the step returns. A Step Functions retry of the
same submit finds that row and reuses the task; a new attempt happens only when a poll moves the
asset to the next model of its fallback chain.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from reelsmith.domain import errors
from reelsmith.domain.catalogue import VOICE_COST_PER_CHAR, video_model
from reelsmith.media.clipcheck import is_black_or_frozen
from reelsmith.media.probe import probe_media
from reelsmith.observability import logger
from reelsmith.providers.base import TaskStatus, VideoRequest
from reelsmith.store import jobs, keys

from .context import StepContext
from .render import describe_error

DURATION_TOLERANCE_S = 0.6
MAX_CLIP_BYTES = 512 * 1024 * 1024  # a 15 s clip is tens of MB; more is a wrong or hostile answer
RATIO_TOLERANCE = 0.02
PERMANENT_PROVIDER_ERRORS = (errors.ProviderRejected, errors.ProviderBadOutput, errors.ProviderAuthError)


def submit_asset(ctx: StepContext, job_id: str, job_asset_id: str) -> dict[str, str]:
    with ctx.db.connection() as conn:
        asset = jobs.get_asset(conn, job_asset_id)
        job = jobs.get_any(conn, job_id)
    if asset["status"] in ("succeeded", "reused"):
        return {"status": "succeeded"}
    if job["status"] in ("cancelled", "failed") or asset["status"] in ("failed", "cancelled"):
        return {"status": "failed"}
    if asset["kind"] == "video_segment":
        return {"status": _submit_video(ctx, job, asset)}
    return {"status": _generate_audio(ctx, job, asset)}


def _submit_video(ctx: StepContext, job: dict, asset: dict) -> str:
    if asset["status"] == "submitted" and asset["provider_task_id"]:
        return "submitted"  # a duplicate delivery: the task already exists
    attempt = asset["attempts"] + 1
    while True:
        model = asset["model"]
        provider = video_model(model).provider
        with ctx.db.connection() as conn:
            jobs.claim_attempt(conn, asset["id"], attempt, provider=provider, model=model)
        try:
            task_id = ctx.providers.video(model).submit(
                _video_request(ctx, asset, model), work_dir=ctx.provider_dir(str(asset["id"]))
            )
        except PERMANENT_PROVIDER_ERRORS as exc:
            asset = _record_attempt_failure(ctx, asset, attempt, exc.code, exc.message)
            if asset["status"] == "failed":
                return "failed"
            attempt += 1
            continue
        with ctx.db.connection() as conn:
            jobs.update_attempt(conn, asset["id"], attempt, provider_task_id=task_id, status="submitted")
            jobs.update_asset(
                conn,
                asset["id"],
                status="submitted",
                attempts=attempt,
                provider=provider,
                provider_task_id=task_id,
                submitted_at=_now(),
                progress=0.0,
            )
        logger.info(
            "asset submitted", extra={"job_id": str(job["id"]), "asset": asset["idx"], "model": model}
        )
        return "submitted"


def _video_request(ctx: StepContext, asset: dict, model: str) -> VideoRequest:
    spec = asset["spec"]
    image = None
    if spec.get("image_key"):
        image = ctx.provider_dir(str(asset["id"])) / "input-image"
        if not image.exists():
            ctx.store.download_file(spec["image_key"], image)
    return VideoRequest(
        model=model,
        prompt=spec["prompt"],
        duration=video_model(model).clip_seconds(float(spec["duration"])),
        negative_prompt=spec.get("negative_prompt", ""),
        image_path=image,
        palette=tuple(spec.get("palette") or ()),
        seed=asset["idx"],
    )


def _generate_audio(ctx: StepContext, job: dict, asset: dict) -> str:
    """Voice and effects are synchronous calls: generate, store, done, in one step."""
    spec = asset["spec"]
    attempt = asset["attempts"] + 1
    work = ctx.provider_dir(str(asset["id"]))
    if asset["kind"] == "voiceover":
        voice = ctx.providers.voice
        with ctx.db.connection() as conn:
            jobs.claim_attempt(conn, asset["id"], attempt, provider=voice.name, model=spec.get("voice", "en"))
        result = voice.synthesize(spec["text"], voice=spec.get("voice", "en"), out_path=work / "voice.wav")
        path, cost = (
            result.path,
            result.cost_usd or len(spec["text"]) * VOICE_COST_PER_CHAR.get(voice.name, 0.0),
        )
        meta = {"duration": result.duration, "words": [[w.word, w.start, w.end] for w in result.words]}
        provider_name = voice.name
    else:
        sound = ctx.providers.sound
        if sound is None:
            raise errors.ProviderRejected("Sound effects need an ElevenLabs key.", code="effects_unavailable")
        with ctx.db.connection() as conn:
            jobs.claim_attempt(conn, asset["id"], attempt, provider=sound.name, model="sound")
        path = sound.generate(spec["prompt"], duration=float(spec["duration"]), out_path=work / "effect.mp3")
        cost, meta, provider_name = 0.0, {"at": spec.get("at", 0.0)}, sound.name
    key = keys.job_asset_key(
        job["user_id"],
        job["project_id"],
        job["id"],
        asset["kind"],
        asset["idx"],
        attempt,
        path.suffix.lstrip("."),
    )
    ctx.store.put_file(key, path, "audio/wav" if path.suffix == ".wav" else "audio/mpeg")
    with ctx.db.connection() as conn:
        jobs.update_attempt(conn, asset["id"], attempt, status="succeeded", cost_usd=cost, finished_at=_now())
        jobs.update_asset(
            conn,
            asset["id"],
            status="succeeded",
            attempts=attempt,
            provider=provider_name,
            object_key=key,
            meta=meta,
            cost_usd=cost,
            progress=1.0,
            finished_at=_now(),
        )
    return "succeeded"


def poll_asset(
    ctx: StepContext, job_id: str, job_asset_id: str, polls: int, poll_budget: int
) -> dict[str, Any]:
    with ctx.db.connection() as conn:
        asset = jobs.get_asset(conn, job_asset_id)
        job = jobs.get_any(conn, job_id)
    polls += 1
    if asset["status"] in ("succeeded", "reused"):
        return {"status": "succeeded", "polls": polls}
    if asset["status"] in ("failed", "cancelled"):
        return {"status": "failed", "polls": polls}
    if job["status"] == "cancelled":
        cancel_asset(ctx, asset)
        return {"status": "failed", "polls": polls}
    if asset["status"] == "queued":  # moved to a fallback model: submit again
        return {"status": "resubmit", "polls": 0}

    try:
        status = ctx.providers.video(asset["model"]).poll(
            asset["provider_task_id"], work_dir=ctx.provider_dir(str(asset["id"]))
        )
    except PERMANENT_PROVIDER_ERRORS as exc:  # e.g. an unreadable answer: this attempt is lost, not the clip
        status = TaskStatus(state="failed", error_code=exc.code, error_message=exc.message)
    if status.state == "pending":
        if polls >= poll_budget:
            _cancel_at_provider(ctx, asset)  # a task we stop waiting for must not go on costing
            asset = _record_attempt_failure(
                ctx, asset, asset["attempts"], "provider_timeout", "The provider did not finish in time."
            )
            return {"status": "resubmit" if asset["status"] == "queued" else "failed", "polls": 0}
        with ctx.db.connection() as conn:
            jobs.update_asset(conn, asset["id"], progress=status.progress or 0.0)
        return {"status": "pending", "polls": polls}
    if status.state == "failed":
        asset = _record_attempt_failure(
            ctx,
            asset,
            asset["attempts"],
            status.error_code or "provider_failed",
            status.error_message or "The provider could not make this clip.",
        )
        return {"status": "resubmit" if asset["status"] == "queued" else "failed", "polls": 0}
    try:
        _ingest_clip(ctx, job, asset, status)
    except errors.ProviderBadOutput as exc:
        asset = _record_attempt_failure(ctx, asset, asset["attempts"], exc.code, exc.message)
        return {"status": "resubmit" if asset["status"] == "queued" else "failed", "polls": 0}
    return {"status": "succeeded", "polls": polls}


def _ingest_clip(ctx: StepContext, job: dict, asset: dict, status: TaskStatus) -> None:
    """Copy the provider's output into our storage at once (their URLs expire) and validate it."""
    work = ctx.provider_dir(str(asset["id"]))
    path = status.output_path
    if path is None:
        if not status.output_url:
            raise errors.ProviderBadOutput("The provider reported success without an output.")
        path = _download(status.output_url, work / "output.mp4")
    _validate_clip(path, video_model(asset["model"]).clip_seconds(float(asset["spec"]["duration"])))
    key = keys.job_asset_key(
        job["user_id"], job["project_id"], job["id"], asset["kind"], asset["idx"], asset["attempts"], "mp4"
    )
    ctx.store.put_file(key, path, "video/mp4")
    cost = status.cost_usd
    if cost is None:
        cost = video_model(asset["model"]).clip_cost(float(asset["spec"]["duration"]))
    with ctx.db.connection() as conn:
        jobs.update_attempt(
            conn, asset["id"], asset["attempts"], status="succeeded", cost_usd=cost, finished_at=_now()
        )
        jobs.update_asset(
            conn,
            asset["id"],
            status="succeeded",
            object_key=key,
            cost_usd=cost,
            progress=1.0,
            finished_at=_now(),
            meta=status.meta,
        )


def _download(url: str, path: Path) -> Path:
    try:
        with httpx.stream("GET", url, timeout=120, follow_redirects=True) as response:
            if response.status_code >= 500:
                raise errors.ProviderUnavailable("Could not download the generated clip.")
            if response.status_code != 200:
                raise errors.ProviderBadOutput("The generated clip could not be downloaded.")
            received = 0
            with path.open("wb") as out:
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    if received > MAX_CLIP_BYTES:
                        raise errors.ProviderBadOutput("The generated clip is larger than we accept.")
                    out.write(chunk)
    except httpx.TransportError as exc:
        raise errors.ProviderUnavailable("Could not download the generated clip.") from exc
    return path


def _validate_clip(path: Path, duration: float) -> None:
    """``duration``: the clip seconds asked of the model (compose trims it to the segment)."""
    try:
        probe = probe_media(path, expected="video")
    except errors.MediaRejected as exc:
        raise errors.ProviderBadOutput(f"The generated clip is not a playable video: {exc.message}") from exc
    if abs(probe.duration - duration) > max(DURATION_TOLERANCE_S, 0.1 * duration):
        raise errors.ProviderBadOutput(f"The clip lasts {probe.duration:.1f} s instead of {duration:g} s.")
    ratio = probe.display_width / probe.display_height
    if abs(ratio - 9 / 16) > RATIO_TOLERANCE:
        raise errors.ProviderBadOutput("The clip is not 9:16.")
    if reason := is_black_or_frozen(path):
        raise errors.ProviderBadOutput(reason)


def _record_attempt_failure(ctx: StepContext, asset: dict, attempt: int, code: str, message: str) -> dict:
    """Close the attempt, then move to the next model of the chain or mark the asset failed."""
    models: list[str] = asset["spec"].get("models") or [asset["model"]]
    position = models.index(asset["model"]) if asset["model"] in models else len(models)
    with ctx.db.connection() as conn:
        if attempt:
            jobs.update_attempt(
                conn,
                asset["id"],
                attempt,
                status="failed",
                error_code=code,
                error_message=message[:500],
                finished_at=_now(),
            )
        if position + 1 < len(models):
            next_model = models[position + 1]
            logger.info(
                "falling back", extra={"asset": asset["idx"], "from": asset["model"], "to": next_model}
            )
            return jobs.update_asset(
                conn,
                asset["id"],
                status="queued",
                model=next_model,
                attempts=attempt,
                provider=video_model(next_model).provider,
                provider_task_id=None,
                error_code=code,
                error_message=message[:500],
            )
        return jobs.update_asset(
            conn,
            asset["id"],
            status="failed",
            attempts=attempt,
            error_code=code,
            error_message=message[:500],
            finished_at=_now(),
        )


def record_asset_failure(ctx: StepContext, job_asset_id: str, error: dict[str, Any] | None) -> dict:
    """The Map item's Catch: a step raised something that is not retried."""
    code, message = describe_error(error)
    with ctx.db.connection() as conn:
        asset = jobs.get_asset(conn, job_asset_id)
        if asset["status"] not in ("succeeded", "reused"):
            jobs.update_asset(
                conn,
                job_asset_id,
                status="failed",
                error_code=code,
                error_message=message,
                finished_at=_now(),
            )
    return {}


def cancel_asset(ctx: StepContext, asset: dict) -> None:
    """Stop the provider task (best effort) and mark the asset cancelled; finished assets are kept."""
    if asset["status"] == "submitted":
        _cancel_at_provider(ctx, asset)
    with ctx.db.connection() as conn:
        jobs.cancel_unfinished_asset(conn, asset["id"])


def _cancel_at_provider(ctx: StepContext, asset: dict) -> None:
    if not asset["provider_task_id"]:
        return
    try:
        ctx.providers.video(asset["model"]).cancel(asset["provider_task_id"])
    except errors.ProviderError as exc:
        logger.warning("provider cancel failed", extra={"asset": asset["idx"], "code": exc.code})


def _now() -> datetime:
    return datetime.now(UTC)
