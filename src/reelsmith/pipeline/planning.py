"""Plan step and the planning helpers shared with the API's plan and chat services."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from reelsmith.domain.analysis import AnalysisReport
from reelsmith.domain.cost import estimate_cost
from reelsmith.domain.plan import Plan, PlanPreferences
from reelsmith.domain.user_settings import UserSettings
from reelsmith.providers.offline.plan_editor import PlanEditor
from reelsmith.providers.offline.planner import RuleBasedPlanner
from reelsmith.providers.registry import ProviderRegistry
from reelsmith.store import analyses, assets, jobs, notifications, plans, projects, users
from reelsmith.store.db import Connection

from .context import StepContext


def user_settings(conn: Connection, user_id: UUID) -> UserSettings:
    return UserSettings.model_validate(users.get_settings(conn, user_id))


def preferences(
    conn: Connection, providers: ProviderRegistry, user_id: UUID, project_id: UUID
) -> PlanPreferences:
    prefs = user_settings(conn, user_id)
    return PlanPreferences(
        preferred_models=prefs.preferred_models,
        excluded_models=prefs.excluded_models,
        has_character_image=assets.ready_of_kind(conn, project_id, "character_image") is not None,
        captions=prefs.captions,
        voice=prefs.default_voice,
        monthly_budget_usd=prefs.monthly_budget_usd,
        spent_this_month_usd=jobs.spent_this_month(conn, user_id),
        available_models=providers.available_models(),
        has_sample_keyframes=analyses.latest(conn, project_id) is not None,
        has_custom_audio=assets.ready_of_kind(conn, project_id, "audio") is not None,
    )


def planner(providers: ProviderRegistry) -> Any:
    if providers.llm is not None:
        from reelsmith.providers.llm_planner import LLMPlanner

        return LLMPlanner(providers.llm, RuleBasedPlanner())
    return RuleBasedPlanner()


def editor(providers: ProviderRegistry) -> Any:
    if providers.llm is not None:
        from reelsmith.providers.llm_planner import LLMPlanEditor

        return LLMPlanEditor(providers.llm, PlanEditor())
    return PlanEditor()


def latest_report(conn: Connection, project_id: UUID) -> AnalysisReport | None:
    row = analyses.latest(conn, project_id)
    return AnalysisReport.model_validate(row["report"]) if row else None


def save_plan(
    conn: Connection, *, user_id: UUID, project_id: UUID, plan: Plan, source: str, note: str = ""
) -> dict[str, Any]:
    """Store a new plan version with its cost estimate and mark the project planned."""
    row = plans.add_version(
        conn,
        user_id=user_id,
        project_id=project_id,
        plan=plan.model_dump(mode="json"),
        source=source,
        note=note,
        estimated_cost_usd=estimate_cost(plan).total_usd,
    )
    projects.set_status(conn, project_id, "planned")
    return row


def make_plan(
    ctx: StepContext,
    conn: Connection,
    *,
    user_id: UUID,
    project_id: UUID,
    target_duration: float | None,
    source: str,
) -> dict[str, Any]:
    project = projects.get(conn, user_id, project_id)
    prefs = preferences(conn, ctx.providers, user_id, project_id)
    report = latest_report(conn, project_id)
    target = target_duration or user_settings(conn, user_id).default_target_duration
    plan = planner(ctx.providers).plan(report, brief=project["brief"], target_duration=target, settings=prefs)
    return save_plan(conn, user_id=user_id, project_id=project_id, plan=plan, source=source, note=plan.notes)


def run_plan(ctx: StepContext, job_id: str) -> dict[str, int]:
    with ctx.db.connection() as conn:
        job = jobs.get_any(conn, job_id)
        jobs.set_stage(conn, job_id, "planning")
        row = make_plan(
            ctx,
            conn,
            user_id=job["user_id"],
            project_id=job["project_id"],
            target_duration=None,
            source="planner",
        )
        if jobs.transition(conn, job_id, to="succeeded", from_=("running",), stage="done"):
            notifications.add(
                conn,
                user_id=job["user_id"],
                kind="analysis_ready",
                job_id=job["id"],
                title="Your sample is analysed",
                body="A plan is ready to review.",
            )
    return {"plan_version": row["version"]}
