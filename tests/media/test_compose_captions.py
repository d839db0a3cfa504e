"""Caption pages, timing and the ASS/WebVTT files."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from reelsmith.media.captions import (
    CaptionCue,
    ass_escape,
    captions_from_script,
    captions_from_words,
    write_ass,
    write_vtt,
)


@dataclass(frozen=True)
class W:
    word: str
    start: float
    end: float


def timed(text: str, step: float = 0.4, pause_after: int | None = None) -> list[W]:
    words, t = [], 0.0
    for i, word in enumerate(text.split()):
        words.append(W(word, t, t + step * 0.8))
        t += step + (1.5 if i == pause_after else 0)
    return words


def test_word_pages_are_short_lines_and_break_after_sentences():
    cues = captions_from_words(
        timed("Make your mornings easier. Try this simple trick with one cup of coffee today")
    )
    assert cues[0].text == "Make your mornings\neasier."
    for cue in cues:
        assert all(len(line) <= 18 for line in cue.text.split("\n")) and cue.text.count("\n") <= 1
        assert cue.words and cue.words[0].start == cue.start
    assert all(a.end <= b.start for a, b in itertools.pairwise(cues))
    spoken = "Make your mornings easier. Try this simple trick with one cup of coffee today"
    assert " ".join(c.text.replace("\n", " ") for c in cues) == spoken


def test_a_long_pause_starts_a_new_page_and_short_gaps_do_not_flicker():
    cues = captions_from_words(timed("one two three four", pause_after=1))
    assert [c.text for c in cues] == ["one two", "three four"]
    assert cues[0].end < cues[1].start  # the pause shows no caption
    joined = captions_from_words(timed("alpha beta gamma delta epsilon zeta eta theta iota kappa"))
    assert all(a.end == b.start for a, b in itertools.pairwise(joined))


def test_script_captions_cover_the_duration_in_proportion_to_length():
    cues = captions_from_script("Short. A much longer second sentence here.", 10.0, start=2.0)
    assert cues[0].start == 2.0 and abs(cues[-1].end - 12.0) < 1e-9
    assert cues[0].end - cues[0].start < cues[1].end - cues[1].start
    assert captions_from_script("   ", 5.0) == [] and captions_from_script("hi", 0) == []


def test_user_text_cannot_inject_ass_overrides():
    assert ass_escape(r"{\pos(0,0)}hi\Nthere") == "\\{\u29f5pos(0,0)\\}hi\u29f5Nthere"
    assert ass_escape("two\nlines") == "two\\Nlines"


def test_ass_file_has_safe_area_styles_highlights_and_overlays(tmp_path: Path):
    words = timed("hello there friend")
    cues = [CaptionCue(0.0, 2.0, "hello there\nfriend", tuple(words)), CaptionCue(2.0, 3.0, "{bad}")]
    path = write_ass(cues, tmp_path / "c.ass", width=1080, height=1920, overlays=[CaptionCue(0, 3, "Top")])
    text = path.read_text()
    assert "PlayResX: 1080" in text and "PlayResY: 1920" in text
    caption_style = next(line for line in text.splitlines() if line.startswith("Style: Caption"))
    assert caption_style.split(",")[1] == "DejaVu Sans" and caption_style.endswith(",2,86,86,384,1")
    overlay_style = next(line for line in text.splitlines() if line.startswith("Style: Overlay"))
    assert overlay_style.endswith(",8,86,86,230,1")
    dialogue = [line for line in text.splitlines() if line.startswith("Dialogue: 0")]
    assert len(dialogue) == 4  # one event per spoken word, then the plain cue
    assert dialogue[1].endswith("hello {\\c&H00E5FF&}there{\\r}\\Nfriend")
    assert dialogue[3].endswith(",,\\{bad\\}")
    assert "Dialogue: 1,0:00:00.00,0:00:03.00,Overlay,,0,0,0,,Top" in text


def test_vtt_is_escaped_for_html_players(tmp_path: Path):
    path = write_vtt([CaptionCue(1.5, 62.25, "<b>Tom & Jerry</b>")], tmp_path / "c.vtt")
    assert path.read_text() == "WEBVTT\n\n00:00:01.500 --> 00:01:02.250\n&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;\n"
