"""Load run: N concurrent users against `reelsmith serve` on loopback, bounded in requests and time.

    python bench/load.py [--users 50] [--polls 40] [--time-limit 180] [--uploads-per-minute 3]

Starts `reelsmith serve` as a subprocess on 127.0.0.1 (a free port) with a temporary data dir, an
embedded PostgreSQL of its own (deleted afterwards) and offline providers. Every simulated user
signs in, creates a project, uploads a tiny sample (which starts its analysis job), polls the job
until it ends while reading its project and job lists, and then asks for more uploads than the
per-user limit allows, so some 429s are intended. Prints the counts of 2xx, intended 429 and other
answers, lost jobs (started but not finished, or missing from the user's job list) and the p50/p95
latency of the reads. Exits non-zero on any unintended answer or lost job.

tests/reliability/test_load.py runs it small (N=50, few polls) inside the test suite.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
TERMINAL = ("succeeded", "failed", "cancelled")
VENDOR_KEYS = (
    "RUNWAYML_API_SECRET",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_CLOUD_PROJECT",
    "ELEVENLABS_API_KEY",
    "GROQ_API_KEY",
)
REQUEST_TIMEOUT = 60.0
EXTRA_UPLOADS = 2  # each user asks for this many uploads beyond the per-minute limit


@dataclass
class LoadReport:
    users: int
    statuses: Counter[str] = field(default_factory=Counter)  # "2xx", "429", or the unexpected status
    read_seconds: list[float] = field(default_factory=list)
    jobs_started: int = 0
    lost_jobs: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(
        self, response: httpx.Response, seconds: float, *, read: bool, may_throttle: bool = False
    ) -> None:
        with self._lock:
            if response.is_success or response.is_redirect:
                self.statuses["2xx"] += 1
            elif response.status_code == 429 and may_throttle and response.headers.get("Retry-After"):
                self.statuses["429"] += 1
            else:
                self.statuses[str(response.status_code)] += 1
                self.unexpected.append(f"{response.request.method} {response.request.url.path}: "
                                       f"{response.status_code} {response.text[:200]}")  # fmt: skip
            if read:
                self.read_seconds.append(seconds)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.read_seconds)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0

    @property
    def mean(self) -> float:
        return statistics.fmean(self.read_seconds) if self.read_seconds else 0.0

    @property
    def ok(self) -> bool:
        return not self.unexpected and not self.lost_jobs

    def lines(self) -> list[str]:
        return [
            f"users: {self.users} (concurrent), wall time: {self.wall_seconds:.1f} s",
            f"answers: {sum(self.statuses.values())} -> {dict(sorted(self.statuses.items()))}",
            f"jobs started: {self.jobs_started}, lost: {len(self.lost_jobs)}",
            f"reads: {len(self.read_seconds)}, p50 {1000 * self.percentile(0.5):.0f} ms, "
            f"p95 {1000 * self.percentile(0.95):.0f} ms, mean {1000 * self.mean:.0f} ms",
            *(f"unexpected: {line}" for line in self.unexpected[:20]),
            *(f"lost job: {job}" for job in self.lost_jobs[:20]),
        ]


class SimulatedUser:
    """One person using the product: every request timed and classified into the report."""

    def __init__(self, base_url: str, number: int, report: LoadReport) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT)
        self.email = f"load-user-{number}@example.com"
        self.report = report

    def call(self, method: str, path: str, *, read: bool = False, may_throttle: bool = False, **kwargs):
        started = time.perf_counter()
        response = self.client.request(method, path, **kwargs)
        self.report.record(response, time.perf_counter() - started, read=read, may_throttle=may_throttle)
        return response

    def run(self, sample: bytes, polls: int, uploads_per_minute: int, deadline: float) -> None:
        with self.client:
            signed_in = self.call("POST", "/api/auth/local", json={"email": self.email})
            self.client.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
            project = self.call("POST", "/api/projects", json={"title": f"Load {self.email}"}).json()
            job_id = self._upload(project["id"], sample)
            if job_id is None:
                return
            with self.report._lock:
                self.report.jobs_started += 1
            status = self._poll(job_id, project["id"], polls, deadline)
            listed = self.call("GET", "/api/jobs", read=True).json()["items"]
            if status not in TERMINAL or job_id not in {job["id"] for job in listed}:
                with self.report._lock:
                    self.report.lost_jobs.append(f"{job_id} ({status})")
            for _ in range(uploads_per_minute + EXTRA_UPLOADS):  # back to back: past the limit
                body = {"kind": "audio", "content_type": "audio/wav", "size_bytes": 10, "filename": "a.wav"}
                self.call("POST", f"/api/projects/{project['id']}/uploads", json=body, may_throttle=True)

    def _upload(self, project_id: str, sample: bytes) -> str | None:
        body = {
            "kind": "sample_video",
            "content_type": "video/mp4",
            "size_bytes": len(sample),
            "filename": "s.mp4",
        }
        grant = self.call("POST", f"/api/projects/{project_id}/uploads", json=body, may_throttle=True).json()
        started = time.perf_counter()
        put = self.client.put(grant["url"], content=sample, headers=grant["headers"])
        self.report.record(put, time.perf_counter() - started, read=False)
        self.call("POST", f"/api/projects/{project_id}/uploads/{grant['upload']['id']}/complete")
        job = self.call("GET", f"/api/projects/{project_id}/progress", read=True).json()["job"]
        if job is None:
            with self.report._lock:
                self.report.unexpected.append(f"no analysis started for project {project_id}")
            return None
        return job["id"]

    def _poll(self, job_id: str, project_id: str, polls: int, deadline: float) -> str:
        status = "queued"
        for _ in range(polls):
            if time.monotonic() > deadline:
                break
            status = self.call("GET", f"/api/jobs/{job_id}", read=True).json()["status"]
            self.call("GET", "/api/projects", read=True)
            if status in TERMINAL:
                break
            time.sleep(0.5)
        return status


def run_load(
    base_url: str, sample: bytes, *, users: int, polls: int, uploads_per_minute: int, time_limit: float
) -> LoadReport:
    """Run ``users`` simulated users at once against ``base_url``; bounded by ``polls`` and ``time_limit``."""
    report = LoadReport(users=users)
    deadline = time.monotonic() + time_limit
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=users) as pool:
        futures = [
            pool.submit(SimulatedUser(base_url, n, report).run, sample, polls, uploads_per_minute, deadline)
            for n in range(users)
        ]
        for future in futures:
            try:
                future.result()
            except Exception as exc:  # a user that crashed is an unexpected outcome, not a crash of the run
                report.unexpected.append(f"user failed: {type(exc).__name__}: {exc}")
    report.wall_seconds = time.monotonic() - started
    return report


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def reelsmith_serve(
    database_url: str, data_dir: Path, *, uploads_per_minute: int | None = None
) -> Iterator[str]:
    """`reelsmith serve` on loopback, offline, until the block ends; yields its base URL.

    The child gets no vendor keys and no cloud credentials. The e2e tests start their server
    with this too.
    """
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in VENDOR_KEYS and k != "REELSMITH_PUBLIC_URL" and not k.startswith(("AWS_", "R2_"))
    }
    env |= {
        "DATABASE_URL": database_url,
        "REELSMITH_DATA_DIR": str(data_dir),
        "REELSMITH_OFFLINE": "1",
        "REELSMITH_POLL_SECONDS": "0",
        "REELSMITH_DB_POOL_MAX": "16",
        "AUTH_MODE": "local",
        "STORAGE_BACKEND": "local",
        "WORKFLOW_BACKEND": "local",
        "LOG_LEVEL": "WARNING",
    }
    if uploads_per_minute is not None:
        env["REELSMITH_UPLOADS_PER_MINUTE"] = str(uploads_per_minute)
    command = [
        str(Path(sys.executable).with_name("reelsmith")),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "serve.log"
    log = log_path.open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=data_dir)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url, server, log_path)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_healthy(base_url: str, server: subprocess.Popen, log_path: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"reelsmith serve exited with {server.returncode}:\n{_tail(log_path)}")
        try:
            if httpx.get(f"{base_url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"reelsmith serve did not become healthy in {timeout} s:\n{_tail(log_path)}")


def _tail(log_path: Path) -> str:
    return log_path.read_text(errors="replace")[-3000:] if log_path.exists() else ""


def tiny_sample(folder: Path) -> bytes:
    from reelsmith.media.samples import make_sample_video

    return make_sample_video(folder / "sample.mp4", duration=2.0, size=(180, 320), fps=15).path.read_bytes()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--polls", type=int, default=40, help="job polls per user at most")
    parser.add_argument("--time-limit", type=float, default=180.0, help="seconds for the whole run")
    parser.add_argument("--uploads-per-minute", type=int, default=3, help="the server's per-user limit")
    args = parser.parse_args()
    import pgserver

    with tempfile.TemporaryDirectory(prefix="reelsmith-load-") as tmp:
        folder = Path(tmp)
        database = pgserver.get_server(folder / "pgdata", cleanup_mode="delete")
        try:
            with reelsmith_serve(
                database.get_uri(), folder / "data", uploads_per_minute=args.uploads_per_minute
            ) as url:
                report = run_load(
                    url,
                    tiny_sample(folder),
                    users=args.users,
                    polls=args.polls,
                    uploads_per_minute=args.uploads_per_minute,
                    time_limit=args.time_limit,
                )
        finally:
            database.cleanup()
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
