"""Catch generated clips that decode fine but show nothing: mostly black, or a frozen frame.

Video models sometimes return such clips (a failed render padded to length, a still "video"),
and paying to compose them is worse than falling back to the next model. One FFmpeg pass runs
``blackdetect`` and ``freezedetect`` and we add up the stretches they report.
"""

from __future__ import annotations

import re
from pathlib import Path

from reelsmith.domain.errors import MediaRejected
from reelsmith.media.ffmpeg import Input, run_ffmpeg
from reelsmith.media.probe import CONTAINERS_FOR, DEMUXERS, sniff_container

BLACK_FILTER = "blackdetect=d=0.5:pix_th=0.10"
FREEZE_FILTER = "freezedetect=n=0.001:d=1"
MAX_BAD_FRACTION = 0.5  # a clip that is black or frozen for half its length is unusable
DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
BLACK_START, BLACK_END = re.compile(r"black_start:\s*([\d.]+)"), re.compile(r"black_end:\s*([\d.]+)")
FREEZE_START = re.compile(r"freezedetect\.freeze_start:\s*([\d.]+)")
FREEZE_END = re.compile(r"freezedetect\.freeze_end:\s*([\d.]+)")


def is_black_or_frozen(path: Path, *, timeout: float = 120) -> str | None:
    """Why the clip at ``path`` is unusable, or None when it shows moving pictures.

    Raises MediaRejected when ``path`` is not a video we read, MediaProcessingFailed when FFmpeg fails.
    """
    container = sniff_container(path)
    if container not in CONTAINERS_FOR["video"]:
        raise MediaRejected("The clip is not an MP4 or WebM video.", code="unsupported_media")
    log = run_ffmpeg(
        [
            *Input(path, DEMUXERS[container]).args(),
            "-an",
            "-vf",
            f"{BLACK_FILTER},{FREEZE_FILTER}",
            "-f",
            "null",
            "-",
        ],
        timeout=timeout,
        what="black/frozen check",
    )
    duration = _duration(log)
    if duration <= 0:
        return None
    black = _covered(BLACK_START.findall(log), BLACK_END.findall(log), duration)
    frozen = _covered(FREEZE_START.findall(log), FREEZE_END.findall(log), duration)
    if black >= MAX_BAD_FRACTION * duration:
        return f"The clip is black for {black:.1f} s of {duration:.1f} s."
    if frozen >= MAX_BAD_FRACTION * duration:
        return f"The clip is frozen for {frozen:.1f} s of {duration:.1f} s."
    return None


def _duration(log: str) -> float:
    match = DURATION.search(log)
    if not match:
        return 0.0
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _covered(starts: list[str], ends: list[str], duration: float) -> float:
    """Seconds inside the detected stretches; the last may have no end when it lasts to the end."""
    closed = [float(end) for end in ends] + [duration] * (len(starts) - len(ends))
    return sum(end - float(start) for start, end in zip(starts, closed, strict=False))
