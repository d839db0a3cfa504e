"""What changed between two plan versions, in lines a user reads ("Segment 2 prompt changed").

Segments are matched by content (prompt and mirrored shot), not by position, so removing segment
2 reads as "Segment 2 removed" rather than as every later segment changing. Numbers are 1-based.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from .plan import Plan, Segment

_SEGMENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("prompt", "prompt"),
    ("negative_prompt", "negative prompt"),
    ("camera", "camera note"),
    ("style", "style note"),
    ("voiceover", "voice-over"),
    ("text_overlay", "text overlay"),
    ("palette", "palette"),
)


def diff_plans(old: Plan, new: Plan) -> list[str]:
    lines = []
    if old.target_duration != new.target_duration:
        lines.append(f"Target {old.target_duration:g} s -> {new.target_duration:g} s")
    lines += _segment_lines(old.segments, new.segments)
    lines += _changes("Voice-over", old.audio.voiceover, new.audio.voiceover)
    lines += _changes("Voice", old.audio.voice, new.audio.voice)
    lines += _changes("Custom audio", old.audio.custom_audio, new.audio.custom_audio)
    lines += _changes("Music bed", old.audio.music_bed, new.audio.music_bed)
    lines += _changes("Ducking", old.audio.ducking, new.audio.ducking)
    if old.audio.sound_effects != new.audio.sound_effects:
        lines.append(f"Sound effects: {len(old.audio.sound_effects)} -> {len(new.audio.sound_effects)}")
    lines += _changes("Grade", old.post.grade, new.post.grade)
    lines += _changes("Captions", old.post.captions, new.post.captions)
    lines += _changes("Caption style", old.post.caption_style, new.post.caption_style)
    lines += _changes("Partial video allowed", old.allow_partial, new.allow_partial)
    return lines


def _key(segment: Segment) -> tuple[str, int | None]:
    return segment.prompt, segment.mirrors_shot


def _segment_lines(old: list[Segment], new: list[Segment]) -> list[str]:
    old_keys, new_keys = [_key(s) for s in old], [_key(s) for s in new]
    if len(old) == len(new) and old_keys != new_keys and sorted(old_keys) == sorted(new_keys):
        places: dict[tuple[str, int | None], list[int]] = {}  # a pure reorder, e.g. a swap
        for number, key in enumerate(old_keys, start=1):
            places.setdefault(key, []).append(number)
        order = [places[key].pop(0) for key in new_keys]
        pairs = [(old[n - 1], s) for n, s in zip(order, new, strict=True)]
        return ["Segments reordered: " + ", ".join(map(str, order))] + [
            line for before, after in pairs for line in _segment_changes(before, after)
        ]
    lines: list[str] = []
    matcher = SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        paired = min(i2 - i1, j2 - j1)  # equal runs, and a replaced run's first segments, changed in place
        for before, after in zip(old[i1 : i1 + paired], new[j1 : j1 + paired], strict=True):
            lines += _segment_changes(before, after)
        lines += [f"Segment {i + 1} removed" for i in range(i1 + paired, i2)]
        lines += [f"Segment {j + 1} added" for j in range(j1 + paired, j2)]
    return lines


def _segment_changes(old: Segment, new: Segment) -> list[str]:
    label = f"Segment {new.index + 1}"
    lines = [
        f"{label} {name} changed"
        for field, name in _SEGMENT_FIELDS
        if getattr(old, field) != getattr(new, field)
    ]
    if old.duration != new.duration:
        lines.append(f"{label} duration {old.duration:g} s -> {new.duration:g} s")
    lines += _changes(f"{label} model", old.model, new.model)
    lines += _changes(f"{label} transition", old.transition.value, new.transition.value)
    if old.use_character_image != new.use_character_image:
        lines.append(
            f"{label} {'now uses' if new.use_character_image else 'no longer uses'} the character image"
        )
    return lines


def _changes(label: str, old: Any, new: Any) -> list[str]:
    if old == new:
        return []
    if isinstance(old, bool):
        return [f"{label} {'on' if new else 'off'}"]
    return [f"{label} {old} -> {new}"]
