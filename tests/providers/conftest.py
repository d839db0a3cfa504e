"""Tiny real media for the vendor fakes (made once per session) and a clean vendor environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelsmith.media.samples import make_image, make_sample_video

from .fakes import make_mp3

VENDOR_ENV = (
    "RUNWAYML_API_SECRET",
    "RUNWAYML_BASE_URL",
    "RUNWAYML_CUSTOM_HEADERS",
    "ELEVENLABS_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_API_VERSION",
    "GOOGLE_GENAI_HTTP_CLIENT",
    "GOOGLE_APPLICATION_CREDENTIALS",
)


@pytest.fixture(autouse=True)
def _no_vendor_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's real keys or endpoints must never reach these tests."""
    for name in VENDOR_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("provider-media")


@pytest.fixture(scope="session")
def clip_bytes(media_dir: Path) -> bytes:
    clip = make_sample_video(media_dir / "clip.mp4", duration=2.0, size=(360, 640), fps=15, with_audio=False)
    return clip.path.read_bytes()


@pytest.fixture(scope="session")
def png_image(media_dir: Path) -> Path:
    return make_image(media_dir / "character.png", size=(360, 640))


@pytest.fixture(scope="session")
def mp3_bytes(media_dir: Path) -> bytes:
    return make_mp3(media_dir / "speech.mp3", seconds=1.0).read_bytes()
