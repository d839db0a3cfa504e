"""The local engine's only reach into moto internals (moto[server]==5.2.5 is pinned for this).

moto's Step Functions interpreter runs a Lambda task by invoking moto's own Lambda backend; with
``lambda.use_docker = False`` that is ``LambdaSimpleBackend.invoke``, which merely echoes. ``install``
replaces it, once per process, with a dispatcher that calls the Python handler registered under the
function's name, and reports an exception the way the Lambda runtime does, so the interpreter names
the error after the exception class and Retry/Catch behave as on AWS. Functions with no registered
handler keep moto's behaviour. ``install_fast_retries`` shortens the retrier's real sleeps (tests).
"""

from __future__ import annotations

import inspect
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

from reelsmith.domain.errors import ReelsmithError
from reelsmith.workflow.base import LambdaHandler

_INVOKE_PARAMETERS = ["self", "function_name", "qualifier", "body", "headers", "response_headers"]
_log = logging.getLogger(__name__)
_lock = threading.Lock()
_handlers: dict[str, LambdaHandler] = {}
_installed = False


@dataclass(frozen=True)
class LocalLambdaContext:
    """The attributes of AWS's LambdaContext that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 1024
    log_group_name: str = "local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def check_moto_internals() -> None:
    """Fail loudly if the moto internals this module patches have moved (e.g. after a moto upgrade)."""
    invoke = getattr(LambdaSimpleBackend, "invoke", None)
    parameters = list(inspect.signature(invoke).parameters) if invoke else None
    if parameters != _INVOKE_PARAMETERS:
        raise RuntimeError(
            "moto.awslambda_simple.models.LambdaSimpleBackend.invoke is not "
            f"invoke({', '.join(_INVOKE_PARAMETERS)}) any more (found {parameters}); the local workflow "
            "engine cannot dispatch Lambda tasks to Python handlers. Pin moto[server]==5.2.5 or port "
            "reelsmith.workflow.moto_dispatch."
        )
    if not callable(getattr(getattr(retrier_decl, "time", None), "sleep", None)):
        raise RuntimeError(
            "moto.stepfunctions.parser.asl.component.common.retry.retrier_decl no longer sleeps through "
            "its module-level `time`; fast_retries cannot shorten Retry intervals. Port moto_dispatch."
        )


def install() -> None:
    """Route moto's simple Lambda backend to registered handlers (idempotent) and quiet moto's logs."""
    global _installed
    with _lock:
        if _installed:
            return
        check_moto_internals()
        original_invoke = LambdaSimpleBackend.invoke

        def invoke(
            self: LambdaSimpleBackend,
            function_name: str,
            qualifier: str | None,
            body: Any,
            headers: Any,
            response_headers: Any,
        ) -> str | bytes | None:
            name = _bare_function_name(function_name)
            handler = _handlers.get(name)
            if handler is None:
                return original_invoke(self, function_name, qualifier, body, headers, response_headers)
            return _run(handler, name, function_name, body, response_headers)

        LambdaSimpleBackend.invoke = invoke  # type: ignore[method-assign]
        logging.getLogger("moto").setLevel(logging.CRITICAL)
        _installed = True


def register(function_name: str, handler: LambdaHandler) -> None:
    with _lock:
        _handlers[function_name] = handler


def unregister(function_name: str) -> None:
    with _lock:
        _handlers.pop(function_name, None)


class _ScaledTime:
    """Stands in for the ``time`` module inside moto's retrier: the same API with shorter sleeps."""

    def __init__(self, scale: float) -> None:
        self._scale = scale

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds * self._scale)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def install_fast_retries(scale: float = 0.01) -> None:
    """Scale every Retry interval of every local execution in this process by ``scale`` (for tests)."""
    check_moto_internals()
    retrier_decl.time = _ScaledTime(scale)  # type: ignore[assignment]


def _bare_function_name(function_name: str) -> str:
    """``analyze`` from ``analyze``, ``arn:aws:lambda:...:function:analyze`` or ``...:analyze:$LATEST``."""
    return function_name.split(":function:")[-1].split(":")[0]


def _run(handler: LambdaHandler, name: str, function_ref: str, body: Any, response_headers: Any) -> bytes:
    """Call the handler like the Lambda runtime: JSON in, JSON out, an exception as an Unhandled error."""
    event = json.loads(body) if body else {}
    context = LocalLambdaContext(function_name=name, invoked_function_arn=function_ref)
    try:
        return json.dumps(handler(event, context)).encode()
    except Exception as exc:  # includes an answer that is not JSON, as the Lambda runtime would
        _log.warning(
            "Lambda handler %s raised %s: %s",
            name,
            type(exc).__name__,
            exc,
            exc_info=not isinstance(exc, ReelsmithError),
        )
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}).encode()
