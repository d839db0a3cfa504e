"""The only place object keys are made. Every key lives under its owner's user and project prefix.

Keys are built from server-made ids and fixed names only (never a client file name), so a key can
neither escape its prefix nor collide with another user's; deleting a project or a user is one
prefix delete.
"""

from __future__ import annotations

import re
from uuid import UUID

from reelsmith.domain.errors import ValidationFailed

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_EXT = re.compile(r"^[a-z0-9]{1,8}$")


def user_prefix(user_id: UUID | str) -> str:
    return f"users/{_uuid(user_id)}/"


def project_prefix(user_id: UUID | str, project_id: UUID | str) -> str:
    return f"{user_prefix(user_id)}projects/{_uuid(project_id)}/"


def upload_key(user_id: UUID | str, project_id: UUID | str, asset_id: UUID | str, kind: str) -> str:
    """An uploaded asset, e.g. ``.../uploads/<asset_id>/sample_video``."""
    return f"{project_prefix(user_id, project_id)}uploads/{_uuid(asset_id)}/{_name(kind)}"


def job_asset_key(
    user_id: UUID | str,
    project_id: UUID | str,
    job_id: UUID | str,
    kind: str,
    idx: int,
    attempt: int,
    ext: str,
) -> str:
    """One attempt at one generated asset; attempts get their own key so a late retry never overwrites."""
    extension = ext.removeprefix(".")
    if not _EXT.match(extension):
        raise ValidationFailed("A file extension must be 1-8 lowercase letters or digits.")
    name = f"{_count(idx, 'index'):03d}-a{_count(attempt, 'attempt')}.{extension}"
    return f"{project_prefix(user_id, project_id)}jobs/{_uuid(job_id)}/{_name(kind)}/{name}"


def video_prefix(user_id: UUID | str, project_id: UUID | str, video_id: UUID | str) -> str:
    """Every file of one finished video."""
    return f"{project_prefix(user_id, project_id)}videos/{_uuid(video_id)}/"


def video_key(user_id: UUID | str, project_id: UUID | str, video_id: UUID | str, name: str) -> str:
    """A file of a finished video: ``video.mp4``, ``thumb.jpg``, ``small.mp4``, ``captions.vtt``."""
    return f"{video_prefix(user_id, project_id, video_id)}{_name(name)}"


def analysis_key(user_id: UUID | str, project_id: UUID | str, analysis_version: int, name: str) -> str:
    """A file made by an analysis (keyframes, thumbnails), e.g. ``.../analyses/v2/keyframe-003.jpg``."""
    version = _count(analysis_version, "analysis version")
    return f"{project_prefix(user_id, project_id)}analyses/v{version}/{_name(name)}"


def _uuid(value: UUID | str) -> str:
    if isinstance(value, UUID):
        return str(value)
    try:
        return str(UUID(value))
    except (ValueError, TypeError, AttributeError):
        raise ValidationFailed("An id must be a UUID.") from None


def _name(value: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value) or ".." in value:
        raise ValidationFailed("A key name must be lowercase letters, digits, '.', '_' or '-'.")
    return value


def _count(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationFailed(f"The {what} must be a non-negative integer.")
    return value
