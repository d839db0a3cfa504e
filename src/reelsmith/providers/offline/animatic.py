"""The offline video generator: renders an animatic instead of calling an AI model.

It renders synchronously in ``submit`` but still answers through ``poll`` from a small JSON
sidecar, so the pipeline drives it with the same submit -> poll loop as a real provider.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from reelsmith.domain.errors import MediaProcessingFailed, MediaRejected
from reelsmith.media.animatic import render_animatic
from reelsmith.providers.base import TaskStatus, VideoRequest

TASK_ID = re.compile(r"animatic-[0-9a-f]{32}")


class AnimaticVideoGenerator:
    name = "offline"

    def __init__(self, *, timeout: float | None = None) -> None:
        self.timeout = timeout

    def submit(self, request: VideoRequest, *, work_dir: Path) -> str:
        task_id = f"animatic-{uuid.uuid4().hex}"
        output = work_dir / f"{task_id}.mp4"
        record: dict[str, object] = {"state": "succeeded", "output": output.name, "model": request.model}
        try:
            render_animatic(
                output,
                duration=request.duration,
                prompt=request.prompt,
                palette=request.palette,
                image_path=request.image_path,
                size=(request.width, request.height),
                seed=request.seed or 0,
                timeout=self.timeout,
            )
        except (MediaProcessingFailed, MediaRejected) as exc:
            record = {"state": "failed", "error_code": "render_failed", "error_message": exc.message}
        _sidecar(work_dir, task_id).write_text(json.dumps(record), encoding="utf-8")
        return task_id

    def poll(self, task_id: str, *, work_dir: Path) -> TaskStatus:
        sidecar = _sidecar(work_dir, task_id) if TASK_ID.fullmatch(task_id) else None
        if sidecar is None or not sidecar.is_file():
            return TaskStatus(
                state="failed", error_code="unknown_task", error_message=f"No animatic task {task_id}."
            )
        record = json.loads(sidecar.read_text(encoding="utf-8"))
        if record["state"] == "failed":
            return TaskStatus(
                state="failed", error_code=record["error_code"], error_message=record["error_message"]
            )
        return TaskStatus(
            state="succeeded", progress=1.0, output_path=work_dir / record["output"], cost_usd=0.0
        )

    def cancel(self, task_id: str) -> None:
        """Nothing runs in the background, so there is nothing to stop."""


def _sidecar(work_dir: Path, task_id: str) -> Path:
    return work_dir / f"{task_id}.json"
