"""Library fixtures: the API fixtures, a frozen product clock, and finished videos made directly
(real tiny media made with FFmpeg, real rows through the store) so no test waits for a render."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reelsmith.domain import clock
from reelsmith.media.ffmpeg import run_ffmpeg
from reelsmith.services.context import AppContext
from reelsmith.store.objects import S3ObjectStore
from tests.api.conftest import alice, api_settings, app_ctx, bob, client, local_workflow, small_sample  # noqa: F401

from .library import Library, Media


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[datetime]:
    """The product clock stopped at (real) now; tests travel with clock.advance, never sleep."""
    start = clock.freeze(datetime.now(UTC).replace(microsecond=0))
    yield start
    clock.unfreeze()


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    """A 1 s 360x640 H.264 clip and a JPEG thumbnail, made once with FFmpeg's lavfi sources."""
    folder: Path = tmp_path_factory.mktemp("library-media")
    clip, thumb = folder / "clip.mp4", folder / "thumb.jpg"
    run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=360x640:rate=15:duration=1",
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            str(clip),
        ],
        timeout=60,
    )
    run_ffmpeg(["-i", str(clip), "-frames:v", "1", str(thumb)], timeout=60)
    return Media(clip=clip.read_bytes(), thumb=thumb.read_bytes())


@pytest.fixture
def library(app_ctx: AppContext, media: Media) -> Library:  # noqa: F811
    return Library(app_ctx, media)


@pytest.fixture(params=["local", "s3"])
def any_library(request: pytest.FixtureRequest, app_ctx: AppContext, media: Media) -> Iterator[Library]:  # noqa: F811
    """The library on folder storage and on S3 (moto, configured like R2)."""
    if request.param == "s3":
        s3: S3ObjectStore = request.getfixturevalue("s3_store")
        local = app_ctx.store
        app_ctx.store = s3
        yield Library(app_ctx, media)
        app_ctx.store = local
    else:
        yield Library(app_ctx, media)
