"""Composition on real FFmpeg with media generated here: exact timing, sound, captions, hostile inputs."""

from __future__ import annotations

import dataclasses
import re
import socket
from pathlib import Path

import av
import numpy as np
import pytest

from reelsmith.domain.errors import MediaProcessingFailed
from reelsmith.media.captions import CaptionCue
from reelsmith.media.compose import AudioInput, ClipInput, ComposeSpec
from reelsmith.media.ffmpeg import run_ffmpeg
from reelsmith.media.render import compose_video, job_work_dir

SMALL = {"width": 360, "height": 640}


def lavfi(out: Path, *sources: str, extra: tuple[str, ...] = ()) -> Path:
    args = [a for s in sources for a in ("-f", "lavfi", "-i", s)]
    run_ffmpeg(["-loglevel", "error", *args, *extra, str(out)], what="test media")
    return out


def clip(out: Path, seconds: float, hue: int) -> Path:
    return lavfi(
        out,
        f"testsrc2=s=360x640:r=24:d={seconds},hue=h={hue}",
        extra=("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
    )


def loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak by FFmpeg's EBU R128 meter, independent of the composer."""
    log = run_ffmpeg(
        ["-nostats", "-i", str(path), "-map", "0:a", "-af", "ebur128=peak=true", "-f", "null", "-"]
    )
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", log)[-1]), float(
        re.findall(r"Peak:\s+(-?[\d.]+)", log)[-1]
    )


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("compose-media")
    return {
        "a": clip(d / "a.mp4", 2.5, 0),
        "b": clip(d / "b.mp4", 3.0, 120),
        "c": clip(d / "c.mp4", 1.2, 240),  # shorter than its slot: its last frame is held
        # A voice-like signal (modulated band noise) and a music bed (a chord), both quiet.
        "voice": lavfi(
            d / "voice.wav",
            "anoisesrc=d=6:c=pink:a=0.3:r=24000:seed=7,bandpass=f=1000:w=800,"
            "volume='0.3+0.7*abs(sin(2*PI*3*t))':eval=frame",
        ),
        "music": lavfi(
            d / "music.mp3",
            "aevalsrc='0.1*sin(2*PI*220*t)+0.08*sin(2*PI*330*t)|0.1*sin(2*PI*277*t)':s=44100:d=4",
            extra=("-c:a", "libmp3lame"),
        ),
    }


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    (tmp_path / "work").mkdir()
    return tmp_path / "work"


def small_spec(media: dict[str, Path], **kwargs) -> ComposeSpec:
    return ComposeSpec(
        (
            ClipInput(media["a"], 2.0),
            ClipInput(media["b"], 3.0, "fade", 0.5, overlay_text="Step {2}"),
            ClipInput(media["c"], 2.0, "wipe", 0.5),
        ),
        (AudioInput(media["voice"], "voice", start=0.5), AudioInput(media["music"], "music", duration=4.0)),
        **{**SMALL, **kwargs},
    )


def frame_at(path: Path, seconds: float) -> np.ndarray:
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= seconds - 1e-3:
                return frame.to_ndarray(format="rgb24").astype(np.int16)
    raise AssertionError(f"no frame at {seconds} s")


def test_compose_is_exact_in_time_and_size_with_normalised_sound(media, work_dir, tmp_path):
    out = tmp_path / "out.mp4"
    result = compose_video(small_spec(media), out, work_dir=work_dir, timeout=120)
    assert result.path == out and out.exists()
    with av.open(str(out)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert abs(float(container.duration) / av.time_base - 7.0) <= 0.1
        assert (video.width, video.height) == (360, 640)
        assert video.average_rate == 30 and video.frames == 210
        assert audio.rate == 48000 and audio.codec_context.name == "aac"
    assert abs(result.duration - 7.0) <= 0.1
    integrated, true_peak = loudness(out)
    assert abs(integrated + 14) <= 1.0 and true_peak <= -1.0
    assert not list(work_dir.glob("compose-*.mp4"))  # the partial file was moved into place


def test_a_caption_is_in_the_frame_at_its_time(media, work_dir, tmp_path):
    plain = compose_video(small_spec(media), tmp_path / "plain.mp4", work_dir=work_dir)
    captioned = compose_video(
        small_spec(media, captions=(CaptionCue(3.0, 5.0, "HELLO WORLD"),)),
        tmp_path / "captioned.mp4",
        work_dir=work_dir,
    )
    for seconds, expect_caption in ((4.0, True), (1.0, False)):
        diff = np.abs(frame_at(plain.path, seconds) - frame_at(captioned.path, seconds)).mean(axis=2)
        caption_band = diff[int(640 * 0.62) : int(640 * 0.80)]  # bottom, above the safe margin
        assert (caption_band > 60).mean() > 0.01 if expect_caption else (caption_band > 60).mean() < 0.001
        assert (diff[int(640 * 0.82) :] > 60).mean() < 0.001  # nothing in the bottom unsafe area


def test_full_size_output_has_the_delivery_format(media, work_dir, tmp_path):
    spec = ComposeSpec(
        (ClipInput(media["a"], 1.0), ClipInput(media["b"], 1.0, "slide", 0.3)),
        (AudioInput(media["voice"], "voice"),),
        captions=(CaptionCue(0.2, 1.8, "Full size"),),
        grade="warm",
        preset="superfast",  # ultrafast has no CABAC/8x8 transform, so x264 would signal Baseline
    )
    out = compose_video(spec, tmp_path / "full.mp4", work_dir=work_dir).path
    with av.open(str(out)) as container:
        video = container.streams.video[0]
        assert (video.width, video.height) == (1080, 1920)
        assert video.codec_context.profile == "High" and video.format.name == "yuv420p"
        assert video.sample_aspect_ratio in (None, 1)
        assert video.codec_context.colorspace == 1  # BT.709
        assert abs(float(container.duration) / av.time_base - 2.0) <= 0.1
    head = out.read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_subtitle_paths_with_filter_syntax_in_them_are_escaped(media, tmp_path):
    odd = tmp_path / "it's, [odd]; dir:x"
    odd.mkdir()
    spec = ComposeSpec((ClipInput(media["a"], 1.0, overlay_text="ok"),), **SMALL)
    assert compose_video(spec, tmp_path / "o.mp4", work_dir=odd).duration == pytest.approx(1.0, abs=0.1)


def test_a_text_file_named_mp4_is_refused_with_ffmpeg_stderr(media, work_dir, tmp_path):
    fake = tmp_path / "clip.mp4"
    fake.write_text("this is not a video\n" * 50)
    spec = ComposeSpec((ClipInput(media["a"], 1.0), ClipInput(fake, 1.0)), **SMALL)
    with pytest.raises(MediaProcessingFailed) as info:
        compose_video(spec, tmp_path / "out.mp4", work_dir=work_dir)
    assert "clip.mp4" in info.value.details["stderr"]
    assert not (tmp_path / "out.mp4").exists()


def test_a_playlist_disguised_as_a_clip_never_reaches_the_network(media, work_dir, tmp_path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        port = listener.getsockname()[1]
        playlist = tmp_path / "evil.mp4"
        playlist.write_text(
            f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nhttp://127.0.0.1:{port}/x.ts\n"
            f"#EXTINF:2,\n{media['a']}\n#EXT-X-ENDLIST\n"
        )
        spec = ComposeSpec((ClipInput(playlist, 1.0),), **SMALL)
        with pytest.raises(MediaProcessingFailed):
            compose_video(spec, tmp_path / "out.mp4", work_dir=work_dir)
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):  # no connection is waiting: FFmpeg never dialled
            listener.accept()


def test_the_mp3_demuxer_is_pinned_for_the_music_bed(media, work_dir, tmp_path):
    disguised = tmp_path / "music.mp3"
    disguised.write_bytes(media["a"].read_bytes())  # an MP4 renamed: refused, not auto-probed
    spec = dataclasses.replace(small_spec(media), audio=(AudioInput(disguised, "music", duration=1.0),))
    with pytest.raises(MediaProcessingFailed):
        compose_video(spec, tmp_path / "out.mp4", work_dir=work_dir)


def test_job_work_dir_is_fresh_and_removed_even_on_failure(tmp_path):
    with pytest.raises(RuntimeError), job_work_dir(tmp_path, "job/../1") as first:
        assert first.parent == tmp_path and first.name.startswith("job1-") and not any(first.iterdir())
        (first / "left-over").write_text("x")
        raise RuntimeError("boom")
    assert not first.exists()
    with job_work_dir(tmp_path, "job/../1") as second:
        assert second != first
    assert list(tmp_path.iterdir()) == []
