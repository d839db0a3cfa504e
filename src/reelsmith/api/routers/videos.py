"""The video library: list, show, favourite, delete, download and share finished videos."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import Field

from reelsmith.domain.rules import VIDEO_TTL
from reelsmith.services import sharing
from reelsmith.services import videos as service
from reelsmith.store.videos import VideoFilters

from ..deps import Ctx, UserId
from ..schemas import Body, FavoriteBody

router = APIRouter(prefix="/api/videos", tags=["videos"])


class ShareRequest(Body):
    expires_in_hours: float | None = Field(
        default=None,
        gt=0,
        le=VIDEO_TTL.total_seconds() / 3600,
        description="Default and maximum: the video's expiry",
    )


def _utc(moment: datetime | None) -> datetime | None:
    """A date-time without an offset is read as UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


@router.get("", summary="My videos: filter, search, sort, cursor pagination")
def list_videos(
    ctx: Ctx,
    user_id: UserId,
    project_id: UUID | None = None,
    status: Literal["ready", "expired"] = "ready",
    favorite: bool | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    min_duration: Annotated[float | None, Query(ge=0)] = None,
    max_duration: Annotated[float | None, Query(ge=0)] = None,
    model: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Words in the title, description or prompts")
    ] = None,
    sort: Literal["created_desc", "created_asc", "duration_desc", "duration_asc"] = "created_desc",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
) -> dict[str, Any]:
    filters = VideoFilters(
        project_id=project_id,
        status=status,
        favorite=favorite,
        created_from=_utc(created_from),
        created_to=_utc(created_to),
        min_duration=min_duration,
        max_duration=max_duration,
        model=model,
        query=q,
    )
    return service.list_videos(ctx, user_id, filters, sort=sort, limit=limit, cursor=cursor)


@router.get("/{video_id}", summary="A video: metadata, QA report, plan version, stream URL, share state")
def get_video(video_id: UUID, ctx: Ctx, user_id: UserId) -> dict[str, Any]:
    return service.video_detail(ctx, user_id, video_id)


@router.delete("/{video_id}", status_code=204, summary="Delete a video and its files")
def delete_video(video_id: UUID, ctx: Ctx, user_id: UserId) -> Response:
    service.delete_video(ctx, user_id, video_id)
    return Response(status_code=204)


@router.post("/{video_id}/favorite", summary="Mark or unmark a video as favourite")
def favorite_video(
    video_id: UUID, ctx: Ctx, user_id: UserId, body: FavoriteBody | None = None
) -> dict[str, Any]:
    return service.set_favorite(ctx, user_id, video_id, (body or FavoriteBody()).favorite)


@router.get(
    "/{video_id}/download",
    status_code=302,
    response_class=RedirectResponse,
    responses={200: {"description": 'With redirect=false: {"url": ...}'}},
    summary="302 to a short-lived download URL: the 1080x1920 master, a 720x1280 copy, thumbnail, captions",
)
def download_video(
    video_id: UUID,
    ctx: Ctx,
    user_id: UserId,
    variant: Literal["master", "small", "thumbnail", "captions"] = "master",
    redirect: bool = True,
) -> Response:
    """``redirect=false`` answers {"url"} instead, for clients on another origin than the storage."""
    url = service.download_url(ctx, user_id, video_id, variant)
    if not redirect:
        return JSONResponse({"url": url}, headers={"Cache-Control": "no-store"})
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})


@router.post("/{video_id}/share", summary="Create a share link (replaces the previous one)")
def share_video(
    video_id: UUID, ctx: Ctx, user_id: UserId, body: ShareRequest | None = None
) -> dict[str, Any]:
    return sharing.create_share(ctx, user_id, video_id, (body or ShareRequest()).expires_in_hours)


@router.delete("/{video_id}/share", status_code=204, summary="Revoke the share link")
def revoke_share(video_id: UUID, ctx: Ctx, user_id: UserId) -> Response:
    sharing.revoke_share(ctx, user_id, video_id)
    return Response(status_code=204)
