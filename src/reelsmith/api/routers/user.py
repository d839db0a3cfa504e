"""Your data: export it, delete it, import an export back."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from reelsmith.domain import clock
from reelsmith.domain.errors import ValidationFailed
from reelsmith.services import user_data as service

from ..deps import Ctx, UserId
from ..schemas import Body

router = APIRouter(prefix="/api/user", tags=["your data"])
ZIP_TYPES = ("application/zip", "application/x-zip-compressed")


class ClearData(Body):
    confirm: Literal["DELETE MY DATA"]


@router.get(
    "/export-data",
    response_class=StreamingResponse,
    summary="Everything I own as a ZIP of JSON files (video links are short-lived)",
)
def export_data(ctx: Ctx, user_id: UserId) -> StreamingResponse:
    name = f"reelsmith-export-{clock.now():%Y-%m-%d}.zip"
    return StreamingResponse(
        service.export_archive(ctx, user_id),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.post("/clear-data", summary='Delete all my data and files; send {"confirm": "DELETE MY DATA"}')
def clear_data(body: ClearData, ctx: Ctx, user_id: UserId) -> dict[str, Any]:
    return {"deleted": service.clear_data(ctx, user_id)}


@router.post(
    "/import-data",
    summary="Restore projects, plans and chat from an export ZIP (new ids; all or nothing)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {z: {"schema": {"type": "string", "format": "binary"}} for z in ZIP_TYPES},
        }
    },
)
async def import_data(request: Request, ctx: Ctx, user_id: UserId) -> dict[str, Any]:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() not in ZIP_TYPES:
        raise ValidationFailed(
            "Send the export as the request body with Content-Type application/zip.",
            code="unsupported_media_type",
        )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > service.MAX_ARCHIVE_BYTES:
            raise ValidationFailed("The archive is too large.", code="archive_too_large")
    return {"imported": await run_in_threadpool(service.import_archive, ctx, user_id, bytes(body))}
