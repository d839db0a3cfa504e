"""Start, stop and describe job executions: AWS Step Functions, or the same ASL run locally on moto.

``reelsmith.workflow.stepfunctions`` needs only boto3; ``reelsmith.workflow.local`` imports moto (the
``local`` extra), so neither is imported here.
"""

from reelsmith.workflow.base import (
    FUNCTION_SUBSTITUTIONS,
    ExecutionStatus,
    LambdaHandler,
    Workflow,
    load_definition,
    substitute,
    wait_until_done,
)

__all__ = [
    "FUNCTION_SUBSTITUTIONS",
    "ExecutionStatus",
    "LambdaHandler",
    "Workflow",
    "load_definition",
    "substitute",
    "wait_until_done",
]
