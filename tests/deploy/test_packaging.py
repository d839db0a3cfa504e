"""What `sam build` packages: the media image's Dockerfile, the makefile targets SAM calls, and the
size discipline of zip functions. Offline: make runs in dry-run mode and nothing is downloaded."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode

from functions.lambda_requirements import MEDIA_STACK, requirement_name, runtime_requirements

from .static_imports import third_party_imports

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "functions" / "compose" / "Dockerfile"
TASK_ROOT = "${LAMBDA_TASK_ROOT}/"


@pytest.fixture(scope="module")
def sam() -> dict[str, Any]:
    template, matches = decode(str(ROOT / "template.yaml"))
    assert not matches
    return json.loads(json.dumps(template))


def function_resources(sam: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: r for n, r in sam["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}


def image_functions(sam: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: r for n, r in function_resources(sam).items() if r["Properties"].get("PackageType") == "Image"}


def makefile_builds(sam: dict[str, Any]) -> dict[str, Path]:
    """Every resource SAM builds with make, and the folder whose Makefile it runs."""
    builds = {}
    for name, resource in sam["Resources"].items():
        metadata = resource.get("Metadata", {})
        if metadata.get("BuildMethod") == "makefile":
            props = resource["Properties"]
            folder = metadata.get("ContextPath") or props.get("CodeUri") or props["ContentUri"]
            builds[name] = ROOT / folder
    return builds


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def dockerfile_copies() -> list[tuple[list[str], str]]:
    copies = []
    for instruction, args in dockerfile_instructions():
        if instruction == "COPY":
            *sources, destination = shlex.split(args)
            assert not any(s.startswith("--from") for s in sources)
            copies.append((sources, destination))
    return copies


# --- the media image ------------------------------------------------------------------------


def test_image_is_the_aws_lambda_python_312_base() -> None:
    assert dockerfile_instructions()[0] == ("FROM", "public.ecr.aws/lambda/python:3.12")


def test_dockerfile_copies_only_what_exists_and_the_build_context_sends() -> None:
    rules = [r for r in (ROOT / ".dockerignore").read_text().splitlines() if r and not r.startswith("#")]
    assert rules[0] == "*"  # deny by default: never the virtualenv, local data or secrets
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    for sources, _ in dockerfile_copies():
        for source in sources:
            assert (ROOT / source).exists(), source
            assert source.split("/")[0] in allowed, f"{source} is excluded by .dockerignore"


def test_every_image_function_finds_its_adapter_in_the_image(sam: dict[str, Any]) -> None:
    copied = {destination.removeprefix(TASK_ROOT) for _, destination in dockerfile_copies()}
    for name, resource in image_functions(sam).items():
        assert resource["Metadata"]["Dockerfile"] == DOCKERFILE.relative_to(ROOT).as_posix()
        assert resource["Metadata"]["DockerContext"] == "."
        module = resource["Properties"]["ImageConfig"]["Command"][0].rpartition(".")[0]
        assert module.replace(".", "/") + ".py" in copied, name


def test_image_cmd_is_the_compose_handler(sam: dict[str, Any]) -> None:
    cmd = [json.loads(args) for instruction, args in dockerfile_instructions() if instruction == "CMD"]
    assert cmd == [sam["Resources"]["ComposeFunction"]["Properties"]["ImageConfig"]["Command"]]


# --- makefile builds ------------------------------------------------------------------------


def test_sam_finds_a_make_target_for_every_makefile_build(sam: dict[str, Any], tmp_path: Path) -> None:
    builds = makefile_builds(sam)
    assert {"FfmpegLayer", "CleanupFunction"} <= set(builds)
    for name, folder in builds.items():
        result = subprocess.run(
            ["make", "--dry-run", "--makefile", str(folder / "Makefile"), f"build-{name}"],
            env={"ARTIFACTS_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_makefiles_build_for_the_template_architecture(sam: dict[str, Any]) -> None:
    [architecture] = sam["Globals"]["Function"]["Architectures"]
    for folder in set(makefile_builds(sam).values()):
        assert re.search(rf"^LAMBDA_ARCH := {architecture}$", (folder / "Makefile").read_text(), re.M), folder


def test_zip_functions_leave_the_media_stack_out() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    full = runtime_requirements(ROOT / "pyproject.toml", without_media=False)
    lean = runtime_requirements(ROOT / "pyproject.toml", without_media=True)
    assert full == declared
    assert {requirement_name(r) for r in full} >= MEDIA_STACK
    assert [r for r in full if requirement_name(r) not in MEDIA_STACK] == lean


def test_zip_function_adapters_do_not_import_the_media_stack(sam: dict[str, Any]) -> None:
    """A zip bundle has no PyAV or numpy: importing them at cold start would fail on Lambda."""
    zip_functions = {n: r for n, r in function_resources(sam).items() if n in makefile_builds(sam)}
    for name, resource in zip_functions.items():
        module = resource["Properties"]["Handler"].replace("/", ".").rpartition(".")[0]
        if not (ROOT / (module.replace(".", "/") + ".py")).exists():
            pytest.skip(f"{module} is not written yet")
        imported = third_party_imports(module)
        assert not {p: imported[p] for p in MEDIA_STACK if p in imported}, name
