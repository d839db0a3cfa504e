"""What the e2e tests share: signing in, seeding an account through the HTTP API, and the layout audit."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

SESSION_KEY = "reelsmith.session"
RENDER_TIMEOUT_S = 240


def sign_in(page: Page, email: str) -> None:
    """Sign in through the sign-in screen (local mode) and land on Projects."""
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Projects", level=1)).to_be_visible()


def api_token(server: str, email: str) -> str:
    response = httpx.post(f"{server}/api/auth/local", json={"email": email}, timeout=10)
    response.raise_for_status()
    return response.json()["access_token"]


def start_signed_in(context: Any, server: str, email: str) -> None:
    """Make every page of ``context`` start with the session the sign-in screen would have stored."""
    session = {"provider": "local", "access_token": api_token(server, email), "email": email}
    context.add_init_script(
        f"localStorage.setItem({json.dumps(SESSION_KEY)}, {json.dumps(json.dumps(session))})"
    )


@dataclass
class Seeded:
    project_id: str
    video_id: str


class ApiClient:
    """Just enough of the HTTP API, spoken like the web client, to prepare data for screen tests."""

    def __init__(self, server: str, email: str) -> None:
        self.http = httpx.Client(
            base_url=server, timeout=30, headers={"Authorization": f"Bearer {api_token(server, email)}"}
        )

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        assert response.status_code < 400, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def upload(self, project_id: str, kind: str, path: Path, content_type: str) -> dict:
        data = path.read_bytes()
        start = self.call(
            "POST",
            f"/api/projects/{project_id}/uploads",
            json={"kind": kind, "content_type": content_type, "size_bytes": len(data), "filename": path.name},
        )
        put = httpx.put(start["url"], content=data, headers=start["headers"], timeout=60)
        assert put.status_code < 300, put.text
        return self.call("POST", f"/api/projects/{project_id}/uploads/{start['upload']['id']}/complete")

    def wait_for_job(self, project_id: str, kind: str) -> dict:
        deadline = time.monotonic() + RENDER_TIMEOUT_S
        while time.monotonic() < deadline:
            job = self.call("GET", f"/api/projects/{project_id}/progress")["job"]
            if job and job["kind"] == kind and job["status"] in ("succeeded", "failed", "cancelled"):
                assert job["status"] == "succeeded", (
                    f"{kind} job ended {job['status']}: {job['error_message']}"
                )
                return job
            time.sleep(0.5)
        raise AssertionError(f"the {kind} job did not finish in {RENDER_TIMEOUT_S} s")

    def rendered_project(self, title: str, sample: Path) -> Seeded:
        """A project with a sample, its analysis, a plan and a finished video."""
        project = self.call("POST", "/api/projects", json={"title": title})
        self.upload(project["id"], "sample_video", sample, "video/mp4")
        self.wait_for_job(project["id"], "analyze")
        self.call("GET", f"/api/projects/{project['id']}/plan")
        self.call("POST", "/api/generate-video", json={"project_id": project["id"]})
        job = self.wait_for_job(project["id"], "render")
        return Seeded(project_id=project["id"], video_id=job["video_id"])


# Every visible control: its box (or its label's, for a checkbox inside one) is checked against 44 px.
LAYOUT_AUDIT = """() => {
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none";
  };
  const describe = (el) => `${el.tagName.toLowerCase()}${el.type ? `[type=${el.type}]` : ""} `
    + `"${(el.getAttribute("aria-label") || el.textContent || el.name || "").trim().slice(0, 40)}"`;
  const small = [];
  const unlabelled = [];
  const controls = "a[href], button, input, select, textarea, summary, video[controls]";
  for (const el of document.querySelectorAll(controls)) {
    if (!shown(el) || el.type === "hidden") continue;
    const target = el.matches("input[type=checkbox], input[type=radio]") ? (el.closest("label") ?? el) : el;
    const box = target.getBoundingClientRect();
    if (box.width < 44 || box.height < 44) {
      small.push(`${describe(el)} is ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
    if (el.matches("input, select, textarea")) {
      const named = el.labels.length > 0 || el.getAttribute("aria-label")
        || el.getAttribute("aria-labelledby");
      if (!named) unlabelled.push(describe(el));
    }
  }
  const root = document.documentElement;
  return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, small, unlabelled };
}"""


def audit_layout(page: Page) -> dict:
    return page.evaluate(LAYOUT_AUDIT)
