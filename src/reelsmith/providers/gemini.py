"""Gemini (google-genai, Developer API): the AI read of the whole video, and JSON chat completion.

The video is uploaded with the Files API, waited on until ACTIVE (bounded), read with a response
schema, then deleted. Vendor errors become our Provider* errors: 429 -> throttled, 5xx and
timeouts -> unavailable (both retried), 401/403 -> auth, a safety block -> rejected, an answer
that is not the JSON asked for -> bad output.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
from google import genai
from google.genai import errors, types

from reelsmith.domain.analysis import AnalysisReport, Understanding
from reelsmith.domain.errors import (
    ProviderAuthError,
    ProviderBadOutput,
    ProviderError,
    ProviderRejected,
    ProviderThrottled,
    ProviderUnavailable,
)
from reelsmith.providers.http_errors import json_object
from reelsmith.providers.understanding import (
    READ_INSTRUCTIONS,
    AIRead,
    describe_for_prompt,
    parse_read,
    with_retries,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_MODEL = "gemini-3.5-flash"
TIMEOUT_SECONDS = 120
ACTIVE_WAIT_SECONDS = 180
POLL_SECONDS = 3.0
BLOCKED = {
    "SAFETY",
    "PROHIBITED_CONTENT",
    "BLOCKLIST",
    "SPII",
    "IMAGE_SAFETY",
    "JAILBREAK",
    "MODEL_ARMOR",
    "OTHER",
}
VIDEO_TYPES = {".mp4": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm"}


class _GeminiClient:
    """A google-genai client with our timeout; ``http_client`` lets tests put a fake transport under it."""

    def __init__(
        self,
        api_key: str,
        model: str,
        *,
        http_client: httpx.Client | None = None,
        timeout: float = TIMEOUT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        options = types.HttpOptions(timeout=int(timeout * 1000), httpx_client=http_client)
        self.client = genai.Client(api_key=api_key, http_options=options)
        self.model = model
        self.sleep = sleep

    def call(self, request: Callable[[], T]) -> T:
        """One SDK call with vendor errors mapped, retried on throttling and outages."""

        def attempt() -> T:
            with _mapped_errors():
                return request()

        return with_retries(attempt, sleep=self.sleep)

    def generate(self, contents: Any, config: types.GenerateContentConfig) -> str:
        """The text of the first candidate."""
        response = self.call(
            lambda: self.client.models.generate_content(model=self.model, contents=contents, config=config)
        )
        return _answer_text(response)


class GeminiUnderstanding(_GeminiClient):
    name = "gemini"

    def __init__(self, api_key: str, model: str = DEFAULT_MODEL, **options: Any) -> None:
        self.active_wait = options.pop("active_wait", ACTIVE_WAIT_SECONDS)
        super().__init__(api_key, model, **options)

    def understand(self, video_path: Path, report: AnalysisReport, keyframes: list[Path]) -> Understanding:
        config = types.GenerateContentConfig(
            system_instruction=READ_INSTRUCTIONS,
            response_mime_type="application/json",
            response_schema=AIRead,
            temperature=0.2,
        )
        with self._uploaded(video_path) as video:
            text = self.generate([video, describe_for_prompt(report)], config)
        return parse_read(text, "gemini", report)

    @contextmanager
    def _uploaded(self, path: Path) -> Iterator[types.File]:
        mime = VIDEO_TYPES.get(path.suffix.lower(), "video/mp4")
        uploaded = self.call(
            lambda: self.client.files.upload(file=path, config=types.UploadFileConfig(mime_type=mime))
        )
        try:
            yield self._wait_active(uploaded)
        finally:
            self._delete(uploaded)

    def _wait_active(self, uploaded: types.File) -> types.File:
        deadline = time.monotonic() + self.active_wait
        current = uploaded
        while _state(current) == "PROCESSING":
            if time.monotonic() > deadline:
                raise ProviderUnavailable("Gemini took too long to process the video.")
            self.sleep(POLL_SECONDS)
            current = self.call(lambda: self.client.files.get(name=str(uploaded.name)))
        if _state(current) != "ACTIVE":
            raise ProviderBadOutput(f"Gemini could not process the video ({_state(current) or 'no state'}).")
        return current

    def _delete(self, uploaded: types.File) -> None:
        try:
            self.client.files.delete(name=str(uploaded.name))
        except (errors.APIError, httpx.HTTPError) as exc:  # it expires in 48 h anyway
            log.info("could not delete Gemini file %s: %s", uploaded.name, exc)


class GeminiLanguageModel(_GeminiClient):
    name = "gemini"

    def __init__(self, api_key: str, model: str = DEFAULT_MODEL, **options: Any) -> None:
        super().__init__(api_key, model, **options)

    def complete_json(self, system: str, user: str, *, max_tokens: int = 2048) -> dict[str, Any]:
        config = types.GenerateContentConfig(
            system_instruction=system,
            response_mime_type="application/json",
            max_output_tokens=max_tokens,
            temperature=0.3,
        )
        text = self.generate(user, config)
        return json_object(text, "Gemini")


def _state(file: types.File) -> str | None:
    return file.state.name if file.state is not None else None


def _answer_text(response: types.GenerateContentResponse) -> str:
    """The answer's text, or the reason there is none (a safety block is a refusal, not a failure)."""
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        raise ProviderRejected(f"Gemini refused the video ({feedback.block_reason.name}).")
    candidate = response.candidates[0] if response.candidates else None
    if candidate is None:
        raise ProviderBadOutput("Gemini returned no answer.")
    reason = candidate.finish_reason.name if candidate.finish_reason is not None else "STOP"
    parts = candidate.content.parts if candidate.content and candidate.content.parts else []
    text = "".join(part.text or "" for part in parts)
    if reason in BLOCKED and not text:
        raise ProviderRejected(f"Gemini refused to answer ({reason}).")
    if not text:
        raise ProviderBadOutput(f"Gemini returned an empty answer ({reason}).")
    return text


@contextmanager
def _mapped_errors() -> Iterator[None]:
    """Vendor and transport exceptions as our Provider* errors."""
    try:
        yield
    except errors.APIError as exc:
        raise _from_status(exc.code, exc.message or str(exc), _retry_after(exc)) from exc
    except httpx.TimeoutException as exc:
        raise ProviderUnavailable("Gemini timed out.") from exc
    except httpx.TransportError as exc:
        raise ProviderUnavailable("Gemini could not be reached.") from exc


def _from_status(status: int, message: str, retry_after: float | None) -> ProviderError:
    if status == 429:
        return ProviderThrottled(f"Gemini is rate limiting us: {message}", retry_after=retry_after)
    if status in (401, 403):
        return ProviderAuthError(f"Gemini rejected the API key: {message}")
    if status >= 500 or status == 408:
        return ProviderUnavailable(f"Gemini is unavailable ({status}): {message}")
    return ProviderBadOutput(f"Gemini refused the request ({status}): {message}")


def _retry_after(exc: errors.APIError) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    try:
        return float(headers["retry-after"])
    except (KeyError, TypeError, ValueError):
        return None
