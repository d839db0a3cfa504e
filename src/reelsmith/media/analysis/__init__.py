"""Offline analysis of a sample video (signals, shots, looks, sound) plus the AI read."""

from reelsmith.media.analysis.analyze import analyze_video

__all__ = ["analyze_video"]
