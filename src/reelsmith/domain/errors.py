"""One error hierarchy for the whole product.

Every error carries a stable machine-readable ``code`` and the HTTP ``status`` the API answers
with, so routers never translate exceptions by hand. The class *names* of the provider errors are
a contract with ``state_machine.asl.json``: Step Functions routes Retry/Catch on ``errorType``,
which is the exception class name.
"""

from __future__ import annotations

from typing import Any


class ReelsmithError(Exception):
    """Base of every error we raise on purpose; anything else is a bug (500, no details)."""

    status: int = 500
    code: str = "internal_error"
    default_message: str = "Something went wrong on our side."

    def __init__(self, message: str | None = None, *, code: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.details = details
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


class BadRequest(ReelsmithError):
    status, code, default_message = 400, "bad_request", "The request is not valid."


class Unauthorized(ReelsmithError):
    status, code, default_message = 401, "unauthorized", "Sign in again: the token is missing or invalid."


class Forbidden(ReelsmithError):
    status, code, default_message = 403, "forbidden", "This action is not allowed."


class NotFound(ReelsmithError):
    status, code, default_message = 404, "not_found", "Not found."


class Conflict(ReelsmithError):
    status, code, default_message = 409, "conflict", "The request conflicts with the current state."


class ValidationFailed(ReelsmithError):
    status, code, default_message = 422, "validation_failed", "The input is not valid."


class MediaRejected(ValidationFailed):
    """Uploaded media that we refuse to process (hostile, unsupported or over the limits)."""

    code, default_message = "unsupported_media", "This file is not a supported media file."


class BudgetExceeded(ReelsmithError):
    status, code, default_message = 402, "budget_exceeded", "This would pass your monthly budget."


class RateLimited(ReelsmithError):
    status, code, default_message = 429, "rate_limited", "Too many requests; try again shortly."

    def __init__(self, message: str | None = None, *, retry_after: int = 5, **details: Any) -> None:
        super().__init__(message, **details)
        self.retry_after = retry_after


class ServiceUnavailable(ReelsmithError):
    status, code, default_message = 503, "service_unavailable", "A service we depend on is unavailable."


class MediaProcessingFailed(ReelsmithError):
    """FFmpeg or decoding failed on media we made or accepted; the stderr tail is in ``details``."""

    status, code, default_message = 500, "media_processing_failed", "Media processing failed."


class ProviderError(ReelsmithError):
    """Base for failures of an external AI service (or its offline stand-in)."""

    status, code, default_message = 502, "provider_error", "The AI provider failed."
    retryable = False


class ProviderThrottled(ProviderError):
    code, default_message = "provider_throttled", "The AI provider is rate limiting us."
    retryable = True

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **details: Any):
        super().__init__(message, **details)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    code, default_message = "provider_unavailable", "The AI provider is unavailable."
    retryable = True


class ProviderRejected(ProviderError):
    """A content-policy refusal: never retried with the same model; the user sees the reason."""

    status, code, default_message = 422, "provider_rejected", "The AI provider refused this request."


class ProviderBadOutput(ProviderError):
    code, default_message = "provider_bad_output", "The AI provider returned an unusable result."


class ProviderAuthError(ProviderError):
    code, default_message = "provider_auth_error", "The AI provider rejected our credentials."


TRANSIENT_PROVIDER_ERRORS: tuple[type[ProviderError], ...] = (ProviderThrottled, ProviderUnavailable)


class SegmentsFailed(ReelsmithError):
    """Compose refused: segments failed and the plan does not allow a partial video."""

    status, code, default_message = 422, "segments_failed", "Some segments could not be generated."


class QualityCheckFailed(ReelsmithError):
    status, code, default_message = (
        500,
        "quality_check_failed",
        "The finished video failed its quality check.",
    )


# Errors Step Functions retries with backoff: vendors throttling or down, or our database/storage
# briefly unreachable (a failover, a dropped connection). Everything else is permanent.
TRANSIENT_ERRORS: tuple[type[ReelsmithError], ...] = (*TRANSIENT_PROVIDER_ERRORS, ServiceUnavailable)
