"""The shared vendor-error mapping: status classes, Retry-After forms, and what messages may carry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from reelsmith.domain.errors import (
    ProviderAuthError,
    ProviderBadOutput,
    ProviderRejected,
    ProviderThrottled,
    ProviderUnavailable,
)
from reelsmith.providers.http_errors import error_for_status, retry_after, sanitize, vendor_message


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (429, ProviderThrottled),
        (401, ProviderAuthError),
        (403, ProviderAuthError),
        (408, ProviderUnavailable),
        (500, ProviderUnavailable),
        (503, ProviderUnavailable),
        (400, ProviderRejected),
        (404, ProviderRejected),
        (422, ProviderRejected),
        (200, ProviderBadOutput),
        (None, ProviderBadOutput),
    ],
)
def test_status_classes(status: int | None, expected: type) -> None:
    assert type(error_for_status("Vendor", status)) is expected


def test_content_policy_refusals_get_a_safety_code() -> None:
    error = error_for_status("Vendor", 400, body={"error": "Prompt rejected by content moderation."})

    assert isinstance(error, ProviderRejected) and error.code == "safety_rejected"


def test_retry_after_forms() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)

    assert retry_after({"Retry-After": "7"}) == 7.0
    assert retry_after({"retry-after-ms": "250"}) == 0.25
    assert 55 <= (retry_after({"retry-after": later}) or 0) <= 60
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after(None) is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"error": {"code": 429, "message": "Quota exceeded.", "status": "RESOURCE_EXHAUSTED"}},
            "Quota exceeded.",
        ),
        ({"detail": {"status": "quota_exceeded", "message": "No credits left."}}, "No credits left."),
        (
            {"detail": [{"loc": ["body", "text"], "msg": "Field required", "input": {"secret": 1}}]},
            "Field required",
        ),
        ("<html><body>502 Bad Gateway</body></html>", ""),
        (None, ""),
    ],
)
def test_vendor_message_picks_the_explanation_only(body: object, message: str) -> None:
    assert vendor_message(body) == message


def test_sanitize_removes_keys_tokens_and_blobs() -> None:
    text = (
        "bad key_0123456789abcdef and sk_0123456789abcdef, Bearer abc.def, token ya29.a0AfH6SM,"
        " image data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA and our-own-secret"
    )

    clean = sanitize(text, secrets=["our-own-secret"])

    for leaked in ("key_0123", "sk_0123", "abc.def", "ya29.", "iVBOR", "our-own-secret"):
        assert leaked not in clean
    assert len(sanitize("x " * 1000)) <= 300
