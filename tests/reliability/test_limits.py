"""Per-user rate and concurrency limits on the routes that spend money (catalogue case 23).

Past a limit the answer is 429 with Retry-After and a stable code, and nothing is spent: no job row,
no execution, no provider call, no signed URL. Replays of a request are never refused, the cap on
unfinished jobs is exact under a burst, and one user's limit never touches another's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from reelsmith.domain import clock
from reelsmith.domain.plan import AudioStrategy, Plan, PostProduction, Segment
from reelsmith.pipeline.planning import save_plan
from reelsmith.settings import Settings
from tests.api.faults import FaultyVideo
from tests.api.helpers import ApiUser

from . import figures

BURST = 12


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "public_url": "http://testserver",
            "jobs_per_minute": 3,
            "assistant_per_minute": 2,
            "uploads_per_minute": 2,
            "max_active_jobs": 2,
        }
    )


@pytest.fixture(autouse=True)
def frozen() -> Iterator[datetime]:
    """The clock stopped at the start of a minute, so each window is whole; tests travel, never sleep."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    yield clock.freeze(now)
    clock.unfreeze()


@pytest.fixture
def stuck(alice: ApiUser) -> Iterator[FaultyVideo]:
    """Every clip stays pending until released, so started renders stay unfinished."""
    wrapper = FaultyVideo(alice.ctx.providers.video("animatic"), hang=set(range(10)))
    alice.ctx.providers.use_video("offline", wrapper)
    yield wrapper
    wrapper.release.set()


def _planned_project(user: ApiUser, title: str = "Limits") -> str:
    project = user.create_project(title)
    plan = Plan(
        target_duration=1,
        segments=[Segment(index=0, duration=1, prompt="A quiet street")],
        audio=AudioStrategy(voiceover=False),
        post=PostProduction(captions=False),
    )
    with user.ctx.db.connection() as conn:
        save_plan(conn, user_id=user.user_id, project_id=project["id"], plan=plan, source="edit")
    return project["id"]


def _render(user: ApiUser, project_id: str, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return user.call("POST", "/api/generate-video", json={"project_id": project_id}, headers=headers)


def _refused(response: Any, code: str) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == code
    assert int(response.headers["Retry-After"]) >= 1
    figures.count("requests refused with 429")


def _job_count(user: ApiUser) -> int:
    with user.ctx.db.connection() as conn:
        return conn.execute("SELECT count(*) AS n FROM jobs WHERE user_id = %s", (user.user_id,)).fetchone()[
            "n"
        ]


def _cancel_all(user: ApiUser) -> None:
    for job in user.call("GET", "/api/jobs").json()["items"]:
        if job["status"] in ("queued", "running", "paused"):
            user.call("POST", f"/api/jobs/{job['id']}/cancel")


def test_job_starts_are_rate_limited_per_minute(alice: ApiUser, bob: ApiUser, stuck: FaultyVideo) -> None:
    projects = [_planned_project(alice, f"Reel {i}") for i in range(4)]
    first = _render(alice, projects[0], key="first")
    assert first.status_code == 202
    _cancel_all(alice)
    for project in projects[1:3]:
        assert _render(alice, project).status_code == 202
        _cancel_all(alice)
    submits = len(stuck.submits)
    _refused(_render(alice, projects[3]), "rate_limited")
    assert _job_count(alice) == 3 and len(stuck.submits) == submits  # nothing started, nothing paid

    replay = _render(alice, projects[0], key="first")  # a retried request is answered, never refused
    assert replay.status_code == 202 and replay.json()["id"] == first.json()["id"]
    assert _render(bob, _planned_project(bob)).status_code == 202  # another user's budget is his own
    _cancel_all(bob)

    clock.advance(timedelta(seconds=60))  # the next window
    assert _render(alice, projects[3]).status_code == 202
    _cancel_all(alice)


def test_unfinished_jobs_are_capped_exactly_under_a_burst(alice: ApiUser, stuck: FaultyVideo) -> None:
    """A burst of starts on different projects at once: exactly max_active_jobs of them get through."""
    alice.ctx.settings.jobs_per_minute = 2 * BURST  # the cap under test is the concurrency one
    projects = [_planned_project(alice, f"Burst {i}") for i in range(BURST)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda p: _render(alice, p), projects))
    statuses = Counter(a.status_code for a in answers)
    assert statuses == Counter({202: 2, 429: BURST - 2}), statuses
    for answer in answers:
        if answer.status_code == 429:
            _refused(answer, "too_many_active_jobs")
    assert _job_count(alice) == 2

    _cancel_all(alice)  # a finished job frees its slot
    late = next(p for p, a in zip(projects, answers, strict=True) if a.status_code == 429)
    assert _render(alice, late).status_code == 202
    _cancel_all(alice)


def test_the_assistant_is_rate_limited(alice: ApiUser) -> None:
    project = _planned_project(alice)
    assert alice.call(
        "POST", "/api/chat", json={"project_id": project, "message": "make it 2 seconds"}
    ).is_success
    assert alice.call("POST", "/api/generate-plan", json={"project_id": project}).status_code == 201
    before = len(alice.call("GET", f"/api/projects/{project}/chat").json()["items"])
    _refused(
        alice.call("POST", "/api/chat", json={"project_id": project, "message": "add captions"}),
        "rate_limited",
    )
    assert len(alice.call("GET", f"/api/projects/{project}/chat").json()["items"]) == before  # nothing stored
    clock.advance(timedelta(minutes=1))
    assert alice.call("POST", "/api/generate-plan", json={"project_id": project}).status_code == 201


def test_uploads_are_rate_limited_and_a_refused_one_signs_nothing(alice: ApiUser, small_sample) -> None:
    project = alice.create_project()["id"]
    for _ in range(2):
        assert alice.start_upload(project, "sample_video", small_sample.path).status_code == 201
    refused = alice.start_upload(project, "sample_video", small_sample.path)
    _refused(refused, "rate_limited")
    assert "url" not in refused.json()
    assert len(alice.call("GET", f"/api/projects/{project}").json()["uploads"]) == 2


def test_another_users_project_is_404_before_any_limit(alice: ApiUser, bob: ApiUser) -> None:
    project = _planned_project(alice)
    for _ in range(5):
        assert _render(bob, project).status_code == 404
    assert _render(alice, project).status_code == 202
    _cancel_all(alice)


def test_an_upload_completes_even_when_its_auto_analysis_is_refused(
    alice: ApiUser, stuck: FaultyVideo, small_sample
) -> None:
    alice.ctx.settings.jobs_per_minute = 10  # the cap under test is the concurrency one
    for i in range(2):  # fill both job slots
        assert _render(alice, _planned_project(alice, f"Busy {i}")).status_code == 202
    alice.set_preferences(auto_analyze=True)
    project = alice.create_project()["id"]
    done = alice.upload(project, "sample_video", small_sample.path)
    assert done.status_code == 200 and done.json()["status"] == "ready"
    assert alice.latest_job(project) is None  # no analysis started; the user can start it later
    _refused(alice.call("POST", "/api/analyze", json={"project_id": project}), "too_many_active_jobs")
    _cancel_all(alice)
    assert alice.call("POST", "/api/analyze", json={"project_id": project}).status_code == 202
