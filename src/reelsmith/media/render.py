"""Runs the composition: writes the caption file, runs the one FFmpeg command, checks the result."""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import av

from reelsmith.domain.errors import MediaProcessingFailed

from .captions import write_ass
from .compose import (
    ComposeSpec,
    build_command,
    build_loudness_command,
    has_sound,
    overlay_cues,
    parse_loudness,
)
from .ffmpeg import FONT_PATH, STDERR_TAIL, run_ffmpeg


@dataclass(frozen=True)
class ComposeResult:
    path: Path
    duration: float
    seconds_taken: float
    ffmpeg_stderr_tail: str


@contextmanager
def job_work_dir(base: Path, job_id: str) -> Iterator[Path]:
    """A fresh, empty folder for one job, removed afterwards whatever happens.

    A warm Lambda reuses /tmp: a new random suffix means nothing of an earlier job (or of an
    earlier attempt of this one) can be reached by a crafted input through a guessable path.
    """
    safe_id = "".join(ch for ch in job_id if ch.isalnum() or ch in "-_")[:64] or "job"
    path = base / f"{safe_id}-{uuid.uuid4().hex[:12]}"
    path.mkdir(parents=True, mode=0o700)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _prepare_subtitles(spec: ComposeSpec, work_dir: Path) -> tuple[str | None, str]:
    """Write the ASS file and a fonts folder holding only the bundled font (libass loads all of it)."""
    fonts_dir = work_dir / "fonts"
    if not spec.has_subtitles:
        return None, str(fonts_dir)
    fonts_dir.mkdir(exist_ok=True)
    shutil.copyfile(FONT_PATH, fonts_dir / FONT_PATH.name)
    ass = write_ass(
        spec.captions,
        work_dir / "captions.ass",
        width=spec.width,
        height=spec.height,
        style=spec.caption_style,
        overlays=overlay_cues(spec),
    )
    return str(ass), str(fonts_dir)


def compose_video(
    spec: ComposeSpec, out_path: Path, *, work_dir: Path, timeout: float = 900
) -> ComposeResult:
    """Compose ``spec`` into ``out_path`` in one encode pass; the result is checked for length.

    A short audio-only pass measures the mix first, so the encode normalises loudness exactly.

    The video is written under ``work_dir`` first and moved into place only when it is complete,
    so a failed or timed-out run never leaves a partial file at ``out_path``.
    """
    subtitles, fonts_dir = _prepare_subtitles(spec, work_dir)
    partial = work_dir / f"compose-{uuid.uuid4().hex[:8]}.mp4"
    started = time.monotonic()
    loudness = None
    if has_sound(spec):
        measured = run_ffmpeg(build_loudness_command(spec), timeout=timeout, what="loudness measurement")
        loudness = parse_loudness(measured)
    stderr = run_ffmpeg(
        build_command(spec, partial, subtitles=subtitles, fonts_dir=fonts_dir, loudness=loudness),
        timeout=timeout,
        what="compose",
    )
    taken = time.monotonic() - started
    with av.open(str(partial)) as container:
        duration = float(container.duration or 0) / av.time_base
    if abs(duration - spec.total_duration) > 0.1:
        raise MediaProcessingFailed(
            f"composed video lasts {duration:.2f} s instead of {spec.total_duration:.2f} s", stderr=stderr
        )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(partial, out_path)
    return ComposeResult(out_path, duration, taken, stderr[-STDERR_TAIL:])
