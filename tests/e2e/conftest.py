"""End-to-end fixtures: `reelsmith serve` as a subprocess with offline providers, headless Debian
Chromium driven by Playwright at a phone viewport, and screenshots saved as test artefacts.

Every test in this folder is skipped, with the reason, when /usr/bin/chromium is not installed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.load import reelsmith_serve
from reelsmith.media.samples import make_image, make_sample_video, make_tone

from .helpers import start_signed_in

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return "Chromium not installed: apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python not installed: pip install -e '.[dev]'"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    reason = _skip_reason()
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def server(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of `reelsmith serve` on a free 127.0.0.1 port, with a fresh database and data dir."""
    with reelsmith_serve(pg_url, tmp_path_factory.mktemp("e2e-data")) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, server: str) -> Iterator[Callable[..., object]]:
    """Open phone-sized browser contexts on the server (closed after the test), signed in as ``email``."""
    contexts = []

    def make(email: str | None = None, **overrides: object):
        options = {**PHONE, "base_url": server, "accept_downloads": True, **overrides}
        context = browser.new_context(**options)
        context.set_default_timeout(30_000)
        if email:
            start_signed_in(context, server, email)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A phone page that fails the test on any uncaught script error."""
    page = new_context().new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny generated uploads: a 4 s 360x640 sample, a character image, an audio tone, a fake .mp4."""
    folder = tmp_path_factory.mktemp("e2e-media")
    fake = folder / "notes.mp4"
    fake.write_text("these are meeting notes, not a video\n")
    return {
        "sample": make_sample_video(folder / "sample.mp4", duration=4, size=(360, 640)).path,
        "image": make_image(folder / "character.png", size=(360, 640)),
        "audio": make_tone(folder / "tone.wav", seconds=2.0),
        "fake": fake,
    }


@pytest.fixture(scope="session")
def screenshot() -> Callable[[object, str], Path]:
    """screenshot(page, "03-analysis") saves a full-page PNG under test-artifacts/e2e/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
