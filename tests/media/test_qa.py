"""The QA report on generated videos: what passes, what fails and why, and the sample comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelsmith.domain.analysis import AnalysisReport, MediaInfo, Pacing
from reelsmith.media.ffmpeg import run_ffmpeg
from reelsmith.media.qa import dominant_palette, palette_distance, qa_report

SOUND = "anoisesrc=d={d}:c=pink:a=0.5:r=48000:seed=7,loudnorm=I=-14:TP=-3"


def video(out: Path, picture: str, seconds: float, *, sound: bool = True) -> Path:
    """A 1080x1920 H.264 + AAC file; ``picture`` is a lavfi source chain at that size."""
    audio = ["-f", "lavfi", "-i", SOUND.format(d=seconds)] if sound else []
    run_ffmpeg(
        ["-loglevel", "error", "-f", "lavfi", "-i", picture, *audio, "-t", str(seconds),
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(out)],
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return video(tmp_path_factory.mktemp("qa") / "good.mp4", "testsrc2=s=1080x1920:r=30", 4)


def check(report, name: str):
    return next(c for c in report.checks if c.name == name)


def test_a_good_video_passes_with_its_measurements(good: Path):
    report = qa_report(good, planned_duration=4.0)
    assert report.passed, report.checks
    assert (report.width, report.height, report.fps) == (1080, 1920, 30)
    assert abs(report.duration - 4.0) <= 0.1 and report.has_audio and report.size_bytes == good.stat().st_size
    assert report.integrated_lufs is not None and abs(report.integrated_lufs + 14) <= 1
    assert report.true_peak is not None and report.true_peak <= -1
    assert report.black_segments == [] and report.frozen_segments == [] and len(report.palette) == 5


def test_a_duration_off_the_plan_fails(good: Path):
    report = qa_report(good, planned_duration=5.0)
    assert not report.passed and not check(report, "duration").ok and check(report, "resolution").ok


def test_black_and_frozen_stretches_are_found_and_fail(tmp_path: Path):
    # 1.5 s black, then 4 s of a still picture, then motion.
    picture = (
        "color=c=black:s=1080x1920:r=30:d=1.5[a];color=c=orange:s=1080x1920:r=30:d=4[b];"
        "testsrc2=s=1080x1920:r=30:d=1.5[c];[a][b][c]concat=n=3"
    )
    path = video(tmp_path / "bad.mp4", picture, 7)
    report = qa_report(path, planned_duration=7.0)
    assert not report.passed
    assert [(round(s.start, 1), round(s.end, 1)) for s in report.black_segments] == [(0.0, 1.5)]
    assert any(s.duration >= 3.9 for s in report.frozen_segments)
    assert not check(report, "black").ok and not check(report, "frozen").ok


def test_slow_motion_is_not_a_freeze(tmp_path: Path):
    path = video(tmp_path / "slow.mp4", "gradients=s=1080x1920:r=30:speed=0.005", 5)
    report = qa_report(path, planned_duration=5.0)
    assert check(report, "frozen").ok, report.frozen_segments


def test_wrong_size_and_missing_audio_fail(tmp_path: Path):
    path = video(tmp_path / "small.mp4", "testsrc2=s=360x640:r=30", 2, sound=False)
    report = qa_report(path, planned_duration=2.0)
    assert not check(report, "resolution").ok and not check(report, "audio_present").ok
    assert not check(report, "loudness").ok and report.integrated_lufs is None
    assert "loudness" not in [
        c.name for c in qa_report(path, planned_duration=2.0, expect_audio=False).checks
    ]


def test_similarity_with_the_sample(good: Path):
    sample = AnalysisReport(
        media=MediaInfo(
            duration=20, fps=30, width=1080, height=1920, display_width=1080, display_height=1920,
            orientation="portrait",
        ),
        shots=[],
        pacing=Pacing(
            shot_count=5, cuts_per_minute=12, mean_shot=4, median_shot=4, min_shot=2, max_shot=6,
            label="medium",
        ),
        palette=["#ffffff", "#000000"],
    )  # fmt: skip
    sample.audio.integrated_lufs = -20.0
    similarity = qa_report(good, planned_duration=4.0, sample_report=sample, shot_count=2).similarity
    assert similarity is not None
    assert similarity.pacing_ratio == pytest.approx(15 / 12, abs=0.01)  # 1 cut in 4 s = 15 per minute
    assert similarity.loudness_diff == pytest.approx(6, abs=1)
    assert 0 < similarity.palette_distance < 1


def test_palette_helpers():
    import numpy as np

    red = np.zeros((4, 4, 3), dtype=np.uint8)
    red[..., 0] = 250
    assert dominant_palette([red], count=1) == ["#fa0000"]
    assert palette_distance(["#fa0000"], ["#fa0000"]) == 0
    assert palette_distance(["#000000"], ["#ffffff"]) == 1
    assert palette_distance([], ["#ffffff"]) is None
