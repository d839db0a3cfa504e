"""Projects (create, search, favourites, rename, delete), the session, and offline-friendly errors."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .helpers import SESSION_KEY, sign_in


def create(page, title: str) -> None:
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    page.get_by_role("link", name="All projects").click()


def test_projects_search_favourite_rename_delete(page, screenshot):
    sign_in(page, "organiser@example.com")
    expect(page.get_by_text("No projects yet")).to_be_visible()
    create(page, "Summer sale")
    create(page, "Winter promo")
    projects = page.get_by_role("list", name="Projects")
    expect(projects.get_by_role("listitem")).to_have_count(2)

    page.get_by_label("Search projects").fill("winter")
    expect(projects.get_by_role("listitem")).to_have_count(1)
    expect(projects).to_contain_text("Winter promo")
    page.get_by_label("Search projects").fill("")
    expect(projects.get_by_role("listitem")).to_have_count(2)

    star = page.get_by_role("button", name="Favourite Summer sale")
    expect(star).to_have_attribute("aria-pressed", "false")
    star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    page.get_by_text("Favourites only").click()
    expect(projects.get_by_role("listitem")).to_have_count(1)
    expect(projects).to_contain_text("Summer sale")
    screenshot(page, "projects-favourites")

    projects.get_by_role("link", name=re.compile("Summer sale")).click()
    page.get_by_role("button", name="Rename").click()
    page.get_by_label("New title").fill("Summer sale 2026")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Summer sale 2026", level=1)).to_be_visible()

    page.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Summer sale 2026")
    dialog.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Projects", level=1)).to_be_visible()
    expect(page.get_by_role("list", name="Projects")).not_to_contain_text("Summer sale")


def test_session_survives_a_reload_and_sign_out_clears_it(page):
    sign_in(page, "returner@example.com")
    page.reload()
    expect(page.get_by_role("heading", name="Projects", level=1)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    assert page.evaluate(f"() => localStorage.getItem('{SESSION_KEY}')") is None
    page.reload()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()


def test_lost_connection_shows_a_banner_and_recovers(page):
    sign_in(page, "traveller@example.com")
    listing = re.compile(r"/api/projects\?")
    page.route(listing, lambda route: route.abort("internetdisconnected"))
    page.get_by_label("Search projects").fill("anything")
    banner = page.get_by_role("status").filter(has_text="Connection lost, retrying…")
    expect(banner).to_be_visible()
    page.unroute(listing)
    expect(banner).to_be_hidden(timeout=20_000)
    expect(page.get_by_text("No projects match.")).to_be_visible()
