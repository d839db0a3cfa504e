"""The upload check in a child process answers exactly like the in-process one, and a crash is a refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelsmith.domain.errors import MediaRejected
from reelsmith.media import isolated_probe
from reelsmith.media.probe import check_upload
from reelsmith.media.samples import make_sample_video


def test_child_probe_matches_the_in_process_probe(tmp_path: Path) -> None:
    sample = make_sample_video(tmp_path / "s.mp4", duration=2.0, size=(360, 640)).path
    assert isolated_probe.check_upload_isolated(sample, "sample_video") == check_upload(
        sample, "sample_video"
    )


def test_a_refusal_keeps_its_code_and_message(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_bytes(b"#EXTM3U\n#EXTINF:1,\nhttp://127.0.0.1:9/x.ts\n")
    with pytest.raises(MediaRejected) as in_process:
        check_upload(text, "sample_video")
    with pytest.raises(MediaRejected) as isolated:
        isolated_probe.check_upload_isolated(text, "sample_video")
    assert (isolated.value.code, isolated.value.message) == (in_process.value.code, in_process.value.message)


def test_a_child_that_dies_or_hangs_is_a_refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = make_sample_video(tmp_path / "s.mp4", duration=2.0, size=(360, 640)).path
    monkeypatch.setattr(isolated_probe, "MEMORY_LIMIT_BYTES", 64 * 1024**2)  # too little to decode: it dies
    with pytest.raises(MediaRejected) as died:
        isolated_probe.check_upload_isolated(sample, "sample_video")
    assert died.value.code == "unsupported_media"
    monkeypatch.setattr(isolated_probe, "MEMORY_LIMIT_BYTES", 4 * 1024**3)
    with pytest.raises(MediaRejected) as hung:
        isolated_probe.check_upload_isolated(sample, "sample_video", timeout=0.01)
    assert hung.value.code == "media_limits_exceeded"
