"""The Lambda event handlers, in one table shared by AWS Lambda and the local engine.

A function key ("analyze", "plan", "generate_segment", "compose") names a Lambda function; each
accepts the actions listed for it. Events are parsed with pydantic (Powertools parser models), so
a malformed event fails loudly with a validation error instead of half-running a step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from reelsmith.domain.errors import BadRequest
from reelsmith.observability import logger

from . import analyze, assets, compose, planning, render
from .context import StepContext, get_context


class StepEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    action: str
    job_id: UUID
    job_asset_id: UUID | None = None
    polls: int = 0
    poll_budget: int = 120
    error: dict[str, Any] | None = None


def _asset_id(event: StepEvent) -> str:
    if event.job_asset_id is None:
        raise BadRequest("job_asset_id is required for this action.")
    return str(event.job_asset_id)


ACTIONS: dict[str, Callable[[StepContext, StepEvent], dict[str, Any]]] = {
    "analyze": lambda ctx, e: analyze.run_analyze(ctx, str(e.job_id)),
    "plan": lambda ctx, e: planning.run_plan(ctx, str(e.job_id)),
    "prepare_render": lambda ctx, e: render.prepare_render(ctx, str(e.job_id)),
    "gate": lambda ctx, e: render.gate(ctx, str(e.job_id)),
    "submit_asset": lambda ctx, e: assets.submit_asset(ctx, str(e.job_id), _asset_id(e)),
    "poll_asset": lambda ctx, e: assets.poll_asset(ctx, str(e.job_id), _asset_id(e), e.polls, e.poll_budget),
    "record_asset_failure": lambda ctx, e: assets.record_asset_failure(ctx, _asset_id(e), e.error),
    "fail_job": lambda ctx, e: render.fail_job(ctx, str(e.job_id), e.error),
    "compose": lambda ctx, e: compose.compose_job(ctx, str(e.job_id)),
    "finalize": lambda ctx, e: compose.finalize_job(ctx, str(e.job_id)),
}

FUNCTION_ACTIONS: dict[str, frozenset[str]] = {
    "analyze": frozenset({"analyze"}),
    "plan": frozenset({"plan"}),
    "generate_segment": frozenset(
        {"prepare_render", "gate", "submit_asset", "poll_asset", "record_asset_failure", "fail_job"}
    ),
    "compose": frozenset({"compose", "finalize"}),
}


def handle(function: str, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    parsed = StepEvent.model_validate(event)
    if parsed.action not in FUNCTION_ACTIONS[function]:
        raise BadRequest(f"{function} does not handle action {parsed.action!r}.")
    logger.thread_safe_append_keys(job_id=str(parsed.job_id), action=parsed.action)
    try:
        return ACTIONS[parsed.action](get_context(), parsed)
    finally:
        logger.thread_safe_remove_keys(["job_id", "action"])


def lambda_handler_for(function: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point of one function, with structured logs carrying the job id."""

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return handle(function, event, context)

    return handler


def _handler(function: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    def run(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        return handle(function, event, context)

    return run


HANDLERS: dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]] = {
    name: _handler(name) for name in FUNCTION_ACTIONS
}
