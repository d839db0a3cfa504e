"""The Veo adapter against a fake Vertex AI at the HTTP transport: the real google-genai client runs."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from reelsmith.domain.errors import ProviderRejected, ProviderThrottled, ProviderUnavailable
from reelsmith.providers.base import VideoRequest
from reelsmith.providers.veo import VeoVideoGenerator

from .fakes import FakeVeo, fake_google_credentials

PROJECT, LOCATION = "reelsmith-test", "us-central1"
MODEL_PATH = (
    f"/v1beta1/projects/{PROJECT}/locations/{LOCATION}/publishers/google/models/veo-3.1-fast-generate-001"
)


@pytest.fixture
def fake(clip_bytes: bytes) -> FakeVeo:
    return FakeVeo(video_bytes=clip_bytes)


@pytest.fixture
def generator(fake: FakeVeo) -> VeoVideoGenerator:
    return VeoVideoGenerator(
        project=PROJECT, location=LOCATION, credentials=fake_google_credentials(), http_client=fake.client()
    )


def request(**kwargs: object) -> VideoRequest:
    fields: dict = {"model": "veo3.1_fast", "prompt": "A lighthouse in a storm", "duration": 6} | kwargs
    return VideoRequest(**fields)


def test_submit_returns_the_operation_name_and_sends_the_config(
    generator: VeoVideoGenerator, fake: FakeVeo, png_image: Path, tmp_path: Path
) -> None:
    task_id = generator.submit(
        request(image_path=png_image, negative_prompt="text, watermark", seed=7), work_dir=tmp_path
    )

    assert task_id.startswith(f"projects/{PROJECT}/locations/{LOCATION}/publishers/google/models/")
    sent = fake.requests[0]
    assert sent.url.host == f"{LOCATION}-aiplatform.googleapis.com"
    assert sent.url.path == f"{MODEL_PATH}:predictLongRunning"
    assert sent.headers["authorization"] == "Bearer ya29.fake-token"
    (body,) = fake.bodies(":predictLongRunning")
    (instance,) = body["instances"]
    assert instance["prompt"] == "A lighthouse in a storm"
    assert instance["image"]["mimeType"] == "image/png"
    assert base64.b64decode(instance["image"]["bytesBase64Encoded"]) == png_image.read_bytes()
    assert body["parameters"] == {
        "aspectRatio": "9:16",
        "durationSeconds": 6,
        "sampleCount": 1,
        "negativePrompt": "text, watermark",
        "personGeneration": "allow_adult",
        "generateAudio": False,
        "resolution": "720p",
        "seed": 7,
    }


def test_operation_lifecycle_pending_then_clip_written(
    generator: VeoVideoGenerator, fake: FakeVeo, clip_bytes: bytes, tmp_path: Path
) -> None:
    task_id = generator.submit(request(), work_dir=tmp_path)

    pending = generator.poll(task_id, work_dir=tmp_path)
    done = generator.poll(task_id, work_dir=tmp_path)

    assert pending.state == "pending"
    assert done.state == "succeeded"
    assert done.output_path is not None and done.output_path.parent == tmp_path
    assert done.output_path.read_bytes() == clip_bytes
    fetch = fake.requests[-1]
    assert fetch.url.path == f"{MODEL_PATH}:fetchPredictOperation"
    assert fake.bodies(":fetchPredictOperation")[-1] == {"operationName": task_id}


def test_safety_filtered_clip_is_a_failed_poll_with_the_reasons(
    generator: VeoVideoGenerator, fake: FakeVeo, tmp_path: Path
) -> None:
    fake.outcome, fake.polls_before_done = "rai", 0
    task_id = generator.submit(request(), work_dir=tmp_path)

    status = generator.poll(task_id, work_dir=tmp_path)

    assert (status.state, status.error_code) == ("failed", "safety_filtered")
    assert "usage guidelines" in (status.error_message or "")


def test_operation_error_is_a_failed_poll(
    generator: VeoVideoGenerator, fake: FakeVeo, tmp_path: Path
) -> None:
    fake.outcome, fake.polls_before_done = "error", 0
    task_id = generator.submit(request(), work_dir=tmp_path)

    status = generator.poll(task_id, work_dir=tmp_path)

    assert (status.state, status.error_code) == ("failed", "veo_error_13")
    assert status.error_message == "Internal error encountered."


def test_operation_error_about_safety_gets_a_safety_code(
    generator: VeoVideoGenerator, fake: FakeVeo, tmp_path: Path
) -> None:
    fake.outcome, fake.polls_before_done = "error", 0
    fake.error = {"code": 3, "message": "The prompt could violate Vertex AI's Responsible AI practices."}
    task_id = generator.submit(request(), work_dir=tmp_path)

    assert generator.poll(task_id, work_dir=tmp_path).error_code == "safety_filtered"


def test_cloud_storage_output_is_unsupported(
    generator: VeoVideoGenerator, fake: FakeVeo, tmp_path: Path
) -> None:
    fake.outcome, fake.polls_before_done = "gcs", 0
    task_id = generator.submit(request(), work_dir=tmp_path)

    assert generator.poll(task_id, work_dir=tmp_path).error_code == "unsupported_output"


def test_429_is_throttled_with_retry_after(
    generator: VeoVideoGenerator, fake: FakeVeo, tmp_path: Path
) -> None:
    fake.respond_next(
        429,
        json_body={"error": {"code": 429, "message": "Quota exceeded for aiplatform.googleapis.com.",
                             "status": "RESOURCE_EXHAUSTED"}},
        headers={"Retry-After": "12"},
    )  # fmt: skip

    with pytest.raises(ProviderThrottled) as raised:
        generator.submit(request(), work_dir=tmp_path)

    assert raised.value.retry_after == 12.0
    assert "Quota exceeded" in raised.value.message
    assert len(fake.requests) == 1


def test_503_and_timeouts_are_unavailable(
    generator: VeoVideoGenerator, fake: FakeVeo, tmp_path: Path
) -> None:
    task_id = generator.submit(request(), work_dir=tmp_path)
    fake.respond_next(
        503, json_body={"error": {"code": 503, "message": "Service unavailable.", "status": "UNAVAILABLE"}}
    )
    fake.timeout_next()

    for _ in range(2):
        with pytest.raises(ProviderUnavailable):
            generator.poll(task_id, work_dir=tmp_path)


def test_invalid_duration_is_refused_before_any_request(
    generator: VeoVideoGenerator, fake: FakeVeo, tmp_path: Path
) -> None:
    with pytest.raises(ProviderRejected) as raised:
        generator.submit(request(duration=5), work_dir=tmp_path)

    assert raised.value.code == "invalid_duration" and fake.requests == []


def test_a_foreign_task_id_is_a_failed_poll_without_a_request(
    generator: VeoVideoGenerator, fake: FakeVeo, tmp_path: Path
) -> None:
    status = generator.poll("../../etc/passwd", work_dir=tmp_path)

    assert (status.state, status.error_code) == ("failed", "unknown_task") and fake.requests == []


def test_an_echoed_token_never_reaches_the_error_message(
    generator: VeoVideoGenerator, fake: FakeVeo, tmp_path: Path
) -> None:
    fake.respond_next(
        400,
        json_body={
            "error": {
                "code": 400,
                "message": "Bad token ya29.fake-token in request",
                "status": "INVALID_ARGUMENT",
            }
        },
    )

    with pytest.raises(ProviderRejected) as raised:
        generator.submit(request(), work_dir=tmp_path)

    assert "ya29.fake-token" not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_cancel_is_a_documented_no_op(generator: VeoVideoGenerator, fake: FakeVeo, tmp_path: Path) -> None:
    task_id = generator.submit(request(), work_dir=tmp_path)

    generator.cancel(task_id)

    assert len(fake.requests) == 1
