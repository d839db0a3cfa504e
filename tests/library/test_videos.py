"""The library through the API: filters, search, sort, pagination, detail, favourite, delete, download."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from reelsmith.domain import clock
from tests.api.helpers import ApiUser

from .library import Library


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_filters_and_search(alice: ApiUser, bob: ApiUser, library: Library) -> None:
    now = clock.now()
    surf = library.make_video(
        alice.user_id,
        title="Surf school",
        description="Beginners catching waves",
        prompts=["A surfer paddles out at dawn"],
        models=["gen4.5"],
        duration=12,
        created_at=now - timedelta(days=3),
    )
    kitchen = library.make_video(
        alice.user_id,
        title="Kitchen tips",
        prompts=["Chopping onions quickly", "Garlic"],
        duration=30,
        created_at=now - timedelta(days=1),
        favorite=True,
    )
    old = library.make_video(alice.user_id, title="Old one", created_at=now - timedelta(days=8))
    library.make_video(bob.user_id, title="Surf school", prompts=["A surfer paddles out"])

    assert _ids(alice.call("GET", "/api/videos")) == [str(kitchen["id"]), str(surf["id"])]
    assert _ids(alice.call("GET", "/api/videos", params={"status": "expired"})) == [str(old["id"])]
    assert _ids(alice.call("GET", "/api/videos", params={"favorite": True})) == [str(kitchen["id"])]
    assert _ids(alice.call("GET", "/api/videos", params={"project_id": str(surf["project_id"])})) == [
        str(surf["id"])
    ]
    assert _ids(alice.call("GET", "/api/videos", params={"model": "gen4.5"})) == [str(surf["id"])]
    assert _ids(alice.call("GET", "/api/videos", params={"min_duration": 20})) == [str(kitchen["id"])]
    assert _ids(alice.call("GET", "/api/videos", params={"max_duration": 20})) == [str(surf["id"])]
    since = (now - timedelta(days=2)).isoformat()
    assert _ids(alice.call("GET", "/api/videos", params={"created_from": since})) == [str(kitchen["id"])]
    assert _ids(alice.call("GET", "/api/videos", params={"created_to": since})) == [str(surf["id"])]

    for query in ("surf", "waves", "paddles dawn", "SURFER", "begin"):  # title, description, prompts, prefix
        assert _ids(alice.call("GET", "/api/videos", params={"q": query})) == [str(surf["id"])], query
    assert _ids(alice.call("GET", "/api/videos", params={"q": "garlic"})) == [str(kitchen["id"])]
    assert _ids(alice.call("GET", "/api/videos", params={"q": "nothing like this"})) == []
    assert _ids(alice.call("GET", "/api/videos", params={"q": "surf & | ! :* ' \\"})) == [str(surf["id"])]

    alice.call("PATCH", f"/api/projects/{kitchen['project_id']}", json={"description": "Fresh basil"})
    assert _ids(alice.call("GET", "/api/videos", params={"q": "basil"})) == [str(kitchen["id"])]


def test_sorting_and_cursor_pagination(alice: ApiUser, library: Library) -> None:
    now = clock.now()
    made = [
        library.make_video(
            alice.user_id, title=f"Video {i}", duration=10 + (i * 7) % 5, created_at=now - timedelta(hours=i)
        )
        for i in range(7)
    ]
    for sort, key, reverse in [
        ("created_desc", "created_at", True),
        ("created_asc", "created_at", False),
        ("duration_desc", "duration_s", True),
        ("duration_asc", "duration_s", False),
    ]:
        seen, cursor = [], None
        while True:
            params = {"sort": sort, "limit": 3, **({"cursor": cursor} if cursor else {})}
            page = alice.call("GET", "/api/videos", params=params).json()
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        expected = sorted(made, key=lambda v: (v[key], v["id"]), reverse=reverse)
        assert seen == [str(v["id"]) for v in expected], sort

    first = alice.call("GET", "/api/videos", params={"sort": "created_desc", "limit": 2}).json()
    wrong = alice.call("GET", "/api/videos", params={"sort": "duration_asc", "cursor": first["next_cursor"]})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid_cursor"
    assert alice.call("GET", "/api/videos", params={"cursor": "garbage!"}).status_code == 400


def test_detail_favourite_and_expiry_on_read(alice: ApiUser, library: Library) -> None:
    video = library.make_video(
        alice.user_id, title="Detail", models=["animatic", "gen4.5"], prompts=["one", "two"], cost_usd=1.5
    )
    detail = alice.call("GET", f"/api/videos/{video['id']}").json()
    assert detail["status"] == "ready" and detail["seconds_left"] == 7 * 24 * 3600
    assert detail["qa"]["passed"] and detail["plan_version"] == 1 and detail["job_id"] == str(video["id"])
    assert detail["models"] == ["animatic", "gen4.5"] and detail["cost_usd"] == 1.5
    assert detail["share"] == {"active": False, "expires_at": None} and not detail["shared"]
    assert alice.client.get(detail["stream_url"]).content == library.media.clip
    assert alice.client.get(detail["thumbnail_url"]).content == library.media.thumb
    assert "user_id" not in detail and "object_key" not in detail

    favourite = alice.call("POST", f"/api/videos/{video['id']}/favorite", json={"favorite": True})
    assert favourite.status_code == 200 and favourite.json()["favorite"] is True

    clock.advance(timedelta(days=7, seconds=1))  # expired, and the sweep has not run
    assert alice.call("GET", f"/api/videos/{video['id']}").status_code == 404
    assert alice.call("GET", f"/api/videos/{video['id']}/download").status_code == 404
    assert (
        alice.call("POST", f"/api/videos/{video['id']}/favorite", json={"favorite": False}).status_code == 404
    )
    expired = alice.call("GET", "/api/videos", params={"status": "expired"}).json()["items"]
    assert [(v["status"], v["seconds_left"], v["thumbnail_url"]) for v in expired] == [("expired", 0, None)]


def test_download_variants(alice: ApiUser, library: Library) -> None:
    video = library.make_video(alice.user_id, title="Morning Routine: día 1!")
    day = f"{video['created_at']:%Y-%m-%d}"
    expected = {
        "master": (f"morning-routine-d-a-1-{day}.mp4", library.media.clip),
        "small": (f"morning-routine-d-a-1-{day}-720p.mp4", library.media.clip),
        "thumbnail": (f"morning-routine-d-a-1-{day}-thumbnail.jpg", library.media.thumb),
    }
    for variant, (name, body) in expected.items():
        response = alice.call(
            "GET", f"/api/videos/{video['id']}/download", params={"variant": variant}, follow_redirects=False
        )
        assert response.status_code == 302 and response.headers["cache-control"] == "no-store"
        location = response.headers["location"]
        assert parse_qs(urlsplit(location).query)["fn"] == [name]
        fetched = alice.client.get(location)
        assert fetched.content == body and name in fetched.headers["content-disposition"]
    captions = alice.call("GET", f"/api/videos/{video['id']}/download", params={"variant": "captions"})
    assert captions.status_code == 200 and captions.text.startswith("WEBVTT")

    bare = library.make_video(alice.user_id, captions=False, small=False)
    for variant in ("small", "captions"):
        missing = alice.call("GET", f"/api/videos/{bare['id']}/download", params={"variant": variant})
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_available"
        assert missing.json()["error"]["message"]
    assert (
        alice.call("GET", f"/api/videos/{bare['id']}/download", params={"variant": "raw"}).status_code == 422
    )


def test_link_lifetime_never_outlasts_the_video(alice: ApiUser, library: Library) -> None:
    video = library.make_video(alice.user_id)
    clock.advance(timedelta(days=7) - timedelta(seconds=90))
    location = alice.call("GET", f"/api/videos/{video['id']}/download", follow_redirects=False).headers[
        "location"
    ]
    expires = int(parse_qs(urlsplit(location).query)["exp"][0])
    assert expires - clock.now().timestamp() <= 90 + 5


def test_delete_removes_row_and_objects(alice: ApiUser, library: Library) -> None:
    keep = library.make_video(alice.user_id, title="Keep")
    gone = library.make_video(alice.user_id, title="Gone")
    video_files = {k for k in library.stored_keys(alice.user_id) if f"/videos/{gone['id']}/" in k}
    assert len(video_files) == 4
    assert alice.call("DELETE", f"/api/videos/{gone['id']}").status_code == 204
    assert not video_files & library.stored_keys(alice.user_id)
    assert _ids(alice.call("GET", "/api/videos")) == [str(keep["id"])]
    assert alice.call("DELETE", f"/api/videos/{gone['id']}").status_code == 404
    library.assert_no_orphans()
