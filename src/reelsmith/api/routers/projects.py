"""Projects and their uploads."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response

from reelsmith.services import projects as service
from reelsmith.services import uploads
from reelsmith.store import projects

from ..deps import Ctx, UserId
from ..schemas import FavoriteBody, ProjectCreate, ProjectPatch, UploadCreate

router = APIRouter(prefix="/api/projects", tags=["projects"])

PRIVATE_FIELDS = ("user_id", "object_key")


def public(row: dict[str, Any]) -> dict[str, Any]:
    """A row as the client may see it: no owner id, no storage key."""
    return {k: v for k, v in row.items() if k not in PRIVATE_FIELDS}


@router.get("", summary="List my projects (newest first, cursor pagination)")
def list_projects(
    ctx: Ctx,
    user_id: UserId,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[
        Literal["draft", "analyzing", "analyzed", "planned", "rendering", "ready", "failed"] | None, Query()
    ] = None,
    favorite: bool | None = None,
) -> dict[str, Any]:
    page = service.list_projects(
        ctx, user_id, limit=limit, cursor=cursor, search=search, status=status, favorite=favorite
    )
    return {"items": [public(p) for p in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("", status_code=201, summary="Create a project")
def create_project(body: ProjectCreate, ctx: Ctx, user_id: UserId) -> dict[str, Any]:
    with ctx.db.connection() as conn:
        return public(
            projects.create(conn, user_id, title=body.title, description=body.description, brief=body.brief)
        )


@router.get("/{project_id}", summary="A project with its uploads and latest job")
def get_project(project_id: UUID, ctx: Ctx, user_id: UserId) -> dict[str, Any]:
    project = service.project_detail(ctx, user_id, project_id)
    project["uploads"] = [public(u) for u in project["uploads"]]
    if project["latest_job"]:
        project["latest_job"] = {k: project["latest_job"][k] for k in ("id", "kind", "status", "stage")}
    return public(project)


@router.patch("/{project_id}", summary="Rename or edit a project")
def patch_project(project_id: UUID, body: ProjectPatch, ctx: Ctx, user_id: UserId) -> dict[str, Any]:
    with ctx.db.connection() as conn:
        return public(projects.update(conn, user_id, project_id, **body.model_dump(exclude_none=True)))


@router.post("/{project_id}/favorite", summary="Mark or unmark a project as favourite")
def favorite_project(project_id: UUID, ctx: Ctx, user_id: UserId, body: FavoriteBody | None = None) -> dict:
    with ctx.db.connection() as conn:
        return public(projects.update(conn, user_id, project_id, favorite=(body or FavoriteBody()).favorite))


@router.delete("/{project_id}", status_code=204, summary="Delete a project, its uploads, jobs and videos")
def delete_project(project_id: UUID, ctx: Ctx, user_id: UserId) -> Response:
    service.delete_project(ctx, user_id, project_id)
    return Response(status_code=204)


@router.post("/{project_id}/uploads", status_code=201, summary="Start an upload: returns a presigned PUT")
def create_upload(project_id: UUID, body: UploadCreate, ctx: Ctx, user_id: UserId) -> dict[str, Any]:
    result = uploads.create_upload(
        ctx,
        user_id,
        project_id,
        kind=body.kind,
        content_type=body.content_type,
        size_bytes=body.size_bytes,
        filename=body.filename,
    )
    return {**result, "upload": public(result["upload"])}


@router.post("/{project_id}/uploads/{upload_id}/complete", summary="Verify and attach an uploaded file")
def complete_upload(project_id: UUID, upload_id: UUID, ctx: Ctx, user_id: UserId) -> dict[str, Any]:
    return public(uploads.complete_upload(ctx, user_id, project_id, upload_id))
