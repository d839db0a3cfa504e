"""Camera motion between consecutive frames by phase correlation on the analysis grid.

The whole grid gives the global translation (a pan, or shake); its four quadrants moving apart or
together give the zoom. A frame with no texture (a flat colour) has no reliable peak and counts as
still. The translation also lets the shot detector compare frames after undoing a pan, so fast
camera moves do not read as cuts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

CameraMotion = Literal["static", "pan", "zoom", "handheld"]
MIN_PEAK = 0.08  # phase-correlation peak below which a shift estimate is noise
STILL_SPEED = 0.04  # frame sizes per second below which the camera counts as static
ZOOM_RATE = 0.08  # relative scale change per second that reads as a zoom
ZOOM_AGREEMENT = 0.3  # the slowest quadrant's radial movement vs the fastest's, in a zoom
STEADY = 0.6  # share of the motion that keeps one direction: a pan (or zoom), not shake


@dataclass(frozen=True)
class FrameMotion:
    dx: float  # translation as a fraction of the frame width (positive: content moves right)
    dy: float  # fraction of the frame height (positive: content moves down)
    zoom: float  # relative scale change (positive: zooming in)
    diff: float  # mean absolute luma difference, 0..1
    diff_compensated: float  # the same after undoing the translation


class MotionTracker:
    """Feed gray frames in order; each call returns the motion from the previous frame.

    Phase correlation runs at half the grid's resolution (sub-pixel peaks keep the precision),
    the four quadrants in one batched FFT.
    """

    def __init__(self, height: int, width: int) -> None:
        self.shape = (height // 2, width // 2)
        self.quad_shape = (height // 4, width // 4)
        self.window = np.outer(np.hanning(self.shape[0]), np.hanning(self.shape[1])).astype(np.float32)
        self.quad_window = np.outer(np.hanning(self.quad_shape[0]), np.hanning(self.quad_shape[1])).astype(
            np.float32
        )
        self.prev: np.ndarray | None = None
        self.prev_spectra: tuple[np.ndarray, np.ndarray] | None = None

    def update(self, gray: np.ndarray, gap: int = 1) -> FrameMotion:
        """Motion from the previous gray frame, ``gap`` frames back (translation and zoom per frame)."""
        half = (gray[0::2, 0::2] + gray[1::2, 0::2] + gray[0::2, 1::2] + gray[1::2, 1::2]) * 0.25
        qh, qw = self.quad_shape
        quads = half[: 2 * qh, : 2 * qw].reshape(2, qh, 2, qw).swapaxes(1, 2).reshape(4, qh, qw)
        spectra = (_spectrum(half[None], self.window), _spectrum(quads, self.quad_window))
        prev, prev_spectra = self.prev, self.prev_spectra
        self.prev, self.prev_spectra = gray, spectra
        if prev is None or prev_spectra is None:
            return FrameMotion(0.0, 0.0, 0.0, 0.0, 0.0)
        height, width = self.shape
        (dy,), (dx,), (peak,) = _phase_shift(prev_spectra[0], spectra[0], self.shape)
        diff = float(np.abs(gray - prev).mean())
        if peak < MIN_PEAK:
            return FrameMotion(0.0, 0.0, 0.0, diff, diff)
        compensated = min(diff, _shifted_diff(prev, gray, round(2 * dy), round(2 * dx)))
        qy, qx, qpeak = _phase_shift(prev_spectra[1], spectra[1], self.quad_shape)
        zoom = _radial(qy, qx, height, width) if qpeak.min() >= MIN_PEAK else 0.0
        return FrameMotion(dx / width / gap, dy / height / gap, zoom / gap, diff, compensated)


def _radial(dy: np.ndarray, dx: np.ndarray, height: int, width: int) -> float:
    """Scale change when all four quadrants move away from (or towards) the centre alike, else 0.

    Something moving inside one quadrant is not a zoom: every quadrant must agree in sign, and
    the weakest must carry a good part of the strongest's movement.
    """
    centres = np.array(
        [
            (-height / 4, -width / 4),
            (-height / 4, width / 4),
            (height / 4, -width / 4),
            (height / 4, width / 4),
        ]
    )
    shifts = np.stack((dy, dx), axis=1)  # quadrants: top-left, top-right, bottom-left, bottom-right
    radius = np.hypot(height / 4, width / 4)
    outward = (shifts * centres).sum(axis=1) / radius  # pixels moved away from the centre
    if not (np.all(outward > 0) or np.all(outward < 0)):
        return 0.0
    if np.abs(outward).min() < ZOOM_AGREEMENT * np.abs(outward).max():
        return 0.0
    return float(outward.mean() / radius)


def _spectrum(stack: np.ndarray, window: np.ndarray) -> np.ndarray:
    centred = stack - stack.mean(axis=(1, 2), keepdims=True)
    return np.fft.rfft2(centred * window)


def _phase_shift(
    before: np.ndarray, after: np.ndarray, shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dy, dx, peak) per picture of a stack: how far ``after`` moved from ``before``, sub-pixel."""
    cross = after * np.conj(before)
    cross /= np.abs(cross) + 1e-9
    surface = np.fft.irfft2(cross, s=shape)
    count = len(surface)
    flat = surface.reshape(count, -1).argmax(axis=1)
    iy, ix = np.unravel_index(flat, shape)
    k = np.arange(count)
    peak = surface[k, iy, ix]
    dy = iy + _vertex(surface[k, (iy - 1) % shape[0], ix], peak, surface[k, (iy + 1) % shape[0], ix])
    dx = ix + _vertex(surface[k, iy, (ix - 1) % shape[1]], peak, surface[k, iy, (ix + 1) % shape[1]])
    dy = np.where(dy > shape[0] / 2, dy - shape[0], dy)
    dx = np.where(dx > shape[1] / 2, dx - shape[1], dx)
    return dy, dx, peak


def _vertex(left: np.ndarray, centre: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Offset of a parabola's vertex through three samples (sub-pixel peak)."""
    curve = left - 2 * centre + right
    safe = np.where(curve < 0, curve, -1.0)
    return np.where(curve < 0, np.clip(0.5 * (left - right) / safe, -0.5, 0.5), 0.0)


def _shifted_diff(prev: np.ndarray, cur: np.ndarray, dy: int, dx: int) -> float:
    height, width = cur.shape
    if abs(dy) >= height // 2 or abs(dx) >= width // 2:
        return float(np.abs(cur - prev).mean())
    now = cur[max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)]
    then = prev[max(-dy, 0) : height + min(-dy, 0), max(-dx, 0) : width + min(-dx, 0)]
    return float(np.abs(now - then).mean())


def classify_camera(shifts: np.ndarray, zooms: np.ndarray, fps: float) -> CameraMotion:
    """Label a shot's camera from its per-frame translations (n, 2) and zoom rates (n,)."""
    if len(shifts) < 3:
        return "static"
    measured = zooms[zooms != 0]  # 0: the quadrants did not agree on a zoom in that frame
    if measured.size >= ZOOM_AGREEMENT * len(zooms):
        rate = float(np.median(measured))
        if abs(rate) * fps >= ZOOM_RATE and float(np.mean(np.sign(measured) == np.sign(rate))) >= STEADY:
            return "zoom"
    speed = float(np.mean(np.hypot(shifts[:, 0], shifts[:, 1]))) * fps
    if speed < STILL_SPEED:
        return "static"
    drift = float(np.hypot(*shifts.mean(axis=0))) * fps
    return "pan" if drift >= STEADY * speed else "handheld"
