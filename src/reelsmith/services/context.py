"""The API process's context: the step context plus the workflow that runs jobs."""

from __future__ import annotations

from dataclasses import dataclass

from reelsmith.pipeline.context import StepContext, build_context, set_context
from reelsmith.settings import Settings
from reelsmith.store.db import Database
from reelsmith.workflow.base import Workflow


@dataclass
class AppContext(StepContext):
    workflow: Workflow | None = None

    def close(self) -> None:
        if self.workflow is not None and hasattr(self.workflow, "close"):
            self.workflow.close()
        self.db.close()


def build_app_context(
    settings: Settings, *, db: Database | None = None, workflow: Workflow | None = None
) -> AppContext:
    """Wire the API: in local mode the steps run in this process and share its context."""
    step = build_context(settings, db)
    ctx = AppContext(settings=step.settings, db=step.db, store=step.store, providers=step.providers)
    if workflow is None:
        workflow = make_workflow(settings)
    ctx.workflow = workflow
    if settings.workflow_backend == "local":
        set_context(ctx)
    return ctx


def make_workflow(settings: Settings) -> Workflow:
    if settings.workflow_backend == "stepfunctions":
        from reelsmith.workflow.stepfunctions import StepFunctionsWorkflow

        if not settings.state_machine_arn:
            raise RuntimeError("STATE_MACHINE_ARN must be set when WORKFLOW_BACKEND=stepfunctions")
        return StepFunctionsWorkflow(settings.state_machine_arn)
    from reelsmith.pipeline.handlers import HANDLERS
    from reelsmith.workflow.local import LocalWorkflow

    return LocalWorkflow(HANDLERS)
