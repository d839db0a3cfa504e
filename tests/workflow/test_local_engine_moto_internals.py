"""The local engine patches two moto internals; a moto upgrade that moves them must fail here, loudly."""

from __future__ import annotations

import json

from moto.awslambda_simple.models import LambdaSimpleBackend

from reelsmith.domain.errors import ProviderRejected
from reelsmith.workflow import moto_dispatch


def test_the_patched_moto_internals_are_where_the_engine_expects_them() -> None:
    moto_dispatch.check_moto_internals()  # raises RuntimeError naming what moved


def test_an_invocation_reaches_the_handler_registered_under_the_function_name() -> None:
    moto_dispatch.install()
    moto_dispatch.register("echo-test", lambda event, context: {"seen": event, "by": context.function_name})
    headers: dict[str, str] = {}
    try:
        answer = LambdaSimpleBackend.invoke(
            None,  # type: ignore[arg-type]  # the dispatcher never touches the backend for a known name
            "arn:aws:lambda:us-east-1:123456789012:function:echo-test:$LATEST",
            None,
            json.dumps({"action": "ping"}),
            {},
            headers,
        )
    finally:
        moto_dispatch.unregister("echo-test")

    assert json.loads(answer) == {"seen": {"action": "ping"}, "by": "echo-test"}
    assert headers == {}


def test_an_exception_is_reported_like_the_lambda_runtime_does() -> None:
    def handler(event: dict, context: object) -> dict:
        raise ProviderRejected("content policy")

    moto_dispatch.install()
    moto_dispatch.register("reject-test", handler)
    headers: dict[str, str] = {}
    try:
        answer = LambdaSimpleBackend.invoke(None, "reject-test", None, "{}", {}, headers)  # type: ignore[arg-type]
    finally:
        moto_dispatch.unregister("reject-test")

    assert headers["x-amz-function-error"] == "Unhandled"
    assert json.loads(answer) == {"errorType": "ProviderRejected", "errorMessage": "content policy"}
