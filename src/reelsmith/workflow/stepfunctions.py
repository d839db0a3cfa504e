"""The workflow on AWS Step Functions (also what the local engine talks to, through moto's server)."""

from __future__ import annotations

import json
from typing import Any

import boto3

from reelsmith.domain.errors import Conflict, NotFound
from reelsmith.workflow.base import ExecutionStatus

_MAX_CAUSE_CHARS = 32_768  # StopExecution's limit on ``cause``


class StepFunctionsWorkflow:
    """Start, stop and describe executions of one state machine; the execution name is the job id."""

    def __init__(self, state_machine_arn: str, client: Any | None = None) -> None:
        self.state_machine_arn = state_machine_arn
        self._client = client or boto3.client("stepfunctions")

    def start(self, job_id: str, payload: dict[str, Any]) -> str:
        # Step Functions treats a start with the same name *and input* as a running execution as
        # idempotent and answers with that execution; a job must still never start twice, so ask first.
        if self._exists(self.execution_arn(job_id)):
            raise _duplicate(job_id)
        try:
            response = self._client.start_execution(
                stateMachineArn=self.state_machine_arn, name=job_id, input=json.dumps(payload)
            )
        except self._client.exceptions.ExecutionAlreadyExists as exc:
            raise _duplicate(job_id) from exc
        return str(response["executionArn"])

    def stop(self, execution_arn: str, cause: str) -> None:
        if self.describe(execution_arn).status != "RUNNING":
            return
        self._client.stop_execution(executionArn=execution_arn, cause=cause[:_MAX_CAUSE_CHARS])

    def describe(self, execution_arn: str) -> ExecutionStatus:
        try:
            response = self._client.describe_execution(executionArn=execution_arn)
        except self._client.exceptions.ExecutionDoesNotExist as exc:
            raise NotFound(f"No workflow execution {execution_arn}.") from exc
        output = response.get("output")
        return ExecutionStatus(
            status=response["status"],
            error=response.get("error"),
            cause=response.get("cause"),
            output=json.loads(output) if output else None,
        )

    def execution_arn(self, job_id: str) -> str:
        """The ARN Step Functions gives the execution named ``job_id`` of this state machine."""
        prefix, machine_name = self.state_machine_arn.split(":stateMachine:", 1)
        return f"{prefix}:execution:{machine_name}:{job_id}"

    def _exists(self, execution_arn: str) -> bool:
        try:
            self._client.describe_execution(executionArn=execution_arn)
        except self._client.exceptions.ExecutionDoesNotExist:
            return False
        return True


def _duplicate(job_id: str) -> Conflict:
    return Conflict(f"Job {job_id} already has a workflow execution.", code="duplicate_execution")
