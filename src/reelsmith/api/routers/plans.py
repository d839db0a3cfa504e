"""Analysis report, plan versions, and the chat that edits plans."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from reelsmith.domain.catalogue import VIDEO_MODELS
from reelsmith.domain.errors import NotFound
from reelsmith.services import plans as service
from reelsmith.store import analyses, projects

from ..deps import Ctx, UserId
from ..schemas import ChatRequest, GeneratePlanRequest, PlanPatch

router = APIRouter(tags=["plans"])
KEYFRAME_URL_TTL = 600


@router.get("/api/models", summary="The video model catalogue, with which models are available now")
def list_models(ctx: Ctx, user_id: UserId) -> dict[str, Any]:
    available = set(ctx.providers.available_models())
    return {
        "items": [
            {**model.model_dump(), "available": model.id in available} for model in VIDEO_MODELS.values()
        ]
    }


@router.get("/api/projects/{project_id}/analysis", summary="The latest analysis report with keyframe URLs")
def get_analysis(project_id: UUID, ctx: Ctx, user_id: UserId) -> dict[str, Any]:
    with ctx.db.connection() as conn:
        projects.get(conn, user_id, project_id)
        row = analyses.latest(conn, project_id)
    if row is None:
        raise NotFound("This project has no analysis yet.", code="analysis_not_found")
    report = row["report"]
    for shot in report.get("shots", []):
        key = shot.pop("keyframe_key", None)
        shot["keyframe_url"] = ctx.store.presign_get(key, ttl=KEYFRAME_URL_TTL) if key else None
    return {
        "version": row["version"],
        "summary": row["summary"],
        "source": row["source"],
        "created_at": row["created_at"],
        "report": report,
    }


@router.post("/api/generate-plan", status_code=201, summary="Write a new plan version from the analysis")
def generate_plan(body: GeneratePlanRequest, ctx: Ctx, user_id: UserId) -> dict:
    return service.generate(ctx, user_id, body.project_id, body.target_duration)


@router.get("/api/projects/{project_id}/plan", summary="The current plan with its cost estimate")
def current_plan(project_id: UUID, ctx: Ctx, user_id: UserId) -> dict:
    return service.current(ctx, user_id, project_id)


@router.get("/api/projects/{project_id}/plans", summary="Plan history, newest first")
def plan_history(project_id: UUID, ctx: Ctx, user_id: UserId) -> dict:
    return {"items": service.history(ctx, user_id, project_id)}


@router.get("/api/projects/{project_id}/plans/{version}", summary="One plan version")
def plan_version(project_id: UUID, version: int, ctx: Ctx, user_id: UserId) -> dict:
    return service.version(ctx, user_id, project_id, version)


@router.patch(
    "/api/projects/{project_id}/plans/{version}",
    status_code=201,
    summary="Edit a plan directly: the result is validated and saved as a new version",
)
def patch_plan(project_id: UUID, version: int, body: PlanPatch, ctx: Ctx, user_id: UserId) -> dict:
    return service.patch(ctx, user_id, project_id, version, body.changes)


@router.post(
    "/api/projects/{project_id}/plans/{version}/restore",
    status_code=201,
    summary="Restore an old version as the newest",
)
def restore_plan(project_id: UUID, version: int, ctx: Ctx, user_id: UserId) -> dict:
    return service.restore(ctx, user_id, project_id, version)


@router.post("/api/chat", summary="Ask the assistant to change the plan")
def chat(body: ChatRequest, ctx: Ctx, user_id: UserId) -> dict:
    return service.chat(ctx, user_id, body.project_id, body.message)


@router.get("/api/projects/{project_id}/chat", summary="The project's chat history")
def chat_history(project_id: UUID, ctx: Ctx, user_id: UserId) -> dict:
    return {"items": service.messages(ctx, user_id, project_id)}
