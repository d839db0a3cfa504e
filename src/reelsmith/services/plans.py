"""Plan versions and the chat that reshapes them. Every change is a new version; nothing is lost."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import ValidationError

from reelsmith.domain.cost import estimate_cost
from reelsmith.domain.errors import NotFound, ValidationFailed
from reelsmith.domain.plan import Plan
from reelsmith.domain.plan_diff import diff_plans
from reelsmith.domain.plan_rules import normalise_for
from reelsmith.pipeline import planning
from reelsmith.store import analyses, plans, projects

from . import limits
from .context import AppContext

KEYFRAME_URL_TTL = 600


def plan_view(row: dict[str, Any]) -> dict[str, Any]:
    plan = Plan.model_validate(row["plan"])
    return {
        "version": row["version"],
        "source": row["source"],
        "note": row["note"],
        "created_at": row["created_at"],
        "plan": row["plan"],
        "cost": estimate_cost(plan).model_dump(),
    }


def generate(
    ctx: AppContext, user_id: UUID, project_id: UUID, target_duration: float | None
) -> dict[str, Any]:
    with ctx.db.connection() as conn:
        projects.get(conn, user_id, project_id)
        limits.check_rate(conn, ctx.settings, user_id, "assistant")  # limits: planning may call an LLM
        row = planning.make_plan(
            ctx,
            conn,
            user_id=user_id,
            project_id=project_id,
            target_duration=target_duration,
            source="planner",
        )
    return plan_view(row)


def current(ctx: AppContext, user_id: UUID, project_id: UUID) -> dict[str, Any]:
    with ctx.db.connection() as conn:
        project = projects.get(conn, user_id, project_id)
        if project["current_plan_version"] is None:
            raise NotFound("There is no plan yet.", code="plan_not_found")
        return plan_view(plans.get_version(conn, project_id, project["current_plan_version"]))


def version(ctx: AppContext, user_id: UUID, project_id: UUID, number: int) -> dict[str, Any]:
    with ctx.db.connection() as conn:
        projects.get(conn, user_id, project_id)
        return plan_view(plans.get_version(conn, project_id, number))


def history(ctx: AppContext, user_id: UUID, project_id: UUID) -> list[dict[str, Any]]:
    with ctx.db.connection() as conn:
        projects.get(conn, user_id, project_id)
        return [plan_view(row) for row in plans.list_versions(conn, project_id)]


def restore(ctx: AppContext, user_id: UUID, project_id: UUID, number: int) -> dict[str, Any]:
    with ctx.db.connection() as conn:
        projects.get(conn, user_id, project_id)
        old = plans.get_version(conn, project_id, number)
        row = planning.save_plan(
            conn,
            user_id=user_id,
            project_id=project_id,
            plan=Plan.model_validate(old["plan"]),
            source="restore",
            note=f"Restored version {number}",
        )
    return plan_view(row)


def patch(
    ctx: AppContext, user_id: UUID, project_id: UUID, number: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Apply a direct edit (a partial plan) on top of a version; the rules validate the result."""
    with ctx.db.connection() as conn:
        projects.get(conn, user_id, project_id)
        base = plans.get_version(conn, project_id, number)["plan"]
        prefs = planning.preferences(conn, ctx.providers, user_id, project_id)
        merged = _merge(base, changes)
        try:
            plan = normalise_for(merged, prefs, target_duration=float(merged.get("target_duration") or 0))
        except (ValidationError, ValueError, TypeError) as exc:
            raise ValidationFailed(
                f"The plan is not valid: {_first_error(exc)}", code="invalid_plan"
            ) from exc
        row = planning.save_plan(
            conn,
            user_id=user_id,
            project_id=project_id,
            plan=plan,
            source="edit",
            note="; ".join(diff_plans(Plan.model_validate(base), plan)),
        )
    return plan_view(row)


def _merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        if key == "segments" and isinstance(value, list):
            segments = [dict(s) for s in base.get("segments", [])]
            for change in value:
                if not isinstance(change, dict) or not isinstance(change.get("index"), int):
                    raise ValidationFailed("Each segment change needs its index.", code="invalid_plan")
                if not 0 <= change["index"] < len(segments):
                    raise ValidationFailed(f"There is no segment {change['index'] + 1}.", code="invalid_plan")
                segments[change["index"]].update(change)
            merged["segments"] = segments
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = {**base[key], **value}
        else:
            merged[key] = value
    return merged


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
    return str(exc)


def chat(ctx: AppContext, user_id: UUID, project_id: UUID, message: str) -> dict[str, Any]:
    """The assistant edits the current plan; a changed plan becomes a new version with a diff."""
    with ctx.db.connection() as conn:
        project = projects.get(conn, user_id, project_id)
        if project["current_plan_version"] is None:
            raise ValidationFailed("Analyse the sample or generate a plan first.", code="no_plan")
        limits.check_rate(conn, ctx.settings, user_id, "assistant")  # limits: the editor may call an LLM
        old = Plan.model_validate(
            plans.get_version(conn, project_id, project["current_plan_version"])["plan"]
        )
        prefs = planning.preferences(conn, ctx.providers, user_id, project_id)
        plans.add_message(
            conn,
            user_id=user_id,
            project_id=project_id,
            role="user",
            content=message,
            plan_version=project["current_plan_version"],
        )
    result = planning.editor(ctx.providers).apply(old, message, prefs)
    with ctx.db.connection() as conn:
        new_version, changes = None, []
        if result.plan is not None and result.plan != old:
            changes = diff_plans(old, result.plan)
            row = planning.save_plan(
                conn,
                user_id=user_id,
                project_id=project_id,
                plan=result.plan,
                source="chat",
                note="; ".join(changes),
            )
            new_version = plan_view(row)
        reply = plans.add_message(
            conn,
            user_id=user_id,
            project_id=project_id,
            role="assistant",
            content=result.reply,
            plan_version=new_version["version"] if new_version else None,
        )
    return {
        "reply": reply,
        "understood": result.understood,
        "not_understood": result.not_understood,
        "changes": changes,
        "plan": new_version,
    }


def messages(ctx: AppContext, user_id: UUID, project_id: UUID) -> list[dict[str, Any]]:
    with ctx.db.connection() as conn:
        projects.get(conn, user_id, project_id)
        return plans.list_messages(conn, project_id)


def analysis_view(ctx: AppContext, user_id: UUID, project_id: UUID) -> dict[str, Any]:
    """The latest report, with a short-lived URL per keyframe instead of its storage key."""
    with ctx.db.connection() as conn:
        projects.get(conn, user_id, project_id)
        row = analyses.latest(conn, project_id)
    if row is None:
        raise NotFound("This project has no analysis yet.", code="analysis_not_found")
    report = row["report"]
    for shot in report.get("shots", []):
        key = shot.pop("keyframe_key", None)
        shot["keyframe_url"] = ctx.store.presign_get(key, ttl=KEYFRAME_URL_TTL) if key else None
    return {
        "version": row["version"],
        "summary": row["summary"],
        "source": row["source"],
        "created_at": row["created_at"],
        "report": report,
    }
