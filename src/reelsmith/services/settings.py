"""A user's preferences: stored as the fields they set, answered with the documented defaults filled in."""

from __future__ import annotations

from uuid import UUID

from reelsmith.domain.user_settings import UserSettings
from reelsmith.pipeline.planning import user_settings
from reelsmith.store import users

from .context import AppContext


def get_settings(ctx: AppContext, user_id: UUID) -> UserSettings:
    with ctx.db.connection() as conn:
        return user_settings(conn, user_id)


def put_settings(ctx: AppContext, user_id: UUID, settings: UserSettings) -> UserSettings:
    """Replace the whole object. Fields left out take their defaults and keep following them."""
    with ctx.db.connection() as conn:
        users.put_settings(conn, user_id, settings.model_dump(mode="json", exclude_unset=True))
        return user_settings(conn, user_id)
