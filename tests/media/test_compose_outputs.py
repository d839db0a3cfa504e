"""Pictures made from a composed video: thumbnail (never the black opening), preview, small copy."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from reelsmith.media.ffmpeg import run_ffmpeg
from reelsmith.media.thumbnail import make_preview, make_small_copy, make_thumbnail


@pytest.fixture(scope="module")
def fades_in(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 s of black, then colour bars: the first frames are the wrong thumbnail."""
    out = tmp_path_factory.mktemp("thumbs") / "v.mp4"
    run_ffmpeg(
        ["-loglevel", "error", "-f", "lavfi", "-i",
         "color=c=black:s=360x640:r=30:d=2[a];testsrc2=s=360x640:r=30:d=3[b];[a][b]concat=n=2",
         "-f", "lavfi", "-i", "sine=d=5", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(out)],
    )  # fmt: skip
    return out


def test_thumbnail_is_a_representative_frame_not_the_black_one(fades_in: Path, tmp_path: Path):
    jpg = make_thumbnail(fades_in, tmp_path / "t.jpg", width=270)
    with av.open(str(jpg)) as container:
        frame = next(container.decode(video=0))
        assert frame.width == 270
        assert frame.to_ndarray(format="gray").mean() > 40


def test_a_dark_video_still_gets_a_thumbnail(tmp_path: Path):
    dark = tmp_path / "dark.mp4"
    run_ffmpeg(["-loglevel", "error", "-f", "lavfi", "-i", "color=c=black:s=360x640:r=30:d=2",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(dark)])  # fmt: skip
    assert make_thumbnail(dark, tmp_path / "t.jpg").stat().st_size > 0


def test_preview_webp_is_a_short_animation(fades_in: Path, tmp_path: Path):
    out = make_preview(fades_in, tmp_path / "p.webp", start=2.0, seconds=1.0, width=180)
    data = out.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP" and b"ANIM" in data
    assert 5 <= data.count(b"ANMF") <= 11  # one frame chunk per frame at 10 fps


def test_preview_gif_is_short_small_and_not_black(fades_in: Path, tmp_path: Path):
    out = make_preview(fades_in, tmp_path / "p.gif", start=2.0, seconds=1.0, width=180)
    with av.open(str(out)) as container:
        frames = list(container.decode(video=0))
    assert 5 <= len(frames) <= 11 and frames[0].width == 180
    assert np.asarray(frames[0].to_ndarray(format="gray")).mean() > 40


def test_small_copy_is_720_wide_with_the_sound(fades_in: Path, tmp_path: Path):
    out = make_small_copy(fades_in, tmp_path / "small.mp4", preset="ultrafast")
    with av.open(str(out)) as container:
        assert (container.streams.video[0].width, container.streams.video[0].height) == (720, 1280)
        assert container.streams.audio
