"""Quality checks on a composed video before it is delivered as ready.

One FFmpeg analysis pass measures loudness and true peak (``ebur128``), black stretches
(``blackdetect``) and frozen stretches (``freezedetect``) on a downscaled copy of the picture;
PyAV reads the stream facts and a few frames for the palette. A video that fails a check is not
delivered as ready; the report says which check failed and why.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import av
import numpy as np
from pydantic import BaseModel, Field

from reelsmith.domain.analysis import AnalysisReport
from reelsmith.domain.rules import MAX_VIDEO_SECONDS, OUTPUT_HEIGHT, OUTPUT_WIDTH, TARGET_LUFS, TRUE_PEAK_DBTP

from .ffmpeg import Input, run_ffmpeg

MAX_BLACK_SECONDS = 1.0
# An animatic or a slow generated shot can be nearly still for a while; only a picture that does
# not change at all for longer than this is a defect (a stalled decode, a held last frame).
MAX_FROZEN_SECONDS = 3.0
FREEZE_NOISE_DB = -60
DURATION_TOLERANCE = 0.1
LOUDNESS_TOLERANCE = 1.0
PALETTE_FRAMES = 6


class Stretch(BaseModel):
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


class Check(BaseModel):
    name: str
    ok: bool
    detail: str


class Similarity(BaseModel):
    pacing_ratio: float | None = None  # our cuts per minute / the sample's
    palette_distance: float | None = None  # 0 same colours .. 1 opposite, RGB distance of nearest colours
    loudness_diff: float | None = None  # our integrated loudness minus the sample's, LU


class QAReport(BaseModel):
    width: int
    height: int
    duration: float
    fps: float
    has_audio: bool
    integrated_lufs: float | None
    true_peak: float | None
    black_segments: list[Stretch] = Field(default_factory=list)
    frozen_segments: list[Stretch] = Field(default_factory=list)
    size_bytes: int
    palette: list[str] = Field(default_factory=list)
    checks: list[Check] = Field(default_factory=list)
    passed: bool = False
    similarity: Similarity | None = None


def _number(pattern: str, text: str) -> float | None:
    found = re.findall(pattern, text)
    if not found:
        return None
    value = float(found[-1])
    return value if math.isfinite(value) else None


def _stretches(text: str, start_key: str, end_key: str, duration: float) -> list[Stretch]:
    starts = [float(v) for v in re.findall(rf"{start_key}[:=]\s*([-\d.]+)", text)]
    ends = [float(v) for v in re.findall(rf"{end_key}[:=]\s*([-\d.]+)", text)]
    ends += [duration] * (len(starts) - len(ends))  # a stretch still running at the end
    return [Stretch(start=a, end=b) for a, b in zip(starts, ends, strict=False)]


def _hex(rgb: np.ndarray) -> str:
    return "#" + "".join(f"{int(c):02x}" for c in rgb)


def dominant_palette(frames: list[np.ndarray], count: int = 5) -> list[str]:
    """The most common colours of small RGB frames, by coarse 8-level-per-channel bins."""
    pixels = np.concatenate([f.reshape(-1, 3) for f in frames]).astype(np.int64)
    bins = (pixels // 32) @ np.array([64, 8, 1])
    order = np.argsort(-np.bincount(bins, minlength=512))[:count]
    return [_hex(pixels[bins == b].mean(axis=0)) for b in order if (bins == b).any()]


def palette_distance(ours: list[str], theirs: list[str]) -> float | None:
    """Mean distance from each of the sample's colours to our nearest colour, 0..1."""
    if not ours or not theirs:
        return None
    a = np.array([[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in ours], dtype=float)
    b = np.array([[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in theirs], dtype=float)
    nearest = np.sqrt(((b[:, None, :] - a[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
    return round(float(nearest.mean() / math.sqrt(3 * 255**2)), 4)


def _stream_facts(video_path: Path) -> tuple[int, int, float, float, bool, list[str]]:
    with av.open(str(video_path)) as container:
        video = container.streams.video[0]
        duration = float(container.duration or 0) / av.time_base
        fps = float(video.average_rate or 0)
        has_audio = bool(container.streams.audio)
        frames = []
        for k in range(PALETTE_FRAMES):
            container.seek(int((k + 0.5) / PALETTE_FRAMES * duration * av.time_base))
            frame = next(container.decode(video=0), None)
            if frame is not None:
                frames.append(frame.to_ndarray(width=48, height=84, format="rgb24"))
        return video.width, video.height, duration, fps, has_audio, dominant_palette(frames) if frames else []


def _measure(video_path: Path, has_audio: bool) -> str:
    """One FFmpeg pass; the measurements are in its log."""
    video = (
        f"[0:v]scale=270:-2:flags=fast_bilinear,blackdetect=d={MAX_BLACK_SECONDS / 2}:pix_th=0.10,"
        f"freezedetect=n={FREEZE_NOISE_DB}dB:d={MAX_FROZEN_SECONDS / 2}[v]"
    )
    audio = ";[0:a]ebur128=peak=true:framelog=verbose[a]" if has_audio else ""
    maps = ["-map", "[v]"] + (["-map", "[a]"] if has_audio else [])
    args = [
        "-nostats", "-loglevel", "info",
        *Input(video_path, "mov").args(),
        "-filter_complex", video + audio, *maps, "-f", "null", "-",
    ]  # fmt: skip
    return run_ffmpeg(args, timeout=300, what="quality check")


def qa_report(
    video_path: Path,
    *,
    planned_duration: float,
    sample_report: AnalysisReport | None = None,
    shot_count: int | None = None,
    target_lufs: float = TARGET_LUFS,
    expect_audio: bool = True,
) -> QAReport:
    """Measure ``video_path`` and check it against the product rules and the plan.

    ``shot_count`` (the plan's segments) gives the pacing comparison with the sample.
    ``expect_audio=False`` is for a plan with neither voice-over nor music: silence is then fine.
    """
    width, height, duration, fps, has_audio, palette = _stream_facts(video_path)
    log = _measure(video_path, has_audio)
    summary = log.split("Summary:")[-1] if "Summary:" in log else ""
    lufs = _number(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = _number(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    black = _stretches(log, "black_start", "black_end", duration)
    frozen = _stretches(log, "freeze_start", "freeze_end", duration)
    longest_black = max((s.duration for s in black), default=0.0)
    longest_frozen = max((s.duration for s in frozen), default=0.0)
    checks = [
        Check(
            name="resolution", ok=(width, height) == (OUTPUT_WIDTH, OUTPUT_HEIGHT), detail=f"{width}x{height}"
        ),
        Check(
            name="duration",
            ok=abs(duration - planned_duration) <= DURATION_TOLERANCE,
            detail=f"{duration:.3f} s, planned {planned_duration:.3f} s",
        ),
        Check(name="max_duration", ok=duration <= MAX_VIDEO_SECONDS + 0.05, detail=f"{duration:.3f} s"),
        Check(name="audio_present", ok=has_audio, detail="audio stream" if has_audio else "no audio stream"),
        Check(
            name="black", ok=longest_black <= MAX_BLACK_SECONDS, detail=f"longest black {longest_black:.2f} s"
        ),
        Check(
            name="frozen",
            ok=longest_frozen <= MAX_FROZEN_SECONDS,
            detail=f"longest frozen {longest_frozen:.2f} s",
        ),
    ]
    if expect_audio:
        ok = lufs is not None and abs(lufs - target_lufs) <= LOUDNESS_TOLERANCE
        checks.append(Check(name="loudness", ok=ok, detail=f"{lufs} LUFS, target {target_lufs:g}"))
        ok = peak is not None and peak <= TRUE_PEAK_DBTP
        checks.append(Check(name="true_peak", ok=ok, detail=f"{peak} dBTP, limit {TRUE_PEAK_DBTP:g}"))
    similarity = None
    if sample_report is not None:
        sample_lufs = sample_report.audio.integrated_lufs
        sample_cpm = sample_report.pacing.cuts_per_minute
        ours_cpm = (shot_count - 1) / duration * 60 if shot_count and duration else None
        similarity = Similarity(
            pacing_ratio=round(ours_cpm / sample_cpm, 3) if ours_cpm is not None and sample_cpm else None,
            palette_distance=palette_distance(palette, sample_report.palette),
            loudness_diff=round(lufs - sample_lufs, 2)
            if lufs is not None and sample_lufs is not None
            else None,
        )
    return QAReport(
        width=width,
        height=height,
        duration=round(duration, 3),
        fps=round(fps, 3),
        has_audio=has_audio,
        integrated_lufs=lufs,
        true_peak=peak,
        black_segments=black,
        frozen_segments=frozen,
        size_bytes=video_path.stat().st_size,
        palette=palette,
        checks=checks,
        passed=all(c.ok for c in checks),
        similarity=similarity,
    )
