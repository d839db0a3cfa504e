"""analyze_video: one decode pass, then shots, per-shot looks, sound, keyframes, summary and the AI read."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from reelsmith.domain.analysis import AnalysisReport, AudioSignals, Shot
from reelsmith.domain.errors import MediaProcessingFailed
from reelsmith.domain.understanding import NO_KEY, signal_understanding
from reelsmith.media.analysis.audio import Loudness, audio_signals, measure_loudness
from reelsmith.media.analysis.decode import AUDIO_RATE, decode_pass, media_info, open_sample
from reelsmith.media.analysis.features import FeatureCollector, FrameFeatures
from reelsmith.media.analysis.keyframes import KeyframeSampler, choose, write_keyframes
from reelsmith.media.analysis.motion import classify_camera
from reelsmith.media.analysis.palette import dominant_colours, temperature
from reelsmith.media.analysis.shots import Boundary, detect_boundaries
from reelsmith.media.analysis.summary import pacing, summarize
from reelsmith.media.probe import DEMUXERS, sniff_container

log = logging.getLogger(__name__)
Progress = Callable[[str, float], None]


class _Pass:
    """What the decode pass feeds: features for every frame, keyframe candidates for a few."""

    def __init__(self, fps_hint: float) -> None:
        self.fps_hint = fps_hint
        self.features: FeatureCollector | None = None
        self.keyframes: KeyframeSampler | None = None
        self.first: tuple[int, int, int] = (0, 0, 0)  # width, height, rotation of the first frame
        self.previous = 0.0

    def on_frame(self, index: int, at: float, rgb: np.ndarray, frame: Any) -> None:
        if self.features is None or self.keyframes is None:
            rotation = round(float(frame.rotation or 0) / 90) * 90 % 360
            self.first = (frame.width, frame.height, rotation)
            self.features = FeatureCollector(*rgb.shape[:2])
            self.keyframes = KeyframeSampler(rotation)
        gap = max(1, round((at - self.previous) * self.fps_hint)) if index else 1
        self.previous = at
        change = self.features.add(at, rgb, gap)
        self.keyframes.offer(index, at, frame, change)


def analyze_video(
    path: Path,
    *,
    keyframe_dir: Path | None = None,
    progress: Progress | None = None,
) -> tuple[AnalysisReport, list[Path]]:
    """Analyse a sample video; returns the report and one keyframe JPEG per shot, in shot order.

    ``keyframe_dir`` defaults to a new temporary directory (the caller owns it). The read of the
    content is the one the signals allow; an AI read replaces it in ``pipeline.analyze``.
    Raises MediaRejected for files that are not a readable video.
    """
    report_progress = progress or (lambda stage, fraction: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    demuxer = DEMUXERS.get(sniff_container(path) or "", "mov")
    with open_sample(path) as container, ThreadPoolExecutor(max_workers=1) as pool:
        loudness = pool.submit(measure_loudness, path, demuxer) if container.streams.audio else None
        video = container.streams.video[0]
        state = _Pass(float(video.average_rate or video.guessed_rate or 30))
        decoded = decode_pass(
            container, state.on_frame, progress=lambda done: report_progress("decode", done)
        )
        assert state.features is not None and state.keyframes is not None
        features = state.features.finish()
        media = media_info(container, *state.first, frame_times=decoded.frame_times)
        timings["decode"] = _lap(clock)
        measured = _loudness(loudness)
    clock = time.perf_counter()
    rate = _decoded_rate(features.times, media.fps)
    boundaries = detect_boundaries(features, rate)
    shots, spans = _shots(features, boundaries, media.duration, rate)
    timings["shots"] = _lap(clock)
    report_progress("shots", 1.0)

    clock = time.perf_counter()
    chosen = choose(state.keyframes.candidates, spans)
    for shot, candidate in zip(shots, chosen, strict=True):
        shot.keyframe_time = round(float(candidate.time - features.times[0]), 3)
        shot.text_on_screen = _text_share(state.keyframes.candidates, spans[shot.index][0]) >= 0.5
    keyframes = write_keyframes(chosen, keyframe_dir or Path(tempfile.mkdtemp(prefix="reelsmith-keyframes-")))
    audio = audio_signals(decoded.audio, AUDIO_RATE, measured) if media.has_audio else AudioSignals()
    whole = dominant_colours(features.hists.sum(axis=0, dtype=np.float64), features.bin_colors)
    pace = pacing(shots, media.duration)
    timings["looks_and_sound"] = _lap(clock)
    report = AnalysisReport(
        media=media,
        shots=shots,
        pacing=pace,
        palette=[colour for colour, _ in whole],
        brightness=round(float(features.luma.mean()), 3),
        motion=round(float(features.diff.mean()), 4),
        audio=audio,
        summary=summarize(pace, temperature(whole), audio),
    )
    report_progress("signals", 1.0)

    report.understanding = signal_understanding(report, NO_KEY)
    report.timings = timings
    return report, keyframes


def _decoded_rate(times: np.ndarray, fps: float) -> float:
    """Frames analysed per second: the frame rate, or about half of it when only references decode."""
    if len(times) < 2 or times[-1] <= times[0]:
        return fps
    return min(fps, (len(times) - 1) / float(times[-1] - times[0]))


def _lap(since: float) -> float:
    return round(time.perf_counter() - since, 3)


def _loudness(pending: Future[Loudness] | None) -> Loudness | None:
    if pending is None:
        return None
    try:
        return pending.result()
    except MediaProcessingFailed as exc:
        log.warning("loudness measurement failed: %s", exc.details.get("stderr", "")[-300:])
        return None


def _shots(
    f: FrameFeatures, boundaries: list[Boundary], duration: float, fps: float
) -> tuple[list[Shot], list[tuple[tuple[int, int], tuple[int, int]]]]:
    """Shots with their looks, and per shot its steady frames (outside transitions) and all its frames."""
    n = len(f)
    t0 = float(f.times[0])
    starts = [0, *(b.frame for b in boundaries)]
    ends = [*(b.frame for b in boundaries), n]
    in_transition = np.zeros(n, dtype=bool)
    for b in boundaries:
        if b.kind != "cut":
            in_transition[b.first : b.last + 1] = True
    shots, spans = [], []
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        frames = np.arange(start, end)
        calm = frames[~in_transition[start:end]]
        own = calm if calm.size else frames
        spans.append(((int(own[0]), int(own[-1])), (start, end - 1)))
        boundary = boundaries[index - 1] if index else None
        moving = own[own > start] if own.size > 1 else own
        palette = dominant_colours(f.hists[own].sum(axis=0, dtype=np.float64), f.bin_colors)
        shots.append(
            Shot(
                index=index,
                start=round(float(f.times[start]) - t0, 3),
                end=round(float(f.times[end]) - t0 if end < n else duration, 3),
                kind=boundary.kind if boundary else "start",
                confidence=boundary.confidence if boundary else 1.0,
                palette=[colour for colour, _ in palette],
                brightness=round(float(f.luma[own].mean()), 3),
                contrast=round(float(f.contrast[own].mean()), 3),
                saturation=round(float(f.saturation[own].mean()), 3),
                motion=round(float(f.diff[moving].mean()), 4),
                camera_motion=classify_camera(f.shifts[moving], f.zooms[moving], fps),
            )
        )
    return shots, spans


def _text_share(candidates: list[Any], span: tuple[int, int]) -> float:
    inside = [c.text for c in candidates if span[0] <= c.index <= span[1]]
    return sum(inside) / len(inside) if inside else 0.0
