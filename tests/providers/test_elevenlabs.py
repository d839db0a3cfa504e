"""The ElevenLabs adapters against a fake ElevenLabs API at the HTTP transport: the real SDK runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelsmith.domain.catalogue import VOICE_COST_PER_CHAR
from reelsmith.domain.errors import (
    ProviderAuthError,
    ProviderBadOutput,
    ProviderRejected,
    ProviderThrottled,
    ProviderUnavailable,
)
from reelsmith.providers.base import WordTiming
from reelsmith.providers.elevenlabs import (
    DEFAULT_VOICE_ID,
    ElevenLabsSoundGenerator,
    ElevenLabsVoiceGenerator,
)

from .fakes import FakeElevenLabs

API_KEY = "sk_" + "ab12" * 12
VOICE_ID = "21m00Tcm4TlvDq8ikWAM"
TEXT = "Hello big world"


@pytest.fixture
def fake(mp3_bytes: bytes) -> FakeElevenLabs:
    return FakeElevenLabs(speech_mp3=mp3_bytes, effect_mp3=mp3_bytes * 3)


@pytest.fixture
def voice(fake: FakeElevenLabs) -> ElevenLabsVoiceGenerator:
    return ElevenLabsVoiceGenerator(api_key=API_KEY, http_client=fake.client())


@pytest.fixture
def sound(fake: FakeElevenLabs) -> ElevenLabsSoundGenerator:
    return ElevenLabsSoundGenerator(api_key=API_KEY, http_client=fake.client())


def test_speech_is_written_as_mp3_with_word_timings(
    voice: ElevenLabsVoiceGenerator, fake: FakeElevenLabs, mp3_bytes: bytes, tmp_path: Path
) -> None:
    result = voice.synthesize(TEXT, voice=VOICE_ID, out_path=tmp_path / "voice.wav")

    assert result.path == tmp_path / "voice.mp3"
    assert result.path.read_bytes() == mp3_bytes
    assert result.words == (
        WordTiming("Hello", 0.0, 0.25),
        WordTiming("big", 0.3, 0.45),
        WordTiming("world", 0.5, 0.75),
    )
    assert result.duration == pytest.approx(0.75)
    assert result.cost_usd == pytest.approx(len(TEXT) * VOICE_COST_PER_CHAR["elevenlabs"])
    sent = fake.requests[0]
    assert sent.url.path == f"/v1/text-to-speech/{VOICE_ID}/with-timestamps"
    assert sent.url.params["output_format"] == "mp3_44100_128"
    assert sent.headers["xi-api-key"] == API_KEY
    assert fake.bodies("/with-timestamps") == [{"text": TEXT, "model_id": "eleven_multilingual_v2"}]


def test_a_voice_that_is_not_an_elevenlabs_id_gets_the_default_voice(
    voice: ElevenLabsVoiceGenerator, fake: FakeElevenLabs, tmp_path: Path
) -> None:
    voice.synthesize(TEXT, voice="en-us", out_path=tmp_path / "voice.wav")

    assert fake.requests[0].url.path == f"/v1/text-to-speech/{DEFAULT_VOICE_ID}/with-timestamps"


def test_without_alignment_the_duration_is_probed(
    voice: ElevenLabsVoiceGenerator, fake: FakeElevenLabs, tmp_path: Path
) -> None:
    fake.alignment = lambda text: None  # type: ignore[assignment, method-assign, return-value]

    result = voice.synthesize(TEXT, voice=VOICE_ID, out_path=tmp_path / "voice.wav")

    assert result.words == ()
    assert result.duration == pytest.approx(1.0, abs=0.1)


def test_429_is_throttled(voice: ElevenLabsVoiceGenerator, fake: FakeElevenLabs, tmp_path: Path) -> None:
    fake.respond_next(
        429,
        json_body={
            "detail": {"status": "too_many_concurrent_requests", "message": "Too many concurrent requests."}
        },
        headers={"retry-after": "2"},
    )

    with pytest.raises(ProviderThrottled) as raised:
        voice.synthesize(TEXT, voice=VOICE_ID, out_path=tmp_path / "voice.wav")

    assert raised.value.retry_after == 2.0
    assert "Too many concurrent requests." in raised.value.message
    assert len(fake.requests) == 1  # the SDK's own retries are off


def test_401_is_an_auth_error_that_never_shows_the_key(
    voice: ElevenLabsVoiceGenerator, fake: FakeElevenLabs, tmp_path: Path
) -> None:
    fake.respond_next(
        401, json_body={"detail": {"status": "invalid_api_key", "message": f"Invalid API key: '{API_KEY}'"}}
    )

    with pytest.raises(ProviderAuthError) as raised:
        voice.synthesize(TEXT, voice=VOICE_ID, out_path=tmp_path / "voice.wav")

    assert API_KEY not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_422_is_rejected_without_echoing_the_request(
    voice: ElevenLabsVoiceGenerator, fake: FakeElevenLabs, tmp_path: Path
) -> None:
    fake.respond_next(
        422,
        json_body={"detail": [{"type": "string_too_long", "loc": ["body", "text"], "msg": "Text is too long.",
                               "input": TEXT}]},
    )  # fmt: skip

    with pytest.raises(ProviderRejected) as raised:
        voice.synthesize(TEXT, voice=VOICE_ID, out_path=tmp_path / "voice.wav")

    assert raised.value.message == "ElevenLabs refused the request (HTTP 422): Text is too long."


def test_server_errors_and_timeouts_are_unavailable(
    voice: ElevenLabsVoiceGenerator, fake: FakeElevenLabs, tmp_path: Path
) -> None:
    fake.respond_next(503, json_body={"detail": {"status": "system_busy", "message": "System busy."}})
    fake.timeout_next()

    for _ in range(2):
        with pytest.raises(ProviderUnavailable):
            voice.synthesize(TEXT, voice=VOICE_ID, out_path=tmp_path / "voice.wav")


@pytest.mark.parametrize(
    "answer",
    [
        {"json_body": {"alignment": None}},
        {"json_body": {"audio_base64": "not base64!"}},
        {"content": b"<html>"},
    ],
)
def test_malformed_speech_is_bad_output(
    voice: ElevenLabsVoiceGenerator, fake: FakeElevenLabs, tmp_path: Path, answer: dict
) -> None:
    fake.respond_next(200, **answer)

    with pytest.raises(ProviderBadOutput):
        voice.synthesize(TEXT, voice=VOICE_ID, out_path=tmp_path / "voice.wav")


def test_empty_text_is_refused_without_a_request(
    voice: ElevenLabsVoiceGenerator, fake: FakeElevenLabs, tmp_path: Path
) -> None:
    with pytest.raises(ProviderRejected):
        voice.synthesize("  ", voice=VOICE_ID, out_path=tmp_path / "voice.wav")

    assert fake.requests == []


def test_sound_effect_stream_is_written(
    sound: ElevenLabsSoundGenerator, fake: FakeElevenLabs, mp3_bytes: bytes, tmp_path: Path
) -> None:
    path = sound.generate("door creaks open", duration=45, out_path=tmp_path / "effect.mp3")

    assert path == tmp_path / "effect.mp3"
    assert path.read_bytes() == mp3_bytes * 3
    assert fake.bodies("/v1/sound-generation") == [
        {"text": "door creaks open", "duration_seconds": 30.0, "prompt_influence": 0.3}
    ]
    assert fake.requests[0].url.params["output_format"] == "mp3_44100_128"


def test_sound_effect_duration_is_clamped_up(
    sound: ElevenLabsSoundGenerator, fake: FakeElevenLabs, tmp_path: Path
) -> None:
    sound.generate("click", duration=0.1, out_path=tmp_path / "effect.mp3")

    assert fake.bodies("/v1/sound-generation")[0]["duration_seconds"] == 0.5


def test_sound_effect_errors_surface_from_the_lazy_stream(
    sound: ElevenLabsSoundGenerator, fake: FakeElevenLabs, tmp_path: Path
) -> None:
    fake.respond_next(429, json_body={"detail": {"status": "system_busy", "message": f"Busy ({API_KEY})"}})

    with pytest.raises(ProviderThrottled) as raised:
        sound.generate("rain", duration=3, out_path=tmp_path / "effect.mp3")

    assert API_KEY not in str(raised.value)
    assert not (tmp_path / "effect.mp3").exists()
