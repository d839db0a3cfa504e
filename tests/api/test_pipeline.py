"""The main job through the API and the real state machine on the local engine, with faults."""

from __future__ import annotations

import time

import av
import pytest

from reelsmith.domain.errors import Conflict

from .faults import FaultyVideo
from .helpers import ApiUser


def _analysed_project(user: ApiUser, sample, **prefs) -> dict:
    """Upload the sample: analysis starts by itself and writes the first plan."""
    user.set_preferences(**prefs)
    project = user.create_project("Pipeline", brief="A calm morning routine")
    assert user.upload(project["id"], "sample_video", sample.path).status_code == 200
    job = user.latest_job(project["id"])
    assert job is not None and job["kind"] == "analyze"
    finished = user.wait_job(job["id"])
    assert finished["status"] == "succeeded", finished
    return project


def _faulty(user: ApiUser, **faults) -> FaultyVideo:
    wrapper = FaultyVideo(user.ctx.providers.video("animatic"), **faults)
    user.ctx.providers.use_video("offline", wrapper)
    return wrapper


def _render(user: ApiUser, project_id: str, **kwargs) -> dict:
    started = user.call("POST", "/api/generate-video", json={"project_id": project_id}, **kwargs)
    assert started.status_code == 202, started.text
    return started.json()


def test_sample_to_finished_video(alice: ApiUser, small_sample, tmp_path) -> None:
    project = _analysed_project(alice, small_sample)
    analysis = alice.call("GET", f"/api/projects/{project['id']}/analysis").json()
    assert analysis["report"]["shots"] and analysis["summary"]
    plan = alice.call("GET", f"/api/projects/{project['id']}/plan").json()
    target = plan["plan"]["target_duration"]
    assert 0 < target <= 60 and plan["cost"]["total_usd"] == 0

    job = _render(alice, project["id"], headers={"Idempotency-Key": "render-1"})
    again = _render(alice, project["id"], headers={"Idempotency-Key": "render-1"})
    assert again["id"] == job["id"]  # same job, no second execution
    while_running = _render(alice, project["id"])
    assert while_running["id"] == job["id"]
    finished = alice.wait_job(job["id"])
    assert finished["status"] == "succeeded", finished
    assert finished["percent"] == 100 and finished["video_id"]
    assert all(a["status"] == "succeeded" and a["preview_url"] for a in finished["assets"])
    assert any(a["kind"] == "voiceover" for a in finished["assets"])

    with alice.ctx.db.connection() as conn:
        key = conn.execute("SELECT object_key FROM videos WHERE id = %s", (finished["video_id"],)).fetchone()
    path = tmp_path / "out.mp4"
    alice.ctx.store.download_file(key["object_key"], path)
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (1080, 1920)
        duration = float(container.duration) / 1_000_000
        assert abs(duration - target) <= 0.1 and duration <= 60
        assert container.streams.audio, "the video has a voice-over track"

    reused = alice.call(
        "POST",
        "/api/generate-video",
        json={"project_id": project["id"]},
        headers={"Idempotency-Key": "render-1"},
    )
    assert reused.json()["id"] == job["id"]
    conflict = alice.call(
        "POST",
        "/api/generate-video",
        json={"project_id": project["id"], "plan_version": 1},
        headers={"Idempotency-Key": "render-1"},
    )
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "idempotency_key_reused"


def test_a_failing_segment_fails_the_job_and_regenerate_repairs_it(alice: ApiUser, small_sample) -> None:
    project = _analysed_project(alice, small_sample)
    faults = _faulty(alice, fail_permanently={1})
    failed = alice.wait_job(_render(alice, project["id"])["id"])
    assert failed["status"] == "failed" and failed["error_code"] == "segments_failed"
    assert "2" in failed["error_message"]
    segments = {a["index"]: a for a in failed["assets"] if a["kind"] == "video_segment"}
    assert segments[1]["status"] == "failed" and segments[1]["error_code"]
    assert all(a["status"] == "succeeded" for i, a in segments.items() if i != 1)

    faults.fail_permanently.clear()
    submitted_before = len(faults.submits)
    repaired = alice.call("POST", f"/api/projects/{project['id']}/regenerate")
    assert repaired.status_code == 202, repaired.text
    done = alice.wait_job(repaired.json()["id"])
    assert done["status"] == "succeeded", done
    statuses = {a["index"]: a["status"] for a in done["assets"] if a["kind"] == "video_segment"}
    assert statuses[1] == "succeeded" and all(s == "reused" for i, s in statuses.items() if i != 1)
    assert faults.submits[submitted_before:] == [1]  # only the failed one was paid for


def test_transient_throttle_is_retried_without_a_second_task(alice: ApiUser, small_sample) -> None:
    project = _analysed_project(alice, small_sample)
    faults = _faulty(alice, throttle_once={0})
    done = alice.wait_job(_render(alice, project["id"])["id"])
    assert done["status"] == "succeeded", done
    assert faults.submits.count(0) == 1
    with alice.ctx.db.connection() as conn:
        attempts = conn.execute(
            """SELECT count(*) AS n FROM asset_attempts a JOIN job_assets ja ON ja.id = a.job_asset_id
               WHERE ja.job_id = %s AND ja.idx = 0 AND ja.kind = 'video_segment'""",
            (done["id"],),
        ).fetchone()
    assert attempts["n"] == 1


def test_a_crashing_step_fails_the_job_cleanly(alice: ApiUser, small_sample, monkeypatch) -> None:
    import reelsmith.pipeline.analyze as analyze_step

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail at /var/task")

    monkeypatch.setattr(analyze_step, "analyze_video", explode)
    alice.set_preferences(auto_analyze=False)
    project = alice.create_project()
    alice.upload(project["id"], "sample_video", small_sample.path)
    job = alice.call("POST", "/api/analyze", json={"project_id": project["id"]}).json()
    failed = alice.wait_job(job["id"])
    assert failed["status"] == "failed" and failed["error_code"] == "internal_error"
    assert "secret" not in failed["error_message"]


def test_cancel_stops_the_execution_and_provider_tasks(alice: ApiUser, small_sample) -> None:
    project = _analysed_project(alice, small_sample)
    faults = _faulty(alice, hang={0})
    job = _render(alice, project["id"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        view = alice.call("GET", f"/api/jobs/{job['id']}").json()
        if any(
            a["index"] == 0 and a["status"] == "submitted"
            for a in view["assets"]
            if a["kind"] == "video_segment"
        ):
            break
        time.sleep(0.1)
    cancelled = alice.call("POST", f"/api/jobs/{job['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert faults.cancelled, "the provider task was cancelled"
    with alice.ctx.db.connection() as conn:
        arn = conn.execute("SELECT execution_arn FROM jobs WHERE id = %s", (job["id"],)).fetchone()[
            "execution_arn"
        ]
    deadline = time.monotonic() + 30
    while alice.ctx.workflow.describe(arn).status == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.1)
    # AWS reports ABORTED; moto's interpreter ends a Map stopped mid-iteration with States.Runtime.
    # Either way nothing ran after the cancel that changed the job: it stays cancelled, no video.
    assert alice.ctx.workflow.describe(arn).status in ("ABORTED", "FAILED")
    after = alice.call("GET", f"/api/jobs/{job['id']}").json()
    assert after["status"] == "cancelled" and after["video_id"] is None
    assert any(a["status"] == "cancelled" for a in after["assets"])
    twice = alice.call("POST", f"/api/jobs/{job['id']}/cancel")
    assert twice.status_code == 200
    faults.release.set()


def test_duplicate_execution_is_refused(alice: ApiUser, small_sample) -> None:
    project = _analysed_project(alice, small_sample)
    job = alice.latest_job(project["id"])
    with pytest.raises(Conflict):
        alice.ctx.workflow.start(
            job["id"],
            {
                "action": "analyze",
                "job_id": job["id"],
                "poll_seconds": 0,
                "poll_budget": 5,
                "max_concurrency": 1,
            },
        )
