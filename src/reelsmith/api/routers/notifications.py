"""In-app notifications and the unread badge."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import Field

from reelsmith.services import notifications as service

from ..deps import Ctx, UserId
from ..schemas import Body

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


class MarkRead(Body):
    ids: list[UUID] | None = Field(default=None, max_length=500, description="Leave out to mark all read")


@router.get("", summary="My newest notifications and the unread count")
def list_notifications(ctx: Ctx, user_id: UserId, unread: bool = False) -> dict[str, Any]:
    return service.list_notifications(ctx, user_id, unread_only=unread)


@router.post("/read", summary="Mark notifications read")
def mark_read(ctx: Ctx, user_id: UserId, body: MarkRead | None = None) -> dict[str, int]:
    return {"marked": service.mark_read(ctx, user_id, (body or MarkRead()).ids)}
