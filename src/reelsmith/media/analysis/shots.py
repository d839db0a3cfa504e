"""Shot boundaries from per-frame features: hard cuts, fades through black or white, dissolves.

Three detectors, run in this order so each can ignore what an earlier one explained:

- fades: a run of near-uniform black or white frames, with the ramps into and out of it. If the
  picture after the run is the picture before it, it was a flash (or a dip within one shot), not
  a boundary;
- dissolves: windows where the middle frame is the blend of the frames either side (a pixel
  blend is linear, motion is not), whose change stands out from the shots around it;
- cuts: a frame whose difference from the previous one (colour histogram and thumbnail, after
  undoing any camera pan) stands out from its neighbourhood, unless the old picture comes back
  within a few frames (a flash, a glitch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from reelsmith.media.analysis.features import LEVELS, FrameFeatures

Kind = Literal["cut", "fade", "dissolve"]

# Cuts: the score is the geometric mean of the histogram and the thumbnail change.
CUT_STRONG, CUT_STRONG_RATIO = 0.35, 2.5  # clearly different, and well above the neighbourhood
CUT_WEAK, CUT_WEAK_RATIO = 0.12, 6.0  # a subtler change in an otherwise calm stretch
NEIGHBOURHOOD = 0.35  # seconds either side for the local median
COMEBACK = 0.15  # seconds within which a returning picture makes a spike a flash
SAME_PICTURE = 0.35  # thumbnail distance, relative to the spike, under which a picture "came back"
# Fades: near-uniform frames at the ends of the luma range.
UNIFORM_CONTRAST, DARK, BRIGHT = 0.05, 0.1, 0.9
RAMP_LIMIT = 1.5  # seconds a fade ramp may last
RAMP_STEP, RAMP_SHARE = 0.003, 0.5  # a ramp frame changes, and mostly towards (or away from) the uniform
LONG_HOLD = 1.0  # seconds of black beyond which the black is a shot of its own
# Dissolves: half-widths of the blend test, its residual and the change it must span.
BLEND_HALF_WIDTHS = (0.17, 0.27, 0.4)  # seconds
BLEND_RESIDUAL = 0.6
BLEND_CHANGE = 0.05
STANDS_OUT = 1.5  # change rate inside a dissolve vs the calmer side around it
SIDE_WINDOW = 0.3  # seconds of each side compared
MIN_GAP = 3  # frames: two boundaries closer than this are one


@dataclass(frozen=True)
class Boundary:
    frame: int  # first frame of the new shot (for a gradual transition: its middle)
    kind: Kind
    confidence: float
    first: int  # transition frames, inclusive (a cut: the cut frame itself)
    last: int


@dataclass(frozen=True)
class Signals:
    """Frame-to-frame distances derived once from the features."""

    thumb_step: np.ndarray  # mean |thumb_i - thumb_i-1|
    cut_score: np.ndarray
    uniform: np.ndarray  # bool: near-uniform black or white frame

    @classmethod
    def of(cls, f: FrameFeatures) -> Signals:
        thumbs = f.thumbs
        step = np.r_[0.0, np.abs(np.diff(thumbs, axis=0)).mean(axis=(1, 2, 3))]
        coarse = f.hists.reshape(-1, LEVELS // 2, 2, LEVELS // 2, 2, LEVELS // 2, 2).sum(axis=(2, 4, 6))
        coarse = coarse.reshape(len(f), -1).astype(np.float32)
        coarse /= np.maximum(coarse.sum(axis=1, keepdims=True), 1)
        hist_step = np.r_[0.0, 0.5 * np.abs(np.diff(coarse, axis=0)).sum(axis=1)]
        # Undo camera translation: scale the thumbnail change by how much the pan explained.
        explained = np.where(f.diff > 1e-4, f.diff_compensated / np.maximum(f.diff, 1e-4), 1.0)
        picture_step = np.minimum(1.0, 2.0 * step * explained)
        uniform = (f.contrast < UNIFORM_CONTRAST) & ((f.luma < DARK) | (f.luma > BRIGHT))
        return cls(step, np.sqrt(hist_step * picture_step), uniform)


def detect_boundaries(f: FrameFeatures, fps: float) -> list[Boundary]:
    """All shot boundaries of a video, in time order."""
    n = len(f)
    if n < 3:
        return []
    signals = Signals.of(f)
    fades, quiet = _fades(f, signals, fps)
    taken = np.zeros(n, dtype=bool)
    for first, last in quiet:
        taken[first : last + 1] = True
    dissolves = _dissolves(f, signals, fps, taken)
    for b in dissolves:
        taken[b.first : b.last + 1] = True
    cuts = _cuts(f, signals, fps, taken)
    return _merge([*fades, *dissolves, *cuts])


def _fades(f: FrameFeatures, s: Signals, fps: float) -> tuple[list[Boundary], list[tuple[int, int]]]:
    """Fade boundaries, and every uniform span with its ramps (boundaries and flashes alike)."""
    n = len(f)
    boundaries: list[Boundary] = []
    spans: list[tuple[int, int]] = []
    limit = max(2, round(RAMP_LIMIT * fps))
    for start, end in _runs(s.uniform):
        first = _ramp(f.thumbs, s.thumb_step, start, -1, limit)
        last = _ramp(f.thumbs, s.thumb_step, end, +1, limit)
        spans.append((first, last))
        if first == 0 or last == n - 1:
            continue  # a fade in at the start or out at the end belongs to its shot
        ramped = first < start - 1 or last > end + 1  # one frame next to a flash always looks like a ramp
        if _same_picture_around(f.thumbs, s.thumb_step, first, last, fps, abrupt=not ramped):
            continue  # the same picture either side: a flash or a dip, not a new shot
        if (end - start + 1) / fps > LONG_HOLD:  # a held black: a shot of its own between two boundaries
            boundaries.append(Boundary(start, "fade" if first < start else "cut", 0.9, first, start))
            boundaries.append(Boundary(end + 1, "fade" if last > end else "cut", 0.9, end, last))
            continue
        middle = (first + last + 1) // 2 if first < start and last > end else (start + end + 1) // 2
        boundaries.append(Boundary(middle, "fade", 0.95 if ramped else 0.8, first, last))
    return boundaries, spans


def _same_picture_around(
    thumbs: np.ndarray, step: np.ndarray, first: int, last: int, fps: float, *, abrupt: bool
) -> bool:
    """Whether the frames either side of a span are one picture.

    Around an abrupt flash (a few frames) the shot's own motion carries on, so the allowance
    grows with it; a ramped fade is a deliberate transition unless the picture is truly the same.
    """
    distance = float(np.abs(thumbs[first - 1] - thumbs[last + 1]).mean())
    allowance = 2 * BLEND_CHANGE
    if abrupt:
        side = max(3, round(SIDE_WINDOW * fps))
        motion = np.r_[step[max(1, first - side) : first], step[last + 2 : last + 2 + side]]
        if motion.size:
            allowance = max(allowance, 2 * float(np.median(motion)) * (last - first + 2))
    return distance < allowance


def _ramp(thumbs: np.ndarray, step: np.ndarray, edge: int, direction: int, limit: int) -> int:
    """Walk away from a uniform run while each step moves the picture mostly away from the uniform one."""
    uniform = thumbs[edge]
    j, distance = edge, 0.0
    for _ in range(limit):
        k = j + direction
        if not 0 <= k < len(thumbs):
            break
        further = float(np.abs(thumbs[k] - uniform).mean())
        moved = float(step[max(j, k)])
        if moved < RAMP_STEP or further - distance < RAMP_SHARE * moved:
            break
        j, distance = k, further
    return j


def _dissolves(f: FrameFeatures, s: Signals, fps: float, taken: np.ndarray) -> list[Boundary]:
    n = len(f)
    thumbs = f.thumbs
    centres = np.zeros(n, dtype=bool)
    reach = np.zeros(n, dtype=np.int64)
    residual = np.full(n, np.inf)
    for half in sorted({max(2, round(h * fps)) for h in BLEND_HALF_WIDTHS}):
        if n <= 2 * half:
            continue
        before, middle, after = thumbs[: n - 2 * half], thumbs[half : n - half], thumbs[2 * half :]
        change = np.abs(before - after).mean(axis=(1, 2, 3))
        ratio = np.abs(middle - (before + after) / 2).mean(axis=(1, 2, 3)) / (change / 2 + 1e-6)
        hits = (change >= BLEND_CHANGE) & (ratio <= BLEND_RESIDUAL)
        idx = np.nonzero(hits)[0] + half
        centres[idx] = True
        reach[idx] = np.maximum(reach[idx], half)
        residual[idx] = np.minimum(residual[idx], ratio[idx - half])
    side = max(3, round(SIDE_WINDOW * fps))
    boundaries = []
    for start, end in _runs(centres):
        if end - start < 2:
            continue
        first = max(1, int(min(i - reach[i] for i in range(start, end + 1))))
        last = min(n - 2, int(max(i + reach[i] for i in range(start, end + 1))))
        if taken[first : last + 1].any() or not _stands_out(s.thumb_step, (start, end), (first, last), side):
            continue
        frame = _blend_midpoint(thumbs, first, last)
        confidence = float(np.clip(1.0 - residual[start : end + 1].min() / 2, 0.5, 1.0))
        boundaries.append(Boundary(frame, "dissolve", round(confidence, 2), first, last))
    return boundaries


def _stands_out(step: np.ndarray, core: tuple[int, int], span: tuple[int, int], side: int) -> bool:
    """The change in a transition's core is faster than on the calmer side of it (motion is steady).

    Sides are the ``side`` frames just outside the span, by median, so a cut nearby does not count.
    """
    inside = float(step[core[0] : core[1] + 1].mean())
    before = step[max(1, span[0] - side) : span[0]]
    after = step[span[1] + 1 : span[1] + 1 + side]
    sides = [float(np.median(frames)) for frames in (before, after) if frames.size]
    return bool(sides) and inside >= STANDS_OUT * min(sides)


def _blend_midpoint(thumbs: np.ndarray, first: int, last: int) -> int:
    """The frame where the blend passes half-way from the picture before to the picture after."""
    start, end = thumbs[first - 1].ravel(), thumbs[last + 1].ravel()
    direction = end - start
    span = float(direction @ direction) or 1.0
    alpha = np.array([(thumbs[j].ravel() - start) @ direction / span for j in range(first, last + 1)])
    return first + int(np.argmin(np.abs(alpha - 0.5)))


def _cuts(f: FrameFeatures, s: Signals, fps: float, taken: np.ndarray) -> list[Boundary]:
    score = s.cut_score
    radius = max(3, round(NEIGHBOURHOOD * fps))
    comeback = max(2, round(COMEBACK * fps))
    boundaries = []
    for i in np.nonzero(score >= CUT_WEAK)[0]:
        if i == 0 or taken[i] or taken[i - 1]:
            continue
        window = np.r_[score[max(1, i - radius) : max(1, i - 1)], score[i + 2 : i + radius + 1]]
        local = float(np.median(window)) if window.size else 0.0
        strong = score[i] >= CUT_STRONG and score[i] >= CUT_STRONG_RATIO * local
        weak = score[i] >= CUT_WEAK_RATIO * max(local, 1e-3)
        if not (strong or weak) or score[i] < score[max(0, i - 1) : i + 2].max():
            continue
        if _comes_back(f.thumbs, int(i), comeback):
            continue  # the old picture came back: a flash, not a cut
        confidence = float(np.clip(score[i] / (CUT_STRONG * 2), 0.5, 1.0))
        boundaries.append(Boundary(int(i), "cut", round(confidence, 2), int(i), int(i)))
    return boundaries


def _comes_back(thumbs: np.ndarray, i: int, within: int) -> bool:
    """Whether the picture before frame ``i`` returns soon after it (or ``i`` returns to one just before)."""
    spike = float(np.abs(thumbs[i] - thumbs[i - 1]).mean())
    later = thumbs[i + 1 : i + 1 + within]
    earlier = thumbs[max(0, i - 1 - within) : i - 1]
    for frames, picture in ((later, thumbs[i - 1]), (earlier, thumbs[i])):
        if frames.size and np.abs(frames - picture).mean(axis=(1, 2, 3)).min() < SAME_PICTURE * spike:
            return True
    return False


def _merge(boundaries: list[Boundary]) -> list[Boundary]:
    """Time order; of two boundaries closer than MIN_GAP frames keep the more confident."""
    kept: list[Boundary] = []
    for b in sorted(boundaries, key=lambda b: b.frame):
        if kept and b.frame - kept[-1].frame < MIN_GAP:
            if b.confidence > kept[-1].confidence:
                kept[-1] = b
            continue
        kept.append(b)
    return kept


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Inclusive (start, end) of each run of True."""
    padded = np.r_[False, mask, False].astype(np.int8)
    edges = np.diff(padded)
    return list(
        zip(np.nonzero(edges == 1)[0].tolist(), (np.nonzero(edges == -1)[0] - 1).tolist(), strict=True)
    )
