"""A test user that speaks the HTTP API like the web client does."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from reelsmith.api.auth import issue_local_token
from reelsmith.services.context import AppContext
from reelsmith.settings import Settings
from reelsmith.store import users

CONTENT_TYPES = {".mp4": "video/mp4", ".png": "image/png", ".jpg": "image/jpeg", ".wav": "audio/wav"}


@dataclass
class ApiUser:
    client: TestClient
    token: str
    user_id: str
    ctx: AppContext

    @classmethod
    def sign_in(cls, client: TestClient, settings: Settings, ctx: AppContext, email: str) -> ApiUser:
        token = issue_local_token(settings, email)
        me = client.get("/api/projects", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        from reelsmith.api.auth import TokenVerifier

        user_id = str(TokenVerifier(settings).verify(token).user_id)
        return cls(client, token, user_id, ctx)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def call(self, method: str, path: str, **kwargs: Any):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def set_preferences(self, **prefs: Any) -> None:
        with self.ctx.db.connection() as conn:
            current = users.get_settings(conn, self.user_id)
            users.put_settings(conn, self.user_id, {**current, **prefs})

    def create_project(self, title: str = "My reel", brief: str = "") -> dict[str, Any]:
        response = self.call("POST", "/api/projects", json={"title": title, "brief": brief})
        assert response.status_code == 201, response.text
        return response.json()

    def start_upload(
        self, project_id: str, kind: str, path: Path, content_type: str | None = None, size: int | None = None
    ):
        body = {
            "kind": kind,
            "content_type": content_type or CONTENT_TYPES[path.suffix],
            "size_bytes": size if size is not None else path.stat().st_size,
            "filename": path.name,
        }
        return self.call("POST", f"/api/projects/{project_id}/uploads", json=body)

    def upload(self, project_id: str, kind: str, path: Path, content_type: str | None = None):
        """Start, PUT the bytes to the signed URL, complete; returns the complete response."""
        started = self.start_upload(project_id, kind, path, content_type)
        assert started.status_code == 201, started.text
        grant = started.json()
        put = self.client.put(grant["url"], content=path.read_bytes(), headers=grant["headers"])
        assert put.status_code == 200, put.text
        return self.call("POST", f"/api/projects/{project_id}/uploads/{grant['upload']['id']}/complete")

    def wait_job(self, job_id: str, *, timeout: float = 240.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.call("GET", f"/api/jobs/{job_id}").json()
            if job["status"] in ("succeeded", "failed", "cancelled"):
                return job
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} did not finish in {timeout} s")

    def latest_job(self, project_id: str) -> dict[str, Any] | None:
        return self.call("GET", f"/api/projects/{project_id}/progress").json()["job"]
