"""A user's preferences, with the documented defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .catalogue import VIDEO_MODELS
from .rules import MAX_VIDEO_SECONDS


class UserSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_target_duration: float | None = Field(None, gt=0, le=MAX_VIDEO_SECONDS)
    preferred_models: list[str] = Field(default_factory=list, max_length=10)
    excluded_models: list[str] = Field(default_factory=list, max_length=10)
    default_voice: str = Field("en", min_length=1, max_length=64)
    captions: bool = True
    caption_style: Literal["bold", "minimal", "karaoke"] = "bold"
    monthly_budget_usd: float = Field(50.0, ge=0, le=100_000)
    notifications: Literal["in_app", "none"] = "in_app"
    auto_analyze: bool = True
    allow_partial: bool = False

    @field_validator("preferred_models", "excluded_models")
    @classmethod
    def _known(cls, models: list[str]) -> list[str]:
        unknown = [m for m in models if m not in VIDEO_MODELS]
        if unknown:
            raise ValueError(f"unknown models: {', '.join(unknown)}")
        return models
