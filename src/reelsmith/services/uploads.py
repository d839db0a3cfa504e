"""Uploads: the browser PUTs to a presigned URL, then the server verifies what actually landed.

Nothing the client says is trusted: the key is ours, the size is checked against the object,
and the media is probed with a pinned demuxer. Bad media gets a clear 422 and its object is
removed, so nothing is left behind.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any
from uuid import UUID

from reelsmith.domain.errors import MediaRejected, RateLimited, ValidationFailed
from reelsmith.domain.models import UploadKind
from reelsmith.domain.rules import UPLOAD_LIMITS
from reelsmith.media.isolated_probe import check_upload_isolated
from reelsmith.observability import logger
from reelsmith.pipeline.planning import user_settings
from reelsmith.store import assets, keys, projects

from . import jobs as job_service
from .context import AppContext
from .limits import check_rate


def create_upload(
    ctx: AppContext,
    user_id: UUID,
    project_id: UUID,
    *,
    kind: UploadKind,
    content_type: str,
    size_bytes: int,
    filename: str,
) -> dict[str, Any]:
    limits = UPLOAD_LIMITS[kind.value]
    if content_type not in limits.content_types:
        allowed = ", ".join(limits.content_types)
        raise ValidationFailed(f"A {kind.value} must be one of: {allowed}.", code="unsupported_content_type")
    if size_bytes > limits.max_bytes:
        raise ValidationFailed(
            f"The file is too large: at most {limits.max_bytes // (1024 * 1024)} MB.", code="file_too_large"
        )
    asset_id = uuid.uuid4()
    key = keys.upload_key(user_id, project_id, asset_id, kind.value)
    with ctx.db.connection() as conn:
        projects.get(conn, user_id, project_id)
        check_rate(conn, ctx.settings, user_id, "upload")  # limits: every upload may start a job
        row = assets.create(
            conn,
            asset_id=asset_id,
            user_id=user_id,
            project_id=project_id,
            kind=kind.value,
            object_key=key,
            content_type=content_type,
            size_bytes=size_bytes,
            filename=filename[:200],
        )
    ttl = ctx.settings.upload_url_ttl_seconds
    upload = ctx.store.presign_put(key, content_type=content_type, content_length=size_bytes, ttl=ttl)
    return {
        "upload": row,
        "url": upload.url,
        "method": upload.method,
        "headers": upload.headers,
        "expires_in": ttl,
    }


def complete_upload(ctx: AppContext, user_id: UUID, project_id: UUID, upload_id: UUID) -> dict[str, Any]:
    with ctx.db.connection() as conn:
        row = assets.get(conn, user_id, project_id, upload_id)
    if row["status"] == "ready":
        return row  # completing twice is harmless
    if row["status"] != "pending":
        raise ValidationFailed("This upload was rejected; start a new one.", code="upload_rejected")
    info = ctx.store.head(row["object_key"])
    if info is None:
        raise ValidationFailed("Nothing was uploaded yet.", code="upload_missing")
    try:
        if info.size != row["size_bytes"]:
            raise MediaRejected(
                f"The uploaded file has {info.size} bytes, not the {row['size_bytes']} announced.",
                code="size_mismatch",
            )
        probe = _probe(ctx, row)
    except MediaRejected:
        _reject(ctx, row)
        raise
    with ctx.db.connection() as conn:
        ready = assets.mark_ready(conn, row["id"], probe)
        auto = row["kind"] == "sample_video" and user_settings(conn, user_id).auto_analyze
    if auto:
        try:
            job_service.start_analysis(ctx, user_id, project_id, idempotency_key=f"auto-analyze-{upload_id}")
        except RateLimited:  # limits: the upload stands; the user starts the analysis when a slot frees
            logger.info("auto-analysis refused by the limits", extra={"upload_id": str(upload_id)})
    return ready


def _probe(ctx: AppContext, row: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        path = Path(tmp) / "upload"
        ctx.store.download_file(row["object_key"], path)
        return check_upload_isolated(path, UploadKind(row["kind"])).model_dump(mode="json")


def _reject(ctx: AppContext, row: dict[str, Any]) -> None:
    """Bad media leaves nothing behind: the object and the row go."""
    ctx.store.delete(row["object_key"])
    with ctx.db.connection() as conn:
        assets.delete(conn, row["id"])
    logger.info("upload rejected", extra={"upload_id": str(row["id"]), "kind": row["kind"]})
