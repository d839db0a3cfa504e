"""Uploads: presigned PUT, server-side verification, and hostile files refused with nothing left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelsmith.media.samples import make_image
from tests.media.hostile import LoopbackListener, hostile_corpus

from .helpers import ApiUser


def _objects(alice: ApiUser) -> list[str]:
    root = Path(alice.ctx.settings.resolved_storage_dir)
    return [str(p) for p in root.rglob("*") if p.is_file() and ".meta" not in p.parts]


def test_upload_sample_and_image(alice: ApiUser, small_sample, tmp_path: Path) -> None:
    alice.set_preferences(auto_analyze=False)
    project = alice.create_project()
    done = alice.upload(project["id"], "sample_video", small_sample.path)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "ready" and "object_key" not in body
    assert body["probe"]["display_width"] == 360 and body["probe"]["display_height"] == 640

    image = make_image(tmp_path / "character.png", (256, 256))
    assert alice.upload(project["id"], "character_image", image).status_code == 200

    again = alice.call("POST", f"/api/projects/{project['id']}/uploads/{body['id']}/complete")
    assert again.status_code == 200 and again.json()["id"] == body["id"]  # idempotent

    uploads = alice.call("GET", f"/api/projects/{project['id']}").json()["uploads"]
    assert sorted(u["kind"] for u in uploads) == ["character_image", "sample_video"]


def test_presigned_put_is_bound_to_type_and_size(alice: ApiUser, small_sample) -> None:
    project = alice.create_project()
    grant = alice.start_upload(project["id"], "sample_video", small_sample.path).json()
    data = small_sample.path.read_bytes()
    wrong_type = alice.client.put(grant["url"], content=data, headers={"Content-Type": "text/html"})
    assert wrong_type.status_code in (401, 422)
    too_long = alice.client.put(grant["url"], content=data + b"x", headers=grant["headers"])
    assert too_long.status_code == 422
    tampered = alice.client.put(grant["url"].replace("sig=", "sig=0"), content=data, headers=grant["headers"])
    assert tampered.status_code == 401


def test_complete_before_put_and_wrong_size(alice: ApiUser, small_sample) -> None:
    project = alice.create_project()
    grant = alice.start_upload(project["id"], "sample_video", small_sample.path).json()
    early = alice.call("POST", f"/api/projects/{project['id']}/uploads/{grant['upload']['id']}/complete")
    assert early.status_code == 422 and early.json()["error"]["code"] == "upload_missing"

    # Declare more bytes than we send: the signed length refuses the PUT, nothing is stored.
    declared = alice.start_upload(
        project["id"], "sample_video", small_sample.path, size=small_sample.path.stat().st_size + 10
    ).json()
    put = alice.client.put(
        declared["url"], content=small_sample.path.read_bytes(), headers=declared["headers"]
    )
    assert put.status_code == 422
    assert _objects(alice) == []


def test_limits_checked_before_signing(alice: ApiUser) -> None:
    project = alice.create_project()
    base = {"kind": "sample_video", "filename": "x.mp4"}
    cases = [
        ({**base, "content_type": "text/html", "size_bytes": 10}, "unsupported_content_type"),
        ({**base, "content_type": "video/mp4", "size_bytes": 10 * 1024**3}, "file_too_large"),
        ({**base, "content_type": "video/mp4", "size_bytes": 0}, "validation_failed"),
        ({**base, "kind": "spreadsheet", "content_type": "video/mp4", "size_bytes": 10}, "validation_failed"),
    ]
    for body, code in cases:
        response = alice.call("POST", f"/api/projects/{project['id']}/uploads", json=body)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == code


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    """The hostile files, made once; their playlists point at a loopback canary that counts connections."""
    with LoopbackListener() as canary:
        yield canary, hostile_corpus(tmp_path_factory.mktemp("hostile"), canary.url)


@pytest.mark.parametrize(
    "case",
    ["hls_playlist", "ffconcat", "text", "truncated_mp4", "png_as_video", "too_long", "no_video_stream"],
)
def test_hostile_uploads_are_refused_and_removed(alice: ApiUser, corpus, case: str) -> None:
    canary, files = corpus
    hostile = files[case]
    project = alice.create_project()
    response = alice.upload(project["id"], hostile.kind.value, hostile.path, content_type="video/mp4")
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == hostile.code
    assert canary.connections == 0
    assert _objects(alice) == []
    assert alice.call("GET", f"/api/projects/{project['id']}").json()["uploads"] == []
