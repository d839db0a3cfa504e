"""One mapping from vendor failures to our ``Provider*`` errors, shared by every vendor adapter.

Step Functions routes Retry/Catch on the error class, so the mapping decides what is retried:
429 is ``ProviderThrottled`` (with the vendor's Retry-After), 5xx, 408 and network failures are
``ProviderUnavailable``, 401/403 ``ProviderAuthError``, other 4xx ``ProviderRejected`` and
anything unparseable ``ProviderBadOutput``. Messages reach users and logs, so they carry only
the vendor's own short explanation, with keys and echoed payloads scrubbed out.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from reelsmith.domain.errors import (
    ProviderAuthError,
    ProviderBadOutput,
    ProviderError,
    ProviderRejected,
    ProviderThrottled,
    ProviderUnavailable,
)

MAX_MESSAGE_CHARS = 300
SAFETY_WORDING = re.compile(
    r"safety|moderat|content[ _-]?polic|responsible[ _-]?ai|\brai\b|prohibited|inappropriate|nsfw", re.I
)
# Things that look like credentials or echoed media, whatever the vendor puts in an error body.
SECRET_LOOKING = re.compile(
    r"(?:\b(?:key|sk|pk)_[A-Za-z0-9]{8,}|\bAIza[0-9A-Za-z_\-]{20,}|\bya29\.[0-9A-Za-z_\-.]+"
    r"|\bBearer\s+\S+|data:[\w/+.-]*;base64,[A-Za-z0-9+/=]*|[A-Za-z0-9+/=_\-]{40,})"
)
MESSAGE_KEYS = ("message", "msg", "error", "detail", "failure", "status")

Unpacked = tuple[int | None, object, Mapping[str, str] | None]


def sanitize(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` on one line, short, without our keys or anything that looks like a key or blob."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    text = SECRET_LOOKING.sub("[redacted]", text)
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def vendor_message(body: object) -> str:
    """The human explanation inside a vendor error body; never the whole payload."""
    if isinstance(body, str):
        return "" if body.lstrip().startswith("<") else body  # an HTML error page says nothing useful
    if isinstance(body, list):
        return "; ".join(filter(None, (vendor_message(item) for item in body[:3])))
    if isinstance(body, Mapping):
        for key in MESSAGE_KEYS:
            if key in body and (found := vendor_message(body[key])):
                return found
    return ""


def is_safety(text: str) -> bool:
    """Whether a vendor's wording says content moderation refused the request."""
    return bool(SAFETY_WORDING.search(text))


def retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
    if not headers:
        return None
    lowered = {str(name).lower(): str(value) for name, value in headers.items()}
    try:
        if "retry-after-ms" in lowered:
            return max(float(lowered["retry-after-ms"]) / 1000, 0.0)
        if "retry-after" in lowered:
            value = lowered["retry-after"].strip()
            if value.replace(".", "", 1).isdigit():
                return float(value)
            return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError, OverflowError):
        return None
    return None


def error_for_status(
    vendor: str,
    status: int | None,
    *,
    body: object = None,
    headers: Mapping[str, str] | None = None,
    secrets: Iterable[str] = (),
) -> ProviderError:
    """The error for an HTTP answer that was not a success."""
    detail = sanitize(vendor_message(body), secrets)
    said = f": {detail}" if detail else "."
    if status == 429:
        return ProviderThrottled(f"{vendor} is rate limiting us{said}", retry_after=retry_after(headers))
    if status in (401, 403):
        return ProviderAuthError(f"{vendor} rejected our credentials (HTTP {status}){said}")
    if status is not None and (status == 408 or status >= 500):
        return ProviderUnavailable(f"{vendor} is unavailable (HTTP {status}){said}")
    if status is not None and 400 <= status < 500:
        code = "safety_rejected" if is_safety(detail) else "provider_rejected"
        return ProviderRejected(f"{vendor} refused the request (HTTP {status}){said}", code=code)
    return ProviderBadOutput(f"{vendor} returned an unexpected answer (HTTP {status}).")


def malformed(vendor: str) -> ProviderBadOutput:
    return ProviderBadOutput(f"{vendor} returned a malformed response.")


@dataclass(frozen=True)
class VendorErrors:
    """How one vendor SDK reports failures, so every adapter maps them through the same rules.

    ``unpack`` turns a status error into (HTTP status, parsed body, response headers).
    """

    vendor: str
    status_errors: tuple[type[BaseException], ...]
    unpack: Callable[[Any], Unpacked]
    unreachable: tuple[type[BaseException], ...]
    auth_errors: tuple[type[BaseException], ...] = ()
    malformed: tuple[type[BaseException], ...] = (ValueError, TypeError, AttributeError, KeyError)

    @contextmanager
    def translating(self, *secrets: str) -> Iterator[None]:
        """Wrap one SDK call: vendor exceptions leave as ``Provider*`` errors, never chained.

        The vendor exception is dropped (``from None``) because its text can echo request
        payloads; the new message keeps only the sanitised explanation.
        """
        try:
            yield
        except ProviderError:
            raise
        except self.status_errors as exc:
            status, body, headers = self.unpack(exc)
            raise error_for_status(self.vendor, status, body=body, headers=headers, secrets=secrets) from None
        except self.auth_errors as exc:
            raise ProviderAuthError(
                f"{self.vendor} credentials are missing or invalid ({type(exc).__name__})."
            ) from None
        except self.unreachable as exc:
            raise ProviderUnavailable(f"{self.vendor} could not be reached ({type(exc).__name__}).") from None
        except self.malformed:
            raise malformed(self.vendor) from None


def json_object(text: str, vendor: str) -> dict[str, Any]:
    """A model's answer parsed as one JSON object, or ProviderBadOutput saying what was wrong."""
    try:
        answer = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProviderBadOutput(f"{vendor} did not answer with JSON.") from exc
    if not isinstance(answer, dict):
        raise ProviderBadOutput(f"{vendor} answered with JSON that is not an object.")
    return answer
