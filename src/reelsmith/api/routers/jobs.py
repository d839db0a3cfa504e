"""Jobs: start analysis and renders, follow progress, pause, resume, cancel, regenerate."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from reelsmith.services import jobs as service
from reelsmith.store import jobs, projects

from ..deps import Ctx, UserId
from ..schemas import AnalyzeRequest, GenerateVideoRequest, RegenerateRequest

router = APIRouter(tags=["jobs"])
EVENT_INTERVAL_SECONDS = 1.0
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


@router.post("/api/analyze", status_code=202, summary="Analyse the project's sample video")
def analyze(body: AnalyzeRequest, ctx: Ctx, user_id: UserId, idempotency_key: IdempotencyKey = None) -> dict:
    job = service.start_analysis(ctx, user_id, body.project_id, idempotency_key=idempotency_key)
    return service.job_view(ctx, job)


@router.post("/api/generate-video", status_code=202, summary="Render the video from a plan version")
def generate_video(
    body: GenerateVideoRequest, ctx: Ctx, user_id: UserId, idempotency_key: IdempotencyKey = None
) -> dict:
    job = service.start_render(
        ctx, user_id, body.project_id, plan_version=body.plan_version, idempotency_key=idempotency_key
    )
    return service.job_view(ctx, job)


@router.get("/api/jobs", summary="My recent jobs")
def list_jobs(
    ctx: Ctx,
    user_id: UserId,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    status: Literal["queued", "running", "paused", "succeeded", "failed", "cancelled"] | None = None,
) -> dict[str, Any]:
    with ctx.db.connection() as conn:
        rows = jobs.list_page(conn, user_id, limit=limit, status=status)
    keep = ("id", "project_id", "kind", "status", "stage", "error_code", "created_at", "finished_at")
    return {"items": [{k: r[k] for k in keep} for r in rows]}


@router.get("/api/jobs/{job_id}", summary="A job's stage, percent, ETA, per-asset status and cost")
def get_job(job_id: UUID, ctx: Ctx, user_id: UserId) -> dict:
    return _view(ctx, user_id, job_id)


@router.get("/api/jobs/{job_id}/events", summary="Server-Sent Events: the job view on every change")
async def job_events(job_id: UUID, request: Request, ctx: Ctx, user_id: UserId) -> StreamingResponse:
    """The job view on every change, until the job ends (local serve; the cloud API is polled)."""
    with ctx.db.connection() as conn:
        jobs.get(conn, user_id, job_id)

    async def stream() -> AsyncIterator[str]:
        last = None
        while not await request.is_disconnected():
            view = await run_in_threadpool(_view, ctx, user_id, job_id)
            payload = json.dumps(jsonable_encoder(view))
            if payload != last:
                yield f"event: job\ndata: {payload}\n\n"
                last = payload
            if view["status"] in ("succeeded", "failed", "cancelled"):
                return
            await asyncio.sleep(EVENT_INTERVAL_SECONDS)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


def _view(ctx: Ctx, user_id: UUID, job_id: UUID) -> dict:
    with ctx.db.connection() as conn:
        job = jobs.get(conn, user_id, job_id)
    return service.job_view(ctx, job)


@router.post("/api/jobs/{job_id}/cancel", summary="Cancel: stops the execution and provider tasks")
def cancel(job_id: UUID, ctx: Ctx, user_id: UserId) -> dict:
    return service.job_view(ctx, service.cancel_job(ctx, user_id, job_id))


@router.post("/api/jobs/{job_id}/pause", summary="Pause: no new submissions; in-flight assets finish")
def pause(job_id: UUID, ctx: Ctx, user_id: UserId) -> dict:
    return service.job_view(ctx, service.set_paused(ctx, user_id, job_id, True))


@router.post("/api/jobs/{job_id}/resume", summary="Resume a paused render")
def resume(job_id: UUID, ctx: Ctx, user_id: UserId) -> dict:
    return service.job_view(ctx, service.set_paused(ctx, user_id, job_id, False))


@router.get(
    "/api/projects/{project_id}/progress", summary="The project's latest job, as on the progress screen"
)
def project_progress(project_id: UUID, ctx: Ctx, user_id: UserId) -> dict:
    with ctx.db.connection() as conn:
        projects.get(conn, user_id, project_id)
        job = jobs.latest_for_project(conn, project_id)
    return {"job": service.job_view(ctx, job) if job else None}


@router.post(
    "/api/projects/{project_id}/regenerate",
    status_code=202,
    summary="Regenerate failed (or the named) segments and reuse the rest",
)
def regenerate(
    project_id: UUID,
    ctx: Ctx,
    user_id: UserId,
    body: RegenerateRequest | None = None,
    idempotency_key: IdempotencyKey = None,
) -> dict:
    job = service.regenerate(ctx, user_id, project_id, body.segments if body else None, idempotency_key)
    return service.job_view(ctx, job)
