"""The real state_machine.asl.json, run by the local engine against stand-in handlers."""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
import pytest
from moto import mock_aws

from reelsmith.domain.errors import Conflict, ProviderRejected, ProviderThrottled, SegmentsFailed
from reelsmith.workflow.base import wait_until_done

from .conftest import Engine


def test_analyze_runs_analyze_then_plan_and_keeps_the_input(engine: Engine) -> None:
    job_id, result = engine.run("analyze")

    assert result.status == "SUCCEEDED"
    assert engine.pipeline.actions() == ["analyze", "plan"]
    assert result.output is not None
    assert result.output["job_id"] == job_id
    assert result.output["analyze"] == {"payload": {"analysis_id": "analysis-1"}}


def test_render_generates_every_asset_then_composes_and_finalizes(engine: Engine) -> None:
    job_id, result = engine.run("render")

    assert result.status == "SUCCEEDED"
    pipeline = engine.pipeline
    for i in range(3):
        asset = f"{job_id}-asset-{i}"
        assert len(pipeline.calls("gate", asset)) == 1
        assert len(pipeline.calls("submit_asset", asset)) == 1
        assert [e["polls"] for e in pipeline.calls("poll_asset", asset)] == [0, 1, 2]
        assert {e["poll_budget"] for e in pipeline.calls("poll_asset", asset)} == {10}
    assert pipeline.actions()[0] == "prepare_render"
    assert pipeline.actions()[-2:] == ["compose", "finalize"]
    assert pipeline.count()["record_asset_failure"] == pipeline.count()["fail_job"] == 0
    assert result.output is not None
    assert result.output["finalize"] == {"video_id": f"video-{job_id}"}


def test_an_asset_submitted_as_already_done_is_not_polled(engine: Engine) -> None:
    engine.pipeline.behaviour["submit_asset"] = lambda e: {"status": "succeeded"}

    _, result = engine.run("render")

    assert result.status == "SUCCEEDED"
    assert engine.pipeline.count()["poll_asset"] == 0


def test_a_permanently_failed_asset_does_not_fail_the_render(engine: Engine) -> None:
    def poll(event: dict[str, Any]) -> dict[str, Any]:
        failed = event["job_asset_id"].endswith("-1")
        return {"status": "failed" if failed else "succeeded", "polls": event["polls"] + 1}

    engine.pipeline.behaviour["poll_asset"] = poll

    _, result = engine.run("render")

    assert result.status == "SUCCEEDED"
    assert engine.pipeline.count()["compose"] == 1
    assert engine.pipeline.count()["record_asset_failure"] == 0  # poll_asset recorded it already


@pytest.mark.parametrize("error", [ValueError("bad prompt"), ProviderRejected("content policy")])
def test_a_permanent_error_is_recorded_once_and_the_map_continues(engine: Engine, error: Exception) -> None:
    def submit(event: dict[str, Any]) -> dict[str, Any]:
        if event["job_asset_id"].endswith("-0"):
            raise error
        return {"status": "submitted"}

    engine.pipeline.behaviour["submit_asset"] = submit

    job_id, result = engine.run("render")

    assert result.status == "SUCCEEDED"
    failed_asset = f"{job_id}-asset-0"
    assert len(engine.pipeline.calls("submit_asset", failed_asset)) == 1, "a permanent error is not retried"
    [record] = engine.pipeline.calls("record_asset_failure")
    assert record["job_asset_id"] == failed_asset
    assert record["error"]["Error"] == type(error).__name__
    assert json.loads(record["error"]["Cause"])["errorMessage"] == str(error)
    assert engine.pipeline.count()["compose"] == 1


def test_a_transient_error_is_retried(engine: Engine) -> None:
    throttled: set[str] = set()

    def submit(event: dict[str, Any]) -> dict[str, Any]:
        if event["job_asset_id"] not in throttled:
            throttled.add(event["job_asset_id"])
            raise ProviderThrottled("slow down")
        return {"status": "submitted"}

    engine.pipeline.behaviour["submit_asset"] = submit

    _, result = engine.run("render")

    assert result.status == "SUCCEEDED"
    assert engine.pipeline.count()["submit_asset"] == 6
    assert engine.pipeline.count()["record_asset_failure"] == 0


def test_an_unexpected_answer_is_recorded_as_the_asset_failure(engine: Engine) -> None:
    engine.pipeline.behaviour["poll_asset"] = lambda e: {"status": "exploded", "polls": 1}
    engine.pipeline.items = 1

    _, result = engine.run("render")

    assert result.status == "SUCCEEDED"
    assert {e["error"]["Error"] for e in engine.pipeline.calls("record_asset_failure")} == {
        "UnexpectedHandlerAnswer"
    }


def test_a_failing_failure_record_still_never_fails_the_map(engine: Engine) -> None:
    engine.pipeline.behaviour["submit_asset"] = _raise(ValueError("bad"))
    engine.pipeline.behaviour["record_asset_failure"] = _raise(RuntimeError("database down"))

    _, result = engine.run("render")

    assert result.status == "SUCCEEDED"
    assert engine.pipeline.count()["compose"] == 1


def test_segments_failed_in_compose_marks_the_job_failed(engine: Engine) -> None:
    engine.pipeline.behaviour["compose"] = _raise(SegmentsFailed("2 of 3 segments failed"))

    job_id, result = engine.run("render")

    assert (result.status, result.error) == ("FAILED", "SegmentsFailed")
    [fail_job] = engine.pipeline.calls("fail_job")
    assert fail_job["job_id"] == job_id
    assert fail_job["error"]["Error"] == "SegmentsFailed"
    assert "2 of 3 segments failed" in fail_job["error"]["Cause"]
    assert engine.pipeline.count()["finalize"] == 0


def test_a_crash_in_analyze_marks_the_job_failed(engine: Engine) -> None:
    engine.pipeline.behaviour["analyze"] = _raise(RuntimeError("boom"))

    _, result = engine.run("analyze")

    assert (result.status, result.error) == ("FAILED", "RuntimeError")
    assert engine.pipeline.actions() == ["analyze", "fail_job"]


def test_the_job_fails_with_its_own_error_even_if_fail_job_crashes(engine: Engine) -> None:
    engine.pipeline.behaviour["plan"] = _raise(ValueError("no segments"))
    engine.pipeline.behaviour["fail_job"] = _raise(RuntimeError("database down"))

    _, result = engine.run("analyze")

    assert (result.status, result.error) == ("FAILED", "ValueError")


def test_an_unknown_action_marks_the_job_failed(engine: Engine) -> None:
    _, result = engine.run("dance")

    assert (result.status, result.error) == ("FAILED", "UnknownAction")
    assert engine.pipeline.actions() == ["fail_job"]


def test_a_paused_asset_waits_at_the_gate_until_resumed(engine: Engine) -> None:
    answers = iter(["wait", "wait", "go"])
    engine.pipeline.behaviour["gate"] = lambda e: {"state": next(answers)}
    engine.pipeline.items = 1

    _, result = engine.run("render")

    assert result.status == "SUCCEEDED"
    assert engine.pipeline.actions()[:5] == ["prepare_render", "gate", "gate", "gate", "submit_asset"]


def test_a_cancelled_asset_ends_quietly_at_the_gate(engine: Engine) -> None:
    engine.pipeline.behaviour["gate"] = lambda e: {"state": "stop"}

    _, result = engine.run("render")

    assert result.status == "SUCCEEDED"
    assert engine.pipeline.count()["submit_asset"] == engine.pipeline.count()["record_asset_failure"] == 0


def test_a_second_start_of_the_same_job_is_refused(engine: Engine) -> None:
    job_id, execution_arn = engine.start("analyze")

    with pytest.raises(Conflict) as refused:
        engine.start("analyze", job_id=job_id)
    assert refused.value.code == "duplicate_execution"
    wait_until_done(engine.workflow, execution_arn)
    with pytest.raises(Conflict):
        engine.start("render", job_id=job_id)


def test_stopping_a_running_execution_aborts_it(engine: Engine) -> None:
    entered, release = threading.Event(), threading.Event()

    def analyze(event: dict[str, Any]) -> dict[str, Any]:
        entered.set()
        release.wait(timeout=10)
        return {}

    engine.pipeline.behaviour["analyze"] = analyze
    _, execution_arn = engine.start("analyze")
    assert entered.wait(timeout=10)

    engine.workflow.stop(execution_arn, "cancelled by the user")
    engine.workflow.stop(execution_arn, "cancelled twice")  # idempotent
    release.set()  # moto reports ABORTED once the task in flight returns

    assert wait_until_done(engine.workflow, execution_arn).status == "ABORTED"
    assert engine.pipeline.actions() == ["analyze"]
    engine.workflow.stop(execution_arn, "after the end")  # idempotent


def test_a_thirty_item_render_keeps_every_payload_small(engine: Engine) -> None:
    engine.pipeline.items = 30
    engine.pipeline.behaviour["poll_asset"] = lambda e: {"status": "succeeded", "polls": 1}
    _, execution_arn = engine.start("render", max_concurrency=10)

    assert wait_until_done(engine.workflow, execution_arn, timeout=60).status == "SUCCEEDED"
    assert engine.pipeline.count()["submit_asset"] == 30
    sizes = [len(data) for data in _state_payloads(engine, execution_arn)]
    assert sizes and max(sizes) < 4096, f"largest state payload {max(sizes)} bytes"


def test_max_concurrency_bounds_the_assets_in_flight(engine: Engine) -> None:
    lock, in_flight, most = threading.Lock(), set(), [0]

    def gate(event: dict[str, Any]) -> dict[str, Any]:
        with lock:
            in_flight.add(event["job_asset_id"])
            most[0] = max(most[0], len(in_flight))
        return {"state": "go"}

    def poll(event: dict[str, Any]) -> dict[str, Any]:
        with lock:
            in_flight.discard(event["job_asset_id"])
        return {"status": "succeeded", "polls": 1}

    engine.pipeline.items = 6
    engine.pipeline.behaviour |= {"gate": gate, "poll_asset": poll}

    _, result = engine.run("render", max_concurrency=2)

    assert result.status == "SUCCEEDED"
    assert 1 <= most[0] <= 2


def test_start_provisions_again_after_a_mock_aws_reset_moto(engine: Engine) -> None:
    before = engine.workflow.state_machine_arn
    with mock_aws():  # entering and leaving a mock resets moto's process-wide backends
        pass

    _, result = engine.run("analyze")

    assert result.status == "SUCCEEDED"
    assert engine.workflow.state_machine_arn != before


def _raise(error: Exception) -> Any:
    def behaviour(event: dict[str, Any]) -> dict[str, Any]:
        raise error

    return behaviour


def _state_payloads(engine: Engine, execution_arn: str) -> list[str]:
    """Every state input and output of the execution, from its history."""
    client = boto3.client(
        "stepfunctions",
        endpoint_url=engine.workflow.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    payloads = []
    for page in client.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
        for event in page["events"]:
            for key, details in event.items():
                if key.endswith("EventDetails") and isinstance(details, dict):
                    payloads += [details[f] for f in ("input", "output") if isinstance(details.get(f), str)]
    return payloads
