"""End-to-end fixtures: `reelsmith serve` as a subprocess with offline providers, headless Debian
Chromium driven by Playwright at a phone viewport, and screenshots saved as test artefacts.

Every test in this folder is skipped, with the reason, when /usr/bin/chromium is not installed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

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
PROVIDER_KEYS = (
    "RUNWAYML_API_SECRET",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_CLOUD_PROJECT",
    "ELEVENLABS_API_KEY",
    "GROQ_API_KEY",
)
SERVER_START_SECONDS = 90


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of `reelsmith serve` on a free 127.0.0.1 port, with a fresh database and data dir."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    port = _free_port()
    env = {
        k: v for k, v in os.environ.items() if k not in PROVIDER_KEYS and not k.startswith(("AWS_", "R2_"))
    }
    env.update(
        REELSMITH_DATA_DIR=str(data_dir),
        REELSMITH_PORT=str(port),
        REELSMITH_HOST="127.0.0.1",
        DATABASE_URL=pg_url,
        REELSMITH_POLL_SECONDS="0",
        REELSMITH_OFFLINE="1",
        AUTH_MODE="local",
        STORAGE_BACKEND="local",
        WORKFLOW_BACKEND="local",
    )
    env.pop("REELSMITH_PUBLIC_URL", None)
    log_path = data_dir / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "reelsmith.cli", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for_health(base, process, log_path)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_health(base: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"reelsmith serve exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(
        f"reelsmith serve did not answer /api/health in {SERVER_START_SECONDS} s:\n"
        f"{log_path.read_text()[-3000:]}"
    )


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
