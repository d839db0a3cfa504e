"""The offline voice: espeak-ng speech with word timings, no account and no system package.

``espeakng-loader`` ships ``libespeak-ng`` and its data; we drive the C API through ctypes in
synchronous mode, so one ``espeak_Synth`` call hands us every sample and the word events the
captions are timed from. The library is one global state machine: a module lock guards it.
"""

from __future__ import annotations

import ctypes
import re
import threading
import wave
from dataclasses import dataclass, field
from pathlib import Path

from reelsmith.domain.errors import ProviderError
from reelsmith.providers.base import SpeechResult, WordTiming

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_DONT_EXIT = 0x8000
CHARS_UTF8 = 1
EE_OK = 0
EVENT_LIST_TERMINATED, EVENT_WORD, EVENT_END, EVENT_MSG_TERMINATED = 0, 1, 5, 6
EVENTS_ENDING_A_WORD = (EVENT_WORD, EVENT_END, EVENT_MSG_TERMINATED)
FALLBACK_VOICE = "en"
VOICE_NAME = re.compile(r"[A-Za-z0-9+_-]{1,40}")
SILENCE_SECONDS = 0.25


class EspeakEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # 1-based, in characters
        ("length", ctypes.c_int),  # characters
        ("audio_position", ctypes.c_int),  # milliseconds
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(EspeakEvent)
)


@dataclass
class _Utterance:
    """What the callback collects during one synthesis."""

    pcm: bytearray = field(default_factory=bytearray)  # 16-bit native-endian (little on our platforms)
    events: list[tuple[int, int, int, int]] = field(default_factory=list)  # type, position, length, ms


class _Espeak:
    """The loaded library, initialised once; use only while holding ``_LOCK``."""

    def __init__(self) -> None:
        import espeakng_loader

        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
            ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        data_parent = str(Path(espeakng_loader.get_data_path()).parent).encode()
        self.sample_rate = self.lib.espeak_Initialize(
            AUDIO_OUTPUT_SYNCHRONOUS, 0, data_parent, INITIALIZE_DONT_EXIT
        )
        if self.sample_rate <= 0:
            raise ProviderError("espeak-ng could not start.", code="voice_unavailable")
        self.current: _Utterance | None = None
        self.callback = SynthCallback(self._collect)  # kept referenced: the library holds a raw pointer
        self.lib.espeak_SetSynthCallback(self.callback)

    def _collect(self, wav: ctypes.c_void_p, count: int, events: ctypes.Array[EspeakEvent]) -> int:
        assert self.current is not None
        if count > 0:
            self.current.pcm += ctypes.string_at(wav, count * 2)
        i = 0
        while events[i].type != EVENT_LIST_TERMINATED:
            event = events[i]
            self.current.events.append((event.type, event.text_position, event.length, event.audio_position))
            i += 1
        return 0  # 0 = continue synthesis

    def speak(self, text: str, voice: str) -> _Utterance:
        if not VOICE_NAME.fullmatch(voice) or self.lib.espeak_SetVoiceByName(voice.encode()) != EE_OK:
            self.lib.espeak_SetVoiceByName(FALLBACK_VOICE.encode())
        self.current = _Utterance()
        try:
            encoded = text.encode("utf-8")
            status = self.lib.espeak_Synth(encoded, len(encoded) + 1, 0, 0, 0, CHARS_UTF8, None, None)
            if status != EE_OK:
                raise ProviderError(f"espeak-ng failed to speak (status {status}).", code="voice_failed")
            return self.current
        finally:
            self.current = None


_LOCK = threading.Lock()
_engine: _Espeak | None = None


def _espeak() -> _Espeak:
    global _engine
    if _engine is None:
        _engine = _Espeak()
    return _engine


class EspeakVoiceGenerator:
    name = "offline"

    def synthesize(self, text: str, *, voice: str, out_path: Path) -> SpeechResult:
        """Speak ``text`` into a 16-bit mono WAV; ``voice`` is an espeak voice ("en-us", "es")."""
        with _LOCK:
            engine = _espeak()
            utterance = engine.speak(text, voice) if text.strip() else None
            rate = engine.sample_rate
        pcm = bytes(utterance.pcm) if utterance else b""
        words = _word_timings(text, utterance.events, len(pcm) / 2 / rate) if utterance and pcm else ()
        pcm = pcm or bytes(2 * int(rate * SILENCE_SECONDS))
        _write_wav(out_path, pcm, rate)
        return SpeechResult(path=out_path, duration=len(pcm) / 2 / rate, words=words)


def _word_timings(
    text: str, events: list[tuple[int, int, int, int]], duration: float
) -> tuple[WordTiming, ...]:
    """Each word from its start event to the next word or clause end, within the audio."""
    words = []
    for i, (kind, position, length, ms) in enumerate(events):
        if kind != EVENT_WORD:
            continue
        start = min(ms / 1000, duration)
        following = (
            t / 1000 for k, _, _, t in events[i + 1 :] if k in EVENTS_ENDING_A_WORD and t / 1000 > start
        )
        end = min(next(following, duration), duration)
        word = text[position - 1 : position - 1 + length].strip()
        if word:
            words.append(WordTiming(word=word, start=round(start, 3), end=round(max(end, start), 3)))
    return tuple(words)


def _write_wav(path: Path, pcm: bytes, rate: int) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
