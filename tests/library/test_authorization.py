"""Every new route: no token is 401, another user's video is 404 (never 403), and nothing of theirs moves."""

from __future__ import annotations

from fastapi.testclient import TestClient

from reelsmith.store import notifications
from tests.api.helpers import ApiUser

from .library import Library

ACCOUNT_ROUTES = [
    ("GET", "/api/videos"),
    ("GET", "/api/analytics"),
    ("GET", "/api/settings"),
    ("PUT", "/api/settings"),
    ("POST", "/api/settings"),
    ("GET", "/api/user/export-data"),
    ("POST", "/api/user/clear-data"),
    ("POST", "/api/user/import-data"),
    ("GET", "/api/notifications"),
    ("POST", "/api/notifications/read"),
]


def _video_routes(video_id: str) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", f"/api/videos/{video_id}", None),
        ("DELETE", f"/api/videos/{video_id}", None),
        ("POST", f"/api/videos/{video_id}/favorite", {"favorite": True}),
        ("GET", f"/api/videos/{video_id}/download", None),
        ("GET", f"/api/videos/{video_id}/download?variant=thumbnail", None),
        ("POST", f"/api/videos/{video_id}/share", {}),
        ("DELETE", f"/api/videos/{video_id}/share", None),
    ]


def test_every_new_route_needs_a_token(client: TestClient, library: Library, alice: ApiUser) -> None:
    video = library.make_video(alice.user_id)
    for method, path, _ in _video_routes(str(video["id"])):
        assert client.request(method, path).status_code == 401, (method, path)
    for method, path in ACCOUNT_ROUTES:
        response = client.request(method, path, headers={"Authorization": "Bearer not-a-token"})
        assert response.status_code == 401, (method, path)
        assert response.json()["error"]["code"] in ("invalid_token", "unauthorized", "missing_token")


def test_another_users_video_is_not_found_everywhere(alice: ApiUser, bob: ApiUser, library: Library) -> None:
    video = library.make_video(alice.user_id, title="Alice's")
    share = alice.call("POST", f"/api/videos/{video['id']}/share").json()
    for method, path, body in _video_routes(str(video["id"])):
        response = bob.call(method, path, json=body, follow_redirects=False)
        assert response.status_code == 404, (method, path, response.status_code, response.text)
        assert response.json()["error"]["code"] == "video_not_found"

    assert bob.call("GET", "/api/videos").json()["items"] == []
    assert (
        bob.call("GET", "/api/videos", params={"project_id": str(video["project_id"])}).json()["items"] == []
    )
    assert bob.call("GET", "/api/analytics").json()["videos_made"] == 0
    mine = alice.call("GET", f"/api/videos/{video['id']}").json()
    assert mine["title"] == "Alice's" and not mine["favorite"] and mine["share"]["active"]
    assert alice.client.get(share["url"].removeprefix("http://testserver")).status_code == 200
    library.assert_no_orphans()


def test_notifications_are_the_callers_own(alice: ApiUser, bob: ApiUser, library: Library) -> None:
    with alice.ctx.db.connection() as conn:
        for title in ("one", "two"):
            notifications.add(conn, user_id=alice.user_id, kind="job_failed", title=title, body="reason")
    listed = alice.call("GET", "/api/notifications").json()
    assert listed["unread_count"] == 2 and {n["title"] for n in listed["items"]} == {"one", "two"}
    ids = [n["id"] for n in listed["items"]]

    assert bob.call("GET", "/api/notifications").json() == {"items": [], "unread_count": 0}
    assert bob.call("POST", "/api/notifications/read", json={"ids": ids}).json() == {"marked": 0}
    assert bob.call("POST", "/api/notifications/read").json() == {"marked": 0}
    assert alice.call("GET", "/api/notifications").json()["unread_count"] == 2

    assert alice.call("POST", "/api/notifications/read", json={"ids": ids[:1]}).json() == {"marked": 1}
    unread = alice.call("GET", "/api/notifications", params={"unread": True}).json()
    assert unread["unread_count"] == 1 and [n["id"] for n in unread["items"]] == ids[1:]
    assert alice.call("POST", "/api/notifications/read", json={}).json() == {"marked": 1}
    assert alice.call("POST", "/api/notifications/read", json={"ids": ["nope"]}).status_code == 422

    alice.call("PUT", "/api/settings", json={"notifications": "none"})
    assert alice.call("GET", "/api/notifications").json() == {"items": [], "unread_count": 0}
