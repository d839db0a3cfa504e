"""Provider faults injected at the HTTP transport of Runway, Veo and ElevenLabs during real renders.

The real vendor adapters (their SDKs included) run against the fakes of tests/providers/fakes.py;
the real state machine retries on the local engine. Each render walks one request sequence with
faults at chosen places (Map concurrency 1 makes the order fixed): 429 with Retry-After, 5xx, a
reset and a hang (the client's timeout), malformed JSON, a content refusal, and a task that never
finishes. The job must end in the right state, nothing may be paid twice, and the user must see why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from reelsmith.domain.plan import AudioStrategy, Plan, PostProduction, Segment
from reelsmith.media.samples import make_sample_video
from reelsmith.pipeline.planning import save_plan
from reelsmith.providers.elevenlabs import ElevenLabsVoiceGenerator
from reelsmith.providers.runway import RunwayVideoGenerator
from reelsmith.providers.veo import VeoVideoGenerator
from reelsmith.services.context import AppContext
from reelsmith.settings import Settings
from tests.api.helpers import ApiUser
from tests.providers.fakes import (
    FakeElevenLabs,
    FakeRunway,
    FakeVeo,
    FileServer,
    fake_google_credentials,
    make_mp3,
)

from . import figures

Responder = Callable[[httpx.Request], httpx.Response]
CLIP_SECONDS = {"runway": 2, "veo": 4}
POLL_BUDGET = 6


def throttled(request: httpx.Request) -> httpx.Response:
    return httpx.Response(429, json={"error": "Too many requests."}, headers={"Retry-After": "1"})


def server_error(request: httpx.Request) -> httpx.Response:
    return httpx.Response(500, json={"error": "Internal error."})


def unavailable(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        503, json={"error": {"code": 503, "message": "Unavailable.", "status": "UNAVAILABLE"}}
    )


def reset(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError("peer closed connection without sending a response", request=request)


def hang(request: httpx.Request) -> httpx.Response:
    """What the client's timeout turns a hung connection into, without the wait."""
    raise httpx.ReadTimeout("timed out", request=request)


def malformed(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=b'{"id": "half a resp', headers={"content-type": "application/json"})


def empty_object(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={})


def runway_kind(request: httpx.Request) -> str:
    if request.method == "POST" and request.url.path.endswith("_to_video"):
        return "create"
    return "poll" if request.method == "GET" else request.method.lower()


def veo_kind(request: httpx.Request) -> str:
    return "create" if request.url.path.endswith(":predictLongRunning") else "poll"


def speech_kind(request: httpx.Request) -> str:
    return "speech" if "/text-to-speech/" in request.url.path else "other"


@dataclass
class Script:
    """Faults by (request kind, n-th request of that kind); every request is counted by kind."""

    classify: Callable[[httpx.Request], str]
    faults: dict[tuple[str, int], Responder] = field(default_factory=dict)
    seen: Counter[str] = field(default_factory=Counter)

    def fault_for(self, request: httpx.Request) -> Responder | None:
        kind = self.classify(request)
        self.seen[kind] += 1
        return self.faults.get((kind, self.seen[kind]))


class Scripted:
    """Mixed into a fake vendor: the script's fault first, else the vendor's normal answer."""

    script: Script

    def _handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)  # type: ignore[attr-defined]
        if (fault := self.script.fault_for(request)) is not None:
            figures.count("provider faults injected")
            return fault(request)
        return self.respond(request)  # type: ignore[attr-defined]


@dataclass
class ScriptedRunway(Scripted, FakeRunway):
    """Runway whose successive tasks walk the state lists of ``task_states`` (then the default)."""

    script: Script = field(default_factory=lambda: Script(runway_kind))
    task_states: list[list[str]] = field(default_factory=list)

    def respond(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("_to_video") and self.task_states:
            self.states = self.task_states.pop(0)
            try:
                return super().respond(request)
            finally:
                self.states = ("PENDING", "RUNNING", "SUCCEEDED")
        return super().respond(request)


@dataclass
class ScriptedVeo(Scripted, FakeVeo):
    """Veo whose successive operations end with the outcomes of ``outcomes`` (then "video")."""

    script: Script = field(default_factory=lambda: Script(veo_kind))
    outcomes: list[str] = field(default_factory=list)
    outcome_of: dict[str, str] = field(default_factory=dict)

    def respond(self, request: httpx.Request) -> httpx.Response:
        response = super().respond(request)
        if request.url.path.endswith(":predictLongRunning") and response.status_code == 200:
            self.outcome_of[response.json()["name"]] = self.outcomes.pop(0) if self.outcomes else "video"
        return response

    def operation_json(self, name: str, *, done: bool) -> dict[str, Any]:
        self.outcome = self.outcome_of.get(name, "video")
        return super().operation_json(name, done=done)


@dataclass
class ScriptedElevenLabs(Scripted, FakeElevenLabs):
    script: Script = field(default_factory=lambda: Script(speech_kind))


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("provider-clips")
    made = {
        vendor: make_sample_video(
            folder / f"{vendor}.mp4", duration=seconds, size=(360, 640), fps=15, with_audio=False
        ).path.read_bytes()
        for vendor, seconds in CLIP_SECONDS.items()
    }
    made["speech"] = make_mp3(folder / "speech.mp3", seconds=1.5).read_bytes()
    return made


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    """Keys set so the vendors' models are available (their HTTP is faked), one asset at a time."""
    return settings.model_copy(
        update={
            "public_url": "http://testserver",
            "runway_api_key": SecretStr("key_test_runway"),
            "google_cloud_project": "test-project",
            "elevenlabs_api_key": SecretStr("sk_test_elevenlabs"),
            "max_concurrency": 1,
            "poll_budget": POLL_BUDGET,
            "x264_preset": "ultrafast",
        }
    )


@dataclass
class Vendors:
    runway: ScriptedRunway
    veo: ScriptedVeo
    voice: ScriptedElevenLabs


@pytest.fixture
def vendors(app_ctx: AppContext, clips: dict[str, bytes]) -> Iterator[Vendors]:
    """Every vendor of the registry served by its scripted fake (Runway's clip from a local server)."""
    with FileServer({"/clip.mp4": clips["runway"]}) as files:
        fakes = Vendors(
            runway=ScriptedRunway(output_url=files.url("/clip.mp4")),
            veo=ScriptedVeo(video_bytes=clips["veo"]),
            voice=ScriptedElevenLabs(speech_mp3=clips["speech"]),
        )
        providers = app_ctx.providers
        providers.use_video(
            "runway", RunwayVideoGenerator(api_key="key_test", http_client=fakes.runway.client())
        )
        providers.use_video(
            "veo",
            VeoVideoGenerator(
                project="test-project",
                location="us-central1",
                credentials=fake_google_credentials(),
                http_client=fakes.veo.client(),
            ),
        )
        providers.__dict__["voice"] = ElevenLabsVoiceGenerator(
            api_key="sk_test", http_client=fakes.voice.client()
        )
        yield fakes


def _render(user: ApiUser, model: str, count: int, *, voiceover: bool = True) -> dict[str, Any]:
    """Save a plan of ``count`` clips of ``model`` (falling back to the free animatic), render it."""
    seconds = CLIP_SECONDS["veo" if model.startswith("veo") else "runway"]
    plan = Plan(
        target_duration=seconds * count,
        segments=[
            Segment(
                index=i,
                duration=seconds,
                prompt=f"A calm sea at dawn, shot {i + 1}",
                model=model,
                fallback_models=["animatic"],
                voiceover="Morning light over the water." if voiceover and i == 0 else "",
            )
            for i in range(count)
        ],
        audio=AudioStrategy(voiceover=voiceover),
        post=PostProduction(captions=False),
    )
    project = user.create_project(f"{model} faults")
    with user.ctx.db.connection() as conn:
        save_plan(conn, user_id=user.user_id, project_id=project["id"], plan=plan, source="edit")
    started = user.call("POST", "/api/generate-video", json={"project_id": project["id"]})
    assert started.status_code == 202, started.text
    return user.wait_job(started.json()["id"], timeout=180)


def _segments(job: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {a["index"]: a for a in job["assets"] if a["kind"] == "video_segment"}


def _paid_attempts(user: ApiUser, job_id: str, provider: str) -> Counter[int]:
    """Provider attempts per segment: one attempt is one paid task."""
    with user.ctx.db.connection() as conn:
        rows = conn.execute(
            """SELECT ja.idx FROM asset_attempts a JOIN job_assets ja ON ja.id = a.job_asset_id
               WHERE ja.job_id = %s AND a.provider = %s""",
            (job_id, provider),
        ).fetchall()
    return Counter(r["idx"] for r in rows)


def test_runway_faults_retried_refused_and_fallen_back(alice: ApiUser, vendors: Vendors) -> None:
    runway = vendors.runway
    runway.script.faults = {
        ("create", 1): throttled,  # clip 1: 429 with Retry-After, then accepted
        ("poll", 1): server_error,  # clip 1: its first poll fails, the poll is retried
        ("create", 3): server_error,  # clip 2: 500, then a reset, then accepted
        ("create", 4): reset,
        ("create", 7): empty_object,  # clip 4: an answer without a task id
    }
    runway.task_states = [
        ["RUNNING", "SUCCEEDED"],  # clip 1
        ["SUCCEEDED"],  # clip 2
        ["PENDING", "FAILED"],  # clip 3: refused by content moderation
        ["RUNNING"],  # clip 5: never finishes
    ]
    vendors.voice.script.faults = {("speech", 1): throttled}

    job = _render(alice, "gen4.5", 5)

    assert job["status"] == "succeeded", job
    clips = _segments(job)
    assert [clips[i]["model"] for i in range(5)] == ["gen4.5", "gen4.5", "animatic", "animatic", "animatic"]
    assert all(c["status"] == "succeeded" for c in clips.values())
    assert clips[2]["error_code"].startswith("safety") and clips[2]["error_message"]  # the user sees why
    assert clips[3]["error_code"] == "provider_bad_output"
    assert clips[4]["error_code"] == "provider_timeout"
    assert len(runway.tasks) == 4  # clips 1, 2, 3 and 5 made one task each; nothing was paid twice
    assert _paid_attempts(alice, job["id"], "runway") == Counter({0: 1, 1: 1, 2: 1, 3: 1, 4: 1})
    voice = next(a for a in job["assets"] if a["kind"] == "voiceover")
    assert voice["status"] == "succeeded" and voice["attempts"] == 1
    paid = 2 * runway.credits * 0.01 + voice["cost_usd"]  # the refusal and the hung task cost nothing
    assert job["spent_usd"] == pytest.approx(paid)


def test_veo_faults_retried_and_a_safety_filter_falls_back(alice: ApiUser, vendors: Vendors) -> None:
    veo = vendors.veo
    veo.script.faults = {
        ("create", 1): throttled,
        ("create", 2): unavailable,
        ("create", 3): hang,
        ("poll", 1): server_error,
    }
    veo.outcomes = ["video", "rai"]
    vendors.voice.script.faults = {("speech", 1): server_error, ("speech", 2): hang}

    job = _render(alice, "veo3.1_fast", 2)

    assert job["status"] == "succeeded", job
    clips = _segments(job)
    assert clips[0]["model"] == "veo3.1_fast" and clips[0]["attempts"] == 1
    assert clips[1]["model"] == "animatic" and clips[1]["error_code"].startswith("safety")
    assert "usage guidelines" in clips[1]["error_message"] or clips[1]["error_message"]
    assert len(veo.polls) == 2  # one operation per clip, whatever was retried
    assert _paid_attempts(alice, job["id"], "veo") == Counter({0: 1, 1: 1})


@pytest.mark.parametrize(
    ("vendor", "model"), [("runway", "gen4.5"), ("veo", "veo3.1_fast")], ids=["runway", "veo"]
)
def test_a_malformed_status_loses_the_attempt_and_falls_back(
    alice: ApiUser, vendors: Vendors, vendor: str, model: str
) -> None:
    """An unreadable status answer ends that attempt (never retried into a loop, never a trace in the
    message) and the clip moves on to the next model of its chain."""
    fake = getattr(vendors, vendor)
    fake.script.faults = {("poll", n): malformed for n in range(1, POLL_BUDGET + 1)}
    job = _render(alice, model, 1, voiceover=False)
    assert job["status"] == "succeeded", job
    clip = _segments(job)[0]
    assert clip["status"] == "succeeded" and clip["model"] != model and clip["attempts"] == 2
    with alice.ctx.db.connection() as conn:
        first = conn.execute(
            """SELECT a.error_code, a.error_message FROM asset_attempts a
               JOIN job_assets ja ON ja.id = a.job_asset_id WHERE ja.job_id = %s AND a.attempt = 1""",
            (job["id"],),
        ).fetchone()
    assert first["error_code"] == "provider_bad_output"
    assert "Traceback" not in first["error_message"] and "half a resp" not in first["error_message"]
    assert _paid_attempts(alice, job["id"], vendor) == Counter({0: 1})


def test_a_voice_refusal_or_malformed_answer_is_not_retried(alice: ApiUser, vendors: Vendors) -> None:
    """ElevenLabs refuses (422) then answers garbage: each voice-over fails once, never retried."""
    refusal = httpx.Response(422, json={"detail": {"status": "invalid_text", "message": "Text refused."}})
    vendors.voice.script.faults = {("speech", 1): lambda request: refusal, ("speech", 2): malformed}
    for _ in range(2):
        job = _render(alice, "gen4.5", 1)
        voice = next(a for a in job["assets"] if a["kind"] == "voiceover")
        assert voice["status"] == "failed" and voice["error_code"] and voice["error_message"], voice
        # The video is still made (without a voice), and the job view says the voice-over failed.
        assert job["status"] == "succeeded", job
    assert vendors.voice.script.seen["speech"] == 2


def test_a_hung_task_is_cancelled_at_the_provider(alice: ApiUser, vendors: Vendors) -> None:
    vendors.runway.task_states = [["RUNNING"]]
    job = _render(alice, "gen4.5", 1, voiceover=False)
    assert _segments(job)[0]["error_code"] == "provider_timeout"
    (task,) = vendors.runway.tasks
    deletes = [r.url.path for r in vendors.runway.requests if r.method == "DELETE"]
    assert deletes == [f"/v1/tasks/{task}"]  # stopped at the vendor, so it costs nothing more
