"""The rule-based planner: a plan that mirrors the sample, with no AI key and no network.

It keeps the sample's rhythm (one segment per shot, merged where a model cannot make a clip that
short), its transitions, palette, camera moves and pacing, and writes prompts from the analysis'
understanding and the user's brief. It is also what the LLM planner falls back to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reelsmith.domain.analysis import AnalysisReport, Shot, Understanding
from reelsmith.domain.catalogue import OFFLINE_VIDEO_MODEL, VIDEO_MODELS
from reelsmith.domain.plan import (
    AudioStrategy,
    Plan,
    PlanDraft,
    PlanPreferences,
    PostProduction,
    SegmentDraft,
    Transition,
)
from reelsmith.domain.plan_rules import fit_to_budget, normalise_for, split_sentences, spread_lines
from reelsmith.domain.rules import MIN_SEGMENT_SECONDS

DEFAULT_TARGET_SECONDS = 15.0
WORDS_PER_SECOND = 2.6  # a relaxed voice-over pace
NEGATIVE_PROMPT = "text, captions, watermark, logo, distorted faces, extra limbs, flicker"
DYNAMIC_MOTION = 0.25  # mean frame difference above which a shot reads as "motion"

CAMERA_NOTES = {
    "static": "locked-off static camera",
    "pan": "smooth slow pan",
    "zoom": "slow push-in",
    "handheld": "handheld camera, natural sway",
}
# The order in which models suit a kind of segment (the first one available and allowed wins).
CHARACTER_MODELS = ("gen4_turbo", "gen4.5", "veo3.1_fast", "runway_veo3.1_fast", "veo3.1", "runway_veo3.1")
MOTION_MODELS = ("veo3.1", "runway_veo3.1", "veo3.1_fast", "runway_veo3.1_fast", "gen4.5", "gen4_turbo")
GENERAL_MODELS = ("gen4.5", "veo3.1_fast", "runway_veo3.1_fast", "veo3.1", "runway_veo3.1", "gen4_turbo")

_LANDSCAPE = re.compile(
    r"\b(landscape|nature|travel|drone|aerial|scenery|scenic|mountain|ocean|sea|beach|forest|desert|"
    r"city|skyline|sunset|waterfall|timelapse)\w*",
    re.IGNORECASE,
)
_PERSON = re.compile(
    r"\b(person|people|man|woman|men|women|girl|boy|kid|child|face|host|presenter|creator|speaker|"
    r"character|dancer|chef|athlete|model|he|she|they|her|him)\b",
    re.IGNORECASE,
)
_NO_VOICE = re.compile(
    r"\b(no|without|skip|drop)\s+(voice[- ]?over|voice|narration|narrator|talking|speech|words)\b|"
    r"\bmusic only\b",
    re.IGNORECASE,
)
_WANTS_VOICE = re.compile(r"\b(voice[- ]?over|narrat\w*|voice|say|says|tell)\b", re.IGNORECASE)
_GRADE_WORDS = {
    "mono": re.compile(r"\b(black and white|black & white|b&w|monochrome|mono)\b", re.IGNORECASE),
    "warm": re.compile(r"\b(warm|golden|cosy|cozy)\b", re.IGNORECASE),
    "cool": re.compile(r"\b(cool|cold|icy|moody blue)\b", re.IGNORECASE),
    "vivid": re.compile(r"\b(vivid|vibrant|punchy|saturated|colou?rful)\b", re.IGNORECASE),
}


@dataclass(frozen=True)
class _Beat:
    """One planned segment before the rules fit it: the sample shots it mirrors and what it shows."""

    shots: tuple[Shot, ...]
    duration: float
    description: str


class RuleBasedPlanner:
    name = "rules"

    def plan(
        self,
        report: AnalysisReport | None,
        *,
        brief: str,
        target_duration: float | None,
        settings: PlanPreferences,
    ) -> Plan:
        target = choose_target(report, target_duration)
        report = _without_placeholders(report)
        beats = (
            _beats_from_report(report, target, settings, brief)
            if report and report.shots
            else _beats_from_brief(brief, target)
        )
        voice_lines = _voice_lines(report, brief, beats)
        has_keyframes = settings.has_sample_keyframes or bool(
            report and any(s.keyframe_key for s in report.shots)
        )
        segments: list[SegmentDraft] = []
        for number, (beat, line) in enumerate(zip(beats, voice_lines, strict=True)):
            model, use_image = _choose_model(beat, report, brief, settings, has_keyframes)
            segments.append(
                SegmentDraft(
                    duration=beat.duration,
                    prompt=_prompt(beat, report, brief),
                    negative_prompt=NEGATIVE_PROMPT,
                    model=model,
                    mirrors_shot=beat.shots[0].index if beat.shots else None,
                    camera=_camera(beat),
                    style=_style(report),
                    use_character_image=use_image,
                    text_overlay=_overlay(beat, report, first=number == 0, last=number == len(beats) - 1),
                    transition=_transition(beat, first=number == 0),
                    voiceover=line,
                    palette=_palette(beat, report),
                )
            )
        draft = PlanDraft(
            segments=segments,
            audio=AudioStrategy(
                voiceover=any(voice_lines),
                voice=settings.voice,
                custom_audio=settings.has_custom_audio,
                music_bed=bool(report and report.audio.music_ratio >= 0.3) and not settings.has_custom_audio,
            ),
            post=PostProduction(grade=_grade(report, brief), captions=settings.captions),
        )
        prefs = settings.model_copy(update={"has_sample_keyframes": has_keyframes})
        plan = normalise_for(draft.model_dump(), prefs, target_duration=target, models=prefs.candidate_models)
        return fit_to_budget(plan.model_copy(update={"notes": _notes(report, len(plan.segments))}), prefs)


def choose_target(report: AnalysisReport | None, target_duration: float | None) -> float:
    """The user's target, else the sample's length, else 15 s (the rules cap it at 60 s)."""
    return target_duration or (report.media.duration if report else None) or DEFAULT_TARGET_SECONDS


def _without_placeholders(report: AnalysisReport | None) -> AnalysisReport | None:
    """A signals-only read has no subject, hook or beats worth saying: keep only its measured style."""
    if report is None or report.understanding.source != "signals":
        return report
    measured = report.understanding
    return report.model_copy(
        update={
            "understanding": Understanding(
                source="signals",
                tone=measured.tone,
                style_keywords=measured.style_keywords,
                has_people=measured.has_people,
            )
        }
    )


def _beats_from_report(
    report: AnalysisReport, target: float, prefs: PlanPreferences, brief: str
) -> list[_Beat]:
    """One beat per shot, kept to its length (compose trims each clip); flash-short shots grouped.

    Each group is described by the AI read of its shots, else by the brief's sentences in order.
    """
    shots = report.shots
    scale = min(target, 60.0) / max(sum(max(s.duration, 0.01) for s in shots), 0.01)
    shortest = MIN_SEGMENT_SECONDS
    groups: list[list[Shot]] = [[]]
    for shot in shots:
        if sum(max(s.duration, 0.01) for s in groups[-1]) * scale >= shortest:
            groups.append([])
        groups[-1].append(shot)
    if len(groups) > 1 and sum(max(s.duration, 0.01) for s in groups[-1]) * scale < shortest:
        groups[-2].extend(groups.pop())
    descriptions = {b.shot_index: b.description for b in report.understanding.narrative_beats}
    sentences = split_sentences(brief)
    from_brief = spread_lines(sentences, len(groups)) if sentences else [""] * len(groups)
    return [
        _Beat(
            shots=tuple(group),
            duration=sum(max(s.duration, 0.01) for s in group) * scale,
            description=next((descriptions[s.index] for s in group if s.index in descriptions), fallback),
        )
        for group, fallback in zip(groups, from_brief, strict=True)
    ]


def _beats_from_brief(brief: str, target: float) -> list[_Beat]:
    """Three to five equal segments (fewer for tiny targets), a brief sentence each if it has enough."""
    seconds = max(1, round(min(target, 60.0)))
    count = min(seconds, max(3, min(5, round(seconds / 4))))
    sentences = split_sentences(brief)
    if len(sentences) >= count:
        return [
            _Beat(shots=(), duration=seconds / count, description=line)
            for line in spread_lines(sentences, count)
        ]
    stages = ["Opening shot", *["Next shot"] * (count - 2), "Closing shot"] if count > 1 else ["Single shot"]
    topic = brief.strip()[:400]
    return [
        _Beat(shots=(), duration=seconds / count, description=f"{stage}: {topic}" if topic else "")
        for stage in stages
    ]


def _voice_lines(report: AnalysisReport | None, brief: str, beats: Sequence[_Beat]) -> list[str]:
    """Short lines from the hook, the brief and the beats; none when neither sample nor brief talks."""
    sample_speaks = report is None or report.audio.speech_ratio >= 0.15
    if _NO_VOICE.search(brief) or not (sample_speaks or _WANTS_VOICE.search(brief)):
        return [""] * len(beats)
    understanding = report.understanding if report else None
    lines = split_sentences(brief) or [b.description for b in beats if b.description and b.shots]
    if understanding and understanding.hook:
        lines.insert(0, understanding.hook)
    if understanding and understanding.call_to_action:
        lines.append(understanding.call_to_action)
    spread = spread_lines(lines, len(beats)) if lines else [""] * len(beats)
    return [_clip_words(line, beat.duration) for line, beat in zip(spread, beats, strict=True)]


def _clip_words(line: str, seconds: float) -> str:
    words = line.split()
    limit = max(3, int(seconds * WORDS_PER_SECOND))
    return " ".join(words[:limit]) + ("…" if len(words) > limit else "")


def _choose_model(
    beat: _Beat, report: AnalysisReport | None, brief: str, prefs: PlanPreferences, has_keyframes: bool
) -> tuple[str, bool]:
    """People/character -> image-to-video with the character image; motion or landscape -> Veo."""
    understanding = report.understanding if report else None
    words = " ".join(
        [
            brief,
            beat.description,
            *(
                [understanding.content_type, understanding.subject, *understanding.style_keywords]
                if understanding
                else []
            ),
        ]
    )
    dynamic = bool(_LANDSCAPE.search(words)) or any(
        s.motion >= DYNAMIC_MOTION or s.camera_motion in ("pan", "zoom") for s in beat.shots
    )
    people = bool(_PERSON.search(beat.description)) or (
        not dynamic and (prefs.has_character_image or bool(understanding and understanding.has_people))
    )
    image_ok = prefs.has_character_image or (has_keyframes and bool(beat.shots))
    allowed = [m for m in prefs.candidate_models if image_ok or not VIDEO_MODELS[m].needs_image]
    use_image = people and prefs.has_character_image
    order = CHARACTER_MODELS if use_image else MOTION_MODELS if dynamic else GENERAL_MODELS
    model = next((m for m in order if m in allowed), OFFLINE_VIDEO_MODEL)
    return model, use_image


def _prompt(beat: _Beat, report: AnalysisReport | None, brief: str) -> str:
    subject = report.understanding.subject if report else ""
    parts = [
        beat.description or subject or "A striking vertical shot",
        subject if beat.description and subject and subject not in beat.description else "",
        brief.strip()[:400] if beat.shots and report and report.understanding.source != "signals" else "",
        "Vertical 9:16 framing",
    ]
    cleaned = [p.strip().rstrip(". ") for p in parts if p.strip().rstrip(". ")]
    return ". ".join(p[0].upper() + p[1:] for p in cleaned)[:1000]


def _camera(beat: _Beat) -> str:
    if not beat.shots:
        return ""
    main = max(beat.shots, key=lambda s: s.duration)
    energy = ", energetic movement" if main.motion >= DYNAMIC_MOTION else ""
    return CAMERA_NOTES[main.camera_motion] + energy


def _style(report: AnalysisReport | None) -> str:
    if not report:
        return ""
    understanding = report.understanding
    tone = [f"{understanding.tone} tone"] if understanding.tone else []
    return ", ".join([*understanding.style_keywords[:6], *tone, f"{report.pacing.label} pacing"])[:200]


def _overlay(beat: _Beat, report: AnalysisReport | None, *, first: bool, last: bool) -> str | None:
    """The sample's on-screen hook and call to action, where the sample shows text."""
    if not report or not any(s.text_on_screen for s in beat.shots):
        return None
    text = report.understanding.hook if first else report.understanding.call_to_action if last else ""
    return text[:120] or None


def _transition(beat: _Beat, *, first: bool) -> Transition:
    if first or not beat.shots:
        return Transition.CUT
    return Transition.FADE if beat.shots[0].kind in ("fade", "dissolve") else Transition.CUT


def _palette(beat: _Beat, report: AnalysisReport | None) -> list[str]:
    colours = [c for s in beat.shots for c in s.palette] or (report.palette if report else [])
    return list(dict.fromkeys(colours))[:5]


def _grade(report: AnalysisReport | None, brief: str) -> str:
    """The brief's words first; else the sample's look: saturation, then warm or cool dominance."""
    for grade, pattern in _GRADE_WORDS.items():
        if pattern.search(brief):
            return grade
    if not report or not report.shots:
        return "none"
    saturation = sum(s.saturation for s in report.shots) / len(report.shots)
    if saturation < 0.08:
        return "mono"
    if saturation > 0.55:
        return "vivid"
    rgb = [colour for c in report.palette if (colour := _rgb(c))]
    warmth = sum(r - b for r, _, b in rgb) / len(rgb) if rgb else 0
    return "warm" if warmth > 25 else "cool" if warmth < -25 else "none"


def _rgb(colour: str) -> tuple[int, int, int] | None:
    match = re.fullmatch(r"#?([0-9a-fA-F]{6})", colour.strip())
    if not match:
        return None
    value = int(match.group(1), 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def _notes(report: AnalysisReport | None, count: int) -> str:
    if not report or not report.shots:
        return f"Rule-based plan from the brief alone: {count} segments."
    return (
        f"Rule-based plan: {count} segments mirroring the sample's {len(report.shots)} shots "
        f"({report.pacing.label} pacing)."
    )
