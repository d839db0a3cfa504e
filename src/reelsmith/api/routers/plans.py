"""Analysis report, plan versions, and the chat that edits plans."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from reelsmith.domain.catalogue import VIDEO_MODELS
from reelsmith.services import plans as service

from ..deps import Ctx, UserId
from ..schemas import ChatRequest, GeneratePlanRequest, PlanPatch

router = APIRouter(tags=["plans"])


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
    return service.analysis_view(ctx, user_id, project_id)


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
