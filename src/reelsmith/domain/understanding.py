"""What the signals alone can say about a video's form (never its subject): the offline read.

Used when no AI provider is configured or when the one configured fails; ``note`` says which.
"""

from __future__ import annotations

from collections import Counter

from .analysis import AnalysisReport, NarrativeBeat, Shot, Understanding

HOOK_SECONDS = 3.0
MAX_BEATS = 12
NO_KEY = "derived from signals: no AI provider configured"


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
        subject="",
        audience="",
        tone=_tone(report, light),
        style_keywords=keywords,
        narrative_beats=[NarrativeBeat(shot_index=s.index, description=_beat(s)) for s in shots[:MAX_BEATS]],
        hook=_hook(shots),
        call_to_action="",
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
