"""The filter-graph builder: pure functions, checked without running FFmpeg."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reelsmith.media.captions import CaptionCue
from reelsmith.media.compose import (
    AudioInput,
    ClipInput,
    ComposeSpec,
    build_command,
    build_filter_graph,
    filter_value,
    overlay_cues,
)

CLIP = Path("/jobs/j1/clip.mp4")


def spec_of(*clips: tuple[float, str], **kwargs) -> ComposeSpec:
    return ComposeSpec(tuple(ClipInput(CLIP, d, t) for d, t in clips), **kwargs)  # type: ignore[arg-type]


def xfades(graph: str) -> list[tuple[str, str, str]]:
    return re.findall(r"xfade=transition=(\w+):duration=([\d.]+):offset=([\d.]+)", graph)


def test_timeline_starts_each_clip_on_time_and_extends_the_outgoing_one():
    spec = spec_of((4, "cut"), (5, "fade"), (3, "wipe"), (2, "cut"))
    timeline = spec.timeline()
    assert [t.start_frame for t in timeline] == [0, 120, 270, 360]
    assert [t.slot_frames for t in timeline] == [120, 150, 90, 60]
    assert [t.transition_frames for t in timeline] == [0, 15, 15, 0]
    # Each clip supplies its slot plus the next clip's transition.
    assert [t.supplied_frames for t in timeline] == [135, 165, 90, 60]
    assert spec.total_frames == 420 and spec.total_duration == 14.0


@pytest.mark.parametrize(("kind", "xfade"), [("fade", "fade"), ("slide", "slideleft"), ("wipe", "wipeleft")])
def test_each_transition_kind_becomes_its_xfade(kind: str, xfade: str):
    graph = build_filter_graph(spec_of((3, "cut"), (3, kind)))
    assert xfades(graph) == [(xfade, "0.5", "0")]
    assert "[tail0][head1]xfade" in graph


def test_cuts_only_join_the_clips_with_one_concat_and_no_xfade():
    graph = build_filter_graph(spec_of((3, "cut"), (2, "cut"), (4, "cut")))
    assert "xfade" not in graph and "split" not in graph
    assert "[mid0][mid1][mid2]concat=n=3:v=1:a=0" in graph


def test_the_first_clip_has_no_incoming_transition():
    graph = build_filter_graph(spec_of((3, "fade"), (3, "cut")))
    assert "xfade" not in graph


def test_transition_pieces_are_cut_to_exact_frames():
    graph = build_filter_graph(spec_of((4, "cut"), (5, "fade"), (3, "cut")))
    assert "[0:v]" in graph and "tpad=stop_mode=clone:stop=135,trim=end_frame=135" in graph
    assert "[s0mid]trim=start_frame=0:end_frame=120" in graph
    assert "[s0tail]trim=start_frame=120:end_frame=135" in graph
    assert "[s1head]trim=start_frame=0:end_frame=15" in graph
    assert "[s1mid]trim=start_frame=15:end_frame=150" in graph
    assert "[mid0][x1][mid1][mid2]concat=n=4" in graph


@given(
    st.lists(
        st.tuples(
            st.floats(min_value=1.0, max_value=15.0).map(lambda d: round(d, 2)),
            st.sampled_from(["cut", "fade", "slide", "wipe"]),
            st.sampled_from([0.25, 0.5, 0.8]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_pieces_add_up_to_the_planned_total(plan: list[tuple[float, str, float]]):
    spec = ComposeSpec(tuple(ClipInput(CLIP, d, t, x) for d, t, x in plan))  # type: ignore[arg-type]
    graph = build_filter_graph(spec)
    frames = sum(round(float(d) * 30) for _, d, _ in xfades(graph))
    for i in range(len(plan)):
        if middle := re.search(rf"\[s{i}mid\]trim=start_frame=(\d+):end_frame=(\d+)", graph):
            frames += int(middle[2]) - int(middle[1])
        else:
            frames += int(re.search(rf"\[{i}:v\][^;]*?trim=end_frame=(\d+)", graph)[1])  # type: ignore[index]
    assert frames == spec.total_frames == round(sum(d for d, _, _ in plan) * 30)


def test_a_transition_longer_than_its_clip_is_refused():
    with pytest.raises(ValueError, match="shorter than the clip"):
        spec_of((3, "cut"), (0.5, "fade"))


def test_unknown_grade_and_unknown_container_are_refused():
    with pytest.raises(ValueError, match="unknown grade"):
        spec_of((3, "cut"), grade="sepia-ish")
    spec = ComposeSpec((ClipInput(Path("/jobs/j1/clip.avi"), 3),))
    with pytest.raises(ValueError, match="no pinned demuxer"):
        build_command(spec, Path("/jobs/j1/out.mp4"))


def test_every_input_has_a_pinned_demuxer_and_the_file_only_whitelist():
    spec = ComposeSpec(
        (ClipInput(CLIP, 3), ClipInput(Path("/jobs/j1/b.mov"), 2)),
        (AudioInput(Path("/jobs/j1/voice.wav"), "voice"), AudioInput(Path("/jobs/j1/music.mp3"), "music")),
    )
    args = build_command(spec, Path("/jobs/j1/out.mp4"))
    inputs = [i for i, a in enumerate(args) if a == "-i"]
    assert [args[i - 2 : i] for i in inputs] == [["-f", "mov"], ["-f", "mov"], ["-f", "wav"], ["-f", "mp3"]]
    assert [args[i - 4 : i - 2] for i in inputs] == [["-protocol_whitelist", "file"]] * 4
    assert "-stream_loop" not in args
    out = args[args.index("-filter_complex") + 2 :]
    for flag in ("-c:v libx264", "-profile:v high", "-crf 20", "-preset veryfast", "-c:a aac", "-ar 48000",
                 "-movflags +faststart", "-colorspace bt709"):  # fmt: skip
        assert flag in " ".join(out)


def test_a_short_music_bed_loops_a_finite_number_of_times():
    spec = ComposeSpec((ClipInput(CLIP, 10),), (AudioInput(Path("/j/music.mp3"), "music", duration=3),))
    args = build_command(spec, Path("/j/out.mp4"))
    assert args[args.index("-stream_loop") + 1] == "3"


def test_normalisation_fills_the_frame_unless_letterbox_is_asked():
    fill = build_filter_graph(spec_of((3, "cut")))
    assert "crop=" in fill and "pad=1080" not in fill
    assert "scale=1080:1920" in fill and "fps=30" in fill and "setsar=1" in fill and "format=yuv420p" in fill
    assert "colorspace=bt709" in fill
    boxed = build_filter_graph(spec_of((3, "cut"), fit="letterbox"))
    assert "pad=1080:1920" in boxed and "crop=" not in boxed


def test_high_frame_rate_sources_drop_frames_before_scaling():
    fast = ComposeSpec((ClipInput(CLIP, 3, source_fps=60),))
    assert build_filter_graph(fast).index("fps=30") < build_filter_graph(fast).index("scale=")
    slow = ComposeSpec((ClipInput(CLIP, 3, source_fps=24),))
    assert build_filter_graph(slow).index("scale=") < build_filter_graph(slow).index("fps=30")


def test_voice_ducks_the_music_and_the_mix_is_loudness_normalised():
    spec = ComposeSpec(
        (ClipInput(CLIP, 4),),
        (
            AudioInput(Path("/j/voice.wav"), "voice", start=0.5),
            AudioInput(Path("/j/music.mp3"), "music", gain_db=2),
            AudioInput(Path("/j/whoosh.wav"), "effect", start=2.25),
        ),
    )
    graph = build_filter_graph(spec)
    assert "[bed][voice_key]sidechaincompress" in graph
    assert "[1:a]" in graph and "adelay=500:all=1" in graph
    assert "volume=-10dB" in graph  # the bed sits 12 dB under the voice, plus the item's own gain
    assert "adelay=2250:all=1" in graph
    assert "loudnorm=I=-14:TP=-2.5:LRA=11" in graph and "aresample=48000" in graph
    assert "apad=whole_dur=4,atrim=duration=4" in graph
    undocked = build_filter_graph(ComposeSpec(spec.clips, spec.audio, ducking=False))
    assert "sidechaincompress" not in undocked


def test_clip_sound_joins_the_bed_at_the_clip_start():
    spec = ComposeSpec((ClipInput(CLIP, 2), ClipInput(CLIP, 3, has_audio=True)))
    graph = build_filter_graph(spec)
    assert "[1:a]asetpts=PTS-STARTPTS" in graph and "atrim=duration=3,adelay=2000:all=1" in graph


def test_without_any_sound_the_video_gets_a_silent_track():
    graph = build_filter_graph(spec_of((3, "cut")))
    assert "anullsrc=r=48000:cl=stereo,atrim=duration=3[aout]" in graph and "loudnorm" not in graph


def test_captions_and_overlays_need_the_subtitle_file_and_use_the_bundled_fonts():
    spec = ComposeSpec((ClipInput(CLIP, 2, overlay_text="Hi"), ClipInput(CLIP, 3, overlay_text="There")))
    with pytest.raises(ValueError, match="ASS file"):
        build_filter_graph(spec)
    graph = build_filter_graph(spec, subtitles="/w/captions.ass", fonts_dir="/w/fonts")
    assert r"ass=filename=\'/w/captions.ass\':fontsdir=\'/w/fonts\'" in graph
    assert overlay_cues(spec) == [CaptionCue(0, 2, "Hi"), CaptionCue(2, 5, "There")]


def test_grades_stay_in_yuv():
    for grade in ("warm", "cool", "vivid", "mono"):
        graph = build_filter_graph(spec_of((3, "cut"), grade=grade))
        assert "curves" not in graph and "lut3d" not in graph and "rgb" not in graph


def test_filter_values_are_quoted_for_both_parsing_levels():
    assert filter_value("/a/b.ass") == r"\'/a/b.ass\'"
    assert filter_value("/a/it's;[x],y.ass") == r"\'/a/it\'\\\'\'s\;\[x\]\,y.ass\'"
