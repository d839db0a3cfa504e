"""The AI read of a sample: what the vision adapters share, and a fallback that is never missing.

Gemini (the whole video) and Groq (keyframes) get the same instructions, answer in the same JSON
shape (``AIRead``) and go through the same retry policy. Without a key, or when every provider
fails, the report still says what the video is like in words (pacing, light, colour, camera,
sound), marked ``source="signals"`` with a note saying why, so the planner and the user always get
an understanding and can tell where it came from.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

from reelsmith.domain.analysis import AnalysisReport, NarrativeBeat, Understanding
from reelsmith.domain.errors import ProviderBadOutput, ProviderError, ProviderThrottled, ProviderUnavailable
from reelsmith.domain.understanding import NO_KEY, signal_understanding
from reelsmith.providers.base import VideoUnderstanding

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 3
BACKOFF_SECONDS = 1.0
MAX_WAIT_SECONDS = 20.0

READ_INSTRUCTIONS = """You analyse a short-form vertical video so that a similar one can be made.
Answer with one JSON object only, no prose, with exactly these keys:
  content_type: string (e.g. "product demo", "talking head", "travel montage", "recipe")
  subject: string (who or what the video is about)
  audience: string (who it is for)
  tone: string (a few words, e.g. "upbeat, playful")
  style_keywords: array of 3-8 short strings (visual and editing style)
  narrative_beats: array of {"shot_index": integer, "description": string}, one per listed shot, in order
  hook: string (what happens in the first 3 seconds to hold attention)
  call_to_action: string (what the viewer is asked to do; "" if nothing)
  has_people: boolean
Use the shot indexes given below. Describe only what is visible or audible."""


class AIBeat(BaseModel):
    shot_index: int
    description: str


class AIRead(BaseModel):
    """The JSON an AI read must return (also Gemini's response schema)."""

    content_type: str
    subject: str
    audience: str
    tone: str
    style_keywords: list[str] = Field(default_factory=list)
    narrative_beats: list[AIBeat] = Field(default_factory=list)
    hook: str = ""
    call_to_action: str = ""
    has_people: bool | None = None


def describe_for_prompt(report: AnalysisReport, shown: Sequence[int] = ()) -> str:
    """The measured facts the model should anchor on, with the shot list it must map beats to."""
    lines = [f"Measured: {report.summary}.", f"Duration {report.media.duration:.1f} s. Shots:"]
    for shot in report.shots:
        picture = " (keyframe image attached)" if shot.index in shown else ""
        lines.append(
            f"  shot {shot.index}: {shot.start:.1f}-{shot.end:.1f} s, {shot.camera_motion} camera{picture}"
        )
    return "\n".join(lines)


def parse_read(text: str, source: Literal["gemini", "groq"], report: AnalysisReport) -> Understanding:
    """Validate a model's JSON answer into an Understanding; beats must name real shots."""
    try:
        read = AIRead.model_validate_json(text)
    except ValidationError as exc:
        raise ProviderBadOutput(
            f"The {source} answer is not the JSON we asked for.", code="provider_bad_output"
        ) from exc
    valid = range(len(report.shots))
    beats = [
        NarrativeBeat(shot_index=b.shot_index, description=b.description)
        for b in read.narrative_beats
        if b.shot_index in valid
    ]
    return Understanding(source=source, **read.model_dump(exclude={"narrative_beats"}), narrative_beats=beats)


def with_retries(
    call: Callable[[], T], *, attempts: int = ATTEMPTS, sleep: Callable[[float], None] = time.sleep
) -> T:
    """Run ``call``, retrying throttling and outages with backoff (honouring the server's retry-after)."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except (ProviderThrottled, ProviderUnavailable) as exc:
            if attempt == attempts:
                raise
            hinted = exc.retry_after if isinstance(exc, ProviderThrottled) else None
            wait = min(
                MAX_WAIT_SECONDS, hinted if hinted is not None else BACKOFF_SECONDS * 2 ** (attempt - 1)
            )
            log.info("%s; retrying in %.1f s (attempt %d of %d)", exc.code, wait, attempt + 1, attempts)
            sleep(wait)
    raise AssertionError("unreachable")


def understand_with_fallback(
    providers: Sequence[VideoUnderstanding | None],
    video_path: Path,
    report: AnalysisReport,
    keyframes: list[Path],
) -> Understanding:
    """The first provider's read that succeeds, else the signal-derived description saying why."""
    chain = [p for p in providers if p is not None]
    if not chain:
        return signal_understanding(report, NO_KEY)
    failures = []
    for provider in chain:
        try:
            return provider.understand(video_path, report, keyframes)
        except ProviderError as exc:
            log.warning("video understanding by %s failed: %s (%s)", provider.name, exc.code, exc.message)
            failures.append(f"{provider.name} failed: {exc.code}")
    return signal_understanding(report, "derived from signals: " + "; ".join(failures))
