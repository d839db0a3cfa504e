"""Mass assignment, bounds and error hygiene (catalogue cases 7, 21 and 25)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from reelsmith.api.app import create_app
from reelsmith.pipeline.context import set_context
from reelsmith.services.context import build_app_context
from reelsmith.settings import Settings
from reelsmith.store.db import Database
from reelsmith.workflow.local import LocalWorkflow
from tests.api.helpers import ApiUser

from . import figures

UNREACHABLE = "postgresql://reelsmith:hunter2-secret@127.0.0.1:1/reelsmith"


def test_fields_the_client_does_not_own_are_refused(alice: ApiUser) -> None:
    project = alice.create_project("Mine")
    for body in (
        {"status": "ready"},
        {"user_id": "00000000-0000-4000-8000-000000000000"},
        {"title": "ok", "current_plan_version": 9},
        {"title": "ok", "object_key": "users/x/y"},
    ):
        response = alice.call("PATCH", f"/api/projects/{project['id']}", json=body)
        assert response.status_code == 422 and response.json()["error"]["code"] == "validation_failed", body
    assert alice.call("GET", f"/api/projects/{project['id']}").json()["status"] == project["status"]
    assert "user_id" not in project and "object_key" not in project


@pytest.mark.parametrize(
    "path",
    [
        "/api/projects?limit=100000",
        "/api/jobs?limit=0",
        "/api/videos?limit=-1",
        "/api/projects?cursor=" + "x" * 500,
    ],
)
def test_list_bounds_are_enforced(alice: ApiUser, path: str) -> None:
    response = alice.call("GET", path)
    assert response.status_code == 422 and response.json()["error"]["code"] == "validation_failed"


@pytest.fixture
def client_without_database(api_settings: Settings, local_workflow: LocalWorkflow) -> Iterator[TestClient]:
    """The API on a database that refuses every connection (a failover, a pooler outage)."""
    db = Database(UNREACHABLE, timeout=1.0)
    ctx = build_app_context(api_settings, db=db, workflow=local_workflow)
    try:
        with TestClient(create_app(ctx, serve_web=False), raise_server_exceptions=False) as client:
            yield client
    finally:
        set_context(None)
        db.close()


def test_a_database_outage_is_a_clean_503(client_without_database: TestClient, alice: ApiUser) -> None:
    for method, path in (("GET", "/api/projects"), ("POST", "/api/generate-video"), ("GET", "/api/jobs")):
        response = client_without_database.request(
            method, path, headers=alice.headers, json={"project_id": "00000000-0000-4000-8000-000000000000"}
        )
        figures.count("dependency faults injected")
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "service_unavailable"
        for secret in ("hunter2", "127.0.0.1:1", "Traceback", "psycopg", "postgresql://"):
            assert secret not in response.text
