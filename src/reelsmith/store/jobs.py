"""Jobs and their generated assets. Status changes are compare-and-set, so races settle once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from reelsmith.domain.errors import NotFound
from reelsmith.store.db import Connection, one

COLUMNS = (
    "id, user_id, project_id, kind, status, stage, plan_version, parent_job_id, idempotency_key, request_hash,"
    " execution_arn, error_code, error_message, estimated_cost_usd, stage_timings, result, created_at,"
    " started_at, finished_at, updated_at"
)
ASSET_COLUMNS = (
    "id, user_id, job_id, kind, idx, status, spec, model, provider, attempts, provider_task_id, object_key, meta,"
    " progress, cost_usd, reused_from, error_code, error_message, submitted_at, finished_at, created_at"
)
ACTIVE = ("queued", "running", "paused")


def create(
    conn: Connection,
    *,
    user_id: UUID,
    project_id: UUID,
    kind: str,
    plan_version: int | None,
    idempotency_key: str | None,
    request_hash: str,
    estimated_cost_usd: float = 0.0,
    parent_job_id: UUID | None = None,
) -> dict[str, Any]:
    return one(
        conn.execute(
            f"""INSERT INTO jobs (user_id, project_id, kind, plan_version, idempotency_key, request_hash,
                              estimated_cost_usd, parent_job_id)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING {COLUMNS}""",
            (
                user_id,
                project_id,
                kind,
                plan_version,
                idempotency_key,
                request_hash,
                estimated_cost_usd,
                parent_job_id,
            ),
        )
    )


def get(conn: Connection, user_id: UUID, job_id: UUID) -> dict[str, Any]:
    row = conn.execute(
        f"SELECT {COLUMNS} FROM jobs WHERE id = %s AND user_id = %s", (job_id, user_id)
    ).fetchone()
    if row is None:
        raise NotFound("Job not found.", code="job_not_found")
    return row


def get_any(conn: Connection, job_id: UUID | str, *, for_update: bool = False) -> dict[str, Any]:
    """A job by id for the pipeline, which acts on behalf of the job's owner."""
    lock = " FOR UPDATE" if for_update else ""
    row = conn.execute(f"SELECT {COLUMNS} FROM jobs WHERE id = %s{lock}", (job_id,)).fetchone()
    if row is None:
        raise NotFound("Job not found.", code="job_not_found")
    return row


def by_idempotency_key(conn: Connection, user_id: UUID, key: str) -> dict[str, Any] | None:
    return conn.execute(
        f"SELECT {COLUMNS} FROM jobs WHERE user_id = %s AND idempotency_key = %s", (user_id, key)
    ).fetchone()


def active_for_project(conn: Connection, project_id: UUID, kind: str) -> dict[str, Any] | None:
    return conn.execute(
        f"SELECT {COLUMNS} FROM jobs WHERE project_id = %s AND kind = %s AND status IN {ACTIVE}",
        (project_id, kind),
    ).fetchone()


def latest_for_project(conn: Connection, project_id: UUID, kind: str | None = None) -> dict[str, Any] | None:
    kind_clause = " AND kind = %s" if kind else ""
    params: list[Any] = [project_id] + ([kind] if kind else [])
    return conn.execute(
        f"SELECT {COLUMNS} FROM jobs WHERE project_id = %s{kind_clause} ORDER BY created_at DESC, id DESC LIMIT 1",
        params,
    ).fetchone()


def list_page(conn: Connection, user_id: UUID, *, limit: int, status: str | None) -> list[dict[str, Any]]:
    status_clause = " AND status = %s" if status else ""
    params: list[Any] = [user_id] + ([status] if status else []) + [limit]
    return conn.execute(
        f"SELECT {COLUMNS} FROM jobs WHERE user_id = %s{status_clause} ORDER BY created_at DESC, id DESC LIMIT %s",
        params,
    ).fetchall()


def transition(
    conn: Connection, job_id: UUID | str, *, to: str, from_: Iterable[str], **fields: Any
) -> dict[str, Any] | None:
    """Move a job to ``to`` only if it is in one of ``from_``; None when someone else won the race."""
    sets = ["status = %s", "updated_at = now()"]
    params: list[Any] = [to]
    if to in ("succeeded", "failed", "cancelled"):
        sets.append("finished_at = now()")
    if to == "running":
        sets.append("started_at = COALESCE(started_at, now())")
    for name, value in fields.items():
        sets.append(f"{name} = %s")
        params.append(Jsonb(value) if isinstance(value, dict) else value)
    params += [job_id, list(from_)]
    return conn.execute(
        f"UPDATE jobs SET {', '.join(sets)} WHERE id = %s AND status = ANY(%s) RETURNING {COLUMNS}", params
    ).fetchone()


def update(conn: Connection, job_id: UUID | str, **fields: Any) -> None:
    sets = ", ".join(f"{name} = %s" for name in fields)
    values = [Jsonb(v) if isinstance(v, dict) else v for v in fields.values()]
    conn.execute(f"UPDATE jobs SET {sets}, updated_at = now() WHERE id = %s", [*values, job_id])


def set_stage(conn: Connection, job_id: UUID | str, stage: str) -> None:
    """Record the stage and when it started (stage timings feed progress and analytics)."""
    conn.execute(
        """UPDATE jobs SET stage = %s, updated_at = now(),
                  stage_timings = stage_timings || jsonb_build_object(%s::text, extract(epoch FROM now()))
           WHERE id = %s""",
        (stage, stage, job_id),
    )


# Job assets -------------------------------------------------------------------------------------


def add_asset(
    conn: Connection,
    *,
    user_id: UUID,
    job_id: UUID,
    kind: str,
    idx: int,
    spec: dict[str, Any],
    model: str | None,
    provider: str | None,
    status: str = "queued",
    object_key: str | None = None,
    reused_from: UUID | None = None,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return one(
        conn.execute(
            f"""INSERT INTO job_assets (user_id, job_id, kind, idx, spec, model, provider, status, object_key,
                                    reused_from, meta, progress, finished_at)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, CASE WHEN %s = 'reused' THEN now() END)
            RETURNING {ASSET_COLUMNS}""",
            (
                user_id,
                job_id,
                kind,
                idx,
                Jsonb(spec),
                model,
                provider,
                status,
                object_key,
                reused_from,
                Jsonb(meta or {}),
                1.0 if status == "reused" else 0.0,
                status,
            ),
        )
    )


def get_asset(conn: Connection, job_asset_id: UUID | str, *, for_update: bool = False) -> dict[str, Any]:
    lock = " FOR UPDATE" if for_update else ""
    row = conn.execute(
        f"SELECT {ASSET_COLUMNS} FROM job_assets WHERE id = %s{lock}", (job_asset_id,)
    ).fetchone()
    if row is None:
        raise NotFound("Job asset not found.", code="job_asset_not_found")
    return row


def list_assets(conn: Connection, job_id: UUID | str) -> list[dict[str, Any]]:
    return conn.execute(
        f"SELECT {ASSET_COLUMNS} FROM job_assets WHERE job_id = %s ORDER BY kind DESC, idx", (job_id,)
    ).fetchall()


def update_asset(conn: Connection, job_asset_id: UUID | str, **fields: Any) -> dict[str, Any]:
    sets = ", ".join(f"{name} = %s" for name in fields)
    values = [Jsonb(v) if isinstance(v, dict) else v for v in fields.values()]
    return one(
        conn.execute(
            f"UPDATE job_assets SET {sets} WHERE id = %s RETURNING {ASSET_COLUMNS}", [*values, job_asset_id]
        )
    )


def cancel_unfinished_asset(conn: Connection, job_asset_id: UUID | str) -> None:
    """Mark an asset cancelled unless it already finished (finished assets are kept)."""
    conn.execute(
        "UPDATE job_assets SET status = 'cancelled', finished_at = now() WHERE id = %s AND status IN ('queued','submitted')",
        (job_asset_id,),
    )


# Paid attempts ----------------------------------------------------------------------------------


def claim_attempt(
    conn: Connection, job_asset_id: UUID | str, attempt: int, *, provider: str, model: str
) -> dict[str, Any] | None:
    """Insert the attempt row before paying; None when it already exists (the caller reuses it)."""
    return conn.execute(
        """INSERT INTO asset_attempts (job_asset_id, attempt, provider, model) VALUES (%s, %s, %s, %s)
           ON CONFLICT (job_asset_id, attempt) DO NOTHING RETURNING *""",
        (job_asset_id, attempt, provider, model),
    ).fetchone()


def get_attempt(conn: Connection, job_asset_id: UUID | str, attempt: int) -> dict[str, Any] | None:
    return conn.execute(
        "SELECT * FROM asset_attempts WHERE job_asset_id = %s AND attempt = %s", (job_asset_id, attempt)
    ).fetchone()


def update_attempt(conn: Connection, job_asset_id: UUID | str, attempt: int, **fields: Any) -> None:
    sets = ", ".join(f"{name} = %s" for name in fields)
    conn.execute(
        f"UPDATE asset_attempts SET {sets} WHERE job_asset_id = %s AND attempt = %s",
        [*fields.values(), job_asset_id, attempt],
    )


def spent_usd(conn: Connection, job_id: UUID | str) -> float:
    row = one(
        conn.execute(
            """SELECT COALESCE(SUM(a.cost_usd), 0) AS spent FROM asset_attempts a
           JOIN job_assets ja ON ja.id = a.job_asset_id WHERE ja.job_id = %s""",
            (job_id,),
        )
    )
    return float(row["spent"])


def spent_this_month(conn: Connection, user_id: UUID) -> float:
    row = one(
        conn.execute(
            """SELECT COALESCE(SUM(a.cost_usd), 0) AS spent FROM asset_attempts a
           JOIN job_assets ja ON ja.id = a.job_asset_id
           WHERE ja.user_id = %s AND a.created_at >= date_trunc('month', now())""",
            (user_id,),
        )
    )
    return float(row["spent"])
