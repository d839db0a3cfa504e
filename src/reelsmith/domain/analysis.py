"""The analysis report of a sample video: signals measured offline plus an AI (or derived) read.

The planner mirrors it (shot rhythm, palette, pacing, audio) and the user reads it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

REPORT_VERSION = 1


class MediaInfo(BaseModel):
    duration: float
    fps: float
    variable_fps: bool = False
    video_codec: str = ""
    bit_rate: int | None = None
    width: int  # stored size
    height: int
    rotation: int = 0  # degrees from the display matrix
    display_width: int  # size as shown (rotation applied)
    display_height: int
    orientation: Literal["portrait", "landscape", "square"]
    has_audio: bool = False
    audio_codec: str | None = None
    audio_channels: int | None = None
    audio_layout: str | None = None
    sample_rate: int | None = None


class Shot(BaseModel):
    index: int
    start: float
    end: float
    kind: Literal["start", "cut", "fade", "dissolve"] = "cut"  # how this shot begins
    confidence: float = Field(1.0, ge=0, le=1)
    keyframe_time: float | None = None
    keyframe_key: str | None = None  # object key of the stored JPEG
    palette: list[str] = Field(default_factory=list)  # hex colours, dominant first
    brightness: float = 0.0  # 0..1
    contrast: float = 0.0  # 0..1
    saturation: float = 0.0  # 0..1
    motion: float = 0.0  # mean frame difference, 0..1
    camera_motion: Literal["static", "pan", "zoom", "handheld"] = "static"
    text_on_screen: bool = False

    @property
    def duration(self) -> float:
        return self.end - self.start


class Pacing(BaseModel):
    shot_count: int
    cuts_per_minute: float
    mean_shot: float
    median_shot: float
    min_shot: float
    max_shot: float
    label: Literal["slow", "medium", "fast", "frantic"]


class AudioSegment(BaseModel):
    start: float
    end: float
    kind: Literal["speech", "music", "silence", "other"]


class AudioSignals(BaseModel):
    present: bool = False
    integrated_lufs: float | None = None
    loudness_range: float | None = None
    true_peak_dbtp: float | None = None
    speech_ratio: float = 0.0
    music_ratio: float = 0.0
    silence_ratio: float = 1.0
    segments: list[AudioSegment] = Field(default_factory=list)
    tempo_bpm: float | None = None
    beats: list[float] = Field(default_factory=list)


class NarrativeBeat(BaseModel):
    shot_index: int
    description: str


class Understanding(BaseModel):
    """What the video is about. ``source`` says who read it: an AI model or our own signals."""

    source: Literal["gemini", "groq", "signals"] = "signals"
    content_type: str = ""
    subject: str = ""
    audience: str = ""
    tone: str = ""
    style_keywords: list[str] = Field(default_factory=list)
    narrative_beats: list[NarrativeBeat] = Field(default_factory=list)
    hook: str = ""
    call_to_action: str = ""
    has_people: bool | None = None
    note: str = ""  # e.g. "derived from signals: no AI key configured"


class AnalysisReport(BaseModel):
    version: int = REPORT_VERSION
    media: MediaInfo
    shots: list[Shot]
    pacing: Pacing
    palette: list[str] = Field(default_factory=list)  # whole-video dominant colours
    brightness: float = 0.0
    motion: float = 0.0
    audio: AudioSignals = Field(default_factory=AudioSignals)
    understanding: Understanding = Field(default_factory=Understanding)
    summary: str = ""
    timings: dict[str, float] = Field(default_factory=dict)  # seconds per analysis stage
