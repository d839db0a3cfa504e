"""Fake Runway, Vertex Veo and ElevenLabs servers at the HTTP transport, speaking the real wire formats.

Each fake is an ``httpx.MockTransport`` handler (``fake.client()`` gives the ``httpx.Client`` to
inject into an adapter), so the vendor SDK builds, sends and parses real requests. Every request
is recorded; ``respond_next``/``timeout_next`` inject failures for the next requests, before the
normal behaviour resumes. ``FileServer`` is a real HTTP server on 127.0.0.1 for what must be
fetched outside the injected client (Runway output URLs, Runway's ephemeral upload target).
Reusable by the workflow tests: build a fake, inject its client through the registry.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from google.oauth2.credentials import Credentials

from reelsmith.media.ffmpeg import run_ffmpeg

CREATED_AT = "2026-11-25T10:00:00.000Z"
Responder = Callable[[httpx.Request], httpx.Response]


class FakeVendor:
    """Records requests; serves injected failures first, then ``respond`` (the vendor's normal behaviour)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._queued: list[Responder] = []

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self._handle))

    def respond_next(
        self,
        status: int,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next request gets this answer instead of the normal one."""

        def answer(request: httpx.Request) -> httpx.Response:
            if content is not None:
                return httpx.Response(status, content=content, headers=headers)
            return httpx.Response(status, json=json_body, headers=headers)

        self._queued.append(answer)

    def timeout_next(self) -> None:
        def stall(request: httpx.Request) -> httpx.Response:
            raise httpx.ReadTimeout("timed out", request=request)

        self._queued.append(stall)

    def bodies(self, path_suffix: str) -> list[dict[str, Any]]:
        """The JSON bodies sent to paths ending with ``path_suffix``."""
        return [
            json.loads(r.content) for r in self.requests if r.url.path.endswith(path_suffix) and r.content
        ]

    def _handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        if self._queued:
            return self._queued.pop(0)(request)
        return self.respond(request)

    def respond(self, request: httpx.Request) -> httpx.Response:
        raise NotImplementedError


# --- Runway ----------------------------------------------------------------------------------


@dataclass
class RunwayTask:
    id: str
    states: list[str]
    polls: int = 0

    def next_state(self) -> str:
        state = self.states[min(self.polls, len(self.states) - 1)]
        self.polls += 1
        return state


@dataclass
class FakeRunway(FakeVendor):
    """Runway's task API: each task walks ``states`` one poll at a time and stays on the last one."""

    output_url: str = "https://dnznrvs05pmza.cloudfront.net/output/clip.mp4"
    states: Sequence[str] = ("PENDING", "RUNNING", "SUCCEEDED")
    progress: float = 0.42
    credits: int = 25
    failure: str = "The prompt was flagged by content moderation."
    failure_code: str = "SAFETY.INPUT.TEXT"
    upload_url: str = "http://127.0.0.1:9/upload"
    tasks: dict[str, RunwayTask] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

    def respond(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path in ("/v1/image_to_video", "/v1/text_to_video"):
            task = RunwayTask(id=str(uuid.uuid4()), states=list(self.states))
            self.tasks[task.id] = task
            return httpx.Response(200, json={"id": task.id})
        if request.method == "POST" and path == "/v1/uploads":
            name = json.loads(request.content)["filename"]
            return httpx.Response(
                200,
                json={
                    "uploadUrl": self.upload_url,
                    "fields": {"key": f"uploads/{name}"},
                    "runwayUri": f"runway://{name}",
                },
            )
        if path.startswith("/v1/tasks/"):
            task = self.tasks.get(path.rsplit("/", 1)[1])
            if task is None:
                return httpx.Response(404, json={"error": "Task not found."})
            if request.method == "DELETE":
                task.states = ["CANCELLED"]
                return httpx.Response(204)
            return httpx.Response(200, json=self.task_json(task.id, task.next_state()))
        return httpx.Response(404, json={"error": "Not found."})

    def task_json(self, task_id: str, state: str) -> dict[str, Any]:
        """A task as ``GET /v1/tasks/{id}`` returns it in ``state``."""
        body: dict[str, Any] = {"id": task_id, "status": state, "createdAt": CREATED_AT}
        if state in ("PENDING", "THROTTLED", "RUNNING"):
            body["estimatedCost"] = {"credits": self.credits}
        if state == "RUNNING":
            body["progress"] = self.progress
        if state == "SUCCEEDED":
            body |= {"output": [self.output_url], "cost": {"credits": self.credits}}
        if state == "FAILED":
            body |= {"failure": self.failure, "failureCode": self.failure_code, "cost": {"credits": 0}}
        if state == "CANCELLED":
            body["cost"] = {"credits": 0}
        return body


# --- Veo on Vertex AI ------------------------------------------------------------------------


def fake_google_credentials() -> Credentials:
    """OAuth credentials with a token already in hand, so the SDK never tries to refresh."""
    return Credentials(token="ya29.fake-token")


@dataclass
class FakeVeo(FakeVendor):
    """Vertex ``predictLongRunning`` / ``fetchPredictOperation``: done after ``polls_before_done`` polls.

    ``outcome``: "video" (inline bytes), "rai" (filtered by safety), "error" (operation error),
    "gcs" (a gs:// URI instead of bytes).
    """

    video_bytes: bytes = b""
    outcome: str = "video"
    polls_before_done: int = 1
    error: dict[str, Any] = field(
        default_factory=lambda: {"code": 13, "message": "Internal error encountered."}
    )
    rai_reasons: list[str] = field(
        default_factory=lambda: [
            "Veo could not generate videos because the input image violates Vertex AI's usage guidelines."
            " Support codes: 15236754"
        ]
    )
    polls: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

    def respond(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith(":predictLongRunning"):
            resource = path.split("/v1beta1/", 1)[1].rsplit(":", 1)[0]
            name = f"{resource}/operations/{uuid.uuid4()}"
            self.polls[name] = 0
            return httpx.Response(200, json={"name": name})
        if path.endswith(":fetchPredictOperation"):
            name = json.loads(request.content)["operationName"]
            if name not in self.polls:
                return httpx.Response(
                    404,
                    json={"error": {"code": 404, "message": "Operation not found.", "status": "NOT_FOUND"}},
                )
            self.polls[name] += 1
            return httpx.Response(
                200, json=self.operation_json(name, done=self.polls[name] > self.polls_before_done)
            )
        return httpx.Response(
            404, json={"error": {"code": 404, "message": "Not found.", "status": "NOT_FOUND"}}
        )

    def operation_json(self, name: str, *, done: bool) -> dict[str, Any]:
        if not done:
            return {"name": name}
        if self.outcome == "error":
            return {"name": name, "done": True, "error": self.error}
        response: dict[str, Any] = {
            "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
            "raiMediaFilteredCount": 0,
        }
        if self.outcome == "video":
            encoded = base64.b64encode(self.video_bytes).decode()
            response["videos"] = [{"bytesBase64Encoded": encoded, "mimeType": "video/mp4"}]
        elif self.outcome == "gcs":
            response["videos"] = [{"gcsUri": "gs://bucket/veo/sample_0.mp4", "mimeType": "video/mp4"}]
        elif self.outcome == "rai":
            response |= {"raiMediaFilteredCount": 1, "raiMediaFilteredReasons": self.rai_reasons}
        return {"name": name, "done": True, "response": response}


# --- ElevenLabs ------------------------------------------------------------------------------


@dataclass
class FakeElevenLabs(FakeVendor):
    """Text-to-speech with timestamps (JSON, base64 audio, character alignment) and streamed sound effects."""

    speech_mp3: bytes = b""
    effect_mp3: bytes = b""
    seconds_per_char: float = 0.05

    def __post_init__(self) -> None:
        super().__init__()

    def respond(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if (
            request.method == "POST"
            and path.startswith("/v1/text-to-speech/")
            and path.endswith("/with-timestamps")
        ):
            text = json.loads(request.content)["text"]
            alignment = self.alignment(text)
            return httpx.Response(
                200,
                json={
                    "audio_base64": base64.b64encode(self.speech_mp3).decode(),
                    "alignment": alignment,
                    "normalized_alignment": alignment,
                },
            )
        if request.method == "POST" and path == "/v1/sound-generation":
            chunks = [self.effect_mp3[i : i + 4096] for i in range(0, len(self.effect_mp3), 4096)]
            return httpx.Response(200, content=iter(chunks), headers={"content-type": "audio/mpeg"})
        return httpx.Response(404, json={"detail": {"status": "not_found", "message": "Not found."}})

    def alignment(self, text: str) -> dict[str, list[Any]]:
        """Evenly spaced characters, the way the API reports them (one entry per character)."""
        starts = [round(i * self.seconds_per_char, 3) for i in range(len(text))]
        return {
            "characters": list(text),
            "character_start_times_seconds": starts,
            "character_end_times_seconds": [round(s + self.seconds_per_char, 3) for s in starts],
        }


# --- A real local HTTP server ------------------------------------------------------------------


class FileServer:
    """Serves ``files`` (path -> bytes) on 127.0.0.1 and records what is POSTed to it."""

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self.files = dict(files or {})
        self.posted: list[tuple[str, bytes]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def __enter__(self) -> FileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = server.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "video/mp4")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                server.posted.append((self.path, self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler


# --- Tiny real media -----------------------------------------------------------------------------


def make_mp3(path: Path, seconds: float = 1.0) -> Path:
    """A mono MP3 tone, as ElevenLabs would send (44.1 kHz, 128 kb/s)."""
    source = f"sine=frequency=330:sample_rate=44100:duration={seconds:g}"
    run_ffmpeg(["-f", "lavfi", "-i", source, "-c:a", "libmp3lame", "-b:a", "128k", str(path)], timeout=60)
    return path
