"""The same ``state_machine.asl.json``, run in this process by moto's Step Functions interpreter.

moto runs as an in-process HTTP server on 127.0.0.1 (not a global ``mock_aws``), so every other boto3
client in the process keeps talking to its real endpoint. Lambda tasks reach the Python handlers
through ``moto_dispatch``. moto keeps its state in process-wide backends, so one server serves every
``LocalWorkflow`` of the process, and each instance names its resources with a unique suffix.

Caveats: the handlers run in moto's request threads, so they must be thread-safe; and a ``mock_aws``
started elsewhere in the process resets moto's backends, so ``start`` provisions again when its state
machine has vanished (executions running at that moment are lost). Do not run local executions
inside a ``mock_aws`` context.
"""

from __future__ import annotations

import io
import json
import logging
import os
import threading
import uuid
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
import httpx
from moto.server import ThreadedMotoServer

from reelsmith.workflow import moto_dispatch
from reelsmith.workflow.base import (
    FUNCTION_SUBSTITUTIONS,
    ExecutionStatus,
    LambdaHandler,
    load_definition,
    substitute,
)
from reelsmith.workflow.stepfunctions import StepFunctionsWorkflow

_REGION = "us-east-1"
_ENGINE_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
_ASSUME_ROLE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


class _SharedMotoServer:
    """One moto server per process, started by the first lease and stopped (config restored) by the last."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._leases = 0
        self._server: ThreadedMotoServer | None = None
        self._previous_config: dict[str, Any] = {}
        self._previous_port: str | None = None
        self.endpoint_url = ""

    def acquire(self) -> str:
        with self._lock:
            if self._leases == 0:
                self._start()
            self._leases += 1
            return self.endpoint_url

    def release(self) -> None:
        with self._lock:
            self._leases -= 1
            if self._leases == 0 and self._server is not None:
                httpx.post(f"{self.endpoint_url}/moto-api/config", json=self._previous_config)
                self._server.stop()
                self._server = None
                if self._previous_port is None:
                    os.environ.pop("MOTO_PORT", None)
                else:
                    os.environ["MOTO_PORT"] = self._previous_port

    def configure(self) -> None:
        """Turn on real ASL execution and in-process Lambdas (moto's config is process-wide)."""
        httpx.post(f"{self.endpoint_url}/moto-api/config", json=_ENGINE_CONFIG).raise_for_status()

    def _start(self) -> None:
        # Port 0 lets the OS pick a free port without a race; MOTO_PORT is read on every call the
        # interpreter makes to its own Lambda endpoint (http://localhost:$MOTO_PORT), so it is set
        # before anything can run.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access-log line per task otherwise
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        _, port = server.get_host_and_port()
        self._previous_port = os.environ.get("MOTO_PORT")
        os.environ["MOTO_PORT"] = str(port)
        self._server = server
        self.endpoint_url = f"http://127.0.0.1:{port}"
        current = httpx.get(f"{self.endpoint_url}/moto-api/config").json()
        self._previous_config = {section: current.get(section, {}) for section in _ENGINE_CONFIG}
        self.configure()


_server = _SharedMotoServer()


class LocalWorkflow:
    """The Workflow protocol on moto's ASL interpreter, dispatching Lambda tasks to ``handlers``.

    ``handlers`` maps each function key ("analyze", "plan", "generate_segment", "compose") to a
    ``handler(event, context) -> dict``; it is read on every invocation, so a mutable mapping lets
    tests swap handlers. ``fast_retries`` scales Retry intervals down process-wide (tests only).
    """

    def __init__(
        self,
        handlers: Mapping[str, LambdaHandler],
        *,
        asl_path: str | Path | None = None,
        fast_retries: bool = False,
    ) -> None:
        missing = FUNCTION_SUBSTITUTIONS.keys() - handlers.keys()
        if missing:
            raise ValueError(f"No handler for Lambda functions {sorted(missing)}")
        self._handlers = handlers
        self._closed = False
        self._definition = load_definition(asl_path)
        self._suffix = ""
        moto_dispatch.install()
        if fast_retries:
            moto_dispatch.install_fast_retries()
        self.endpoint_url = _server.acquire()
        try:
            self._sfn = self._client("stepfunctions")
            self._executions = StepFunctionsWorkflow(self._provision(), client=self._sfn)
        except BaseException:
            self.close()
            raise

    @property
    def state_machine_arn(self) -> str:
        return self._executions.state_machine_arn

    def start(self, job_id: str, payload: dict[str, Any]) -> str:
        try:
            self._sfn.describe_state_machine(stateMachineArn=self.state_machine_arn)
        except self._sfn.exceptions.StateMachineDoesNotExist:
            _server.configure()
            self._executions = StepFunctionsWorkflow(self._provision(), client=self._sfn)
        return self._executions.start(job_id, payload)

    def stop(self, execution_arn: str, cause: str) -> None:
        """Abort the execution. Unlike AWS, moto reports ABORTED only once the Lambda task in flight
        returns; no further state runs."""
        self._executions.stop(execution_arn, cause)

    def describe(self, execution_arn: str) -> ExecutionStatus:
        return self._executions.describe(execution_arn)

    def close(self) -> None:
        """Forget the handlers and give the server back (the last instance stops it). Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._unregister()
        _server.release()

    def __enter__(self) -> LocalWorkflow:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _provision(self) -> str:
        """Create the role, the four functions and the state machine under a fresh name suffix; return
        the state machine ARN."""
        self._unregister()
        self._suffix = uuid.uuid4().hex[:8]
        role_arn = self._client("iam").create_role(
            RoleName=f"reelsmith-local-{self._suffix}", AssumeRolePolicyDocument=_ASSUME_ROLE_POLICY
        )["Role"]["Arn"]
        lambdas = self._client("lambda")
        arns = {}
        for key, substitution in FUNCTION_SUBSTITUTIONS.items():
            name = self._function_name(key)
            moto_dispatch.register(name, self._dispatcher(key))
            arns[substitution] = lambdas.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=role_arn,
                Handler="app.handler",
                Code={"ZipFile": _placeholder_zip()},
            )["FunctionArn"]
        return self._sfn.create_state_machine(
            name=f"reelsmith-{self._suffix}",
            definition=substitute(self._definition, arns),
            roleArn=role_arn,
            type="STANDARD",
        )["stateMachineArn"]

    def _unregister(self) -> None:
        for key in FUNCTION_SUBSTITUTIONS:
            moto_dispatch.unregister(self._function_name(key))

    def _dispatcher(self, key: str) -> LambdaHandler:
        return lambda event, context: self._handlers[key](event, context)

    def _function_name(self, key: str) -> str:
        return f"{key}-{self._suffix}"

    def _client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=_REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - moto accepts any credentials
        )


def _placeholder_zip() -> bytes:
    """A deployment package moto accepts; the code never runs (moto_dispatch calls the handler)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()
