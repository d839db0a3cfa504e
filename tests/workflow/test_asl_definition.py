"""Static checks of state_machine.asl.json: valid ASL, and the policies the design promises."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from statelint.config import Config
from statelint.linter import Linter
from statelint.problem import ProblemType

from reelsmith.domain.errors import TRANSIENT_ERRORS as DOMAIN_TRANSIENT_ERRORS
from reelsmith.workflow.base import FUNCTION_SUBSTITUTIONS, load_definition, placeholders, substitute

TRANSIENT_ERRORS = {
    "ProviderThrottled",
    "ProviderUnavailable",
    "ServiceUnavailable",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "Lambda.ClientExecutionTimeoutException",
}
FAILURE_HANDLERS = {"RecordAssetFailure", "MarkFailed"}  # their own failure must not loop back


def all_states(machine: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(name, state, the States block holding it), descending into Map item processors."""
    for name, state in machine["States"].items():
        yield name, state, machine["States"]
        if state["Type"] == "Map":
            yield from all_states(state["ItemProcessor"])


@pytest.fixture(scope="module")
def machine() -> dict[str, Any]:
    return json.loads(load_definition())


@pytest.fixture(scope="module")
def tasks(machine: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: state for name, state, _ in all_states(machine) if state["Type"] == "Task"}


def test_statelint_accepts_the_definition() -> None:
    config = Config(ignored_problem_types={ProblemType.URI})  # URI: the ${...} placeholders
    assert Linter.validate(load_definition(), config) == []


def test_the_substitutions_are_exactly_the_four_functions() -> None:
    assert placeholders(load_definition()) == set(FUNCTION_SUBSTITUTIONS.values())


def test_every_task_invokes_a_pipeline_function_with_an_action_and_keeps_only_its_payload(
    tasks: dict[str, dict[str, Any]],
) -> None:
    for name, task in tasks.items():
        assert task["Resource"] == "arn:aws:states:::lambda:invoke", name
        assert task["Parameters"]["FunctionName"] in {f"${{{s}}}" for s in FUNCTION_SUBSTITUTIONS.values()}
        assert "action" in task["Parameters"]["Payload"], name
        if task["ResultPath"] is not None:
            selected = task["ResultSelector"].values()
            assert all(path.startswith("$.Payload") for path in selected), name
            assert task["ResultPath"].count(".") == 1, f"{name} must keep the input beside its result"


def test_retries_cover_transient_errors_only_with_jittered_backoff(tasks: dict[str, dict[str, Any]]) -> None:
    for name, task in tasks.items():
        [retrier] = task["Retry"]
        assert set(retrier["ErrorEquals"]) <= TRANSIENT_ERRORS, name
        assert {e for e in retrier["ErrorEquals"] if e.startswith("Lambda.")} == {
            e for e in TRANSIENT_ERRORS if e.startswith("Lambda.")
        }, name
        assert retrier["IntervalSeconds"] >= 1
        assert retrier["BackoffRate"] == 2
        assert 4 <= retrier["MaxAttempts"] <= 5
        assert retrier["JitterStrategy"] == "FULL"
        assert retrier["MaxDelaySeconds"] >= retrier["IntervalSeconds"]


def test_work_tasks_retry_the_domain_transient_errors(tasks: dict[str, dict[str, Any]]) -> None:
    transient = {error.__name__ for error in DOMAIN_TRANSIENT_ERRORS}
    for name, task in tasks.items():
        if name not in FAILURE_HANDLERS:
            assert transient <= set(task["Retry"][0]["ErrorEquals"]), name


def test_every_task_catches_everything_into_a_failure_handler(machine: dict[str, Any]) -> None:
    for name, state, _ in all_states(machine):
        if state["Type"] not in {"Task", "Map"}:
            continue
        [catcher] = state["Catch"]
        assert catcher["ErrorEquals"] == ["States.ALL"], name
        if name not in FAILURE_HANDLERS:
            assert catcher["Next"] in FAILURE_HANDLERS, name
            assert catcher["ResultPath"] == "$.error", name


def test_one_asset_can_never_fail_the_map(machine: dict[str, Any]) -> None:
    items = machine["States"]["GenerateAssets"]["ItemProcessor"]
    assert not [name for name, state in items["States"].items() if state["Type"] == "Fail"]
    assert items["States"]["RecordAssetFailure"]["Catch"][0]["Next"] == "AssetFailureUnrecorded"
    assert machine["States"]["GenerateAssets"]["ResultPath"] is None
    assert machine["States"]["GenerateAssets"]["MaxConcurrencyPath"] == "$.max_concurrency"


def test_every_wait_takes_its_seconds_from_the_input(machine: dict[str, Any]) -> None:
    waits = [state for _, state, _ in all_states(machine) if state["Type"] == "Wait"]
    assert waits and all(state.get("SecondsPath") == "$.poll_seconds" for state in waits)


def test_every_transition_targets_a_state_in_its_own_block(machine: dict[str, Any]) -> None:
    for name, state, block in all_states(machine):
        targets = [state.get("Next"), state.get("Default")]
        targets += [c["Next"] for c in state.get("Choices", []) + state.get("Catch", [])]
        assert {t for t in targets if t} <= block.keys(), name


def test_substitute_fills_every_placeholder_and_refuses_a_missing_one() -> None:
    arns = {s: f"arn:aws:lambda:us-east-1:1:function:{s}" for s in FUNCTION_SUBSTITUTIONS.values()}
    assert placeholders(substitute(load_definition(), arns)) == set()
    with pytest.raises(ValueError, match="ComposeFunctionArn"):
        substitute(load_definition(), {k: v for k, v in arns.items() if k != "ComposeFunctionArn"})


def test_load_definition_honours_the_environment_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = tmp_path / "machine.asl.json"
    custom.write_text('{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}')
    monkeypatch.setenv("REELSMITH_ASL_PATH", str(custom))

    assert json.loads(load_definition())["StartAt"] == "Done"
