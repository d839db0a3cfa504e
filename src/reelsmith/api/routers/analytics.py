"""The caller's analytics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from reelsmith.services.analytics import user_analytics

from ..deps import Ctx, UserId

router = APIRouter(tags=["analytics"])


@router.get(
    "/api/analytics", summary="Videos made, success rate, stage timings, models, failures, spend, trends"
)
def analytics(ctx: Ctx, user_id: UserId) -> dict[str, Any]:
    return user_analytics(ctx, user_id)
