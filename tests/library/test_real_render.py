"""One render through the real pipeline: the library serves it, and after expiry the sweep and the
audit agree with everything the pipeline stored (uploads, keyframes, clips, voice-over, deliverables)."""

from __future__ import annotations

from datetime import timedelta

from reelsmith.domain import clock
from reelsmith.pipeline.cleanup import run_cleanup
from tests.api.helpers import ApiUser

from .library import Library


def test_a_rendered_video_in_the_library_until_it_expires(
    alice: ApiUser, library: Library, small_sample
) -> None:
    project = alice.create_project("Real render", brief="A calm morning routine")
    assert alice.upload(project["id"], "sample_video", small_sample.path).status_code == 200
    assert alice.wait_job(alice.latest_job(project["id"])["id"])["status"] == "succeeded"
    started = alice.call("POST", "/api/generate-video", json={"project_id": project["id"]})
    assert started.status_code == 202, started.text
    job = alice.wait_job(started.json()["id"])
    assert job["status"] == "succeeded", job
    library.assert_no_orphans()

    listed = alice.call("GET", "/api/videos", params={"q": "morning"}).json()["items"]
    assert [v["id"] for v in listed] == [job["video_id"]]
    assert listed[0]["width"] == 1080 and listed[0]["height"] == 1920 and listed[0]["thumbnail_url"]
    master = alice.call("GET", f"/api/videos/{job['video_id']}/download", follow_redirects=False)
    assert master.status_code == 302 and alice.client.get(master.headers["location"]).content[4:8] == b"ftyp"

    clock.advance(timedelta(days=7, minutes=5))
    report = run_cleanup(library.ctx)
    assert report.videos_expired == 1 and report.jobs_cleaned == 1
    assert not [k for k in library.stored_keys(alice.user_id) if "/videos/" in k or "/jobs/" in k]
    library.assert_no_orphans()
