"""Captions: short mobile pages timed from the voice-over, written as ASS (burned in) and WebVTT.

Pages are at most two short lines so they read at a glance on a phone. Timing comes from the
voice provider's word timestamps when it gives them (and then the spoken word is highlighted),
otherwise from the script spread over the voice-over's duration in proportion to its length.
Captions sit bottom-centre inside the mobile-safe area: above the bottom ~20% and clear of the
side margins where the apps draw their buttons. Text overlays from the plan go top-centre.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

FONT_NAME = "DejaVu Sans"  # the family of ffmpeg.FONT_PATH; libass finds it through the filter's fontsdir
SAFE_BOTTOM = 0.20  # fraction of the height kept clear at the bottom (app captions and buttons)
SAFE_TOP = 0.12  # fraction kept clear at the top (app header)
SAFE_SIDES = 0.08
SENTENCE_END = (".", "!", "?", "…")
ASS_STYLE_FORMAT = (
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
    "Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, "
    "MarginL, MarginR, MarginV, Encoding"
)


class TimedWord(Protocol):
    """A spoken word with its time (the voice provider's ``WordTiming`` fits)."""

    @property
    def word(self) -> str: ...

    @property
    def start(self) -> float: ...

    @property
    def end(self) -> float: ...


@dataclass(frozen=True)
class CaptionCue:
    """One page of caption text on screen from ``start`` to ``end`` (seconds)."""

    start: float
    end: float
    text: str
    words: tuple[TimedWord, ...] = ()  # the page's words with times, when known: highlights them


@dataclass(frozen=True)
class CaptionStyle:
    font_scale: float  # font size as a fraction of the frame height
    primary: str  # ASS colours, &HAABBGGRR
    highlight: str
    outline: str
    back: str
    border_style: int  # 1 outline + shadow, 3 opaque box
    outline_px: float


CAPTION_STYLES: dict[str, CaptionStyle] = {
    "bold": CaptionStyle(0.038, "&H00FFFFFF", "&H0000E5FF", "&H00000000", "&H80000000", 1, 5),
    "boxed": CaptionStyle(0.034, "&H00FFFFFF", "&H0000E5FF", "&H99000000", "&H99000000", 3, 12),
    "minimal": CaptionStyle(0.030, "&H00FFFFFF", "&H00FFFFFF", "&H00000000", "&H00000000", 1, 2.5),
}


def _pages(tokens: Sequence[str], max_chars_per_line: int, max_lines: int) -> list[list[int]]:
    """Group token indexes into pages of at most ``max_lines`` lines, breaking after sentences."""
    pages: list[list[int]] = []
    current: list[int] = []
    lines, line_len = 1, 0
    for i, token in enumerate(tokens):
        extra = len(token) if line_len == 0 else len(token) + 1
        if line_len and line_len + extra > max_chars_per_line:
            if lines == max_lines:
                pages.append(current)
                current, lines, line_len = [], 1, 0
            else:
                lines, line_len = lines + 1, 0
            extra = len(token)
        current.append(i)
        line_len += extra
        if token.endswith(SENTENCE_END):
            pages.append(current)
            current, lines, line_len = [], 1, 0
    if current:
        pages.append(current)
    return pages


def _page_text(tokens: Sequence[str], max_chars_per_line: int) -> str:
    """Break a page into lines greedily; lines are joined with a newline."""
    lines: list[str] = []
    for token in tokens:
        if lines and len(lines[-1]) + 1 + len(token) <= max_chars_per_line:
            lines[-1] += " " + token
        else:
            lines.append(token)
    return "\n".join(lines)


def captions_from_words(
    words: Sequence[TimedWord],
    *,
    max_chars_per_line: int = 18,
    max_lines: int = 2,
    max_gap: float = 0.8,
    min_duration: float = 0.6,
) -> list[CaptionCue]:
    """Pages from word timestamps; a pause longer than ``max_gap`` also starts a new page.

    A page stays up until the next one starts when the gap is short, so the text does not flicker.
    """
    spoken = [w for w in words if w.word.strip()]
    groups: list[list[TimedWord]] = []
    for page in _pages([w.word.strip() for w in spoken], max_chars_per_line, max_lines):
        group: list[TimedWord] = []
        for i in page:
            if group and spoken[i].start - group[-1].end > max_gap:
                groups.append(group)
                group = []
            group.append(spoken[i])
        groups.append(group)
    cues: list[CaptionCue] = []
    for n, group in enumerate(groups):
        start = group[0].start
        end = max(group[-1].end, start + min_duration)
        if n + 1 < len(groups):
            following = groups[n + 1][0].start
            end = following if following - end <= max_gap else min(end, following)
        text = _page_text([w.word.strip() for w in group], max_chars_per_line)
        cues.append(CaptionCue(start, end, text, tuple(group)))
    return cues


def captions_from_script(
    script: str, duration: float, *, start: float = 0.0, max_chars_per_line: int = 18, max_lines: int = 2
) -> list[CaptionCue]:
    """Pages of ``script`` spread over ``duration`` seconds in proportion to their length."""
    tokens = script.split()
    if not tokens or duration <= 0:
        return []
    pages = _pages(tokens, max_chars_per_line, max_lines)
    weights = [sum(len(tokens[i]) + 1 for i in page) for page in pages]
    per_char = duration / sum(weights)
    cues, t = [], start
    for page, weight in zip(pages, weights, strict=True):
        end = t + weight * per_char
        cues.append(CaptionCue(t, end, _page_text([tokens[i] for i in page], max_chars_per_line)))
        t = end
    return cues


def ass_escape(text: str) -> str:
    """User text as literal ASS text: no override blocks, no escape sequences, one line each."""
    text = text.replace("\\", "\u29f5").replace("{", "\\{").replace("}", "\\}")
    return "\\N".join(re.sub(r"\s+", " ", line).strip() for line in text.splitlines())


def _ass_time(seconds: float) -> str:
    cs = max(0, round(seconds * 100))
    return f"{cs // 360000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def _highlighted_events(cue: CaptionCue, style: CaptionStyle) -> list[tuple[float, float, str]]:
    """One event per spoken word: the whole page, with the word being spoken in the highlight colour."""
    lines = [line.split() for line in cue.text.split("\n")]
    if sum(map(len, lines)) != len(cue.words):  # a provider "word" with spaces in it: no highlight
        return [(cue.start, cue.end, ass_escape(cue.text))]
    events = []
    for n, word in enumerate(cue.words):
        start = cue.start if n == 0 else word.start
        end = cue.words[n + 1].start if n + 1 < len(cue.words) else cue.end
        if end <= start:
            continue
        k, rendered = 0, []
        for line in lines:
            parts = []
            for token in line:
                escaped = ass_escape(token)
                parts.append(f"{{\\c&H{style.highlight[-6:]}&}}{escaped}{{\\r}}" if k == n else escaped)
                k += 1
            rendered.append(" ".join(parts))
        events.append((start, end, "\\N".join(rendered)))
    return events


def write_ass(
    cues: Sequence[CaptionCue],
    path: Path,
    *,
    width: int,
    height: int,
    style: str = "bold",
    overlays: Sequence[CaptionCue] = (),
) -> Path:
    """Write captions (bottom, safe area) and text overlays (top) as one ASS file for libass."""
    look = CAPTION_STYLES.get(style, CAPTION_STYLES["bold"])
    side = round(width * SAFE_SIDES)
    caption_size = round(height * look.font_scale)
    overlay_size = round(height * 0.045)

    def style_line(name: str, size: int, colour: str, align: int, margin_v: int) -> str:
        return (
            f"Style: {name},{FONT_NAME},{size},{colour},{look.highlight},{look.outline},{look.back},"
            f"-1,0,0,0,100,100,0,0,{look.border_style},{look.outline_px},1,{align},{side},{side},{margin_v},1"
        )

    events: list[str] = []
    for cue in cues:
        parts = _highlighted_events(cue, look) if cue.words else [(cue.start, cue.end, ass_escape(cue.text))]
        events += [
            f"Dialogue: 0,{_ass_time(a)},{_ass_time(b)},Caption,,0,0,0,,{text}" for a, b, text in parts
        ]
    events += [
        f"Dialogue: 1,{_ass_time(o.start)},{_ass_time(o.end)},Overlay,,0,0,0,,{ass_escape(o.text)}"
        for o in overlays
    ]
    path.write_text(
        "\n".join(
            [
                "[Script Info]",
                "ScriptType: v4.00+",
                f"PlayResX: {width}",
                f"PlayResY: {height}",
                "WrapStyle: 0",
                "ScaledBorderAndShadow: yes",
                "",
                "[V4+ Styles]",
                ASS_STYLE_FORMAT,
                style_line("Caption", caption_size, look.primary, 2, round(height * SAFE_BOTTOM)),
                style_line("Overlay", overlay_size, "&H00FFFFFF", 8, round(height * SAFE_TOP)),
                "",
                "[Events]",
                "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
                *events,
                "",
            ]
        ),
        encoding="utf-8",
    )
    return path


def _vtt_time(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def write_vtt(cues: Sequence[CaptionCue], path: Path) -> Path:
    """The downloadable captions file (WebVTT), text escaped for HTML-based players."""
    blocks = ["WEBVTT", ""]
    for cue in cues:
        text = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks += [f"{_vtt_time(cue.start)} --> {_vtt_time(cue.end)}", text, ""]
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path
