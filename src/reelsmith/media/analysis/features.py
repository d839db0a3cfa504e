"""Per-frame features kept for the whole video: a few hundred numbers per frame, never a picture.

Everything later (shot boundaries, per-shot colour, light and motion) is computed from these, so
the decoder runs once and nothing holds frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reelsmith.media.analysis.motion import MotionTracker

THUMB_BLOCK = 8  # a thumbnail pixel averages an 8x8 block of the analysis grid
LEVELS = 8  # colour histogram: 8 levels per channel, 512 bins
COLOUR_SAMPLING = 4  # every 4th frame adds to the mean colour of each histogram bin
LUMA = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


@dataclass(frozen=True)
class FrameFeatures:
    times: np.ndarray  # (n,) seconds
    thumbs: np.ndarray  # (n, h/8, w/8, 3) RGB 0..1: tiny pictures for distances and blends
    hists: np.ndarray  # (n, 512) pixel counts per RGB bin
    bin_colors: np.ndarray  # (512, 3) mean RGB of each bin over the video
    luma: np.ndarray  # (n,) mean luma 0..1
    contrast: np.ndarray  # (n,) 2 x luma standard deviation, 0..1
    saturation: np.ndarray  # (n,) mean HSV saturation 0..1
    diff: np.ndarray  # (n,) mean |luma - previous luma|
    diff_compensated: np.ndarray  # (n,) the same after undoing the camera's translation
    shifts: np.ndarray  # (n, 2) translation from the previous frame, in frame fractions
    zooms: np.ndarray  # (n,) relative scale change from the previous frame

    def __len__(self) -> int:
        return len(self.times)


class FeatureCollector:
    """Turn each reduced frame (grid RGB, 0..1) into its features as the decoder delivers it."""

    def __init__(self, height: int, width: int) -> None:
        self.motion = MotionTracker(height, width)
        self.color_sums = np.zeros((LEVELS**3, 3))
        self.rows: dict[str, list] = {
            name: [] for name in FrameFeatures.__dataclass_fields__ if name != "bin_colors"
        }

    def add(self, time: float, rgb: np.ndarray, gap: int = 1) -> float:
        """Record one frame (``gap`` frames after the previous one recorded).

        Returns its motion-compensated difference from the previous frame. Channels are handled as
        planes: numpy reductions over a length-3 last axis are slow.
        """
        red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        gray = LUMA[0] * red + LUMA[1] * green + LUMA[2] * blue
        high = np.maximum(np.maximum(red, green), blue)
        low = np.minimum(np.minimum(red, green), blue)
        levels = np.minimum((rgb * LEVELS).astype(np.int32), LEVELS - 1)
        bins = ((levels[..., 0] * LEVELS + levels[..., 1]) * LEVELS + levels[..., 2]).ravel()
        if len(self.rows["times"]) % COLOUR_SAMPLING == 0:  # bin colours are averages: a sample does
            for channel, plane in enumerate((red, green, blue)):
                self.color_sums[:, channel] += np.bincount(bins, weights=plane.ravel(), minlength=LEVELS**3)
        motion = self.motion.update(gray, gap)
        mean = float(gray.mean())
        row = self.rows
        row["times"].append(time)
        row["thumbs"].append(block_mean(rgb, THUMB_BLOCK))
        row["hists"].append(np.bincount(bins, minlength=LEVELS**3).astype(np.uint16))
        row["luma"].append(mean)
        row["contrast"].append(
            min(1.0, 2.0 * float(np.sqrt(max(0.0, float(np.mean(gray * gray)) - mean * mean))))
        )
        row["saturation"].append(float(np.mean((high - low) / np.maximum(high, 1e-3))))
        row["diff"].append(motion.diff)
        row["diff_compensated"].append(motion.diff_compensated)
        row["shifts"].append((motion.dx, motion.dy))
        row["zooms"].append(motion.zoom)
        return motion.diff_compensated

    def finish(self) -> FrameFeatures:
        sampled = np.sum(self.rows["hists"][::COLOUR_SAMPLING], axis=0, dtype=np.float64)
        bin_colors = self.color_sums / np.maximum(sampled, 1)[:, None]
        arrays = {name: np.asarray(values, dtype=np.float32) for name, values in self.rows.items()}
        arrays["times"] = np.asarray(self.rows["times"], dtype=np.float64)
        arrays["hists"] = np.asarray(self.rows["hists"], dtype=np.uint16)
        return FrameFeatures(bin_colors=bin_colors.astype(np.float32), **arrays)


def block_mean(image: np.ndarray, block: int) -> np.ndarray:
    """Average ``block`` x ``block`` tiles of an (h, w, c) image (one axis at a time: fast in numpy)."""
    height, width, channels = image.shape
    rows = image.reshape(height // block, block, width, channels).sum(axis=1)
    return rows.reshape(height // block, width // block, block, channels).sum(axis=2) / (block * block)
