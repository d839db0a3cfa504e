"""The caller's preferences (defaults are documented on the model and in docs/data-lifecycle.md)."""

from __future__ import annotations

from fastapi import APIRouter

from reelsmith.domain.user_settings import UserSettings
from reelsmith.services import settings as service

from ..deps import Ctx, UserId

router = APIRouter(prefix="/api/settings", tags=["settings"])


@router.get("", summary="My settings, defaults filled in")
def get_settings(ctx: Ctx, user_id: UserId) -> UserSettings:
    return service.get_settings(ctx, user_id)


@router.put("", summary="Replace my settings (validated; fields left out take their defaults)")
@router.post("", summary="Same as PUT", include_in_schema=False)
def put_settings(body: UserSettings, ctx: Ctx, user_id: UserId) -> UserSettings:
    return service.put_settings(ctx, user_id, body)
