"""Request bodies. Unknown fields are refused (no mass assignment of status, owner or cost)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from reelsmith.domain.models import UploadKind
from reelsmith.domain.rules import MAX_VIDEO_SECONDS


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProjectCreate(Body):
    title: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=2000)
    brief: str = Field("", max_length=2000)


class ProjectPatch(Body):
    title: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=2000)
    brief: str | None = Field(None, max_length=2000)


class FavoriteBody(Body):
    favorite: bool = True


class UploadCreate(Body):
    kind: UploadKind
    content_type: str = Field(min_length=3, max_length=100)
    size_bytes: int = Field(gt=0, le=10 * 1024**3)
    filename: str = Field("", max_length=255)


class AnalyzeRequest(Body):
    project_id: UUID


class GenerateVideoRequest(Body):
    project_id: UUID
    plan_version: int | None = Field(None, ge=1)


class RegenerateRequest(Body):
    segments: list[int] | None = Field(None, max_length=60, description="1-based segment numbers")


class GeneratePlanRequest(Body):
    project_id: UUID
    target_duration: float | None = Field(None, gt=0, le=MAX_VIDEO_SECONDS)


class PlanPatch(Body):
    changes: dict[str, Any] = Field(description="A partial plan; segments as a list of {index, ...changes}")


class ChatRequest(Body):
    project_id: UUID
    message: str = Field(min_length=1, max_length=2000)


class LocalSignIn(Body):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
