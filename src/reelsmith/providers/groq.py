"""Groq: the AI read from keyframes (Llama 4 Scout vision), and JSON chat completion (Llama 3.3 70B).

Groq sees pictures, not video, so it gets up to five keyframes spread over the shots (base64
JPEG data URIs, under the 4 MB request limit) with the measured facts and the shot list, and
answers in JSON mode. The SDK's own retries are off so that one policy (ours) applies to every
vendor; errors map to our Provider* errors as in the Gemini adapter.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import groq
import httpx

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
from reelsmith.providers.understanding import READ_INSTRUCTIONS, describe_for_prompt, parse_read, with_retries

VISION_MODEL = "meta-llama/llama-4-scout-17b-16e-instruct"
TEXT_MODEL = "llama-3.3-70b-versatile"
TIMEOUT_SECONDS = 60.0
MAX_IMAGES = 5
MAX_IMAGE_BYTES = 3_500_000  # base64 grows by a third; the request limit is 4 MB


class _GroqClient:
    def __init__(
        self,
        api_key: str,
        model: str,
        *,
        http_client: httpx.Client | None = None,
        timeout: float = TIMEOUT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = groq.Groq(api_key=api_key, timeout=timeout, max_retries=0, http_client=http_client)
        self.model = model
        self.sleep = sleep

    def chat_json(self, messages: list[dict[str, Any]], max_tokens: int) -> str:
        """The answer text of a JSON-mode completion, retried on throttling and outages."""

        def attempt() -> str:
            with _mapped_errors():
                completion = self.client.chat.completions.create(  # type: ignore[call-overload]
                    model=self.model,
                    messages=messages,
                    response_format={"type": "json_object"},
                    temperature=0.2,
                    max_completion_tokens=max_tokens,
                )
            choice = completion.choices[0] if completion.choices else None
            if choice is not None and choice.finish_reason == "content_filter":
                raise ProviderRejected("Groq refused to answer (content filter).")
            if choice is None or not choice.message.content:
                raise ProviderBadOutput("Groq returned an empty answer.")
            return choice.message.content

        return with_retries(attempt, sleep=self.sleep)


class GroqUnderstanding(_GroqClient):
    name = "groq"

    def __init__(self, api_key: str, model: str = VISION_MODEL, **options: Any) -> None:
        super().__init__(api_key, model, **options)

    def understand(self, video_path: Path, report: AnalysisReport, keyframes: list[Path]) -> Understanding:
        shown = _spread(len(keyframes), MAX_IMAGES)
        images, budget = [], MAX_IMAGE_BYTES
        for index in shown:
            data = keyframes[index].read_bytes()
            if len(data) * 4 // 3 > budget:
                break
            budget -= len(data) * 4 // 3
            url = "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")
            images.append({"type": "image_url", "image_url": {"url": url, "detail": "auto"}})
        prompt = describe_for_prompt(report, shown=shown[: len(images)])
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": READ_INSTRUCTIONS},
            {"role": "user", "content": [{"type": "text", "text": prompt}, *images]},
        ]
        return parse_read(self.chat_json(messages, max_tokens=2048), "groq", report)


class GroqLanguageModel(_GroqClient):
    name = "groq"

    def __init__(self, api_key: str, model: str = TEXT_MODEL, **options: Any) -> None:
        super().__init__(api_key, model, **options)

    def complete_json(self, system: str, user: str, *, max_tokens: int = 2048) -> dict[str, Any]:
        if "json" not in (system + user).lower():  # JSON mode refuses prompts that do not ask for JSON
            system += "\nAnswer with one JSON object."
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        text = self.chat_json(messages, max_tokens)
        return json_object(text, "Groq")


def _spread(count: int, most: int) -> list[int]:
    """Up to ``most`` indexes spread evenly over ``count`` items, first and last included."""
    if count <= most:
        return list(range(count))
    return sorted({round(i * (count - 1) / (most - 1)) for i in range(most)})


@contextmanager
def _mapped_errors() -> Iterator[None]:
    try:
        yield
    except groq.APIStatusError as exc:
        raise _from_status(exc) from exc
    except groq.APITimeoutError as exc:
        raise ProviderUnavailable("Groq timed out.") from exc
    except groq.APIConnectionError as exc:
        raise ProviderUnavailable("Groq could not be reached.") from exc


def _from_status(exc: groq.APIStatusError) -> ProviderError:
    status, body = exc.status_code, exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error", body) if isinstance(body, dict) else {}
    code = error.get("code") if isinstance(error, dict) else None
    message = error.get("message", exc.message) if isinstance(error, dict) else exc.message
    if status == 429:
        return ProviderThrottled(
            f"Groq is rate limiting us: {message}", retry_after=_retry_after(exc.response)
        )
    if status in (401, 403):
        return ProviderAuthError(f"Groq rejected the API key: {message}")
    if status >= 500 or status == 408:
        return ProviderUnavailable(f"Groq is unavailable ({status}): {message}")
    if code == "json_validate_failed":
        return ProviderBadOutput(f"Groq's answer was not valid JSON: {message}")
    return ProviderBadOutput(f"Groq refused the request ({status}, {code or 'no code'}): {message}")


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["retry-after"])
    except (KeyError, ValueError):
        return None
