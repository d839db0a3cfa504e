"""What the rest of Reelsmith needs from a workflow engine, whichever one runs the state machine.

Executions are named after the job id, so the engine itself refuses a second start of the same job.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

ASL_PATH_ENV = "REELSMITH_ASL_PATH"
_REPO_ASL_PATH = Path(__file__).resolve().parents[3] / "state_machine.asl.json"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")

# A pipeline Lambda handler: the Task's Payload and a Lambda context in, a small JSON-able dict out.
LambdaHandler = Callable[[dict[str, Any], Any], Any]

Status = Literal["RUNNING", "SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"]

# The Lambda function keys of the pipeline and the DefinitionSubstitutions that carry their ARNs.
FUNCTION_SUBSTITUTIONS: dict[str, str] = {
    "analyze": "AnalyzeFunctionArn",
    "plan": "PlanFunctionArn",
    "generate_segment": "GenerateSegmentFunctionArn",
    "compose": "ComposeFunctionArn",
}


@dataclass(frozen=True)
class ExecutionStatus:
    """One execution as the API shows it; ``error``/``cause`` are set when it FAILED."""

    status: Status
    error: str | None = None
    cause: str | None = None
    output: dict[str, Any] | None = None


class Workflow(Protocol):
    def start(self, job_id: str, payload: dict[str, Any]) -> str:
        """Start the execution named ``job_id``; return its ARN. Raises Conflict if that name was used."""
        ...

    def stop(self, execution_arn: str, cause: str) -> None:
        """Abort a running execution; stopping a finished one does nothing."""
        ...

    def describe(self, execution_arn: str) -> ExecutionStatus: ...


def load_definition(path: str | Path | None = None) -> str:
    """The ASL text from ``path``, else ``$REELSMITH_ASL_PATH``, else the repo root state_machine.asl.json."""
    chosen = path or os.environ.get(ASL_PATH_ENV) or _REPO_ASL_PATH
    return Path(chosen).read_text(encoding="utf-8")


def placeholders(definition: str) -> set[str]:
    """The ``${Name}`` DefinitionSubstitutions the ASL expects."""
    return set(_PLACEHOLDER.findall(definition))


def substitute(definition: str, arns: dict[str, str]) -> str:
    """Replace every ``${Name}`` with ``arns[Name]``, as SAM's DefinitionSubstitutions does."""
    missing = placeholders(definition) - arns.keys()
    if missing:
        raise ValueError(f"No value for DefinitionSubstitutions {sorted(missing)}")
    return _PLACEHOLDER.sub(lambda match: arns[match.group(1)], definition)


def wait_until_done(
    workflow: Workflow, execution_arn: str, *, timeout: float = 60.0, interval: float = 0.05
) -> ExecutionStatus:
    """Poll ``describe`` until the execution leaves RUNNING (for the CLI demo and tests)."""
    deadline = time.monotonic() + timeout
    while True:
        execution = workflow.describe(execution_arn)
        if execution.status != "RUNNING":
            return execution
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{execution_arn} still RUNNING after {timeout} s")
        time.sleep(interval)
