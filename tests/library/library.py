"""Finished videos made directly: real tiny media in storage and real rows through the store."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from reelsmith.domain import clock
from reelsmith.domain.plan import Plan, Segment
from reelsmith.domain.rules import VIDEO_TTL
from reelsmith.services.context import AppContext
from reelsmith.store import assets, jobs, keys, plans, projects, videos
from reelsmith.store.audit import AuditReport, audit

SEGMENT_SECONDS = 4


@dataclass(frozen=True)
class Media:
    clip: bytes
    thumb: bytes


class Library:
    def __init__(self, ctx: AppContext, media: Media) -> None:
        self.ctx = ctx
        self.media = media

    def project(self, user_id: UUID | str, title: str = "My reel", description: str = "") -> UUID:
        with self.ctx.db.connection() as conn:
            return projects.create(conn, user_id, title=title, description=description, brief="")["id"]

    def make_video(
        self,
        user_id: UUID | str,
        *,
        project_id: UUID | None = None,
        title: str = "My reel",
        description: str = "",
        prompts: Sequence[str] = ("A sunrise over a calm sea",),
        models: Sequence[str] = ("animatic",),
        duration: float | None = None,
        created_at: datetime | None = None,
        favorite: bool = False,
        captions: bool = True,
        small: bool = True,
        stage_timings: dict[str, float] | None = None,
        cost_usd: float = 0.0,
    ) -> dict[str, Any]:
        """A render job that succeeded at ``created_at`` with its clips, and the video it made."""
        created = created_at or clock.now()
        project_id = project_id or self.project(user_id, title, description)
        plan = Plan(
            target_duration=SEGMENT_SECONDS * len(prompts),
            segments=[
                Segment(index=i, duration=SEGMENT_SECONDS, prompt=prompt, model=models[i % len(models)])
                for i, prompt in enumerate(prompts)
            ],
        )
        with self.ctx.db.connection() as conn:
            version = plans.add_version(
                conn,
                user_id=user_id,
                project_id=project_id,
                plan=plan.model_dump(mode="json"),
                source="planner",
                note="",
                estimated_cost_usd=0,
            )["version"]
            job = jobs.create(
                conn,
                user_id=user_id,
                project_id=project_id,
                kind="render",
                plan_version=version,
                idempotency_key=None,
                request_hash="test",
            )
            timings = stage_timings or {
                "generating": created.timestamp() - 30,
                "composing": created.timestamp() - 5,
            }
            jobs.update(
                conn,
                job["id"],
                status="succeeded",
                stage="done",
                created_at=created - timedelta(minutes=1),
                started_at=created - timedelta(seconds=30),
                finished_at=created,
                stage_timings=timings,
            )
            for seg in plan.segments:
                clip_key = keys.job_asset_key(
                    user_id, project_id, job["id"], "video_segment", seg.index, 1, "mp4"
                )
                self.ctx.store.put_bytes(clip_key, self.media.clip, "video/mp4")
                asset = jobs.add_asset(
                    conn,
                    user_id=user_id,
                    job_id=job["id"],
                    kind="video_segment",
                    idx=seg.index,
                    spec={"prompt": seg.prompt, "duration": seg.duration},
                    model=seg.model,
                    provider="offline",
                    status="succeeded",
                    object_key=clip_key,
                )
                jobs.claim_attempt(conn, asset["id"], 1, provider="offline", model=seg.model)
                jobs.update_attempt(
                    conn,
                    asset["id"],
                    1,
                    status="succeeded",
                    created_at=created,
                    cost_usd=cost_usd / len(plan.segments),
                )
            files = {"object_key": "video.mp4", "thumbnail_key": "thumb.jpg"}
            files |= {"small_key": "small.mp4"} if small else {}
            files |= {"captions_key": "captions.vtt"} if captions else {}
            file_keys = {
                column: keys.video_key(user_id, project_id, job["id"], name) for column, name in files.items()
            }
            for column, key in file_keys.items():
                body, kind = {
                    "thumbnail_key": (self.media.thumb, "image/jpeg"),
                    "captions_key": (b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n", "text/vtt"),
                }.get(column, (self.media.clip, "video/mp4"))
                self.ctx.store.put_bytes(key, body, kind)
            return videos.create(
                conn,
                id=job["id"],
                user_id=user_id,
                project_id=project_id,
                job_id=job["id"],
                plan_version=version,
                title=title,
                duration_s=duration or plan.target_duration,
                size_bytes=len(self.media.clip),
                width=1080,
                height=1920,
                qa={"passed": True, "checks": [{"name": "resolution", "ok": True}]},
                models=sorted(set(models)),
                cost_usd=cost_usd,
                favorite=favorite,
                created_at=created,
                expires_at=created + VIDEO_TTL,
                **file_keys,
            )

    def pending_upload(
        self, user_id: UUID | str, project_id: UUID, *, created_at: datetime, sent: bool = True
    ) -> str:
        """An upload started at ``created_at`` and never completed (its bytes sent, or not)."""
        asset_id = uuid.uuid4()
        key = keys.upload_key(user_id, project_id, asset_id, "sample_video")
        with self.ctx.db.connection() as conn:
            assets.create(
                conn,
                asset_id=asset_id,
                user_id=user_id,
                project_id=project_id,
                kind="sample_video",
                object_key=key,
                content_type="video/mp4",
                size_bytes=len(self.media.clip),
                filename="a.mp4",
            )
            conn.execute("UPDATE assets SET created_at = %s WHERE id = %s", (created_at, asset_id))
        if sent:
            self.ctx.store.put_bytes(key, self.media.clip, "video/mp4")
        return key

    def stored_keys(self, user_id: UUID | str | None = None) -> set[str]:
        prefix = keys.user_prefix(user_id) if user_id else "users/"
        return {info.key for info in self.ctx.store.list_prefix(prefix)}

    def audit(self) -> AuditReport:
        return audit(self.ctx.store, self.ctx.db)

    def assert_no_orphans(self) -> None:
        report = self.audit()
        assert report.ok, (report.objects_without_rows, report.rows_without_objects)
