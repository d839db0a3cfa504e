"""Your data: export everything you own, delete all of it, import projects back from an export.

Export streams a ZIP (one JSON file per area plus ``manifest.json``) read in one consistent snapshot.
Clear-data cancels running jobs, deletes every object under the user's prefix, then every row in one
transaction; each step is idempotent, so re-running after a crash finishes the job. Import restores
projects, plan history and chat under new ids, validated first and written in one transaction.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from reelsmith.domain import clock, errors
from reelsmith.domain.plan import Plan
from reelsmith.store import keys, user_data, users

from . import jobs as job_service
from .context import AppContext
from .videos import is_live, link_ttl

EXPORT_FORMAT = "reelsmith-export"
EXPORT_VERSION = 1
CONFIRMATION = "DELETE MY DATA"
EXPORT_AREAS = tuple(user_data.EXPORT_QUERIES)
ARCHIVE_MEMBERS = frozenset({"manifest.json", "settings.json", *(f"{area}.json" for area in EXPORT_AREAS)})
MAX_ARCHIVE_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # zip bomb guard, checked on the headers and while reading


# Export -----------------------------------------------------------------------------------------


class _ChunkSink(io.RawIOBase):
    """A write-only, unseekable file: zipfile then writes each member with a data descriptor, so the
    archive can be sent as it is made."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def _to_json(value: Any) -> bytes:
    def default(item: Any) -> Any:
        if isinstance(item, datetime):
            return item.isoformat()
        if isinstance(item, UUID):
            return str(item)
        if isinstance(item, Decimal):
            return float(item)
        raise TypeError(f"cannot export {type(item).__name__}")

    return json.dumps(value, default=default, indent=1, ensure_ascii=False).encode()


def export_archive(ctx: AppContext, user_id: UUID) -> Iterator[bytes]:
    """The user's data as ZIP chunks, from one read-only snapshot; video links are short-lived."""
    now = clock.now()
    sink = _ChunkSink()
    counts: dict[str, int] = {}
    with ctx.db.connection() as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("settings.json", _to_json(users.get_settings(conn, user_id)))
            for area in EXPORT_AREAS:
                rows = user_data.export_rows(conn, user_id, area)
                if area == "videos":
                    rows = [_with_download_link(ctx, row, now) for row in rows]
                archive.writestr(f"{area}.json", _to_json(rows))
                counts[area] = len(rows)
                yield sink.take()
            manifest = {
                "format": EXPORT_FORMAT,
                "version": EXPORT_VERSION,
                "exported_at": now,
                "counts": counts,
            }
            archive.writestr("manifest.json", _to_json(manifest))
    yield sink.take()


def _with_download_link(ctx: AppContext, row: dict[str, Any], now: datetime) -> dict[str, Any]:
    video = dict(row)
    key = video.pop("object_key")
    live = is_live(row, now) and key
    video["download_url"] = ctx.store.presign_get(key, ttl=link_ttl(ctx, row, now)) if live else None
    return video


# Clear ------------------------------------------------------------------------------------------


def clear_data(ctx: AppContext, user_id: UUID) -> dict[str, int]:
    """Delete everything the user owns. Safe to re-run: a crash half-way leaves rows that the next
    run deletes along with whatever objects are left. The user row goes too (it is made again on the
    next sign-in); a late write by a cancelled job cannot bring data back, as it needs the project row."""
    with ctx.db.connection() as conn:
        active = user_data.active_job_ids(conn, user_id)
    for job_id in active:
        with suppress(errors.Conflict, errors.NotFound):  # it finished (or went) in the meantime
            job_service.cancel_job(ctx, user_id, job_id)
    prefix = keys.user_prefix(user_id)
    objects = ctx.store.delete_prefix(prefix)
    with ctx.db.connection() as conn:
        rows = user_data.delete_all_rows(conn, user_id)
    objects += ctx.store.delete_prefix(prefix)  # anything a cancelled step wrote while we deleted rows
    return {"objects": objects, **rows}


# Import -----------------------------------------------------------------------------------------


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore")  # exports carry more fields than an import restores


class ImportedProject(_Record):
    id: UUID
    title: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=2000)
    brief: str = Field("", max_length=2000)
    favorite: bool = False
    current_plan_version: int | None = Field(None, ge=1)
    created_at: datetime


class ImportedPlan(_Record):
    project_id: UUID
    version: int = Field(ge=1, le=100_000)
    plan: dict[str, Any]
    source: str = Field("planner", pattern=r"^[a-z_]{1,20}$")
    note: str = Field("", max_length=5000)
    estimated_cost_usd: float = Field(0.0, ge=0, le=1_000_000)
    created_at: datetime

    @field_validator("plan")
    @classmethod
    def _valid_plan(cls, plan: dict[str, Any]) -> dict[str, Any]:
        return Plan.model_validate(plan).model_dump(mode="json")


class ImportedMessage(_Record):
    project_id: UUID
    role: str = Field(pattern=r"^(user|assistant)$")
    content: str = Field(min_length=1, max_length=20_000)
    plan_version: int | None = Field(None, ge=1)
    created_at: datetime


_PROJECTS = TypeAdapter(list[ImportedProject])
_PLANS = TypeAdapter(list[ImportedPlan])
_MESSAGES = TypeAdapter(list[ImportedMessage])


def import_archive(ctx: AppContext, user_id: UUID, data: bytes) -> dict[str, int]:
    """Restore projects, plans with history and chat from an export, all or nothing."""
    members = _read_archive(data)
    if any(b"\\u0000" in content or b"\x00" in content for content in members.values()):
        raise errors.ValidationFailed("The archive contains NUL characters.", code="invalid_archive")
    try:
        manifest = json.loads(members.get("manifest.json", b"{}"))
        if not isinstance(manifest, dict) or (manifest.get("format"), manifest.get("version")) != (
            EXPORT_FORMAT,
            EXPORT_VERSION,
        ):
            raise errors.ValidationFailed("This is not a Reelsmith export.", code="invalid_archive")
        projects = _PROJECTS.validate_json(members.get("projects.json", b"[]"))
        plans = _PLANS.validate_json(members.get("plans.json", b"[]"))
        messages = _MESSAGES.validate_json(members.get("chat.json", b"[]"))
    except (ValidationError, ValueError) as exc:
        raise errors.ValidationFailed(
            f"The archive is not valid: {_first_problem(exc)}", code="invalid_archive"
        ) from exc
    _check_references(projects, plans, messages)
    with ctx.db.connection() as conn:
        new_ids = {}
        for project in projects:
            versions = sorted(p.version for p in plans if p.project_id == project.id)
            current = project.current_plan_version if project.current_plan_version in versions else None
            new_ids[project.id] = user_data.insert_project(
                conn,
                user_id,
                title=project.title,
                description=project.description,
                brief=project.brief,
                favorite=project.favorite,
                status="planned" if versions else "draft",
                current_plan_version=current or (versions[-1] if versions else None),
                created_at=project.created_at,
            )
        user_data.insert_plan_versions(
            conn, user_id, [{**p.model_dump(), "project_id": new_ids[p.project_id]} for p in plans]
        )
        known = {(p.project_id, p.version) for p in plans}
        user_data.insert_chat_messages(
            conn,
            user_id,
            [
                {
                    **m.model_dump(),
                    "project_id": new_ids[m.project_id],
                    "plan_version": m.plan_version if (m.project_id, m.plan_version) in known else None,
                }
                for m in messages
            ],
        )
    return {"projects": len(projects), "plans": len(plans), "chat": len(messages)}


def _read_archive(data: bytes) -> dict[str, bytes]:
    """The archive's members, refusing anything unexpected before and while reading (zip bombs included)."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise errors.ValidationFailed("The archive is too large.", code="archive_too_large")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            unexpected = sorted({info.filename for info in infos} - ARCHIVE_MEMBERS)
            if unexpected or len(infos) != len({info.filename for info in infos}):
                shown = ", ".join(unexpected[:3]) or "duplicate entries"
                raise errors.ValidationFailed(
                    f"Unexpected files in the archive: {shown}.", code="invalid_archive"
                )
            if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
                raise errors.ValidationFailed("The archive unpacks too large.", code="archive_too_large")
            members, budget = {}, MAX_UNCOMPRESSED_BYTES
            for info in infos:
                with archive.open(info) as member:
                    content = member.read(budget + 1)
                budget -= len(content)
                if budget < 0:
                    raise errors.ValidationFailed("The archive unpacks too large.", code="archive_too_large")
                members[info.filename] = content
            return members
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
        raise errors.ValidationFailed(
            "The file is not a readable ZIP archive.", code="invalid_archive"
        ) from exc


def _check_references(
    projects: list[ImportedProject], plans: list[ImportedPlan], messages: list[ImportedMessage]
) -> None:
    ids = {p.id for p in projects}
    if len(ids) != len(projects):
        raise errors.ValidationFailed("The archive lists a project twice.", code="invalid_archive")
    versions = [(p.project_id, p.version) for p in plans]
    if len(versions) != len(set(versions)):
        raise errors.ValidationFailed("The archive lists a plan version twice.", code="invalid_archive")
    if any(p.project_id not in ids for p in plans) or any(m.project_id not in ids for m in messages):
        raise errors.ValidationFailed(
            "A plan or message belongs to no project in the archive.", code="invalid_archive"
        )


def _first_problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return f"{where}: {first.get('msg')}"[:300]
    return str(exc)[:300]
