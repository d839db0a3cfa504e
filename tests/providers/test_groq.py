"""Groq adapter against a fake Groq API at the HTTP transport (the groq SDK code runs).

Responses carry Groq's real shapes: OpenAI-style chat.completion objects with x_groq and usage
timing fields, and {"error": {"message", "type", "code"}} bodies (rate_limit_exceeded with a
retry-after header, json_validate_failed with failed_generation).
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
    ProviderUnavailable,
)
from reelsmith.providers.groq import GroqLanguageModel, GroqUnderstanding
from reelsmith.providers.understanding import understand_with_fallback
from tests.providers.understanding_fixtures import READ_JSON, keyframe_files, sample_report

Answer = Callable[[httpx.Request], httpx.Response]


def completion(content: str, finish: str = "stop", model: str = "meta-llama/llama-4-scout-17b-16e-instruct"):
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-5f1c",
            "object": "chat.completion",
            "created": 1764000000,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "logprobs": None,
                    "finish_reason": finish,
                }
            ],
            "usage": {
                "queue_time": 0.02,
                "prompt_tokens": 2900,
                "prompt_time": 0.1,
                "completion_tokens": 210,
                "completion_time": 0.4,
                "total_tokens": 3110,
                "total_time": 0.5,
            },
            "system_fingerprint": "fp_42",
            "x_groq": {"id": "req_01"},
        },
    )


def groq_error(status: int, message: str, kind: str, code: str | None = None, **extra) -> httpx.Response:
    headers = extra.pop("headers", None)
    return httpx.Response(
        status, headers=headers, json={"error": {"message": message, "type": kind, "code": code, **extra}}
    )


class FakeGroq:
    def __init__(self, answers: list[Answer]) -> None:
        self.answers = list(answers)
        self.bodies: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/openai/v1/chat/completions"
        assert request.headers["authorization"] == "Bearer test-key"
        self.bodies.append(json.loads(request.content))
        return self.answers.pop(0)(request)


def vision(fake: FakeGroq, sleeps: list[float] | None = None) -> GroqUnderstanding:
    client = httpx.Client(transport=httpx.MockTransport(fake))
    return GroqUnderstanding(
        "test-key", http_client=client, sleep=(sleeps if sleeps is not None else []).append
    )


def test_reads_keyframes_in_json_mode(tmp_path: Path) -> None:
    fake = FakeGroq([lambda _: completion(READ_JSON)])
    read = vision(fake).understand(tmp_path / "sample.mp4", sample_report(), keyframe_files(tmp_path))
    assert read.source == "groq" and read.call_to_action == "shop the drop"
    assert [b.shot_index for b in read.narrative_beats] == [0, 1]
    body = fake.bodies[0]
    assert body["model"] == "meta-llama/llama-4-scout-17b-16e-instruct"
    assert body["response_format"] == {"type": "json_object"}
    assert "JSON" in body["messages"][0]["content"]
    parts = body["messages"][1]["content"]
    images = [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]
    assert len(images) == 2 and all(url.startswith("data:image/jpeg;base64,") for url in images)
    assert "(keyframe image attached)" in parts[0]["text"]


def test_sends_at_most_five_keyframes_under_the_size_limit(tmp_path: Path) -> None:
    fake = FakeGroq([lambda _: completion(READ_JSON)])
    vision(fake).understand(tmp_path / "sample.mp4", sample_report(), keyframe_files(tmp_path, count=12))
    parts = fake.bodies[0]["messages"][1]["content"]
    assert sum(p["type"] == "image_url" for p in parts) == 5
    assert len(json.dumps(fake.bodies[0])) < 4_000_000


def test_malformed_json_is_bad_output(tmp_path: Path) -> None:
    fake = FakeGroq([lambda _: completion('{"content_type": "demo", "subject": "shoe"')])
    with pytest.raises(ProviderBadOutput):
        vision(fake).understand(tmp_path / "v.mp4", sample_report(), [])


def test_json_mode_validation_failure_is_bad_output(tmp_path: Path) -> None:
    failed = groq_error(
        400,
        "Failed to generate JSON. Please adjust your prompt. See 'failed_generation' for more details.",
        "invalid_request_error",
        "json_validate_failed",
        failed_generation="Sure! Here is the analysis: {",
    )
    with pytest.raises(ProviderBadOutput, match="not valid JSON"):
        vision(FakeGroq([lambda _: failed])).understand(tmp_path / "v.mp4", sample_report(), [])


def test_a_plain_text_refusal_is_bad_output(tmp_path: Path) -> None:
    fake = FakeGroq([lambda _: completion("I'm sorry, but I can't help with analysing this video.")])
    with pytest.raises(ProviderBadOutput):
        vision(fake).understand(tmp_path / "v.mp4", sample_report(), [])


def test_a_content_filter_stop_is_a_refusal(tmp_path: Path) -> None:
    fake = FakeGroq([lambda _: completion("", finish="content_filter")])
    with pytest.raises(ProviderRejected):
        vision(fake).understand(tmp_path / "v.mp4", sample_report(), [])


def test_rate_limit_is_retried_after_the_servers_delay(tmp_path: Path) -> None:
    limited = groq_error(
        429,
        "Rate limit reached for model `meta-llama/llama-4-scout-17b-16e-instruct` on tokens "
        "per minute (TPM). Please try again in 2.5s.",
        "tokens",
        "rate_limit_exceeded",
        headers={"retry-after": "3"},
    )
    fake = FakeGroq([lambda _: limited, lambda _: completion(READ_JSON)])
    sleeps: list[float] = []
    assert vision(fake, sleeps).understand(tmp_path / "v.mp4", sample_report(), []).source == "groq"
    assert sleeps == [3.0]


def test_server_errors_end_as_unavailable_and_fall_back(tmp_path: Path) -> None:
    down = groq_error(500, "Internal Server Error", "internal_server_error")
    fake = FakeGroq([lambda _: down] * 3)
    sleeps: list[float] = []
    read = understand_with_fallback([vision(fake, sleeps)], tmp_path / "v.mp4", sample_report(), [])
    assert read.source == "signals" and read.note == "derived from signals: groq failed: provider_unavailable"
    assert len(fake.bodies) == 3 and sleeps == [1.0, 2.0]


def test_a_bad_key_is_an_auth_error(tmp_path: Path) -> None:
    denied = groq_error(401, "Invalid API Key", "invalid_request_error", "invalid_api_key")
    with pytest.raises(ProviderAuthError):
        vision(FakeGroq([lambda _: denied])).understand(tmp_path / "v.mp4", sample_report(), [])


def test_a_timeout_is_unavailable(tmp_path: Path) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(ProviderUnavailable):
        vision(FakeGroq([timeout] * 3)).understand(tmp_path / "v.mp4", sample_report(), [])


def test_language_model_answers_a_json_object() -> None:
    fake = FakeGroq([lambda _: completion('{"duration": 30}', model="llama-3.3-70b-versatile")])
    client = httpx.Client(transport=httpx.MockTransport(fake))
    llm = GroqLanguageModel("test-key", http_client=client, sleep=lambda _: None)
    assert llm.complete_json("You edit plans.", "Make it 30 seconds.") == {"duration": 30}
    body = fake.bodies[0]
    assert body["model"] == "llama-3.3-70b-versatile" and body["response_format"] == {"type": "json_object"}
    assert "JSON" in body["messages"][0]["content"]  # JSON mode needs the prompt to ask for JSON


def test_language_model_rejects_json_that_is_not_an_object() -> None:
    fake = FakeGroq([lambda _: completion('"just a string"')])
    llm = GroqLanguageModel("test-key", http_client=httpx.Client(transport=httpx.MockTransport(fake)))
    with pytest.raises(ProviderBadOutput):
        llm.complete_json("Answer in JSON.", "Hi")
