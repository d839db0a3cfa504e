"""The SAM template, checked offline: cfn-lint before and after the SAM transform, the workflow's
substitutions, handler paths, and least-privilege IAM. No network and no AWS account."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from cfnlint import api as cfnlint_api
from cfnlint.decode import decode
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from .static_imports import top_level_names, unresolved_imports

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
ASL = ROOT / "state_machine.asl.json"
REGION = "us-east-1"
STATE_MACHINE = "VideoStateMachine"
WORKFLOW_FUNCTIONS = ["AnalyzeFunction", "PlanFunction", "GenerateSegmentFunction", "ComposeFunction"]
SECRET_PARAMETERS = {
    "DatabaseUrlSecretArn": "DATABASE_URL_SECRET_ARN",
    "R2CredentialsSecretArn": "R2_CREDENTIALS_SECRET_ARN",
    "ProviderKeysSecretArn": "PROVIDER_KEYS_SECRET_ARN",
}
ALL_SECRETS = set(SECRET_PARAMETERS)
EXPECTED_SECRETS = {
    "ApiFunction": ALL_SECRETS,
    **dict.fromkeys(WORKFLOW_FUNCTIONS, ALL_SECRETS),
    "CleanupFunction": {"DatabaseUrlSecretArn", "R2CredentialsSecretArn"},
}
LOG_DELIVERY_ACTIONS = {
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
}


@pytest.fixture(scope="module")
def sam() -> dict[str, Any]:
    template, matches = decode(str(TEMPLATE))
    assert not matches, [str(m) for m in matches]
    return json.loads(json.dumps(template))  # plain dicts, no cfn-lint node types


@pytest.fixture(scope="module")
def offline_aws() -> Iterator[None]:
    """Dummy credentials: the translator builds a boto3 session but must never call AWS."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
        }.items():
            mp.setenv(name, value)
        mp.delenv("AWS_PROFILE", raising=False)
        yield


@pytest.fixture(scope="module")
def translated(sam: dict[str, Any], offline_aws: None) -> dict[str, Any]:
    """The template after the SAM transform, with build artifacts replaced by placeholders."""
    template = json.loads(json.dumps(sam))
    for name, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function":
            if props.get("PackageType") == "Image":
                props["ImageUri"] = f"123456789012.dkr.ecr.{REGION}.amazonaws.com/reelsmith:{name}"
            else:
                props["CodeUri"] = f"s3://artifacts/{name}.zip"
        elif resource["Type"] == "AWS::Serverless::LayerVersion":
            props["ContentUri"] = f"s3://artifacts/{name}.zip"
        elif resource["Type"] == "AWS::Serverless::StateMachine":
            definition_uri = props.pop("DefinitionUri")
            asl = ROOT / definition_uri
            props["Definition"] = (
                json.loads(asl.read_text()) if asl.exists() else {"StartAt": "S", "States": {}}
            )
    translator = Translator(
        managed_policy_map={}, sam_parser=Parser(), boto_session=boto3.Session(region_name=REGION)
    )
    return translator.translate(sam_template=template, parameter_values={})


def errors(matches: list[Any]) -> list[str]:
    return [str(m) for m in matches if m.rule.id.startswith("E")]


def resources_of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def functions(sam: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in resources_of_type(sam, "AWS::Serverless::Function").items()}


def statements(translated: dict[str, Any], role: str) -> list[dict[str, Any]]:
    policies = translated["Resources"][role]["Properties"].get("Policies", [])
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]


def actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else action


# --- lint -----------------------------------------------------------------------------------


def test_template_passes_cfn_lint() -> None:
    matches = cfnlint_api.lint_file(TEMPLATE, config=cfnlint_api.ManualArgs(regions=[REGION]))
    assert errors(matches) == []


def test_transformed_template_passes_cfn_lint(translated: dict[str, Any]) -> None:
    matches = cfnlint_api.lint(json.dumps(translated), config=cfnlint_api.ManualArgs(regions=[REGION]))
    assert errors(matches) == []
    assert translated["Resources"][STATE_MACHINE]["Type"] == "AWS::StepFunctions::StateMachine"


def test_globals_hold_nothing_that_breaks_image_functions(sam: dict[str, Any]) -> None:
    function_globals = sam.get("Globals", {}).get("Function", {})
    assert "Runtime" not in function_globals
    assert "Layers" not in function_globals
    assert "Handler" not in function_globals


# --- workflow -------------------------------------------------------------------------------


def test_every_asl_placeholder_has_a_substitution_and_every_substitution_is_used(sam: dict[str, Any]) -> None:
    if not ASL.exists():
        pytest.skip("state_machine.asl.json is not written yet")
    used = set(re.findall(r"\$\{(\w+)\}", ASL.read_text()))
    substitutions = set(sam["Resources"][STATE_MACHINE]["Properties"]["DefinitionSubstitutions"])
    assert used == substitutions
    assert substitutions == {f"{name}Arn" for name in WORKFLOW_FUNCTIONS}


def test_state_machine_is_standard_logged_and_traced(sam: dict[str, Any]) -> None:
    props = sam["Resources"][STATE_MACHINE]["Properties"]
    assert props["Type"] == "STANDARD"
    assert props["DefinitionUri"] == "state_machine.asl.json"
    assert props["Tracing"] == {"Enabled": True}
    assert props["Logging"]["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]
    assert props["Logging"]["IncludeExecutionData"] is False  # prompts and user data stay out of logs


# --- functions ------------------------------------------------------------------------------


def handler_of(props: dict[str, Any]) -> str:
    """Module path and attribute of a function's entry point, as the Lambda runtime reads it."""
    if props.get("PackageType") == "Image":
        return props["ImageConfig"]["Command"][0]
    return props["Handler"].replace("/", ".")


@pytest.mark.parametrize("function", ["ApiFunction", "CleanupFunction", *WORKFLOW_FUNCTIONS])
def test_handler_resolves_to_an_adapter_exposing_handler(sam: dict[str, Any], function: str) -> None:
    """Checked without importing: the adapters build their services (database, clients) at import."""
    module_name, _, attribute = handler_of(functions(sam)[function]).rpartition(".")
    assert attribute == "handler"
    source = ROOT / (module_name.replace(".", "/") + ".py")
    assert re.fullmatch(r"functions/\w+/app\.py", source.relative_to(ROOT).as_posix())
    if not source.exists():
        pytest.skip(f"{source.relative_to(ROOT)} is not written yet")
    assert "handler" in top_level_names(source)
    assert unresolved_imports(source) == []


def test_zip_and_image_functions_are_declared_consistently(sam: dict[str, Any]) -> None:
    architectures = sam["Globals"]["Function"]["Architectures"]
    for name, props in functions(sam).items():
        assert "Architectures" not in props or props["Architectures"] == architectures, name
        if props.get("PackageType") == "Image":
            assert not {"Handler", "Runtime", "Layers", "CodeUri"} & set(props), name
            metadata = sam["Resources"][name]["Metadata"]
            assert metadata["DockerContext"] == "."
            assert (ROOT / metadata["Dockerfile"]).exists()
        else:
            assert props["Runtime"] == "python3.12", name
            assert sam["Resources"][name]["Metadata"] == {
                "BuildMethod": "makefile",
                "ContextPath": "functions",
            }
    layer = sam["Resources"]["FfmpegLayer"]
    assert layer["Properties"]["CompatibleArchitectures"] == architectures
    assert [layer["Metadata"]["BuildArchitecture"]] == architectures


def test_compose_has_room_to_work(sam: dict[str, Any]) -> None:
    compose = functions(sam)["ComposeFunction"]
    assert 3008 <= compose["MemorySize"] <= 4096
    assert compose["EphemeralStorage"]["Size"] >= 4096
    assert compose["Timeout"] == 900


def test_cleanup_runs_every_hour(sam: dict[str, Any]) -> None:
    events = functions(sam)["CleanupFunction"]["Events"]
    schedules = [e["Properties"]["Schedule"] for e in events.values() if e["Type"] == "Schedule"]
    assert schedules == ["rate(1 hour)"]


def test_api_serves_every_path_on_the_default_stage(sam: dict[str, Any]) -> None:
    api = sam["Resources"]["HttpApi"]["Properties"]
    assert api["StageName"] == "$default"
    assert api["CorsConfiguration"]["AllowOrigins"] == [{"Ref": "AllowedOrigin"}]
    routes = {
        (e["Properties"]["Path"], e["Properties"]["Method"])
        for e in functions(sam)["ApiFunction"]["Events"].values()
    }
    assert routes == {("/{proxy+}", "ANY"), ("/", "ANY")}


def environment(sam: dict[str, Any], function: str) -> dict[str, Any]:
    merged = dict(sam["Globals"]["Function"]["Environment"]["Variables"])
    merged.update(functions(sam)[function].get("Environment", {}).get("Variables", {}))
    return merged


def test_environment_names_the_secrets_each_function_may_read(sam: dict[str, Any]) -> None:
    for function, secrets in EXPECTED_SECRETS.items():
        env = environment(sam, function)
        assert env["WORKFLOW_BACKEND"] == "stepfunctions"
        assert env["STORAGE_BACKEND"] == "s3"
        assert env["AUTH_MODE"] == "supabase"
        assert env["REELSMITH_POLL_SECONDS"] == "15"
        named = {param for param, var in SECRET_PARAMETERS.items() if var in env}
        assert named == secrets, function
        assert ("STATE_MACHINE_ARN" in env) == (function == "ApiFunction"), function
    assert environment(sam, "ApiFunction")["STATE_MACHINE_ARN"] == {"Ref": STATE_MACHINE}


# --- least privilege ------------------------------------------------------------------------


def test_each_function_reads_only_its_secrets(translated: dict[str, Any]) -> None:
    for function, secrets in EXPECTED_SECRETS.items():
        readable = {
            param
            for s in statements(translated, f"{function}Role")
            if "secretsmanager:GetSecretValue" in actions(s)
            for param in SECRET_PARAMETERS
            if param in json.dumps(s["Resource"])
        }
        assert readable == secrets, function


def test_api_role_reaches_only_this_state_machine_and_its_secrets(translated: dict[str, Any]) -> None:
    granted: set[str] = set()
    for statement in statements(translated, "ApiFunctionRole"):
        resource = json.dumps(statement["Resource"])
        assert statement["Effect"] == "Allow"
        assert resource != '"*"'
        for action in actions(statement):
            granted.add(action)
            if action.startswith("states:"):
                assert STATE_MACHINE in resource, statement
            else:
                assert action == "secretsmanager:GetSecretValue", statement
    assert {"states:StartExecution", "states:DescribeExecution", "states:StopExecution"} <= granted


def test_other_functions_cannot_touch_the_workflow(translated: dict[str, Any]) -> None:
    for function in ["CleanupFunction", *WORKFLOW_FUNCTIONS]:
        for statement in statements(translated, f"{function}Role"):
            assert actions(statement) == ["secretsmanager:GetSecretValue"], (function, statement)


def test_state_machine_role_only_invokes_our_workflow_functions(translated: dict[str, Any]) -> None:
    invoked = set()
    for statement in statements(translated, f"{STATE_MACHINE}Role"):
        if set(actions(statement)) <= LOG_DELIVERY_ACTIONS:
            continue  # CloudWatch log delivery: these actions have no resource-level scoping
        assert actions(statement) == ["lambda:InvokeFunction"], statement
        refs = [
            name for name in WORKFLOW_FUNCTIONS if f'{{"Ref": "{name}"}}' in json.dumps(statement["Resource"])
        ]
        assert len(refs) == 1, statement
        invoked.update(refs)
    assert invoked == set(WORKFLOW_FUNCTIONS)


def test_outputs_give_the_api_url_and_the_state_machine(sam: dict[str, Any]) -> None:
    assert set(sam["Outputs"]) >= {"ApiUrl", "StateMachineArn"}
    assert sam["Outputs"]["StateMachineArn"]["Value"] == {"Ref": STATE_MACHINE}
