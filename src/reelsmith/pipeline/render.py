"""Job control steps of the state machine: prepare the Map, gate on pause/cancel, fail the job."""

from __future__ import annotations

import json
from typing import Any

from reelsmith.domain import errors
from reelsmith.observability import logger
from reelsmith.store import jobs, notifications, projects

from .context import StepContext

# Error names we raise on purpose carry a message meant for the user; anything else is internal.
USER_FACING_ERRORS = {
    cls.__name__: cls
    for cls in errors.ReelsmithError.__subclasses__() + errors.ProviderError.__subclasses__()
}
USER_FACING_ERRORS.update({"MediaRejected": errors.MediaRejected})


def prepare_render(ctx: StepContext, job_id: str) -> dict[str, Any]:
    with ctx.db.connection() as conn:
        jobs.transition(conn, job_id, to="running", from_=("queued",))
        jobs.set_stage(conn, job_id, "generating")
        pending = [a for a in jobs.list_assets(conn, job_id) if a["status"] not in ("succeeded", "reused")]
    return {"items": [{"job_asset_id": str(a["id"])} for a in pending]}


def gate(ctx: StepContext, job_id: str) -> dict[str, str]:
    """'wait' while the job is paused (in-flight assets finish), 'stop' once it is cancelled."""
    with ctx.db.connection() as conn:
        status = jobs.get_any(conn, job_id)["status"]
    return {"state": {"paused": "wait", "cancelled": "stop", "failed": "stop"}.get(status, "go")}


def describe_error(error: dict[str, Any] | None) -> tuple[str, str]:
    """(code, message) for a Step Functions error: ours keep their message, others stay generic."""
    error = error or {}
    name = str(error.get("Error", ""))
    cls = USER_FACING_ERRORS.get(name)
    if cls is None:
        return "internal_error", "The job stopped because of an internal error. Try again."
    try:
        message = json.loads(error.get("Cause") or "{}").get("errorMessage") or cls.default_message
    except (json.JSONDecodeError, AttributeError):
        message = cls.default_message
    return cls.code, str(message)[:500]


def fail_job(ctx: StepContext, job_id: str, error: dict[str, Any] | None) -> dict[str, Any]:
    code, message = describe_error(error)
    logger.warning(
        "job failed", extra={"job_id": job_id, "error_name": (error or {}).get("Error"), "code": code}
    )
    with ctx.db.connection() as conn:
        job = jobs.transition(
            conn,
            job_id,
            to="failed",
            from_=("queued", "running", "paused"),
            error_code=code,
            error_message=message,
        )
        if job:
            projects.set_status(conn, job["project_id"], "failed" if job["kind"] == "render" else "draft")
            notifications.add(
                conn,
                user_id=job["user_id"],
                kind="job_failed",
                job_id=job["id"],
                title=f"Your {job['kind']} job failed",
                body=message,
            )
    return {}
