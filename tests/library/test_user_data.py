"""Your data: export holds exactly the caller's data; import is validated and all or nothing; clear-data
leaves nothing behind, even when it has to be run twice."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from uuid import UUID

import pytest

from reelsmith.domain import clock
from reelsmith.domain.errors import ServiceUnavailable
from reelsmith.services import user_data
from reelsmith.store import jobs, notifications, plans
from tests.api.helpers import ApiUser

from .library import Library


def _export(user: ApiUser) -> dict[str, bytes]:
    response = user.call("GET", "/api/user/export-data")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _import(user: ApiUser, body: bytes, content_type: str = "application/zip"):
    return user.call("POST", "/api/user/import-data", content=body, headers={"Content-Type": content_type})


def _rows_of(user: ApiUser) -> dict[str, int]:
    with user.ctx.db.connection() as conn:
        tables = [
            r["table_name"]
            for r in conn.execute(
                """SELECT table_name FROM information_schema.columns WHERE column_name = 'user_id'
               AND table_schema = current_schema()"""
            ).fetchall()
        ]
        counts = {
            t: conn.execute(
                f"SELECT count(*) AS n FROM {t} WHERE user_id = %s",  # noqa: S608
                (user.user_id,),
            ).fetchone()["n"]
            for t in tables
        }
        counts["users"] = conn.execute(
            "SELECT count(*) AS n FROM users WHERE id = %s", (user.user_id,)
        ).fetchone()["n"]
    return {t: n for t, n in counts.items() if n}


def _alice_world(alice: ApiUser, library: Library) -> dict:
    live = library.make_video(alice.user_id, title="Alice live", prompts=["A red kite", "Over the hills"])
    expired = library.make_video(alice.user_id, title="Alice old", created_at=clock.now() - timedelta(days=9))
    for role, content in (("user", "make it faster"), ("assistant", "Done: shorter shots.")):
        with alice.ctx.db.connection() as conn:  # one transaction each, so the two have distinct times
            plans.add_message(
                conn,
                user_id=alice.user_id,
                project_id=live["project_id"],
                role=role,
                content=content,
                plan_version=1,
            )
    with alice.ctx.db.connection() as conn:
        notifications.add(conn, user_id=alice.user_id, kind="video_ready", title="Your video is ready")
    library.pending_upload(alice.user_id, live["project_id"], created_at=clock.now())
    alice.set_preferences(monthly_budget_usd=12.5)
    return {"live": live, "expired": expired}


def test_export_contains_exactly_the_callers_data(alice: ApiUser, bob: ApiUser, library: Library) -> None:
    world = _alice_world(alice, library)
    bobs = library.make_video(bob.user_id, title="Bob private", prompts=["Bob's prompt"])
    members = _export(alice)

    assert set(members) == set(user_data.ARCHIVE_MEMBERS)
    manifest = json.loads(members["manifest.json"])
    assert manifest["format"] == "reelsmith-export" and manifest["counts"]["videos"] == 2
    assert manifest["counts"] == {
        name: len(json.loads(members[f"{name}.json"])) for name in manifest["counts"]
    }
    assert {p["title"] for p in json.loads(members["projects.json"])} == {"Alice live", "Alice old"}
    assert [m["content"] for m in json.loads(members["chat.json"])] == [
        "make it faster",
        "Done: shorter shots.",
    ]
    assert len(json.loads(members["plans.json"])) == 2 and len(json.loads(members["uploads.json"])) == 1
    assert json.loads(members["settings.json"]) == {"monthly_budget_usd": 12.5}
    assert json.loads(members["account.json"])[0]["email"] == "alice@example.com"
    videos = {v["id"]: v for v in json.loads(members["videos.json"])}
    assert alice.client.get(videos[str(world["live"]["id"])]["download_url"]).content == library.media.clip
    assert videos[str(world["expired"]["id"])]["download_url"] is None

    everything = b"".join(members.values())
    for secret in (
        bob.user_id,
        str(bobs["id"]),
        str(bobs["project_id"]),
        "Bob private",
        "Bob's prompt",
        "bob@example.com",
        '"object_key"',
        '"user_id"',
    ):
        assert secret.encode() not in everything, secret
    library.assert_no_orphans()


def test_import_restores_projects_plans_and_chat_under_new_ids(
    alice: ApiUser, bob: ApiUser, library: Library
) -> None:
    world = _alice_world(alice, library)
    archive = alice.call("GET", "/api/user/export-data").content
    imported = _import(bob, archive)
    assert imported.status_code == 200, imported.text
    assert imported.json()["imported"] == {"projects": 2, "plans": 2, "chat": 2}

    projects = {p["title"]: p for p in bob.call("GET", "/api/projects").json()["items"]}
    assert set(projects) == {"Alice live", "Alice old"}
    restored = projects["Alice live"]
    assert restored["id"] != str(world["live"]["project_id"]) and restored["status"] == "planned"
    plan = bob.call("GET", f"/api/projects/{restored['id']}/plan").json()
    assert [s["prompt"] for s in plan["plan"]["segments"]] == ["A red kite", "Over the hills"]
    chat = bob.call("GET", f"/api/projects/{restored['id']}/chat").json()["items"]
    assert [m["content"] for m in chat] == ["make it faster", "Done: shorter shots."]
    assert bob.call("GET", "/api/videos").json()["items"] == []  # videos expire: not imported
    assert len(alice.call("GET", "/api/projects").json()["items"]) == 2  # Alice untouched


def test_import_refuses_bad_archives_and_writes_nothing(
    alice: ApiUser, bob: ApiUser, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    _alice_world(alice, library)
    good = _export(alice)
    cases = {
        "not a zip": b"this is not a zip file",
        "unexpected member": _zip({**good, "../evil.json": "[]"}),
        "no manifest": _zip({k: v for k, v in good.items() if k != "manifest.json"}),
        "zip bomb": _zip({**good, "chat.json": " " * (user_data.MAX_UNCOMPRESSED_BYTES + 1)}),
        "bad plan": _zip(
            {
                **good,
                "plans.json": json.dumps([{**json.loads(good["plans.json"])[0], "plan": {"segments": []}}]),
            }
        ),
        "orphan chat": _zip(
            {
                **good,
                "chat.json": json.dumps(
                    [{**json.loads(good["chat.json"])[0], "project_id": str(UUID(int=7))}]
                ),
            }
        ),
        "NUL in text": _zip({**good, "chat.json": good["chat.json"].replace(b"make it", b"make\\u0000it")}),
    }
    for name, body in cases.items():
        response = _import(bob, body)
        assert response.status_code == 422, (name, response.text)
        assert response.json()["error"]["code"] in ("invalid_archive", "archive_too_large"), name
    assert _import(bob, _zip(good), content_type="application/json").status_code == 422

    def fail_on_chat(*args, **kwargs):
        raise ServiceUnavailable("the database went away half-way")

    monkeypatch.setattr(user_data.user_data, "insert_chat_messages", fail_on_chat)
    assert _import(bob, _zip(good)).status_code == 503
    assert bob.call("GET", "/api/projects").json()["items"] == []  # all or nothing


def test_clear_data_needs_confirmation_and_leaves_nothing(
    alice: ApiUser, bob: ApiUser, library: Library
) -> None:
    world = _alice_world(alice, library)
    with alice.ctx.db.connection() as conn:
        running = jobs.create(
            conn,
            user_id=alice.user_id,
            project_id=world["live"]["project_id"],
            kind="render",
            plan_version=1,
            idempotency_key=None,
            request_hash="x",
        )
    bobs = library.make_video(bob.user_id)

    for body in (None, {}, {"confirm": "yes"}, {"confirm": "delete my data"}):
        assert alice.call("POST", "/api/user/clear-data", json=body).status_code == 422
    assert alice.call("GET", f"/api/jobs/{running['id']}").json()["status"] == "queued"

    cleared = alice.call("POST", "/api/user/clear-data", json={"confirm": "DELETE MY DATA"})
    assert cleared.status_code == 200, cleared.text
    deleted = cleared.json()["deleted"]
    assert deleted["videos"] == 2 and deleted["projects"] == 2 and deleted["objects"] > 0
    assert _rows_of(alice) == {} and library.stored_keys(alice.user_id) == set()
    library.assert_no_orphans()

    assert alice.call("GET", "/api/projects").json()["items"] == []  # the account still works
    assert bob.call("GET", f"/api/videos/{bobs['id']}").status_code == 200


def test_clear_data_finishes_after_a_crash_half_way(
    alice: ApiUser, any_library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = any_library
    _alice_world(alice, lib)
    real_delete, deleted = lib.ctx.store.delete, []

    def crash_after_three(key: str) -> None:
        if len(deleted) == 3:
            raise ServiceUnavailable("storage went away")
        deleted.append(key)
        real_delete(key)

    monkeypatch.setattr(lib.ctx.store, "delete", crash_after_three)
    crashed = alice.call("POST", "/api/user/clear-data", json={"confirm": "DELETE MY DATA"})
    assert crashed.status_code == 503
    half = lib.audit()
    assert half.rows_without_objects and not half.objects_without_rows  # rows wait for the re-run

    monkeypatch.setattr(lib.ctx.store, "delete", real_delete)
    again = alice.call("POST", "/api/user/clear-data", json={"confirm": "DELETE MY DATA"})
    assert again.status_code == 200, again.text
    assert _rows_of(alice) == {} and lib.stored_keys(alice.user_id) == set()
    lib.assert_no_orphans()
