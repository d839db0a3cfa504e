"""Each signal of the analysis on generated media with a known answer (real FFmpeg, real decode)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from reelsmith.domain.analysis import Understanding
from reelsmith.domain.errors import MediaRejected, ProviderUnavailable
from reelsmith.media.analysis import analyze_video
from reelsmith.media.analysis.palette import from_hex
from reelsmith.media.ffmpeg import FONT_PATH, run_ffmpeg
from reelsmith.media.samples import make_rotated_video
from reelsmith.pipeline.analyze import analyze_sample
from tests.media.analysis_corpus import MUSIC, make_camera_clip

SIZE = "360x640"
SPEECH = (
    "aevalsrc='(sin(2*PI*140*t)+0.5*sin(2*PI*280*t)+0.3*sin(2*PI*420*t)+0.2*sin(2*PI*700*t))*0.2"
    "*pow(sin(PI*4.5*t),2)*gt(sin(2*PI*0.7*t),-0.6)':s=48000"
)  # voiced syllables with word gaps


def clip(path: Path, video: str, audio: str | None = None, seconds: float = 3.0) -> Path:
    """An H.264 (+AAC) mp4 from a lavfi video source and an optional lavfi audio source."""
    args = ["-f", "lavfi", "-i", video]
    if audio:
        args += ["-f", "lavfi", "-i", audio, "-c:a", "aac", "-ac", "2"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-t", str(seconds), str(path)]
    run_ffmpeg(args, timeout=120, what="test clip")
    return path


def test_a_red_clip_has_a_red_palette(tmp_path: Path) -> None:
    report, _ = analyze_video(clip(tmp_path / "red.mp4", f"color=c=red:s={SIZE}:r=30"), keyframe_dir=tmp_path)
    r, g, b = from_hex(report.palette[0])
    assert r > 0.85 and g < 0.15 and b < 0.15, report.palette
    assert report.shots[0].palette[0] == report.palette[0]
    assert report.shots[0].saturation > 0.9 and report.shots[0].camera_motion == "static"
    assert len(report.shots) == 1 and report.pacing.label == "medium"
    assert "warm palette" in report.summary


def test_a_silent_clip_has_no_speech(tmp_path: Path) -> None:
    path = clip(tmp_path / "silent.mp4", f"color=c=gray:s={SIZE}:r=30", "anullsrc=r=48000:cl=stereo")
    report, _ = analyze_video(path, keyframe_dir=tmp_path)
    audio = report.audio
    assert report.media.has_audio and audio.present
    assert audio.speech_ratio == 0 and audio.music_ratio == 0 and audio.silence_ratio == 1
    assert audio.integrated_lufs is None and audio.tempo_bpm is None
    assert report.summary.endswith("silent audio")


def test_a_clip_without_an_audio_track(tmp_path: Path) -> None:
    report, _ = analyze_video(clip(tmp_path / "mute.mp4", f"testsrc2=s={SIZE}:r=30"), keyframe_dir=tmp_path)
    assert not report.media.has_audio and not report.audio.present
    assert report.summary.endswith("no audio")


def test_music_has_its_tempo_and_loudness(tmp_path: Path) -> None:
    path = clip(tmp_path / "music.mp4", f"color=c=navy:s={SIZE}:r=30", MUSIC, seconds=6)
    audio = analyze_video(path, keyframe_dir=tmp_path)[0].audio
    assert audio.music_ratio >= 0.9 and audio.speech_ratio == 0
    assert audio.tempo_bpm == pytest.approx(120, abs=2)
    assert np.allclose(np.diff(audio.beats), 0.5, atol=0.02)
    assert audio.integrated_lufs is not None and -30 < audio.integrated_lufs < -5
    assert audio.true_peak_dbtp is not None and audio.loudness_range is not None


def test_speech_reads_as_speech(tmp_path: Path) -> None:
    path = clip(tmp_path / "speech.mp4", f"color=c=gray:s={SIZE}:r=30", SPEECH, seconds=6)
    audio = analyze_video(path, keyframe_dir=tmp_path)[0].audio
    assert audio.speech_ratio >= 0.7, audio.segments
    assert audio.segments[0].kind == "speech" and audio.segments[0].start == 0


def test_a_rotated_phone_video_reads_as_portrait(tmp_path: Path) -> None:
    path = make_rotated_video(tmp_path / "phone.mp4", size=(640, 360))
    report, keyframes = analyze_video(path, keyframe_dir=tmp_path / "kf")
    media = report.media
    assert (media.width, media.height) == (640, 360) and media.rotation in (90, 270)
    assert (media.display_width, media.display_height) == (360, 640) and media.orientation == "portrait"
    with av.open(str(keyframes[0])) as jpeg:
        frame = next(jpeg.decode(video=0))
        assert frame.height > frame.width


def test_container_facts(tmp_path: Path) -> None:
    path = clip(tmp_path / "facts.mp4", "testsrc2=s=320x240:r=25", "sine=f=440:r=44100", seconds=2)
    media = analyze_video(path, keyframe_dir=tmp_path)[0].media
    assert media.fps == pytest.approx(25) and not media.variable_fps
    assert media.duration == pytest.approx(2.0, abs=0.1) and media.orientation == "landscape"
    assert media.video_codec == "h264" and media.audio_codec == "aac" and media.sample_rate == 44100
    assert media.audio_channels == 2 and media.audio_layout == "stereo" and media.bit_rate


@pytest.mark.parametrize("motion", ["static", "pan", "zoom", "handheld"])
def test_camera_motion(tmp_path: Path, motion: str) -> None:
    report, _ = analyze_video(make_camera_clip(tmp_path / f"{motion}.mp4", motion), keyframe_dir=tmp_path)
    assert [s.camera_motion for s in report.shots] == [motion]
    assert (report.shots[0].motion < 0.002) == (motion == "static")


def test_captions_are_noticed(tmp_path: Path) -> None:
    caption = (
        f"drawtext=fontfile={FONT_PATH}:text='SHOP THE DROP':fontsize=34:fontcolor=white:"
        "x=(w-text_w)/2:y=h*0.75"
    )
    plain = clip(tmp_path / "plain.mp4", f"color=c=0x2a9d8f:s={SIZE}:r=30")
    texted = clip(tmp_path / "text.mp4", f"color=c=0x2a9d8f:s={SIZE}:r=30,{caption}")
    assert not analyze_video(plain, keyframe_dir=tmp_path / "a")[0].shots[0].text_on_screen
    assert analyze_video(texted, keyframe_dir=tmp_path / "b")[0].shots[0].text_on_screen


def test_not_a_video_is_rejected(tmp_path: Path) -> None:
    fake = tmp_path / "playlist.mp4"
    fake.write_text("#EXTM3U\nhttp://example.com/a.ts\n")
    with pytest.raises(MediaRejected):
        analyze_video(fake, keyframe_dir=tmp_path)


class StubUnderstanding:
    """Stands in for a vision provider (the real adapters are tested against faked HTTP)."""

    name = "gemini"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.keyframes: list[Path] = []

    def understand(self, video_path: Path, report, keyframes: list[Path]) -> Understanding:
        if self.fail:
            raise ProviderUnavailable("down")
        self.keyframes = keyframes
        return Understanding(source="gemini", content_type="demo", subject="bars")


def test_ai_read_progress_and_fallback(tmp_path: Path) -> None:
    path = clip(tmp_path / "bars.mp4", f"smptehdbars=s={SIZE}:r=30", seconds=2)
    stages: list[str] = []
    provider = StubUnderstanding()
    report, keyframes = analyze_sample(path, understanding=provider, progress=lambda s, f: stages.append(s))
    assert report.understanding.source == "gemini" and provider.keyframes == keyframes
    assert {"decode", "shots", "signals", "understanding"} <= set(stages)
    assert set(report.timings) >= {"decode", "shots", "understanding"}

    fallback = analyze_sample(path, understanding=StubUnderstanding(fail=True))[0].understanding
    assert fallback.source == "signals" and fallback.note.endswith("gemini failed: provider_unavailable")
    offline = analyze_video(path)[0].understanding
    assert offline.source == "signals" and "no AI provider" in offline.note
    assert offline.content_type and offline.tone and offline.hook and offline.narrative_beats
