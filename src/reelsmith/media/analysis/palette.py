"""Dominant colours from colour histograms: weighted k-means over the occupied histogram bins.

The decoder pass keeps a 512-bin RGB histogram per frame and the mean colour of each bin, so a
shot's palette is a k-means over at most 512 weighted points, however long the shot is.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

PALETTE_SIZE = 5
MIN_SHARE = 0.03  # colours covering less of the picture are not "dominant"
SAME_COLOUR = 0.1  # RGB distance under which two cluster centres are one colour
ITERATIONS = 12
Temperature = Literal["warm", "cool", "neutral", "muted"]


def dominant_colours(
    counts: np.ndarray, bin_colours: np.ndarray, k: int = PALETTE_SIZE
) -> list[tuple[str, float]]:
    """(hex, share) of the dominant colours, most dominant first."""
    occupied = counts > 0
    if not occupied.any():
        return []
    points, weights = bin_colours[occupied].astype(np.float64), counts[occupied].astype(np.float64)
    centres = _farthest_first(points, weights, min(k, len(points)))
    for _ in range(ITERATIONS):
        label = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
        for c in range(len(centres)):
            mine = label == c
            if mine.any():
                centres[c] = np.average(points[mine], axis=0, weights=weights[mine])
    label = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    shares = np.bincount(label, weights=weights, minlength=len(centres)) / weights.sum()
    merged: list[tuple[np.ndarray, float]] = []
    for c in np.argsort(-shares):
        for i, (centre, share) in enumerate(merged):
            if np.linalg.norm(centre - centres[c]) < SAME_COLOUR:
                merged[i] = (centre, share + float(shares[c]))
                break
        else:
            merged.append((centres[c], float(shares[c])))
    merged.sort(key=lambda item: -item[1])
    return [(to_hex(centre), round(share, 3)) for centre, share in merged if share >= MIN_SHARE]


def _farthest_first(points: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Deterministic seeds: the heaviest bin, then repeatedly the bin farthest (by weight) from the seeds."""
    seeds = [int(np.argmax(weights))]
    distance = ((points - points[seeds[0]]) ** 2).sum(axis=1)
    while len(seeds) < k:
        nxt = int(np.argmax(distance * np.sqrt(weights)))
        if distance[nxt] == 0:
            break
        seeds.append(nxt)
        distance = np.minimum(distance, ((points - points[nxt]) ** 2).sum(axis=1))
    return points[seeds].copy()


def to_hex(rgb: np.ndarray) -> str:
    r, g, b = (round(float(v) * 255) for v in np.clip(rgb, 0, 1))
    return f"#{r:02x}{g:02x}{b:02x}"


def from_hex(colour: str) -> np.ndarray:
    value = colour.lstrip("#")
    return np.array([int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)])


def temperature(palette: list[tuple[str, float]]) -> Temperature:
    """Warm (reds, oranges, yellows), cool (blues, greens, cyans), neutral, or muted (little colour)."""
    if not palette:
        return "neutral"
    colours = np.array([from_hex(c) for c, _ in palette])
    shares = np.array([s for _, s in palette])
    chroma = colours.max(axis=1) - colours.min(axis=1)
    if float(np.average(chroma, weights=shares)) < 0.12:
        return "muted"
    warmth = float(np.average(colours[:, 0] - colours[:, 2], weights=shares * chroma))
    return "warm" if warmth > 0.08 else "cool" if warmth < -0.08 else "neutral"
