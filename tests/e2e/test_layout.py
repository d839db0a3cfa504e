"""Every screen at a small phone (360x740): no horizontal scroll, touch targets of at least 44 px,
and a label for every input."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import ApiClient, Seeded, audit_layout

EMAIL = "layout@example.com"
SMALL_PHONE = {"viewport": {"width": 360, "height": 740}}
SCREENS = {
    "projects": lambda s: "/#/projects",
    "project-uploads": lambda s: f"/#/project/{s.project_id}/uploads",
    "project-analysis": lambda s: f"/#/project/{s.project_id}/analysis",
    "project-plan": lambda s: f"/#/project/{s.project_id}/plan",
    "project-generate": lambda s: f"/#/project/{s.project_id}/generate",
    "video": lambda s: f"/#/video/{s.video_id}",
    "library": lambda s: "/#/library",
    "analytics": lambda s: "/#/analytics",
    "settings": lambda s: "/#/settings",
}


@pytest.fixture(scope="module")
def seeded(server, media) -> Seeded:
    """An account with a long-titled project that has an analysis, a plan and a finished video."""
    return ApiClient(server, EMAIL).rendered_project(
        "A rather long project title that must wrap on a small phone screen", media["sample"]
    )


def assert_fits(page) -> None:
    audit = audit_layout(page)
    assert audit["scrollWidth"] <= audit["clientWidth"], f"horizontal scroll: {audit}"
    assert not audit["small"], f"touch targets under 44 px: {audit['small']}"
    assert not audit["unlabelled"], f"inputs without a label: {audit['unlabelled']}"


@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_fits_a_small_phone(screen, seeded, new_context, screenshot):
    page = new_context(email=EMAIL, **SMALL_PHONE).new_page()
    page.goto(SCREENS[screen](seeded))
    expect(page.locator("h1")).to_be_visible()
    page.wait_for_load_state("networkidle")
    for details in page.locator("details").all():  # audit what hides behind "More filters" too
        details.evaluate("(el) => { el.open = true; }")
    screenshot(page, f"layout-360-{screen}")
    assert_fits(page)


def test_sign_in_fits_a_small_phone(new_context):
    page = new_context(**SMALL_PHONE).new_page()
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_fits(page)
