"""Object keys: always under the owner's prefix, built only from ids and fixed names."""

from __future__ import annotations

import uuid

import pytest

from reelsmith.domain.errors import ValidationFailed
from reelsmith.store import keys

USER = uuid.UUID("11111111-1111-4111-8111-111111111111")
PROJECT = uuid.UUID("22222222-2222-4222-8222-222222222222")
OTHER = uuid.UUID("33333333-3333-4333-8333-333333333333")
PREFIX = f"users/{USER}/projects/{PROJECT}/"


def test_prefixes() -> None:
    assert keys.user_prefix(USER) == f"users/{USER}/"
    assert keys.project_prefix(USER, PROJECT) == PREFIX


def test_every_key_is_under_its_project_prefix() -> None:
    made = [
        keys.upload_key(USER, PROJECT, OTHER, "sample_video"),
        keys.job_asset_key(USER, PROJECT, OTHER, "video_segment", 3, 1, "mp4"),
        keys.video_key(USER, PROJECT, OTHER, "video.mp4"),
        keys.analysis_key(USER, PROJECT, 2, "keyframe-003.jpg"),
    ]
    assert made == [
        f"{PREFIX}uploads/{OTHER}/sample_video",
        f"{PREFIX}jobs/{OTHER}/video_segment/003-a1.mp4",
        f"{PREFIX}videos/{OTHER}/video.mp4",
        f"{PREFIX}analyses/v2/keyframe-003.jpg",
    ]
    assert all(key.startswith(keys.user_prefix(USER)) for key in made)


def test_ids_may_be_strings_and_are_normalised() -> None:
    assert keys.project_prefix(str(USER).upper(), PROJECT.hex) == PREFIX


def test_each_attempt_gets_its_own_key_and_a_dotted_extension_is_accepted() -> None:
    first = keys.job_asset_key(USER, PROJECT, OTHER, "voiceover", 0, 1, ".mp3")
    second = keys.job_asset_key(USER, PROJECT, OTHER, "voiceover", 0, 2, "mp3")
    assert first.endswith("/voiceover/000-a1.mp3")
    assert first != second


@pytest.mark.parametrize("bad_id", ["", "not-a-uuid", "../../etc", f"{USER}/x", None, 42])
def test_ids_must_be_uuids(bad_id: object) -> None:
    with pytest.raises(ValidationFailed):
        keys.project_prefix(bad_id, PROJECT)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        keys.video_key(USER, PROJECT, bad_id, "video.mp4")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad_name", ["", "..", "../x", "a/b", "Video.MP4", "my video.mp4", ".hidden", "x" * 65]
)
def test_names_are_fixed_safe_words(bad_name: str) -> None:
    with pytest.raises(ValidationFailed):
        keys.video_key(USER, PROJECT, OTHER, bad_name)
    with pytest.raises(ValidationFailed):
        keys.upload_key(USER, PROJECT, OTHER, bad_name)


@pytest.mark.parametrize(
    ("idx", "attempt", "ext"), [(-1, 1, "mp4"), (0, -1, "mp4"), (True, 1, "mp4"), (0, 1, "m/p4"), (0, 1, "")]
)
def test_job_asset_key_rejects_bad_numbers_and_extensions(idx: int, attempt: int, ext: str) -> None:
    with pytest.raises(ValidationFailed):
        keys.job_asset_key(USER, PROJECT, OTHER, "video_segment", idx, attempt, ext)


def test_analysis_version_must_be_a_count() -> None:
    with pytest.raises(ValidationFailed):
        keys.analysis_key(USER, PROJECT, "2", "keyframe.jpg")  # type: ignore[arg-type]
