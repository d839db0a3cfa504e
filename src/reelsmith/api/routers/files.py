"""Local storage's signed URLs: the folder store's stand-in for presigned R2 PUT and GET."""

from __future__ import annotations

import tempfile

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from reelsmith.domain.errors import NotFound, ValidationFailed
from reelsmith.store.objects import LocalObjectStore

from ..deps import Ctx

router = APIRouter(tags=["files"], include_in_schema=False)
SPOOL_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024


def _local(ctx: Ctx) -> LocalObjectStore:
    if not isinstance(ctx.store, LocalObjectStore):
        raise NotFound()
    return ctx.store


@router.put("/files/{key:path}")
async def put_file(key: str, request: Request, ctx: Ctx) -> Response:
    """Stream the body to a spooled buffer (bounded by the signed length), then store it atomically."""
    store = _local(ctx)
    signed = store.verify(key, "put", dict(request.query_params))
    if request.headers.get("content-type", "") != signed["content_type"]:
        raise ValidationFailed("Content-Type does not match the signed upload.", code="content_type_mismatch")
    expected = signed["content_length"]
    if expected is None:
        raise ValidationFailed("The upload link does not carry a length.", code="size_mismatch")
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as buffer:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > expected:
                raise ValidationFailed("The body is longer than the signed upload.", code="size_mismatch")
            buffer.write(chunk)
        buffer.seek(0)
        chunks = iter(lambda: buffer.read(CHUNK_BYTES), b"")
        await run_in_threadpool(store.write_stream, key, chunks, expected, signed["content_type"])
    return Response(status_code=200)


@router.get("/files/{key:path}")
def get_file(key: str, request: Request, ctx: Ctx) -> FileResponse:
    store = _local(ctx)
    signed = store.verify(key, "get", dict(request.query_params))
    path = store.path_for(key)
    if not path.is_file():
        raise NotFound()
    return FileResponse(
        path,
        media_type=signed.get("content_type") or None,
        filename=signed.get("filename"),
        content_disposition_type="attachment" if signed.get("filename") else "inline",
    )
