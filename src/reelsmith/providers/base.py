"""Capabilities, not vendors. Each protocol is what the pipeline needs from a kind of AI service.

Generation is asynchronous everywhere (submit -> task id, poll -> status), so the same Step
Functions loop drives a Runway task, a Veo operation and an offline render alike. Adapters raise
the ``Provider*`` errors from ``reelsmith.domain.errors``; nothing vendor-specific leaks out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from reelsmith.domain.analysis import AnalysisReport, Understanding


@dataclass(frozen=True)
class VideoRequest:
    """One clip to generate. ``image_path`` is a local file (character image or sample keyframe)."""

    model: str  # catalogue id, e.g. "gen4_turbo"
    prompt: str
    duration: int
    negative_prompt: str = ""
    image_path: Path | None = None
    palette: tuple[str, ...] = ()
    seed: int | None = None
    width: int = 720
    height: int = 1280


@dataclass(frozen=True)
class TaskStatus:
    """Result of a poll. ``output_path`` is a local file the caller copies into storage at once."""

    state: Literal["pending", "succeeded", "failed"]
    progress: float | None = None  # 0..1 when the provider reports it
    output_path: Path | None = None
    output_url: str | None = None  # a provider URL to download (expires: copy now)
    cost_usd: float | None = None  # when the provider reports it
    error_code: str | None = None
    error_message: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class VideoGenerator(Protocol):
    name: str

    def submit(self, request: VideoRequest, *, work_dir: Path) -> str: ...

    def poll(self, task_id: str, *, work_dir: Path) -> TaskStatus: ...

    def cancel(self, task_id: str) -> None: ...


@dataclass(frozen=True)
class WordTiming:
    word: str
    start: float
    end: float


@dataclass(frozen=True)
class SpeechResult:
    path: Path  # audio file (WAV or MP3)
    duration: float
    words: tuple[WordTiming, ...] = ()
    cost_usd: float = 0.0


class VoiceGenerator(Protocol):
    name: str

    def synthesize(self, text: str, *, voice: str, out_path: Path) -> SpeechResult: ...


class SoundGenerator(Protocol):
    name: str

    def generate(self, prompt: str, *, duration: float, out_path: Path) -> Path: ...


class LanguageModel(Protocol):
    """Chat completion that must answer with one JSON object (validated by the caller)."""

    name: str

    def complete_json(self, system: str, user: str, *, max_tokens: int = 2048) -> dict[str, Any]: ...


class VideoUnderstanding(Protocol):
    name: str

    def understand(
        self, video_path: Path, report: AnalysisReport, keyframes: list[Path]
    ) -> Understanding: ...
