"""Honest progress: percent per asset and per job, named stages, and an ETA."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .catalogue import VIDEO_MODELS

# Share of the whole render each stage accounts for (generation dominates).
GENERATE_SHARE, COMPOSE_SHARE = 0.85, 0.12


@dataclass(frozen=True)
class JobProgress:
    percent: float
    stage_label: str
    eta_seconds: float | None


def asset_percent(asset: dict[str, Any], now: datetime) -> float:
    """Provider progress when given, else elapsed time against the model's typical latency."""
    status = asset["status"]
    if status in ("succeeded", "reused", "failed", "cancelled"):
        return 1.0
    if status != "submitted" or asset.get("submitted_at") is None:
        return 0.0
    if asset.get("progress"):
        return min(0.99, float(asset["progress"]))
    typical = VIDEO_MODELS[asset["model"]].typical_latency_s if asset.get("model") in VIDEO_MODELS else 30.0
    elapsed = (now - asset["submitted_at"]).total_seconds()
    return min(0.95, elapsed / typical)


def job_progress(job: dict[str, Any], assets: Sequence[dict[str, Any]], now: datetime) -> JobProgress:
    status, stage = job["status"], job["stage"]
    if status == "succeeded":
        return JobProgress(100.0, "done", 0.0)
    if job["kind"] == "analyze":
        percent = {"queued": 0.0, "analyzing": 30.0, "planning": 80.0}.get(stage, 0.0)
        return JobProgress(percent, stage, None)
    done = sum(1 for a in assets if a["status"] in ("succeeded", "reused"))
    fractions = [asset_percent(a, now) for a in assets]
    generated = sum(fractions) / len(fractions) if fractions else 1.0
    percent = GENERATE_SHARE * generated * 100
    label = f"generating {done}/{len(assets)}" if assets else stage
    if stage == "composing":
        percent, label = GENERATE_SHARE * 100, "composing"
    elif stage == "finalizing":
        percent, label = (GENERATE_SHARE + COMPOSE_SHARE) * 100, "finalizing"
    elif stage == "queued":
        label = "queued"
    return JobProgress(round(percent, 1), label, _eta(assets, now) if stage == "generating" else None)


def _eta(assets: Sequence[dict[str, Any]], now: datetime) -> float | None:
    """Time until the slowest pending asset is expected to finish, plus compose."""
    remaining = []
    for asset in assets:
        if asset["status"] not in ("queued", "submitted"):
            continue
        typical = (
            VIDEO_MODELS[asset["model"]].typical_latency_s if asset.get("model") in VIDEO_MODELS else 30.0
        )
        started = asset.get("submitted_at")
        elapsed = (now - started).total_seconds() if started else 0.0
        remaining.append(max(typical - elapsed, 1.0))
    return round(max(remaining) + 20.0, 0) if remaining else None
