"""A stand-in pipeline that speaks the handler contract of ``state_machine.asl.json``, and one local
engine per test session (creating the state machine parses the ASL with moto's ANTLR parser: seconds).

The stand-in records every event, checks each one carries exactly the fields the contract names
(a payload drift in the ASL shows up as a contract violation), and answers with default behaviours
that a test overrides per action.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from reelsmith.workflow.base import ExecutionStatus, wait_until_done
from reelsmith.workflow.local import LocalWorkflow

Behaviour = Callable[[dict[str, Any]], dict[str, Any]]

# function key -> action -> the exact event fields of the contract
CONTRACT: dict[str, dict[str, set[str]]] = {
    "analyze": {"analyze": {"action", "job_id"}},
    "plan": {"plan": {"action", "job_id"}},
    "generate_segment": {
        "prepare_render": {"action", "job_id"},
        "gate": {"action", "job_id", "job_asset_id"},
        "submit_asset": {"action", "job_id", "job_asset_id"},
        "poll_asset": {"action", "job_id", "job_asset_id", "polls", "poll_budget"},
        "record_asset_failure": {"action", "job_id", "job_asset_id", "error"},
        "fail_job": {"action", "job_id", "error"},
    },
    "compose": {"compose": {"action", "job_id"}, "finalize": {"action", "job_id"}},
}


class StandInPipeline:
    """Thread-safe recording handlers; ``behaviour[action]`` decides each answer (and may raise)."""

    def __init__(self, items: int = 3, polls_until_done: int = 3) -> None:
        self.items = items
        self._lock = threading.Lock()
        self.events: list[dict[str, Any]] = []
        self.violations: list[str] = []
        self.behaviour: dict[str, Behaviour] = {
            "analyze": lambda e: {"analysis_id": "analysis-1"},
            "plan": lambda e: {"plan_version": 1},
            "prepare_render": lambda e: {
                "items": [{"job_asset_id": f"{e['job_id']}-asset-{i}"} for i in range(self.items)]
            },
            "gate": lambda e: {"state": "go"},
            "submit_asset": lambda e: {"status": "submitted"},
            "poll_asset": lambda e: {
                "status": "succeeded" if e["polls"] + 1 >= polls_until_done else "pending",
                "polls": e["polls"] + 1,
            },
            "record_asset_failure": lambda e: {},
            "fail_job": lambda e: {},
            "compose": lambda e: {"video_key": f"videos/{e['job_id']}.mp4"},
            "finalize": lambda e: {"video_id": f"video-{e['job_id']}"},
        }

    def handlers(self) -> dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]]:
        return {key: self._handler(key) for key in CONTRACT}

    def _handler(self, key: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
            action = event.get("action")
            with self._lock:
                self.events.append(event)
                expected = CONTRACT[key].get(str(action))
                if expected != set(event):
                    self.violations.append(f"function {key} got {event}")
            return self.behaviour[str(action)](event)

        return handle

    def actions(self) -> list[str]:
        return [event["action"] for event in self.events]

    def calls(self, action: str, job_asset_id: str | None = None) -> list[dict[str, Any]]:
        return [
            e
            for e in self.events
            if e["action"] == action and (job_asset_id is None or e.get("job_asset_id") == job_asset_id)
        ]

    def count(self) -> Counter[str]:
        return Counter(self.actions())


class Engine:
    """The session's LocalWorkflow with this test's stand-in plugged in."""

    def __init__(self, workflow: LocalWorkflow, pipeline: StandInPipeline) -> None:
        self.workflow = workflow
        self.pipeline = pipeline

    def start(self, action: str, job_id: str | None = None, **overrides: Any) -> tuple[str, str]:
        job_id = job_id or f"job-{uuid.uuid4().hex[:12]}"
        payload = {"action": action, "job_id": job_id, "poll_seconds": 0, "poll_budget": 10}
        payload |= {"max_concurrency": 3, **overrides}
        return job_id, self.workflow.start(job_id, payload)

    def run(self, action: str, **overrides: Any) -> tuple[str, ExecutionStatus]:
        job_id, execution_arn = self.start(action, **overrides)
        return job_id, wait_until_done(self.workflow, execution_arn, timeout=30)


@pytest.fixture(scope="session")
def handler_table() -> dict[str, Any]:
    """The mutable handler mapping the session engine reads on every invocation."""
    return {}


@pytest.fixture(scope="session")
def local_workflow(handler_table: dict[str, Any]) -> Iterator[LocalWorkflow]:
    handler_table.update(StandInPipeline().handlers())
    with LocalWorkflow(handler_table, fast_retries=True) as workflow:
        yield workflow


@pytest.fixture
def engine(local_workflow: LocalWorkflow, handler_table: dict[str, Any]) -> Iterator[Engine]:
    pipeline = StandInPipeline()
    handler_table.update(pipeline.handlers())
    yield Engine(local_workflow, pipeline)
    assert pipeline.violations == [], "the ASL sent events outside the handler contract"
