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
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

from reelsmith.domain.analysis import AnalysisReport, NarrativeBeat, Shot, Understanding
from reelsmith.domain.errors import ProviderBadOutput, ProviderError, ProviderThrottled, ProviderUnavailable
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


HOOK_SECONDS = 3.0
MAX_BEATS = 12
NO_KEY = "derived from signals: no AI provider configured"


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


def signal_understanding(report: AnalysisReport, note: str) -> Understanding:
    """What the signals alone can say about the video's form (not its subject)."""
    pace, audio, shots = report.pacing, report.audio, report.shots
    cameras = Counter(s.camera_motion for s in shots)
    texty = sum(s.duration for s in shots if s.text_on_screen) >= 0.3 * report.media.duration
    light = "bright" if report.brightness >= 0.6 else "dark" if report.brightness <= 0.3 else "balanced"
    keywords = [f"{pace.label} pacing", f"{light} exposure", f"mostly {cameras.most_common(1)[0][0]} camera"]
    if report.palette:
        keywords.append("palette " + " ".join(report.palette[:3]))
    if texty:
        keywords.append("on-screen text")
    if audio.tempo_bpm:
        keywords.append(f"{audio.tempo_bpm:.0f} BPM music")
    return Understanding(
        source="signals",
        content_type=_content_type(report, texty),
        subject="unknown: subject matter needs an AI read",
        audience="unknown: audience needs an AI read",
        tone=_tone(report, light),
        style_keywords=keywords,
        narrative_beats=[NarrativeBeat(shot_index=s.index, description=_beat(s)) for s in shots[:MAX_BEATS]],
        hook=_hook(shots),
        call_to_action="unknown: needs an AI read",
        has_people=None,
        note=note,
    )


def _content_type(report: AnalysisReport, texty: bool) -> str:
    audio, pace = report.audio, report.pacing
    if audio.speech_ratio >= 0.5 and pace.label in ("slow", "medium"):
        return "talking or voice-over video"
    if audio.speech_ratio >= 0.3:
        return "narrated montage"
    if audio.music_ratio >= 0.5:
        return "music-driven montage" if pace.label in ("fast", "frantic") else "music video or mood piece"
    if texty:
        return "text-led explainer"
    return "visual montage" if pace.shot_count > 3 else "single-scene clip"


def _tone(report: AnalysisReport, light: str) -> str:
    energy = {"frantic": "hectic", "fast": "energetic", "medium": "steady", "slow": "calm"}[
        report.pacing.label
    ]
    mood = {"bright": "upbeat", "dark": "moody", "balanced": "neutral"}[light]
    return f"{energy}, {mood}"


def _beat(shot: Shot) -> str:
    colour = f", dominant {shot.palette[0]}" if shot.palette else ""
    text = ", on-screen text" if shot.text_on_screen else ""
    movement = "busy" if shot.motion >= 0.05 else "gentle" if shot.motion >= 0.01 else "still"
    opening = f"{shot.duration:.1f} s {shot.camera_motion} shot, {movement} motion"
    return f"{opening}{colour}{text} (starts by {shot.kind})"


def _hook(shots: list[Shot]) -> str:
    opening = [s for s in shots if s.start < HOOK_SECONDS]
    if not opening:
        return ""
    first = opening[0]
    return (
        f"{len(opening)} shot{'s' if len(opening) != 1 else ''} in the first {HOOK_SECONDS:.0f} s; "
        f"opens on a {first.camera_motion} shot of {first.duration:.1f} s"
    )
