"""The black/frozen clip check on real generated clips."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelsmith.domain.errors import MediaRejected
from reelsmith.media.clipcheck import is_black_or_frozen
from reelsmith.media.ffmpeg import run_ffmpeg

SIZE = "360x640"


def clip(path: Path, video_filter: str) -> Path:
    run_ffmpeg(
        ["-f", "lavfi", "-i", video_filter, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-r", "15", str(path)],
        timeout=60,
    )  # fmt: skip
    return path


def test_a_moving_clip_passes(tmp_path: Path) -> None:
    assert is_black_or_frozen(clip(tmp_path / "ok.mp4", f"testsrc2=s={SIZE}:d=3")) is None


def test_a_mostly_black_clip_is_reported(tmp_path: Path) -> None:
    black_then_moving = f"color=black:s={SIZE}:d=2[a];testsrc2=s={SIZE}:d=1[b];[a][b]concat=n=2:v=1"

    reason = is_black_or_frozen(clip(tmp_path / "black.mp4", black_then_moving))

    assert reason is not None and reason.startswith("The clip is black for 2.")


def test_a_clip_frozen_until_the_end_is_reported(tmp_path: Path) -> None:
    still_after_one_second = f"testsrc2=s={SIZE}:d=1,tpad=stop_mode=clone:stop_duration=2"

    reason = is_black_or_frozen(clip(tmp_path / "frozen.mp4", still_after_one_second))

    assert reason is not None and reason.startswith("The clip is frozen for")


def test_a_non_video_is_refused(tmp_path: Path) -> None:
    playlist = tmp_path / "clip.mp4"
    playlist.write_text("#EXTM3U\nfile:///etc/passwd\n")

    with pytest.raises(MediaRejected):
        is_black_or_frozen(playlist)
