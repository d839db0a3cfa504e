"""StepFunctionsWorkflow against moto's plain Step Functions mock (executions stay RUNNING)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from reelsmith.domain.errors import Conflict, NotFound
from reelsmith.workflow.base import load_definition, placeholders, substitute
from reelsmith.workflow.stepfunctions import StepFunctionsWorkflow

PAYLOAD = {"action": "render", "job_id": "job-1", "poll_seconds": 5, "poll_budget": 120, "max_concurrency": 3}


@pytest.fixture
def workflow() -> Iterator[StepFunctionsWorkflow]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": False}}):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        definition = load_definition()
        arns = {
            name: f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
            for name in placeholders(definition)
        }
        machine = client.create_state_machine(
            name="reelsmith-jobs",
            definition=substitute(definition, arns),
            roleArn="arn:aws:iam::123456789012:role/reelsmith-states",
        )
        yield StepFunctionsWorkflow(machine["stateMachineArn"], client=client)


def test_start_names_the_execution_after_the_job(
    workflow: StepFunctionsWorkflow,
) -> None:
    execution_arn = workflow.start("job-1", PAYLOAD)

    assert execution_arn == workflow.execution_arn("job-1")
    assert execution_arn.endswith(":execution:reelsmith-jobs:job-1")
    client = boto3.client("stepfunctions", region_name="us-east-1")
    described = client.describe_execution(executionArn=execution_arn)
    assert json.loads(described["input"]) == PAYLOAD
    assert workflow.describe(execution_arn).status == "RUNNING"


@pytest.mark.parametrize("second_payload", [PAYLOAD, {**PAYLOAD, "action": "analyze"}])
def test_a_second_start_of_the_same_job_is_refused(
    workflow: StepFunctionsWorkflow, second_payload: dict[str, object]
) -> None:
    workflow.start("job-1", PAYLOAD)

    with pytest.raises(Conflict) as refused:
        workflow.start("job-1", second_payload)

    assert refused.value.code == "duplicate_execution"
    assert refused.value.status == 409


def test_stop_aborts_a_running_execution_and_is_idempotent(workflow: StepFunctionsWorkflow) -> None:
    execution_arn = workflow.start("job-1", PAYLOAD)

    workflow.stop(execution_arn, "cancelled by the user")
    workflow.stop(execution_arn, "cancelled again")

    assert workflow.describe(execution_arn).status == "ABORTED"


def test_an_unknown_execution_is_not_found(workflow: StepFunctionsWorkflow) -> None:
    with pytest.raises(NotFound):
        workflow.describe(workflow.execution_arn("never-started"))
