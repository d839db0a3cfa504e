"""A video generator wrapper that injects faults per segment, around the real offline animatic."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from reelsmith.domain.errors import ProviderThrottled
from reelsmith.providers.base import TaskStatus, VideoGenerator, VideoRequest


@dataclass
class FaultyVideo:
    inner: VideoGenerator
    fail_permanently: set[int] = field(default_factory=set)  # by segment index (request.seed)
    throttle_once: set[int] = field(default_factory=set)
    hang: set[int] = field(default_factory=set)  # poll stays pending until released
    name: str = "offline"
    submits: list[int] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    _segment_of: dict[str, int] = field(default_factory=dict)

    def submit(self, request: VideoRequest, *, work_dir: Path) -> str:
        index = int(request.seed or 0)
        if index in self.throttle_once:
            self.throttle_once.discard(index)
            raise ProviderThrottled("slow down", retry_after=1)
        self.submits.append(index)
        task = self.inner.submit(request, work_dir=work_dir)
        self._segment_of[task] = index
        return task

    def poll(self, task_id: str, *, work_dir: Path) -> TaskStatus:
        index = self._segment_of.get(task_id, -1)
        if index in self.fail_permanently:
            return TaskStatus(
                state="failed", error_code="SAFETY.INPUT.TEXT", error_message="Refused by policy."
            )
        if index in self.hang and not self.release.is_set():
            return TaskStatus(state="pending", progress=0.5)
        return self.inner.poll(task_id, work_dir=work_dir)

    def cancel(self, task_id: str) -> None:
        self.cancelled.append(task_id)
