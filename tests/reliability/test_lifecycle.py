"""Data lifecycle: the 7-day expiry holds on every read path the moment it passes (before any sweep),
links never outlive the video, and the sweep leaves no orphan (the audit runs after every test here)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from reelsmith.domain import clock
from reelsmith.pipeline.cleanup import run_cleanup
from reelsmith.services.context import AppContext
from tests.api.helpers import ApiUser
from tests.library.library import Library, Media

from . import figures

SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[datetime]:
    yield clock.freeze(datetime.now(UTC).replace(microsecond=0))
    clock.unfreeze()


def _reads(alice: ApiUser, video_id: str, token: str) -> dict[str, int]:
    """The status of every way to read the video: detail, download, share page, library list."""
    listed = alice.call("GET", "/api/videos").json()["items"]
    return {
        "detail": alice.call("GET", f"/api/videos/{video_id}").status_code,
        "download": alice.call("GET", f"/api/videos/{video_id}/download", follow_redirects=False).status_code,
        "thumbnail": alice.call(
            "GET", f"/api/videos/{video_id}/download?variant=thumbnail", follow_redirects=False
        ).status_code,
        "share page": alice.client.get(f"/s/{token}").status_code,
        "listed": 200 if any(v["id"] == video_id for v in listed) else 404,
    }


def test_expiry_is_enforced_on_read_before_the_sweep(
    alice: ApiUser, app_ctx: AppContext, media: Media
) -> None:
    library = Library(app_ctx, media)
    video = library.make_video(alice.user_id, title="Expiring")
    video_id, expires = str(video["id"]), video["expires_at"]
    token = alice.call("POST", f"/api/videos/{video_id}/share", json={}).json()["url"].rsplit("/s/", 1)[1]

    clock.freeze(expires - SECOND)
    assert set(_reads(alice, video_id, token).values()) == {200, 302}
    link = alice.call("GET", f"/api/videos/{video_id}/download", follow_redirects=False).headers["location"]
    signed_until = int(parse_qs(urlsplit(link).query)["exp"][0])
    assert signed_until - time.time() <= 2  # the link's life is cut to the one second the video has left

    for moment in (expires + SECOND, expires + timedelta(hours=23)):
        clock.freeze(moment)
        reads = _reads(alice, video_id, token)
        figures.count("expired reads refused", len(reads))
        assert set(reads.values()) == {404}, reads
        expired = alice.call("GET", "/api/videos", params={"status": "expired"}).json()["items"]
        assert [v["id"] for v in expired] == [video_id]
        assert expired[0]["thumbnail_url"] is None and expired[0]["seconds_left"] == 0

    swept = run_cleanup(app_ctx)
    assert swept.videos_expired == 1 and swept.objects_deleted >= 2
    assert library.stored_keys(alice.user_id) & {video["object_key"], video["thumbnail_key"]} == set()
    again = run_cleanup(app_ctx)  # idempotent: a second sweep finds nothing left to do
    assert again.videos_expired == 0 and again.objects_deleted == 0
