"""Generated sample media is what it says it is: cut times, fades and speech where reported."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from reelsmith.media.probe import probe_media, sniff_container
from reelsmith.media.samples import SampleVideo, make_image, make_sample_video, make_tone


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleVideo:
    return make_sample_video(tmp_path_factory.mktemp("samples") / "sample.mp4", duration=4.0, size=(360, 640))


def frame_means(path: Path) -> dict[float, float]:
    """Mean luma of every frame, by presentation time."""
    with av.open(str(path), format="mov") as container:
        return {
            round(float(frame.time), 3): float(frame.to_ndarray(format="gray").mean())
            for frame in container.decode(video=0)
        }


def audio_rms(path: Path, start: float, end: float) -> float:
    with av.open(str(path), format="mov") as container:
        chunks = [f.to_ndarray().mean(axis=0) for f in container.decode(audio=0) if start <= f.time < end]
    return float(np.sqrt(np.mean(np.concatenate(chunks) ** 2)))


def test_default_sample_layout(sample: SampleVideo) -> None:
    assert sample.cuts == (1.0, 2.0, 3.0)
    assert sample.fades == ((1.6, 2.4),)
    assert sample.speech == (1.0, 2.4)
    probe = probe_media(sample.path, expected="video")
    assert (probe.display_width, probe.display_height, probe.fps) == (360, 640, 30)
    assert probe.duration == pytest.approx(4.0, abs=0.05)
    assert (probe.video_codec, probe.audio_codec) == ("h264", "aac")


def test_fade_goes_through_black_and_cuts_are_instant(sample: SampleVideo) -> None:
    means = frame_means(sample.path)
    fade_middle = sample.fades[0][0] + 0.4
    assert means[round(fade_middle, 3)] < 8  # black at the faded boundary
    assert min(means[t] for t in means if abs(t - 1.0) < 0.2) > 30  # a hard cut never dips to black
    before, after = means[round(sample.cuts[2] - 1 / 30, 3)], means[round(sample.cuts[2], 3)]
    assert abs(before - after) > 10


def test_speech_burst_is_louder_than_the_bed(sample: SampleVideo) -> None:
    start, end = sample.speech or (0, 0)
    assert audio_rms(sample.path, start + 0.1, end - 0.1) > 1.8 * audio_rms(
        sample.path, end + 0.2, sample.duration
    )
    assert audio_rms(sample.path, end + 0.2, sample.duration) > 0.01  # the music bed is there too


def test_custom_shots_and_no_audio(tmp_path: Path) -> None:
    made = make_sample_video(
        tmp_path / "custom.mp4",
        size=(180, 320),
        shots=[(0.5, "#ff0000"), (1.0, "testsrc2"), (0.5, "#0000ff")],
        transitions=["cut", "fade"],
        with_audio=False,
    )
    assert made.duration == 2.0 and made.cuts == (0.5, 1.5) and made.speech is None
    probe = probe_media(made.path, expected="video")
    assert not probe.has_audio and probe.duration == pytest.approx(2.0, abs=0.05)
    with pytest.raises(ValueError, match="one transition per boundary"):
        make_sample_video(tmp_path / "bad.mp4", shots=[(1, "#000000"), (1, "#ffffff")], transitions=[])


@pytest.mark.parametrize(("suffix", "family"), [(".png", "png"), (".jpg", "jpeg"), (".webp", "webp")])
def test_make_image(tmp_path: Path, suffix: str, family: str) -> None:
    path = make_image(tmp_path / f"still{suffix}", (64, 96), "#336699")
    assert sniff_container(path) == family
    probe = probe_media(path, expected="image")
    assert (probe.width, probe.height) == (64, 96)


def test_make_tone(tmp_path: Path) -> None:
    path = make_tone(tmp_path / "tone.wav", 0.5, 440)
    with av.open(str(path), format="wav") as container:
        samples = np.concatenate([f.to_ndarray()[0] for f in container.decode(audio=0)])
    crossings = np.count_nonzero(np.diff(np.signbit(samples)))
    assert len(samples) == 22050
    assert crossings / 2 / 0.5 == pytest.approx(440, rel=0.02)
