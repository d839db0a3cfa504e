"""The offline animatic: exact length, the right frame, a clean submit -> poll loop."""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
import pytest

from reelsmith.domain.errors import MediaRejected
from reelsmith.media.animatic import render_animatic
from reelsmith.media.probe import probe_media
from reelsmith.media.samples import make_image
from reelsmith.providers.base import VideoGenerator, VideoRequest
from reelsmith.providers.offline.animatic import AnimaticVideoGenerator

HOSTILE_PROMPT = "Pour 100% 'latte' art: \\back\\slash; [x], {y} %{localtime} \"quoted\"\nnew line " * 3


def frame_count_and_duration(path: Path) -> tuple[int, float, int, int, str]:
    with av.open(str(path), format="mov") as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        assert not container.streams.audio
        return (
            frames,
            float(stream.duration * stream.time_base),
            stream.width,
            stream.height,
            stream.format.name,
        )


def test_animatic_has_exact_duration_and_size(tmp_path: Path) -> None:
    out = render_animatic(
        tmp_path / "clip.mp4", duration=2.0, prompt="A calm lake at dawn", palette=["#1d3557", "#a8dadc"],
        overlay_text="Morning routine",
    )  # fmt: skip
    frames, duration, width, height, pix_fmt = frame_count_and_duration(out)
    assert frames == 60
    assert duration == pytest.approx(2.0, abs=1 / 30)
    assert (width, height, pix_fmt) == (720, 1280, "yuv420p")
    data = out.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # faststart


def test_animatic_over_an_image_with_hostile_text(tmp_path: Path) -> None:
    image = make_image(tmp_path / "character.jpg", (300, 400), "#8338ec")
    out = render_animatic(
        tmp_path / "kb.mp4", duration=1.5, prompt=HOSTILE_PROMPT, palette=[], overlay_text="50% off: 'today'",
        image_path=image, size=(360, 640), seed=7,
    )  # fmt: skip
    frames, duration, width, height, _ = frame_count_and_duration(out)
    assert (frames, width, height) == (45, 360, 640)
    assert duration == pytest.approx(1.5, abs=1 / 30)
    with av.open(str(out), format="mov") as container:
        first, *_, last = (f.to_ndarray(format="rgb24") for f in container.decode(video=0))
    assert abs(first.astype(int) - last.astype(int)).mean() > 1  # the Ken Burns move changes the picture


def test_animatic_is_deterministic(tmp_path: Path) -> None:
    def render(name: str) -> str:
        out = render_animatic(
            tmp_path / name, duration=1.0, prompt="Same", palette=["#ff006e"], size=(180, 320)
        )
        return hashlib.sha256(out.read_bytes()).hexdigest()

    assert render("a.mp4") == render("b.mp4")


def test_animatic_refuses_an_image_that_is_not_one(tmp_path: Path) -> None:
    fake = tmp_path / "character.png"
    fake.write_text("#EXTM3U\nhttp://127.0.0.1:9/x.ts\n")
    with pytest.raises(MediaRejected):
        render_animatic(tmp_path / "x.mp4", duration=1, prompt="x", image_path=fake, size=(180, 320))


def test_animatic_in_a_folder_with_filtergraph_characters(tmp_path: Path) -> None:
    """The caption files live in the output folder, so its path must survive filtergraph escaping."""
    folder = tmp_path / "it's a [job]; 100%: x,y \\ z"
    folder.mkdir()
    out = render_animatic(folder / "clip.mp4", duration=0.5, prompt="Hi", overlay_text="Top", size=(180, 320))
    assert frame_count_and_duration(out)[0] == 15


def test_generator_submit_then_poll(tmp_path: Path) -> None:
    generator: VideoGenerator = AnimaticVideoGenerator()
    assert generator.name == "offline"
    request = VideoRequest(model="animatic", prompt="A neon city at night", duration=2, width=180, height=320)
    task_id = generator.submit(request, work_dir=tmp_path)
    assert task_id.startswith("animatic-")
    status = generator.poll(task_id, work_dir=tmp_path)
    assert status.state == "succeeded" and status.cost_usd == 0.0 and status.output_path is not None
    probe = probe_media(status.output_path, expected="video")
    assert (probe.width, probe.height) == (180, 320)
    assert probe.duration == pytest.approx(2.0, abs=1 / 30)
    generator.cancel(task_id)  # a no-op, and harmless after completion


@pytest.mark.parametrize("task_id", ["animatic-" + "0" * 32, "../../etc/passwd", "animatic-../x", ""])
def test_generator_unknown_task(tmp_path: Path, task_id: str) -> None:
    status = AnimaticVideoGenerator().poll(task_id, work_dir=tmp_path)
    assert (status.state, status.error_code) == ("failed", "unknown_task")


def test_generator_reports_a_failed_render_through_poll(tmp_path: Path) -> None:
    fake = tmp_path / "image.jpg"
    fake.write_bytes(b"not an image at all")
    request = VideoRequest(model="animatic", prompt="x", duration=1, image_path=fake, width=180, height=320)
    generator = AnimaticVideoGenerator()
    status = generator.poll(generator.submit(request, work_dir=tmp_path), work_dir=tmp_path)
    assert (status.state, status.error_code) == ("failed", "render_failed")
    assert status.error_message
