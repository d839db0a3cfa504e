"""The Runway adapter against a fake Runway API at the HTTP transport: the real SDK runs."""

from __future__ import annotations

import base64
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
from reelsmith.media.samples import make_image
from reelsmith.providers import runway
from reelsmith.providers.base import VideoRequest
from reelsmith.providers.runway import RunwayVideoGenerator, fit_prompt

from .fakes import FakeRunway, FileServer

API_KEY = "key_" + "5f" * 32
PROMPT = "A fox runs through snow at dawn"


@pytest.fixture
def fake() -> FakeRunway:
    return FakeRunway()


@pytest.fixture
def generator(fake: FakeRunway) -> RunwayVideoGenerator:
    return RunwayVideoGenerator(api_key=API_KEY, http_client=fake.client())


def request(model: str = "gen4.5", duration: int = 5, **kwargs: object) -> VideoRequest:
    return VideoRequest(model=model, prompt=PROMPT, duration=duration, **kwargs)  # type: ignore[arg-type]


def test_text_to_video_submit_returns_the_task_id_and_sends_catalogue_values(
    generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path
) -> None:
    task_id = generator.submit(request(seed=3), work_dir=tmp_path)

    assert task_id in fake.tasks
    sent = fake.requests[-1]
    assert sent.url.path == "/v1/text_to_video"
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert fake.bodies("/v1/text_to_video") == [
        {"model": "gen4.5", "ratio": "720:1280", "duration": 5, "promptText": PROMPT, "seed": 3}
    ]


def test_image_is_sent_as_a_data_uri_prompt_image(
    generator: RunwayVideoGenerator, fake: FakeRunway, png_image: Path, tmp_path: Path
) -> None:
    generator.submit(request("gen4_turbo", image_path=png_image), work_dir=tmp_path)

    (body,) = fake.bodies("/v1/image_to_video")
    prefix = "data:image/png;base64,"
    assert body["promptImage"].startswith(prefix)
    assert base64.b64decode(body["promptImage"][len(prefix) :]) == png_image.read_bytes()
    assert body["model"] == "gen4_turbo" and body["ratio"] == "720:1280"


def test_veo_family_gets_its_ratio_and_silent_audio(
    generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path
) -> None:
    generator.submit(request("runway_veo3.1_fast", duration=6), work_dir=tmp_path)

    (body,) = fake.bodies("/v1/text_to_video")
    assert (body["model"], body["ratio"], body["duration"], body["audio"]) == (
        "veo3.1_fast",
        "1080:1920",
        6,
        False,
    )


def test_an_image_over_the_data_uri_limit_is_re_encoded_as_jpeg(
    generator: RunwayVideoGenerator,
    fake: FakeRunway,
    png_image: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runway, "RAW_IMAGE_LIMIT", 100)

    generator.submit(request("gen4_turbo", image_path=png_image), work_dir=tmp_path)

    (body,) = fake.bodies("/v1/image_to_video")
    assert body["promptImage"].startswith("data:image/jpeg;base64,/9j/")  # FF D8 FF: a JPEG


def test_an_image_too_big_even_as_jpeg_goes_through_an_ephemeral_upload(
    png_image: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runway, "RAW_IMAGE_LIMIT", 100)
    monkeypatch.setattr(runway, "DATA_URI_LIMIT", 100)
    with FileServer() as storage:
        fake = FakeRunway(upload_url=storage.url("/upload"))
        generator = RunwayVideoGenerator(api_key=API_KEY, http_client=fake.client())

        generator.submit(request("gen4_turbo", image_path=png_image), work_dir=tmp_path)

        (body,) = fake.bodies("/v1/image_to_video")
        assert body["promptImage"] == "runway://prompt.jpeg"
        ((path, form),) = storage.posted
        assert path == "/upload" and b"\xff\xd8\xff" in form


def test_gen4_turbo_without_an_image_is_refused_without_a_request(
    generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path
) -> None:
    with pytest.raises(ProviderRejected) as raised:
        generator.submit(request("gen4_turbo"), work_dir=tmp_path)

    assert raised.value.code == "image_required"
    assert fake.requests == []


@pytest.mark.parametrize(("model", "duration"), [("gen4.5", 11), ("runway_veo3.1", 5), ("veo3.1", 6)])
def test_invalid_model_or_duration_is_refused_before_any_request(
    generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path, model: str, duration: int
) -> None:
    with pytest.raises(ProviderRejected):
        generator.submit(request(model, duration=duration), work_dir=tmp_path)

    assert fake.requests == []


def test_task_lifecycle_pending_running_succeeded(
    generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path
) -> None:
    with FileServer({"/clip.mp4": b"mp4 bytes"}) as cdn:
        fake.output_url = cdn.url("/clip.mp4")
        task_id = generator.submit(request(), work_dir=tmp_path)

        pending = generator.poll(task_id, work_dir=tmp_path)
        running = generator.poll(task_id, work_dir=tmp_path)
        done = generator.poll(task_id, work_dir=tmp_path)

        assert (pending.state, pending.progress) == ("pending", None)
        assert (running.state, running.progress) == ("pending", 0.42)
        assert done.state == "succeeded"
        assert done.cost_usd == pytest.approx(0.25)  # 25 credits at $0.01
        assert done.output_url == cdn.url("/clip.mp4")
        assert httpx.get(done.output_url).content == b"mp4 bytes"


def test_throttled_task_is_pending(generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path) -> None:
    fake.states = ("THROTTLED",)
    task_id = generator.submit(request(), work_dir=tmp_path)

    assert generator.poll(task_id, work_dir=tmp_path).state == "pending"


def test_safety_failure_is_a_failed_poll_with_a_safety_code(
    generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path
) -> None:
    fake.states = ("FAILED",)
    task_id = generator.submit(request(), work_dir=tmp_path)

    status = generator.poll(task_id, work_dir=tmp_path)

    assert status.state == "failed"
    assert status.error_code == "safety.input.text"
    assert status.error_message == "The prompt was flagged by content moderation."


def test_cancelled_task_is_failed(generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path) -> None:
    task_id = generator.submit(request(), work_dir=tmp_path)

    generator.cancel(task_id)
    status = generator.poll(task_id, work_dir=tmp_path)

    assert fake.requests[1].method == "DELETE" and fake.requests[1].url.path == f"/v1/tasks/{task_id}"
    assert (status.state, status.error_code) == ("failed", "cancelled")


def test_cancel_of_an_unknown_task_is_ignored(generator: RunwayVideoGenerator, fake: FakeRunway) -> None:
    generator.cancel("00000000-0000-0000-0000-000000000000")

    assert [r.method for r in fake.requests] == ["DELETE"]


def test_429_on_create_is_throttled_with_retry_after(
    generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path
) -> None:
    fake.respond_next(429, json_body={"error": "Daily task limit reached."}, headers={"Retry-After": "30"})

    with pytest.raises(ProviderThrottled) as raised:
        generator.submit(request(), work_dir=tmp_path)

    assert raised.value.retry_after == 30.0
    assert "Daily task limit reached." in raised.value.message
    assert len(fake.requests) == 1  # the SDK's own retries are off


def test_retry_after_ms_wins(generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path) -> None:
    fake.respond_next(
        429, json_body={"error": "Slow down."}, headers={"retry-after-ms": "1500", "retry-after": "9"}
    )

    with pytest.raises(ProviderThrottled) as raised:
        generator.submit(request(), work_dir=tmp_path)

    assert raised.value.retry_after == 1.5


def test_server_error_is_unavailable(
    generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path
) -> None:
    fake.respond_next(500, json_body={"error": "Internal server error."})

    with pytest.raises(ProviderUnavailable):
        generator.submit(request(), work_dir=tmp_path)


def test_timeout_is_unavailable(generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path) -> None:
    task_id = generator.submit(request(), work_dir=tmp_path)
    fake.timeout_next()

    with pytest.raises(ProviderUnavailable):
        generator.poll(task_id, work_dir=tmp_path)


@pytest.mark.parametrize(
    "answer",
    [
        {"content": b"{not json", "headers": {"content-type": "application/json"}},
        {"json_body": [1, 2, 3]},
        {"json_body": {"id": "x", "status": "EXPLODED"}},
        {"json_body": {"id": "x", "status": "SUCCEEDED", "createdAt": "2026-11-25T10:00:00Z", "output": []}},
    ],
)
def test_malformed_task_is_bad_output(
    generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path, answer: dict
) -> None:
    task_id = generator.submit(request(), work_dir=tmp_path)
    fake.respond_next(200, **answer)

    with pytest.raises(ProviderBadOutput):
        generator.poll(task_id, work_dir=tmp_path)


def test_401_is_an_auth_error_that_never_shows_the_key(
    generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path
) -> None:
    fake.respond_next(401, json_body={"error": f"Invalid API key {API_KEY}"})

    with pytest.raises(ProviderAuthError) as raised:
        generator.submit(request(), work_dir=tmp_path)

    assert API_KEY not in raised.value.message and API_KEY not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_400_is_rejected_with_the_vendor_reason(
    generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path
) -> None:
    fake.respond_next(400, json_body={"error": "Invalid ratio for model.", "issues": [{"path": ["ratio"]}]})

    with pytest.raises(ProviderRejected) as raised:
        generator.submit(request(), work_dir=tmp_path)

    assert raised.value.code == "provider_rejected"
    assert raised.value.message == "Runway refused the request (HTTP 400): Invalid ratio for model."


def test_unreadable_image_is_refused_without_a_request(
    generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path
) -> None:
    fake_image = tmp_path / "input-image"
    fake_image.write_text("#EXTM3U\nhttp://example.com/x.png\n")

    with pytest.raises(ProviderRejected) as raised:
        generator.submit(request("gen4_turbo", image_path=fake_image), work_dir=tmp_path)

    assert raised.value.code == "image_unreadable" and fake.requests == []


def test_webp_is_sent_as_is(generator: RunwayVideoGenerator, fake: FakeRunway, tmp_path: Path) -> None:
    image = make_image(tmp_path / "c.webp", size=(90, 160))

    generator.submit(request("gen4.5", image_path=image), work_dir=tmp_path)

    assert fake.bodies("/v1/image_to_video")[0]["promptImage"].startswith("data:image/webp;base64,")


def test_prompt_is_cut_at_a_word_boundary_within_1000_utf16_units() -> None:
    emoji_prompt = "🎬 " * 400 + "the end"  # each 🎬 is two UTF-16 units

    cut = fit_prompt(emoji_prompt)

    assert len(cut.encode("utf-16-le")) // 2 <= 1000
    assert cut.endswith("🎬") and not cut.endswith(" ")
    assert fit_prompt("short  prompt\n") == "short prompt"
    assert fit_prompt("word " * 300) == ("word " * 200).strip()
