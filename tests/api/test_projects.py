"""Projects API: create, list (pagination, search, filters), rename, favourite, delete; error shape."""

from __future__ import annotations

from .helpers import ApiUser


def test_create_get_patch_delete(alice: ApiUser) -> None:
    project = alice.create_project("Morning routine", brief="Coffee, light, calm")
    assert project["status"] == "draft" and "user_id" not in project

    got = alice.call("GET", f"/api/projects/{project['id']}")
    assert got.status_code == 200 and got.json()["uploads"] == [] and got.json()["latest_job"] is None

    renamed = alice.call("PATCH", f"/api/projects/{project['id']}", json={"title": "Evening routine"})
    assert renamed.json()["title"] == "Evening routine"

    assert alice.call("DELETE", f"/api/projects/{project['id']}").status_code == 204
    gone = alice.call("GET", f"/api/projects/{project['id']}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "project_not_found"


def test_list_paginates_searches_and_filters(alice: ApiUser) -> None:
    for i in range(5):
        alice.create_project(f"Reel number {i}", brief="beach sunset" if i % 2 else "city night")
    first = alice.call("GET", "/api/projects", params={"limit": 2}).json()
    second = alice.call("GET", "/api/projects", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    third = alice.call("GET", "/api/projects", params={"limit": 2, "cursor": second["next_cursor"]}).json()
    titles = [p["title"] for page in (first, second, third) for p in page["items"]]
    assert len(titles) == 5 == len(set(titles)) and third["next_cursor"] is None

    beach = alice.call("GET", "/api/projects", params={"search": "sunset"}).json()["items"]
    assert len(beach) == 2

    target = first["items"][0]["id"]
    alice.call("POST", f"/api/projects/{target}/favorite", json={"favorite": True})
    favourites = alice.call("GET", "/api/projects", params={"favorite": True}).json()["items"]
    assert [p["id"] for p in favourites] == [target]


def test_bad_input_is_a_clear_4xx(alice: ApiUser) -> None:
    empty = alice.call("POST", "/api/projects", json={"title": ""})
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "validation_failed"
    assert "title" in empty.json()["error"]["message"]

    extra = alice.call("POST", "/api/projects", json={"title": "x", "user_id": "someone"})
    assert extra.status_code == 422

    cursor = alice.call("GET", "/api/projects", params={"cursor": "garbage!!"})
    assert cursor.status_code == 400 and cursor.json()["error"]["code"] == "invalid_cursor"

    not_uuid = alice.call("GET", "/api/projects/not-a-uuid")
    assert not_uuid.status_code == 422 and "Traceback" not in not_uuid.text


def test_requests_without_a_valid_token_get_401(client) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/projects", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["code"] in ("missing_token", "unauthorized", "invalid_token")
    query = client.get("/api/projects", params={"access_token": "whatever"})
    assert query.status_code == 401


def test_health_reports_database_and_storage(client) -> None:
    health = client.get("/api/health")
    assert health.status_code == 200
    body = health.json()
    assert body["database"] == "ok" and body["storage"] == "ok"
    assert set(body["providers"]) == {"runway", "veo", "elevenlabs", "groq", "gemini"}
    assert not any(body["providers"].values())


def test_model_catalogue_lists_what_is_available(alice: ApiUser) -> None:
    models = {m["id"]: m for m in alice.call("GET", "/api/models").json()["items"]}
    assert models["animatic"]["available"] and not models["gen4_turbo"]["available"]
    assert models["veo3.1"]["durations"] == [4, 6, 8] and models["gen4_turbo"]["needs_image"]
