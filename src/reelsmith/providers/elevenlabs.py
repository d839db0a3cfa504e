"""ElevenLabs voice-over (with word timings for captions) and sound effects.

Two SDK traps shape this file: the client's default ``api_key`` is read from the environment
when the module is imported, so the key is always passed explicitly; and ``convert`` returns a
lazy generator that only sends the request when iterated, so it is joined inside the error
translation. 401 and 429 arrive as a plain ``ApiError``, which the shared mapping reads by
status. The SDK's own retries are off: Step Functions retries ``ProviderThrottled``.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Any

import av
import httpx
from elevenlabs import ElevenLabs
from elevenlabs.core import ApiError, ParsingError
from elevenlabs.core.request_options import RequestOptions

from reelsmith.domain.catalogue import VOICE_COST_PER_CHAR
from reelsmith.domain.errors import ProviderBadOutput, ProviderRejected
from reelsmith.providers.base import SpeechResult, WordTiming
from reelsmith.providers.http_errors import VendorErrors

DEFAULT_VOICE_ID = "JBFqnCBsd6RMkjVDRZzb"  # a premade voice every account has
VOICE_ID = re.compile(r"[A-Za-z0-9]{20}")
DEFAULT_MODEL = "eleven_multilingual_v2"
MAX_CHARACTERS = 10_000  # eleven_multilingual_v2's per-request limit (flash v2.5 takes 40k)
OUTPUT_FORMAT = "mp3_44100_128"
EFFECT_SECONDS = (0.5, 30.0)
PROMPT_INFLUENCE = 0.3
REQUEST_OPTIONS: RequestOptions = {"max_retries": 0, "timeout_in_seconds": 120}

ELEVENLABS_ERRORS = VendorErrors(
    vendor="ElevenLabs",
    status_errors=(ApiError,),
    unpack=lambda exc: (exc.status_code, exc.body, exc.headers),
    unreachable=(httpx.TransportError,),
    malformed=(ParsingError, ValueError, TypeError, AttributeError, KeyError),
)


class ElevenLabsVoiceGenerator:
    name = "elevenlabs"

    def __init__(
        self, *, api_key: str, model_id: str = DEFAULT_MODEL, http_client: httpx.Client | None = None
    ) -> None:
        self._api_key = api_key
        self._model_id = model_id
        self._client = ElevenLabs(api_key=api_key, httpx_client=http_client)

    def synthesize(self, text: str, *, voice: str, out_path: Path) -> SpeechResult:
        """Speak ``text`` into an MP3 next to ``out_path`` (same name, ``.mp3``) with word timings.

        ``voice`` is used when it is an ElevenLabs voice id; anything else (such as an espeak
        language like "en") gets the default voice.
        """
        if not text.strip():
            raise ProviderRejected("There is no text to speak.", code="empty_text")
        if len(text) > MAX_CHARACTERS:
            raise ProviderRejected(
                f"The voice-over has {len(text)} characters; the limit is {MAX_CHARACTERS}.",
                code="text_too_long",
            )
        voice_id = voice if VOICE_ID.fullmatch(voice) else DEFAULT_VOICE_ID
        with ELEVENLABS_ERRORS.translating(self._api_key):
            reply = self._client.text_to_speech.convert_with_timestamps(
                voice_id,
                text=text,
                model_id=self._model_id,
                output_format=OUTPUT_FORMAT,
                request_options=REQUEST_OPTIONS,
            )
            encoded = reply.audio_base_64
            alignment = reply.alignment
        audio = _decode_audio(encoded)
        mp3 = out_path.with_suffix(".mp3")
        mp3.write_bytes(audio)
        words = word_timings(alignment) if alignment is not None else ()
        ends = alignment.character_end_times_seconds if alignment is not None else []
        duration = max(ends) if ends else _probe_seconds(mp3)
        return SpeechResult(
            path=mp3,
            duration=round(duration, 3),
            words=words,
            cost_usd=round(len(text) * VOICE_COST_PER_CHAR["elevenlabs"], 6),
        )


class ElevenLabsSoundGenerator:
    name = "elevenlabs"

    def __init__(self, *, api_key: str, http_client: httpx.Client | None = None) -> None:
        self._api_key = api_key
        self._client = ElevenLabs(api_key=api_key, httpx_client=http_client)

    def generate(self, prompt: str, *, duration: float, out_path: Path) -> Path:
        """A sound effect of ``duration`` seconds (clamped to 0.5..30) as an MP3 at ``out_path``."""
        low, high = EFFECT_SECONDS
        with ELEVENLABS_ERRORS.translating(self._api_key):
            audio = b"".join(
                self._client.text_to_sound_effects.convert(
                    text=prompt,
                    duration_seconds=min(max(duration, low), high),
                    prompt_influence=PROMPT_INFLUENCE,
                    output_format=OUTPUT_FORMAT,
                    request_options=REQUEST_OPTIONS,
                )
            )
        if not audio:
            raise ProviderBadOutput("ElevenLabs returned an empty sound effect.")
        mp3 = out_path.with_suffix(".mp3")
        mp3.write_bytes(audio)
        return mp3


def word_timings(alignment: Any) -> tuple[WordTiming, ...]:
    """Words from ElevenLabs' character alignment: each runs from its first to its last character."""
    characters = alignment.character_start_times_seconds, alignment.character_end_times_seconds
    words: list[WordTiming] = []
    current, start, end = "", 0.0, 0.0
    for char, char_start, char_end in zip(alignment.characters, *characters, strict=False):
        if char.isspace():
            if current:
                words.append(WordTiming(current, round(start, 3), round(end, 3)))
            current = ""
            continue
        if not current:
            start = float(char_start)
        current, end = current + char, max(float(char_end), start)
    if current:
        words.append(WordTiming(current, round(start, 3), round(end, 3)))
    return tuple(words)


def _decode_audio(encoded: object) -> bytes:
    if not isinstance(encoded, str):
        raise ProviderBadOutput("ElevenLabs returned no audio.")
    try:
        audio = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ProviderBadOutput("ElevenLabs returned audio that is not valid base64.") from None
    if not audio:
        raise ProviderBadOutput("ElevenLabs returned no audio.")
    return audio


def _probe_seconds(path: Path) -> float:
    """The MP3's length when ElevenLabs sent no alignment."""
    options = {"protocol_whitelist": "file", "format_whitelist": "mp3"}
    try:
        with av.open(str(path), format="mp3", container_options=options) as container:
            seconds = (container.duration or 0) / av.time_base
    except (av.FFmpegError, OSError) as exc:
        raise ProviderBadOutput("ElevenLabs returned audio that is not an MP3.") from exc
    if seconds <= 0:
        raise ProviderBadOutput("ElevenLabs returned audio of unknown length.")
    return seconds
