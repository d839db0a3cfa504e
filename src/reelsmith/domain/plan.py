"""The plan: what to generate, in which order, with which model, and how to finish it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from .catalogue import VIDEO_MODELS, video_model
from .rules import MAX_SEGMENT_SECONDS, MAX_VIDEO_SECONDS


class Transition(StrEnum):
    CUT = "cut"
    FADE = "fade"
    SLIDE = "slide"
    WIPE = "wipe"


class Segment(BaseModel):
    index: int = Field(ge=0)
    duration: float = Field(gt=0, le=MAX_SEGMENT_SECONDS)
    prompt: str = Field(min_length=1, max_length=1000)
    negative_prompt: str = Field("", max_length=500)
    model: str = "animatic"
    fallback_models: list[str] = Field(default_factory=list)
    mirrors_shot: int | None = None
    camera: str = Field("", max_length=200)
    style: str = Field("", max_length=200)
    use_character_image: bool = False
    text_overlay: str | None = Field(None, max_length=120)
    transition: Transition = Transition.CUT
    voiceover: str = Field("", max_length=600)
    palette: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_models(self) -> Segment:
        for model in [self.model, *self.fallback_models]:
            if model not in VIDEO_MODELS:
                raise ValueError(f"unknown model {model!r}")
        if int(self.duration) != self.duration or int(self.duration) not in video_model(self.model).durations:
            raise ValueError(f"{self.model} cannot make a {self.duration:g} s clip")
        return self


class SoundEffect(BaseModel):
    at: float = Field(ge=0)
    prompt: str = Field(min_length=1, max_length=200)
    duration: float = Field(1.0, gt=0, le=30)


class AudioStrategy(BaseModel):
    voiceover: bool = True
    voice: str = "en"
    custom_audio: bool = False          # use the project's uploaded audio as the music bed
    music_bed: bool = False
    ducking: bool = True
    sound_effects: list[SoundEffect] = Field(default_factory=list)


class PostProduction(BaseModel):
    grade: str = "none"
    captions: bool = True
    caption_style: str = "bold"


class Plan(BaseModel):
    target_duration: float = Field(gt=0, le=MAX_VIDEO_SECONDS)
    segments: list[Segment] = Field(min_length=1)
    audio: AudioStrategy = Field(default_factory=AudioStrategy)
    post: PostProduction = Field(default_factory=PostProduction)
    allow_partial: bool = False
    aspect_ratio: str = "9:16"
    notes: str = ""

    @model_validator(mode="after")
    def _rules(self) -> Plan:
        if self.aspect_ratio != "9:16":
            raise ValueError("output must be 9:16")
        if [s.index for s in self.segments] != list(range(len(self.segments))):
            raise ValueError("segments must be numbered 0..n-1 in order")
        if abs(self.total_duration - self.target_duration) > 1e-6:
            raise ValueError(
                f"segments add up to {self.total_duration:g} s, the target is {self.target_duration:g} s"
            )
        return self

    @property
    def total_duration(self) -> float:
        return sum(s.duration for s in self.segments)

    @property
    def voiceover_script(self) -> str:
        return " ".join(s.voiceover.strip() for s in self.segments if s.voiceover.strip())
