"""Plans through the API: versions, chat edits with a diff, direct edits, restore, cost and the budget."""

from __future__ import annotations

import time

from .faults import FaultyVideo
from .helpers import ApiUser


def _planned_project(user: ApiUser, sample) -> dict:
    project = user.create_project("Plans", brief="Morning light. Coffee. Quiet minutes. Make them count.")
    assert user.upload(project["id"], "sample_video", sample.path).status_code == 200
    assert user.wait_job(user.latest_job(project["id"])["id"])["status"] == "succeeded"
    return project


def test_chat_edits_make_versions_and_restore_brings_one_back(alice: ApiUser, small_sample) -> None:
    project = _planned_project(alice, small_sample)
    first = alice.call("GET", f"/api/projects/{project['id']}/plan").json()
    assert first["version"] == 1 and first["cost"]["total_usd"] == 0

    chat = alice.call("POST", "/api/chat", json={"project_id": project["id"], "message": "make it 6 seconds"})
    assert chat.status_code == 200, chat.text
    body = chat.json()
    assert body["plan"]["version"] == 2 and body["plan"]["plan"]["target_duration"] == 6
    assert body["changes"] and body["reply"]["role"] == "assistant" and body["reply"]["plan_version"] == 2

    nothing = alice.call("POST", "/api/chat", json={"project_id": project["id"], "message": "hello there"})
    assert nothing.json()["plan"] is None and nothing.json()["not_understood"]

    history = alice.call("GET", f"/api/projects/{project['id']}/chat").json()["items"]
    assert [m["role"] for m in history] == ["user", "assistant", "user", "assistant"]

    restored = alice.call("POST", f"/api/projects/{project['id']}/plans/1/restore")
    assert restored.status_code == 201 and restored.json()["version"] == 3
    assert restored.json()["plan"] == first["plan"] and restored.json()["source"] == "restore"
    versions = alice.call("GET", f"/api/projects/{project['id']}/plans").json()["items"]
    assert [v["version"] for v in versions] == [3, 2, 1]


def test_direct_edit_is_validated_and_saved_as_a_new_version(alice: ApiUser, small_sample) -> None:
    project = _planned_project(alice, small_sample)
    edited = alice.call(
        "PATCH",
        f"/api/projects/{project['id']}/plans/1",
        json={"changes": {"segments": [{"index": 0, "prompt": "A steaming cup, close up"}]}},
    )
    assert edited.status_code == 201, edited.text
    assert edited.json()["plan"]["segments"][0]["prompt"] == "A steaming cup, close up"
    assert "Segment 1" in edited.json()["note"]

    bad = alice.call(
        "PATCH",
        f"/api/projects/{project['id']}/plans/1",
        json={"changes": {"segments": [{"index": 99, "prompt": "x"}]}},
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_plan"
    assert alice.call("GET", f"/api/projects/{project['id']}/plan").json()["version"] == 2


def test_a_render_over_the_budget_is_refused_before_spending(alice: ApiUser, small_sample) -> None:
    project = _planned_project(alice, small_sample)
    plan = alice.call("GET", f"/api/projects/{project['id']}/plan").json()
    # A paid model in the plan (its provider is not configured, but the estimate is what counts).
    with alice.ctx.db.connection() as conn:
        paid = {
            **plan["plan"],
            "segments": [{**s, "model": "veo3.1_fast", "duration": 4} for s in plan["plan"]["segments"][:1]],
            "target_duration": 4,
        }
        from reelsmith.domain.plan import Plan
        from reelsmith.pipeline.planning import save_plan

        save_plan(
            conn,
            user_id=alice.user_id,
            project_id=project["id"],
            plan=Plan.model_validate(paid),
            source="edit",
        )
    alice.set_preferences(monthly_budget_usd=0.10)
    refused = alice.call("POST", "/api/generate-video", json={"project_id": project["id"]})
    assert refused.status_code == 402 and refused.json()["error"]["code"] == "budget_exceeded"
    assert "$0.60" in refused.json()["error"]["message"]
    with alice.ctx.db.connection() as conn:
        jobs = conn.execute("SELECT count(*) AS n FROM jobs WHERE kind = 'render'").fetchone()["n"]
    assert jobs == 0


def test_pause_holds_new_submissions_and_resume_finishes(alice: ApiUser, small_sample, monkeypatch) -> None:
    project = _planned_project(alice, small_sample)
    # Polls run back to back in tests (poll_seconds 0): the held clips must not run out of polls.
    monkeypatch.setattr(alice.ctx.settings, "poll_budget", 1_000_000)
    faults = FaultyVideo(alice.ctx.providers.video("animatic"), hang={0, 1, 2, 3})
    alice.ctx.providers.use_video("offline", faults)
    job = alice.call("POST", "/api/generate-video", json={"project_id": project["id"]}).json()
    paused = alice.call("POST", f"/api/jobs/{job['id']}/pause")
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    time.sleep(3.0)  # let in-flight items settle into their poll loops
    held = len(faults.submits)
    time.sleep(1.5)
    assert len(faults.submits) == held < 4  # nothing new was submitted while paused
    assert alice.call("GET", f"/api/jobs/{job['id']}").json()["status"] == "paused"

    resumed = alice.call("POST", f"/api/jobs/{job['id']}/resume")
    assert resumed.status_code == 200 and resumed.json()["status"] == "running"
    faults.release.set()
    assert alice.wait_job(job["id"])["status"] == "succeeded"
    assert sorted(faults.submits) == [0, 1, 2, 3]
