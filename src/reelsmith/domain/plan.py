"""The plan: what to generate, in which order, with which model, and how to finish it.

``SegmentDraft``/``PlanDraft`` are the shapes a planner, the LLM or a chat edit may propose: typed,
but not yet fitted to a model's durations or to the target. ``plan_rules.normalise_plan`` turns a
draft into a ``Plan``, whose validators enforce every product rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, Field, model_validator

from .catalogue import OFFLINE_VIDEO_MODEL, VIDEO_MODELS, video_model
from .rules import (
    MAX_SEGMENT_SECONDS,
    MAX_SEGMENTS,
    MAX_VIDEO_SECONDS,
    MIN_SEGMENT_FRAMES,
    frames_to_seconds,
    on_frame_grid,
    to_frames,
)

MAX_DRAFT_SEGMENTS = 120  # more than any 60 s plan needs; the rules merge a draft down to what fits
Grade = Literal["none", "warm", "cool", "vivid", "mono"]
GRADES: tuple[str, ...] = get_args(Grade)


class Transition(StrEnum):
    CUT = "cut"
    FADE = "fade"
    SLIDE = "slide"
    WIPE = "wipe"


class SegmentDraft(BaseModel):
    """A segment as proposed: any positive duration and any model name; the rules fit it."""

    index: int = Field(default=0, ge=0)
    duration: float = Field(gt=0, le=MAX_VIDEO_SECONDS * 10)
    prompt: str = Field(min_length=1, max_length=1000)
    negative_prompt: str = Field(default="", max_length=500)
    model: str = OFFLINE_VIDEO_MODEL
    fallback_models: list[str] = Field(default_factory=list)
    mirrors_shot: int | None = Field(default=None, ge=0)
    camera: str = Field(default="", max_length=200)
    style: str = Field(default="", max_length=200)
    use_character_image: bool = False
    text_overlay: str | None = Field(default=None, max_length=120)
    transition: Transition = Transition.CUT
    voiceover: str = Field(default="", max_length=600)
    palette: list[str] = Field(default_factory=list)


class Segment(SegmentDraft):
    """A segment as it will be made: ``duration`` is its time on screen, a whole number of frames.

    The model generates ``clip_seconds`` (the shortest clip it makes that covers the segment) and
    compose trims it, so shot lengths are kept to the frame whatever lengths the model makes.
    """

    index: int = Field(ge=0)
    duration: float = Field(gt=0, le=MAX_SEGMENT_SECONDS)

    @model_validator(mode="after")
    def _known_models(self) -> Segment:
        for model in [self.model, *self.fallback_models]:
            if model not in VIDEO_MODELS:
                raise ValueError(f"unknown model {model!r}")
            if video_model(model).longest < self.duration - 1e-6:
                raise ValueError(f"{model} cannot make a {self.duration:g} s clip")
        if not on_frame_grid(self.duration):
            raise ValueError(f"segment {self.index} lasts {self.duration:g} s, not a whole number of frames")
        if to_frames(self.duration) < MIN_SEGMENT_FRAMES:
            raise ValueError(f"segment {self.index} lasts {self.duration:g} s; the shortest is 0.2 s")
        return self

    @property
    def clip_seconds(self) -> int:
        """What the primary model generates for this segment (compose trims it to ``duration``)."""
        return video_model(self.model).clip_seconds(self.duration)


class SoundEffect(BaseModel):
    at: float = Field(ge=0)
    prompt: str = Field(min_length=1, max_length=200)
    duration: float = Field(default=1.0, gt=0, le=30)


class AudioStrategy(BaseModel):
    voiceover: bool = True
    voice: str = "en"
    custom_audio: bool = False  # use the project's uploaded audio as the music bed
    music_bed: bool = False
    ducking: bool = True
    sound_effects: list[SoundEffect] = Field(default_factory=list)


class PostProduction(BaseModel):
    grade: str = "none"  # one of GRADES once normalised
    captions: bool = True
    caption_style: str = "bold"


class PlanDraft(BaseModel):
    """A whole plan as proposed (the JSON schema the LLM is given)."""

    target_duration: float | None = Field(default=None, gt=0)
    segments: list[SegmentDraft] = Field(min_length=1, max_length=MAX_DRAFT_SEGMENTS)
    audio: AudioStrategy = Field(default_factory=AudioStrategy)
    post: PostProduction = Field(default_factory=PostProduction)
    notes: str = Field(default="", max_length=2000)


class Plan(BaseModel):
    target_duration: float = Field(gt=0, le=MAX_VIDEO_SECONDS)
    segments: list[Segment] = Field(min_length=1, max_length=MAX_SEGMENTS)
    audio: AudioStrategy = Field(default_factory=AudioStrategy)
    post: PostProduction = Field(default_factory=PostProduction)
    allow_partial: bool = False
    aspect_ratio: str = "9:16"
    notes: str = ""
    repairs: list[str] = Field(default_factory=list)  # what the rules changed, for the user
    llm_calls: dict[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=dict
    )  # LLM calls that shaped it, per provider

    @model_validator(mode="after")
    def _rules(self) -> Plan:
        if self.aspect_ratio != "9:16":
            raise ValueError("output must be 9:16")
        if [s.index for s in self.segments] != list(range(len(self.segments))):
            raise ValueError("segments must be numbered 0..n-1 in order")
        if to_frames(self.total_duration) != to_frames(self.target_duration) or not on_frame_grid(
            self.target_duration
        ):
            raise ValueError(
                f"segments add up to {self.total_duration:g} s, the target is {self.target_duration:g} s"
            )
        return self

    @property
    def total_duration(self) -> float:
        return frames_to_seconds(sum(to_frames(s.duration) for s in self.segments))

    def timeline(self) -> list[tuple[float, float]]:
        """Each segment's (start, end) on the output, in seconds on the frame grid."""
        spans, frame = [], 0
        for segment in self.segments:
            end = frame + to_frames(segment.duration)
            spans.append((frames_to_seconds(frame), frames_to_seconds(end)))
            frame = end
        return spans

    def voice_slots(self) -> list[VoiceSlot]:
        """Where each voice-over line may sound: from its segment's start to the next line's segment.

        A line belongs to the segment it starts in; segments without a line (a fast montage's
        short shots) extend the slot of the line before them, so a line is never squeezed into
        a 0.5 s shot. Text before the first voiced segment is silence, by the plan's choice.
        """
        spans = self.timeline()
        voiced = [s.index for s in self.segments if s.voiceover.strip()]
        ends = [spans[i][0] for i in voiced[1:]] + [spans[-1][1]]
        return [
            VoiceSlot(segment=i, start=spans[i][0], end=end, text=self.segments[i].voiceover.strip())
            for i, end in zip(voiced, ends, strict=True)
        ]

    @property
    def voiceover_script(self) -> str:
        return " ".join(s.voiceover.strip() for s in self.segments if s.voiceover.strip())

    @property
    def models(self) -> list[str]:
        """Distinct primary models, in the order they first appear."""
        return list(dict.fromkeys(s.model for s in self.segments))


@dataclass(frozen=True)
class VoiceSlot:
    """One voice-over line and the stretch of the video it may fill (seconds)."""

    segment: int
    start: float
    end: float
    text: str

    @property
    def seconds(self) -> float:
        return self.end - self.start


class PlanPreferences(BaseModel):
    """What a planner or editor may use: the user's settings and what this deployment can run.

    Never shown to an LLM: budgets stay on our side of the prompt.
    """

    preferred_models: list[str] = Field(default_factory=list)
    excluded_models: list[str] = Field(default_factory=list)
    has_character_image: bool = False
    has_sample_keyframes: bool = False  # sample keyframes can feed image-to-video models too
    has_custom_audio: bool = False
    captions: bool = True
    voice: str = "en"
    monthly_budget_usd: float | None = None
    spent_this_month_usd: float = 0.0
    available_models: list[str] = Field(default_factory=lambda: [OFFLINE_VIDEO_MODEL])

    @property
    def allowed_models(self) -> list[str]:
        """Configured, known and not excluded; the animatic always runs, so it is never lost."""
        allowed = [m for m in self.available_models if m in VIDEO_MODELS and m not in self.excluded_models]
        return allowed or [OFFLINE_VIDEO_MODEL]

    @property
    def candidate_models(self) -> list[str]:
        """What a planner picks from: the preferred among the allowed, or all the allowed."""
        preferred = [m for m in self.allowed_models if m in self.preferred_models]
        return preferred or self.allowed_models

    @property
    def remaining_budget_usd(self) -> float | None:
        if self.monthly_budget_usd is None:
            return None
        return max(0.0, self.monthly_budget_usd - self.spent_this_month_usd)
