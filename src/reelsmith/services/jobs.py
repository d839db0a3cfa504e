"""Starting, watching, pausing, cancelling and regenerating jobs.

A job row is committed before its execution starts, and executions are named after the job id,
so a repeated request (same Idempotency-Key, or while one runs) returns the same job and never
starts a second execution.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg

from reelsmith.domain import errors
from reelsmith.domain.analysis import AnalysisReport
from reelsmith.domain.catalogue import video_model
from reelsmith.domain.cost import estimate_cost
from reelsmith.domain.plan import Plan
from reelsmith.domain.progress import job_progress
from reelsmith.domain.render_assets import assets_for_plan
from reelsmith.observability import logger
from reelsmith.pipeline.assets import cancel_asset
from reelsmith.pipeline.planning import latest_report, user_settings
from reelsmith.store import assets, jobs, plans, projects, videos
from reelsmith.store.db import Connection

from . import limits
from .context import AppContext

PREVIEW_TTL_SECONDS = 300


def _request_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _existing(
    conn: Connection, user_id: UUID, project_id: UUID, kind: str, key: str | None, request_hash: str
) -> dict[str, Any] | None:
    if key:
        job = jobs.by_idempotency_key(conn, user_id, key)
        if job:
            if job["request_hash"] != request_hash:
                raise errors.Conflict(
                    "This Idempotency-Key was used for a different request.", code="idempotency_key_reused"
                )
            return job
    return jobs.active_for_project(conn, project_id, kind)


def start_analysis(ctx: AppContext, user_id: UUID, project_id: UUID, *, idempotency_key: str | None) -> dict:
    request_hash = _request_hash({"kind": "analyze", "project_id": project_id})
    with ctx.db.connection() as conn:
        projects.get(conn, user_id, project_id)
        if existing := _existing(conn, user_id, project_id, "analyze", idempotency_key, request_hash):
            return existing
        limits.check_rate(conn, ctx.settings, user_id, "job")  # limits: after replays, which are free
        if assets.ready_of_kind(conn, project_id, "sample_video") is None:
            raise errors.ValidationFailed("Upload a sample video first.", code="no_sample")
    return _create_and_start(ctx, user_id, project_id, "analyze", idempotency_key, request_hash)


def start_render(
    ctx: AppContext,
    user_id: UUID,
    project_id: UUID,
    *,
    plan_version: int | None,
    idempotency_key: str | None,
    only_segments: list[int] | None = None,
    parent: dict[str, Any] | None = None,
) -> dict:
    request_hash = _request_hash(
        {
            "kind": "render",
            "project_id": project_id,
            "plan_version": plan_version,
            "segments": only_segments,
            "parent": parent and parent["id"],
        }
    )
    with ctx.db.connection() as conn:
        project = projects.get(conn, user_id, project_id)
        if existing := _existing(conn, user_id, project_id, "render", idempotency_key, request_hash):
            return existing
        limits.check_rate(conn, ctx.settings, user_id, "job")  # limits: after replays, which are free
        version = plan_version or project["current_plan_version"]
        if version is None:
            raise errors.ValidationFailed("Make a plan before generating the video.", code="no_plan")
        plan = Plan.model_validate(plans.get_version(conn, project_id, version)["plan"])
        _check_budget(
            conn,
            user_id,
            plan,
            reused=_reusable(conn, parent, only_segments),
            audio_provider=ctx.providers.voice_provider,
        )
        specs = assets_for_plan(plan, segment_images=_segment_images(conn, project_id, plan))
    return _create_and_start(
        ctx,
        user_id,
        project_id,
        "render",
        idempotency_key,
        request_hash,
        plan_version=version,
        specs=specs,
        plan=plan,
        parent=parent,
        only_segments=only_segments,
    )


def _check_budget(
    conn: Connection, user_id: UUID, plan: Plan, *, reused: set[int], audio_provider: str
) -> None:
    """Refuse before anything is spent when the render would pass the monthly budget."""
    cost = estimate_cost(plan, audio_provider=audio_provider)
    estimate = cost.total_usd - sum(line.usd for line in cost.per_segment if line.index in reused)
    budget = user_settings(conn, user_id).monthly_budget_usd
    spent = jobs.spent_this_month(conn, user_id)
    if spent + estimate > budget + 1e-9:
        raise errors.BudgetExceeded(
            f"This render is estimated at ${estimate:.2f}; you have spent ${spent:.2f} of your "
            f"${budget:.2f} monthly budget. Raise the budget in settings or choose cheaper models."
        )


def _reusable(conn: Connection, parent: dict[str, Any] | None, only: list[int] | None) -> set[int]:
    if parent is None:
        return set()
    done = {
        a["idx"]
        for a in jobs.list_assets(conn, parent["id"])
        if a["kind"] == "video_segment" and a["status"] in ("succeeded", "reused")
    }
    return done - set(only or [])


def _segment_images(conn: Connection, project_id: UUID, plan: Plan) -> dict[int, str | None]:
    """The character image where the plan asks for it, else the keyframe of the mirrored shot."""
    character = assets.ready_of_kind(conn, project_id, "character_image")
    report: AnalysisReport | None = latest_report(conn, project_id)
    shots = report.shots if report else []
    images: dict[int, str | None] = {}
    for seg in plan.segments:
        if seg.use_character_image and character:
            images[seg.index] = character["object_key"]
        elif shots:
            shot = shots[
                seg.mirrors_shot
                if seg.mirrors_shot is not None and seg.mirrors_shot < len(shots)
                else seg.index % len(shots)
            ]
            images[seg.index] = shot.keyframe_key
        else:
            images[seg.index] = (
                character["object_key"] if character and video_model(seg.model).needs_image else None
            )
    return images


def _create_and_start(
    ctx: AppContext,
    user_id: UUID,
    project_id: UUID,
    kind: str,
    idempotency_key: str | None,
    request_hash: str,
    *,
    plan_version: int | None = None,
    specs: list | None = None,
    plan: Plan | None = None,
    parent: dict[str, Any] | None = None,
    only_segments: list[int] | None = None,
) -> dict:
    try:
        with ctx.db.connection() as conn:
            limits.check_active_jobs(conn, ctx.settings, user_id)  # limits: in the creating transaction
            job = jobs.create(
                conn,
                user_id=user_id,
                project_id=project_id,
                kind=kind,
                plan_version=plan_version,
                idempotency_key=idempotency_key,
                request_hash=request_hash,
                estimated_cost_usd=estimate_cost(plan).total_usd if plan else 0.0,
                parent_job_id=parent["id"] if parent else None,
            )
            previous = {a["idx"]: a for a in jobs.list_assets(conn, parent["id"])} if parent else {}
            for spec in specs or []:
                old = previous.get(spec.idx) if spec.kind == "video_segment" else None
                reused = (
                    old
                    if old is not None
                    and old["status"] in ("succeeded", "reused")
                    and spec.idx not in (only_segments or [])
                    else None
                )
                jobs.add_asset(
                    conn,
                    user_id=user_id,
                    job_id=job["id"],
                    kind=spec.kind,
                    idx=spec.idx,
                    spec=spec.spec,
                    model=spec.model,
                    provider=spec.provider,
                    status="reused" if reused else "queued",
                    object_key=reused["object_key"] if reused else None,
                    reused_from=reused["id"] if reused else None,
                )
            projects.set_status(conn, project_id, "analyzing" if kind == "analyze" else "rendering")
    except psycopg.errors.UniqueViolation:
        with ctx.db.connection() as conn:  # a concurrent request won: return its job
            found = (
                jobs.by_idempotency_key(conn, user_id, idempotency_key) if idempotency_key else None
            ) or jobs.active_for_project(conn, project_id, kind)
        if found is None:
            raise errors.Conflict("Another job was started at the same time; try again.") from None
        return found
    _start_execution(ctx, job)
    with ctx.db.connection() as conn:
        return jobs.get_any(conn, job["id"])


def _start_execution(ctx: AppContext, job: dict[str, Any]) -> None:
    settings = ctx.settings
    payload = {
        "action": job["kind"],
        "job_id": str(job["id"]),
        "poll_seconds": settings.poll_seconds,
        "poll_budget": settings.poll_budget,
        "max_concurrency": settings.max_concurrency,
    }
    assert ctx.workflow is not None
    try:
        arn = ctx.workflow.start(str(job["id"]), payload)
    except errors.Conflict:
        return  # already started under this name
    except Exception as exc:
        logger.exception("could not start the workflow", extra={"job_id": str(job["id"])})
        with ctx.db.connection() as conn:
            jobs.transition(
                conn,
                job["id"],
                to="failed",
                from_=("queued",),
                error_code="workflow_unavailable",
                error_message="The job could not be started. Try again in a minute.",
            )
        raise errors.ServiceUnavailable("The job could not be started. Try again in a minute.") from exc
    with ctx.db.connection() as conn:
        jobs.update(conn, job["id"], execution_arn=arn)


def cancel_job(ctx: AppContext, user_id: UUID, job_id: UUID) -> dict:
    """Stop the execution and the provider tasks; finished assets are kept for a regenerate."""
    with ctx.db.connection() as conn:
        job = jobs.get(conn, user_id, job_id)
        cancelled = jobs.transition(
            conn,
            job_id,
            to="cancelled",
            from_=("queued", "running", "paused"),
            error_code="cancelled",
            error_message="Cancelled by you.",
        )
        if cancelled:
            projects.set_status(conn, job["project_id"], "planned" if job["kind"] == "render" else "draft")
        pending = [a for a in jobs.list_assets(conn, job_id) if a["status"] in ("queued", "submitted")]
    if cancelled is None:
        if job["status"] == "cancelled":
            return job
        raise errors.Conflict("This job has already finished.", code="already_finished")
    if job["execution_arn"] and ctx.workflow is not None:
        ctx.workflow.stop(job["execution_arn"], "cancelled by the user")
    for asset in pending:
        cancel_asset(ctx, asset)
    with ctx.db.connection() as conn:
        return jobs.get_any(conn, job_id)


def set_paused(ctx: AppContext, user_id: UUID, job_id: UUID, paused: bool) -> dict:
    """Pause stops new submissions (in-flight assets finish); resume lets the gate pass again."""
    with ctx.db.connection() as conn:
        job = jobs.get(conn, user_id, job_id)
        if job["kind"] != "render":
            raise errors.Conflict("Only render jobs can be paused.", code="not_pausable")
        moved = (
            jobs.transition(conn, job_id, to="paused", from_=("queued", "running"))
            if paused
            else jobs.transition(conn, job_id, to="running", from_=("paused",))
        )
        if moved is None and job["status"] != ("paused" if paused else "running"):
            raise errors.Conflict("This job has already finished.", code="already_finished")
        return jobs.get_any(conn, job_id)


def regenerate(
    ctx: AppContext, user_id: UUID, project_id: UUID, segments: list[int] | None, idempotency_key: str | None
) -> dict:
    """A new render that regenerates failed (or the named, 1-based) segments and reuses the rest."""
    with ctx.db.connection() as conn:
        projects.get(conn, user_id, project_id)
        parent = jobs.latest_for_project(conn, project_id, "render")
    if parent is None:
        raise errors.ValidationFailed(
            "Nothing to regenerate yet: generate the video first.", code="no_render"
        )
    only = [s - 1 for s in segments] if segments else None
    return start_render(
        ctx,
        user_id,
        project_id,
        plan_version=parent["plan_version"],
        idempotency_key=idempotency_key,
        only_segments=only,
        parent=parent,
    )


def job_view(ctx: AppContext, job: dict[str, Any]) -> dict[str, Any]:
    """Everything the progress screen shows, with a short-lived preview URL per finished clip."""
    with ctx.db.connection() as conn:
        job_assets = jobs.list_assets(conn, job["id"])
        spent = jobs.spent_usd(conn, job["id"])
        video = videos.by_job(conn, job["id"])
    progress = job_progress(
        job, [a for a in job_assets if a["kind"] == "video_segment"] or job_assets, datetime.now(UTC)
    )
    items = []
    for a in job_assets:
        preview = None
        if a["status"] in ("succeeded", "reused") and a["object_key"]:
            preview = ctx.store.presign_get(a["object_key"], ttl=PREVIEW_TTL_SECONDS)
        items.append(
            {
                "id": a["id"],
                "kind": a["kind"],
                "index": a["idx"],
                "status": a["status"],
                "model": a["model"],
                "attempts": a["attempts"],
                "progress": a["progress"],
                "error_code": a["error_code"],
                "error_message": a["error_message"],
                "preview_url": preview,
                "cost_usd": float(a["cost_usd"]),
            }
        )
    return {
        "id": job["id"],
        "project_id": job["project_id"],
        "kind": job["kind"],
        "status": job["status"],
        "stage": progress.stage_label,
        "percent": progress.percent,
        "eta_seconds": progress.eta_seconds,
        "plan_version": job["plan_version"],
        "error_code": job["error_code"],
        "error_message": job["error_message"],
        "estimated_cost_usd": float(job["estimated_cost_usd"]),
        "spent_usd": spent,
        "assets": items,
        "video_id": video["id"] if video else None,
        "created_at": job["created_at"],
        "finished_at": job["finished_at"],
    }
