"""A small hand-made analysis report and keyframe files for the AI-read adapter tests."""

from __future__ import annotations

import json
from pathlib import Path

from reelsmith.domain.analysis import AnalysisReport, AudioSignals, MediaInfo, Pacing, Shot

READ = {
    "content_type": "product demo",
    "subject": "a red sneaker",
    "audience": "young runners",
    "tone": "upbeat, punchy",
    "style_keywords": ["fast cuts", "close-ups", "bold colour"],
    "narrative_beats": [
        {"shot_index": 0, "description": "the shoe drops into frame"},
        {"shot_index": 1, "description": "a runner laces up"},
        {"shot_index": 7, "description": "a shot that does not exist"},
    ],
    "hook": "the shoe lands with a thud in the first second",
    "call_to_action": "shop the drop",
    "has_people": True,
}
READ_JSON = json.dumps(READ)


def sample_report() -> AnalysisReport:
    media = MediaInfo(
        duration=4.0,
        fps=30,
        width=360,
        height=640,
        display_width=360,
        display_height=640,
        orientation="portrait",
        has_audio=True,
    )
    shots = [
        Shot(
            index=0,
            start=0.0,
            end=1.5,
            kind="start",
            palette=["#d62728"],
            brightness=0.5,
            camera_motion="static",
        ),
        Shot(
            index=1, start=1.5, end=4.0, kind="cut", palette=["#1f77b4"], brightness=0.4, camera_motion="pan"
        ),
    ]
    pacing = Pacing(
        shot_count=2,
        cuts_per_minute=15,
        mean_shot=2.0,
        median_shot=2.0,
        min_shot=1.5,
        max_shot=2.5,
        label="fast",
    )
    audio = AudioSignals(
        present=True, integrated_lufs=-14.0, music_ratio=1.0, silence_ratio=0.0, tempo_bpm=120
    )
    return AnalysisReport(
        media=media,
        shots=shots,
        pacing=pacing,
        palette=["#d62728", "#1f77b4"],
        brightness=0.45,
        audio=audio,
        summary="2 shots, 2.0 s average, fast pacing",
    )


def keyframe_files(directory: Path, count: int = 2) -> list[Path]:
    """Stand-in JPEG files (the adapters only read and encode their bytes)."""
    paths = []
    for i in range(count):
        path = directory / f"shot-{i:03d}.jpg"
        path.write_bytes(b"\xff\xd8\xff\xe0" + bytes([i]) * 2000 + b"\xff\xd9")
        paths.append(path)
    return paths
