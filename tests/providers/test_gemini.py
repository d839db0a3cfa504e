"""Gemini adapter against a fake Gemini API at the HTTP transport (the google-genai SDK code runs).

Responses carry the Developer API's real shapes: the resumable upload protocol (start answers
with x-goog-upload-url, the final chunk with x-goog-upload-status: final and {"file": ...}), file
GET with its state, generateContent candidates with content.parts[].text, Google error bodies.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from reelsmith.domain.errors import (
    ProviderAuthError,
    ProviderBadOutput,
    ProviderRejected,
    ProviderThrottled,
    ProviderUnavailable,
)
from reelsmith.providers.gemini import GeminiLanguageModel, GeminiUnderstanding
from reelsmith.providers.understanding import understand_with_fallback
from tests.providers.understanding_fixtures import READ_JSON, keyframe_files, sample_report

BASE = "https://generativelanguage.googleapis.com"
Answer = Callable[[httpx.Request], httpx.Response]


def candidate(text: str, finish: str = "STOP") -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "candidates": [
                {"content": {"parts": [{"text": text}], "role": "model"}, "finishReason": finish, "index": 0}
            ],
            "usageMetadata": {"promptTokenCount": 2048, "candidatesTokenCount": 180, "totalTokenCount": 2228},
            "modelVersion": "gemini-3.5-flash",
        },
    )


def google_error(
    status: int, reason: str, message: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status, headers=headers, json={"error": {"code": status, "message": message, "status": reason}}
    )


class FakeGemini:
    """The Files API and generateContent; ``answers`` are served in order to generateContent calls."""

    def __init__(self, answers: list[Answer], *, states: tuple[str, ...] = ("PROCESSING", "ACTIVE")) -> None:
        self.answers = list(answers)
        self.states = list(states)
        self.requests: list[httpx.Request] = []
        self.deleted: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        file = {"name": "files/v1d30", "mimeType": "video/mp4", "uri": f"{BASE}/v1beta/files/v1d30"}
        if path.startswith("/upload/") and request.headers.get("x-goog-upload-command") == "start":
            return httpx.Response(
                200,
                headers={
                    "x-goog-upload-url": f"{BASE}/upload/v1beta/files?upload_id=u1",
                    "x-goog-upload-status": "active",
                },
            )
        if path.startswith("/upload/"):
            return httpx.Response(
                200,
                headers={"x-goog-upload-status": "final"},
                json={"file": {**file, "sizeBytes": "4096", "state": self.states.pop(0)}},
            )
        if request.method == "GET" and path.endswith("/files/v1d30"):
            return httpx.Response(200, json={**file, "state": self.states.pop(0)})
        if request.method == "DELETE":
            self.deleted.append(path)
            return httpx.Response(200, json={})
        if path.endswith(":generateContent"):
            return self.answers.pop(0)(request)
        return httpx.Response(
            404, json={"error": {"code": 404, "message": "not found", "status": "NOT_FOUND"}}
        )

    def generate_bodies(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests if r.url.path.endswith(":generateContent")]


def understanding(fake: FakeGemini, sleeps: list[float] | None = None) -> GeminiUnderstanding:
    client = httpx.Client(transport=httpx.MockTransport(fake))
    return GeminiUnderstanding(
        "test-key", http_client=client, sleep=(sleeps if sleeps is not None else []).append
    )


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "sample.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4096)
    return path


def test_reads_the_uploaded_video_with_a_response_schema(video: Path, tmp_path: Path) -> None:
    fake = FakeGemini([lambda _: candidate(READ_JSON)])
    sleeps: list[float] = []
    read = understanding(fake, sleeps).understand(video, sample_report(), keyframe_files(tmp_path))

    assert read.source == "gemini"
    assert read.subject == "a red sneaker" and read.has_people is True
    assert [b.shot_index for b in read.narrative_beats] == [0, 1]  # the beat for a missing shot is dropped
    body = fake.generate_bodies()[0]
    assert body["generationConfig"]["responseMimeType"] == "application/json"
    assert "narrative_beats" in json.dumps(body["generationConfig"]["responseSchema"])
    assert body["contents"][0]["parts"][0]["fileData"]["file_uri"].endswith("/files/v1d30")
    assert "shot 1: 1.5-4.0 s" in body["contents"][0]["parts"][1]["text"]
    assert fake.requests[0].headers["x-goog-api-key"] == "test-key"
    assert sleeps == [3.0]  # one wait while the file was PROCESSING
    assert fake.deleted == ["/v1/files/v1d30"]


def test_malformed_json_is_bad_output(video: Path) -> None:
    fake = FakeGemini([lambda _: candidate('{"content_type": "demo", "subject": ')])
    with pytest.raises(ProviderBadOutput):
        understanding(fake).understand(video, sample_report(), [])
    assert fake.deleted  # the upload is cleaned up on failure too


def test_json_missing_required_fields_is_bad_output(video: Path) -> None:
    fake = FakeGemini([lambda _: candidate('{"tone": "calm"}')])
    with pytest.raises(ProviderBadOutput):
        understanding(fake).understand(video, sample_report(), [])


@pytest.mark.parametrize(
    "blocked",
    [
        {
            "promptFeedback": {
                "blockReason": "SAFETY",
                "safetyRatings": [
                    {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": True}
                ],
            }
        },
        {
            "candidates": [
                {
                    "finishReason": "SAFETY",
                    "index": 0,
                    "safetyRatings": [
                        {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True}
                    ],
                }
            ]
        },
    ],
    ids=["prompt-blocked", "answer-blocked"],
)
def test_safety_block_is_a_refusal(video: Path, blocked: dict) -> None:
    fake = FakeGemini([lambda _: httpx.Response(200, json=blocked)])
    with pytest.raises(ProviderRejected):
        understanding(fake).understand(video, sample_report(), [])


def test_throttling_is_retried_after_the_servers_delay(video: Path) -> None:
    throttled = google_error(
        429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", {"retry-after": "7"}
    )
    fake = FakeGemini([lambda _: throttled, lambda _: candidate(READ_JSON)])
    sleeps: list[float] = []
    read = understanding(fake, sleeps).understand(video, sample_report(), [])
    assert read.source == "gemini"
    assert sleeps == [3.0, 7.0]


def test_persistent_server_errors_end_as_unavailable(video: Path) -> None:
    error = google_error(500, "INTERNAL", "An internal error has occurred.")
    fake = FakeGemini([lambda _: error] * 3)
    sleeps: list[float] = []
    with pytest.raises(ProviderUnavailable):
        understanding(fake, sleeps).understand(video, sample_report(), [])
    assert len(fake.generate_bodies()) == 3 and sleeps == [3.0, 1.0, 2.0]


def test_a_timeout_is_unavailable(video: Path) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    with pytest.raises(ProviderUnavailable):
        understanding(FakeGemini([timeout] * 3)).understand(video, sample_report(), [])


def test_a_bad_key_is_an_auth_error(video: Path) -> None:
    def denied(request: httpx.Request) -> httpx.Response:
        return google_error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers.")

    client = httpx.Client(transport=httpx.MockTransport(denied))
    with pytest.raises(ProviderAuthError):
        GeminiUnderstanding("bad-key", http_client=client, sleep=lambda _: None).understand(
            video, sample_report(), []
        )


def test_a_file_that_fails_processing_is_bad_output(video: Path) -> None:
    fake = FakeGemini([], states=("PROCESSING", "FAILED"))
    with pytest.raises(ProviderBadOutput):
        understanding(fake).understand(video, sample_report(), [])


def test_failure_falls_back_to_signals_with_the_reason(video: Path) -> None:
    fake = FakeGemini([lambda _: httpx.Response(200, json={"promptFeedback": {"blockReason": "SAFETY"}})])
    read = understand_with_fallback([understanding(fake)], video, sample_report(), [])
    assert read.source == "signals"
    assert read.note == "derived from signals: gemini failed: provider_rejected"
    assert read.style_keywords and read.narrative_beats


def test_language_model_returns_the_json_object() -> None:
    seen: list[dict] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return candidate('{"segments": [{"prompt": "a red shoe"}]}')

    client = httpx.Client(transport=httpx.MockTransport(answer))
    llm = GeminiLanguageModel("test-key", http_client=client, sleep=lambda _: None)
    assert llm.complete_json("You plan videos.", "Plan 2 segments.") == {
        "segments": [{"prompt": "a red shoe"}]
    }
    assert seen[0]["systemInstruction"]["parts"][0]["text"] == "You plan videos."
    assert seen[0]["generationConfig"]["responseMimeType"] == "application/json"


def test_language_model_rejects_json_that_is_not_an_object() -> None:
    client = httpx.Client(transport=httpx.MockTransport(lambda _: candidate("[1, 2]")))
    with pytest.raises(ProviderBadOutput):
        GeminiLanguageModel("k", http_client=client, sleep=lambda _: None).complete_json("s", "u")


def test_throttled_error_carries_retry_after() -> None:
    throttled = google_error(429, "RESOURCE_EXHAUSTED", "quota", {"retry-after": "2"})
    client = httpx.Client(transport=httpx.MockTransport(lambda _: throttled))
    with pytest.raises(ProviderThrottled) as caught:
        GeminiLanguageModel("k", http_client=client, sleep=lambda _: None).complete_json("s", "u")
    assert caught.value.retry_after == 2.0
