"""Another user's objects do not exist for you: every route answers 404, never 403."""

from __future__ import annotations

from .helpers import ApiUser


def _alice_world(alice: ApiUser, small_sample) -> dict[str, str]:
    alice.set_preferences(auto_analyze=False)
    project = alice.create_project("Alice's reel")
    done = alice.upload(project["id"], "sample_video", small_sample.path).json()
    pending = alice.start_upload(project["id"], "sample_video", small_sample.path).json()["upload"]
    job = alice.call("POST", "/api/analyze", json={"project_id": project["id"]}).json()
    alice.wait_job(job["id"])
    return {
        "project_id": project["id"],
        "upload_id": done["id"],
        "pending_upload_id": pending["id"],
        "job_id": job["id"],
        "version": "1",
    }


def test_user_b_gets_404_on_every_route_for_a_project(alice: ApiUser, bob: ApiUser, small_sample) -> None:
    ids = _alice_world(alice, small_sample)
    p, u, j = ids["project_id"], ids["upload_id"], ids["job_id"]
    calls = [
        ("GET", f"/api/projects/{p}", None),
        ("PATCH", f"/api/projects/{p}", {"title": "mine now"}),
        ("POST", f"/api/projects/{p}/favorite", {"favorite": True}),
        ("DELETE", f"/api/projects/{p}", None),
        (
            "POST",
            f"/api/projects/{p}/uploads",
            {"kind": "audio", "content_type": "audio/wav", "size_bytes": 10},
        ),
        ("POST", f"/api/projects/{p}/uploads/{u}/complete", None),
        ("POST", f"/api/projects/{p}/uploads/{ids['pending_upload_id']}/complete", None),
        ("GET", f"/api/projects/{p}/analysis", None),
        ("GET", f"/api/projects/{p}/plan", None),
        ("GET", f"/api/projects/{p}/plans", None),
        ("GET", f"/api/projects/{p}/plans/1", None),
        ("PATCH", f"/api/projects/{p}/plans/1", {"changes": {"target_duration": 2}}),
        ("POST", f"/api/projects/{p}/plans/1/restore", None),
        ("GET", f"/api/projects/{p}/chat", None),
        ("GET", f"/api/projects/{p}/progress", None),
        ("POST", f"/api/projects/{p}/regenerate", None),
        ("POST", "/api/analyze", {"project_id": p}),
        ("POST", "/api/generate-video", {"project_id": p}),
        ("POST", "/api/generate-plan", {"project_id": p}),
        ("POST", "/api/chat", {"project_id": p, "message": "make it 3 seconds"}),
        ("GET", f"/api/jobs/{j}", None),
        ("POST", f"/api/jobs/{j}/cancel", None),
        ("POST", f"/api/jobs/{j}/pause", None),
        ("POST", f"/api/jobs/{j}/resume", None),
    ]
    for method, path, body in calls:
        response = bob.call(method, path, json=body)
        assert response.status_code == 404, (method, path, response.status_code, response.text)
        assert response.json()["error"]["code"].endswith("not_found")

    assert bob.call("GET", "/api/projects").json()["items"] == []
    assert bob.call("GET", "/api/jobs").json()["items"] == []
    # Alice's things are untouched.
    mine = alice.call("GET", f"/api/projects/{p}").json()
    assert mine["title"] == "Alice's reel" and not mine["favorite"]


def test_keys_are_made_by_the_server(alice: ApiUser, small_sample) -> None:
    """A client cannot choose where its bytes go, nor point an upload at someone else's key."""
    project = alice.create_project()
    body = {
        "kind": "sample_video",
        "content_type": "video/mp4",
        "size_bytes": 100,
        "object_key": "users/someone-else/projects/x/uploads/y",
    }
    response = alice.call("POST", f"/api/projects/{project['id']}/uploads", json=body)
    assert response.status_code == 422
    grant = alice.start_upload(project["id"], "sample_video", small_sample.path).json()
    assert f"users/{alice.user_id}/projects/{project['id']}/uploads/" in grant["url"]
