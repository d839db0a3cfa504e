"""Share links: unguessable, stored hashed, bounded by the video's life, revocable, revealing nothing else."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from html import unescape

from reelsmith.domain import clock
from tests.api.helpers import ApiUser

from .library import Library


def _token(url: str) -> str:
    return url.rsplit("/s/", 1)[1]


def _notifications(user: ApiUser, kind: str) -> list[dict]:
    return [n for n in user.call("GET", "/api/notifications").json()["items"] if n["kind"] == kind]


def test_share_link_lifecycle(alice: ApiUser, library: Library) -> None:
    video = library.make_video(alice.user_id, title="Alice's secret project", description="private notes")
    created = alice.call("POST", f"/api/videos/{video['id']}/share", json={})
    assert created.status_code == 200, created.text
    share = created.json()
    token = _token(share["url"])
    assert share["url"].startswith("http://testserver/s/") and len(token) >= 43
    assert share["expires_at"].startswith(f"{video['expires_at']:%Y-%m-%dT%H:%M:%S}")
    with alice.ctx.db.connection() as conn:
        stored = conn.execute("SELECT share_token_hash FROM videos WHERE id = %s", (video["id"],)).fetchone()
    assert stored["share_token_hash"] == hashlib.sha256(token.encode()).hexdigest() != token

    page = alice.client.get(f"/s/{token}")  # no Authorization header
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    text_without_links = re.sub(r'(src|poster)="[^"]*"', "", page.text)
    for private in (
        "Alice",
        "secret",
        "private",
        "alice@example.com",
        alice.user_id,
        str(video["project_id"]),
    ):
        assert private not in text_without_links, private
    video_url = unescape(re.search(r'<video src="([^"]+)"', page.text).group(1))
    assert alice.client.get(video_url).content == library.media.clip
    detail = alice.call("GET", f"/api/videos/{video['id']}").json()
    assert detail["shared"] and detail["share"]["active"]

    assert alice.call("DELETE", f"/api/videos/{video['id']}/share").status_code == 204
    gone = alice.client.get(f"/s/{token}")
    unknown = alice.client.get("/s/" + "A" * 43)
    garbage = alice.client.get("/s/<script>")
    assert gone.status_code == unknown.status_code == garbage.status_code == 404
    assert gone.text == unknown.text == garbage.text and gone.headers["referrer-policy"] == "no-referrer"
    assert not alice.call("GET", f"/api/videos/{video['id']}").json()["shared"]


def test_share_expiry_is_capped_and_enforced(alice: ApiUser, library: Library) -> None:
    video = library.make_video(alice.user_id)
    short = alice.call("POST", f"/api/videos/{video['id']}/share", json={"expires_in_hours": 2}).json()
    assert alice.client.get(f"/s/{_token(short['url'])}").status_code == 200
    clock.advance(timedelta(hours=2, seconds=1))
    assert alice.client.get(f"/s/{_token(short['url'])}").status_code == 404

    too_long = alice.call("POST", f"/api/videos/{video['id']}/share", json={"expires_in_hours": 24 * 30})
    assert too_long.status_code == 422
    clock.advance(timedelta(days=6, hours=20))  # 2 h 59 min of the video's life left
    capped = alice.call("POST", f"/api/videos/{video['id']}/share", json={"expires_in_hours": 100}).json()
    assert capped["expires_at"].startswith(f"{video['expires_at']:%Y-%m-%dT%H:%M}")
    assert alice.client.get(f"/s/{_token(capped['url'])}").status_code == 200
    clock.advance(timedelta(hours=3))  # the video expired: so did the link
    assert alice.client.get(f"/s/{_token(capped['url'])}").status_code == 404
    assert alice.call("POST", f"/api/videos/{video['id']}/share", json={}).status_code == 404


def test_a_new_link_replaces_the_old_one(alice: ApiUser, library: Library) -> None:
    video = library.make_video(alice.user_id)
    first = _token(alice.call("POST", f"/api/videos/{video['id']}/share").json()["url"])
    second = _token(alice.call("POST", f"/api/videos/{video['id']}/share").json()["url"])
    assert first != second
    assert alice.client.get(f"/s/{first}").status_code == 404
    assert alice.client.get(f"/s/{second}").status_code == 200


def test_opening_notifies_the_owner_at_most_hourly(alice: ApiUser, library: Library) -> None:
    video = library.make_video(alice.user_id, title="Popular")
    token = _token(alice.call("POST", f"/api/videos/{video['id']}/share").json()["url"])
    for _ in range(3):
        alice.client.get(f"/s/{token}")
    opened = _notifications(alice, "share_opened")
    assert len(opened) == 1 and opened[0]["video_id"] == str(video["id"])
    clock.advance(timedelta(minutes=61))
    alice.client.get(f"/s/{token}")
    assert len(_notifications(alice, "share_opened")) == 2
