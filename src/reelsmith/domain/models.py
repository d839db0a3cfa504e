"""Enumerations and small records shared by the store, pipeline and API."""

from __future__ import annotations

from enum import StrEnum


class UploadKind(StrEnum):
    SAMPLE_VIDEO = "sample_video"
    CHARACTER_IMAGE = "character_image"
    AUDIO = "audio"


class AssetStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    REJECTED = "rejected"
    REPLACED = "replaced"


class ProjectStatus(StrEnum):
    DRAFT = "draft"
    ANALYZING = "analyzing"
    ANALYZED = "analyzed"
    PLANNED = "planned"
    RENDERING = "rendering"
    READY = "ready"
    FAILED = "failed"


class JobKind(StrEnum):
    ANALYZE = "analyze"
    RENDER = "render"


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.PAUSED)


class JobAssetKind(StrEnum):
    VIDEO_SEGMENT = "video_segment"
    VOICEOVER = "voiceover"
    SOUND_EFFECT = "sound_effect"


class JobAssetStatus(StrEnum):
    QUEUED = "queued"
    SUBMITTED = "submitted"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REUSED = "reused"

    @property
    def done(self) -> bool:
        return self in (JobAssetStatus.SUCCEEDED, JobAssetStatus.REUSED)


class VideoStatus(StrEnum):
    READY = "ready"
    EXPIRED = "expired"
