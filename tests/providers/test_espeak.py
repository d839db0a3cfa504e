"""Offline speech: audible, timed word by word, safe from several threads at once."""

from __future__ import annotations

import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from reelsmith.domain.models import UploadKind
from reelsmith.media.probe import check_upload
from reelsmith.providers.base import SpeechResult, VoiceGenerator
from reelsmith.providers.offline.espeak import EspeakVoiceGenerator

TEXT = "Welcome to Reelsmith. Three tips for better coffee, in under a minute!"


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2"), wav.getframerate()


def speak(text: str, out_path: Path, voice: str = "en-us") -> SpeechResult:
    generator: VoiceGenerator = EspeakVoiceGenerator()
    return generator.synthesize(text, voice=voice, out_path=out_path)


def test_speech_is_audible_with_increasing_word_timings(tmp_path: Path) -> None:
    result = speak(TEXT, tmp_path / "voice.wav")
    samples, rate = read_wav(result.path)
    assert result.duration == pytest.approx(len(samples) / rate)
    assert 2.0 < result.duration < 10.0
    assert np.sqrt(np.mean(samples.astype(float) ** 2)) > 500  # clearly not silence
    assert [w.word for w in result.words] == TEXT.replace(".", "").replace(",", "").replace("!", "").split()
    starts = [w.start for w in result.words]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert all(0 <= w.start < w.end <= result.duration for w in result.words)
    assert result.cost_usd == 0.0


def test_output_passes_the_audio_upload_check(tmp_path: Path) -> None:
    result = speak("Hello there", tmp_path / "hello.wav")
    probe = check_upload(result.path, UploadKind.AUDIO)
    assert probe.audio_codec == "pcm_s16le" and probe.channels == 1
    assert probe.duration == pytest.approx(result.duration, abs=0.01)


@pytest.mark.parametrize("voice", ["es", "not-a-voice", "../../etc/passwd", ""])
def test_other_and_unknown_voices_still_speak(tmp_path: Path, voice: str) -> None:
    result = speak("Hola amigos", tmp_path / "hola.wav", voice=voice)
    assert [w.word for w in result.words] == ["Hola", "amigos"]
    assert result.duration > 0.3


def test_empty_text_is_a_short_silence(tmp_path: Path) -> None:
    result = speak("  \n ", tmp_path / "empty.wav")
    samples, _ = read_wav(result.path)
    assert result.words == () and 0 < result.duration < 1
    assert not samples.any()


def test_parallel_synthesis_matches_sequential(tmp_path: Path) -> None:
    """No utterance borrows another's samples or events.

    espeak carries a little state from one utterance to the next, so timings jitter by milliseconds.
    """
    texts = [f"Segment number {n} of the voice over." for n in range(6)]
    sequential = [speak(text, tmp_path / f"seq{i}.wav") for i, text in enumerate(texts)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda it: speak(it[1], tmp_path / f"par{it[0]}.wav"), enumerate(texts)))
    for one, other in zip(sequential, parallel, strict=True):
        assert [w.word for w in one.words] == [w.word for w in other.words]
        assert [w.start for w in one.words] == pytest.approx([w.start for w in other.words], abs=0.03)
        assert one.duration == pytest.approx(other.duration, abs=0.03)
