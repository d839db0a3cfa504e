"""Hostile uploads through the API: every one refused with 422 and a clear code, nothing stored, and
FFmpeg never reaching the network (a loopback listener) or a file outside the upload (a named pipe
standing in for another job's segment: opening it for reading is recorded)."""

from __future__ import annotations

import os
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest

from reelsmith.domain.models import UploadKind
from reelsmith.media.ffmpeg import run_ffmpeg
from tests.api.helpers import ApiUser
from tests.media.hostile import HostileFile, LoopbackListener, hostile_corpus, png_bomb

from . import figures

CONTENT_TYPE = {"sample_video": "video/mp4", "character_image": "image/png", "audio": "audio/mp4"}
UNSUPPORTED, LIMITS = "unsupported_media", "media_limits_exceeded"
TEN_HOURS = 10 * 3600
SHARED_CASES = (
    "hls_playlist", "ffconcat", "text", "zero_byte", "truncated_mp4", "header_only_mp4", "png_as_video",
    "foreign_codec", "no_video_stream", "no_audio_stream", "too_long", "absurd_fps", "over_4k",
    "too_many_streams", "png_bomb",
)  # fmt: skip
OUR_CASES = (
    "hls_master_playlist", "hls_other_jobs_file", "ffconcat_other_jobs_file", "ten_hour_header",
    "huge_dimensions_header", "svg_as_png", "html_as_mp4",
)  # fmt: skip


class FileCanary:
    """A named pipe posing as another job's segment; every open for reading is counted."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.path = path
        self.opens = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> FileCanary:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        for _ in range(100):  # our own reader releases the writer blocked in open()
            os.close(os.open(self.path, os.O_RDONLY | os.O_NONBLOCK))
            self._thread.join(timeout=0.05)
            if not self._thread.is_alive():
                break

    def _serve(self) -> None:
        while not self._stop.is_set():
            fd = os.open(self.path, os.O_WRONLY)  # blocks until someone opens the pipe to read
            if not self._stop.is_set():
                self.opens += 1
            os.close(fd)


@pytest.fixture(scope="module")
def canaries(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoopbackListener, FileCanary, Path]]:
    folder = tmp_path_factory.mktemp("canaries")
    with LoopbackListener() as listener, FileCanary(folder / "seg.ts") as pipe:
        yield listener, pipe, folder


@pytest.fixture(scope="module")
def corpus(canaries, tmp_path_factory: pytest.TempPathFactory) -> dict[str, HostileFile]:
    listener, pipe, _ = canaries
    folder = tmp_path_factory.mktemp("hostile")
    files = hostile_corpus(folder, listener.url)
    files |= {case.name: case for case in _our_cases(folder, listener.url, pipe.path)}
    return files


def _our_cases(folder: Path, canary_url: str, other_file: Path) -> list[HostileFile]:
    v, i = UploadKind.SAMPLE_VIDEO, UploadKind.CHARACTER_IMAGE
    master = f"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n{canary_url}/child.m3u8\n".encode()
    local = f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n{other_file}\n#EXT-X-ENDLIST\n".encode()
    concat = f"ffconcat version 1.0\nfile '{other_file}'\nfile '../{other_file.name}'\n".encode()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>'
    html = b"<!doctype html><script>fetch('http://169.254.169.254/latest/meta-data/')</script>"
    huge = _write(folder / "huge.png", _png_header(20000, 20000))
    return [
        HostileFile("hls_master_playlist", _write(folder / "master.mp4", master), v, UNSUPPORTED),
        HostileFile("hls_other_jobs_file", _write(folder / "local.mp4", local), v, UNSUPPORTED),
        HostileFile("ffconcat_other_jobs_file", _write(folder / "list.mp4", concat), v, UNSUPPORTED),
        HostileFile("ten_hour_header", ten_hour_header(folder / "ten_hours.mp4"), v, LIMITS),
        # Declares 400 MP with no data behind it: refused as unreadable before a frame is allocated.
        HostileFile("huge_dimensions_header", huge, i, UNSUPPORTED),
        HostileFile("svg_as_png", _write(folder / "image.png", svg), i, UNSUPPORTED),
        HostileFile("html_as_mp4", _write(folder / "page.mp4", html), v, UNSUPPORTED),
    ]


def ten_hour_header(path: Path) -> Path:
    """A one-second mp4 whose headers (movie, track, media, edit list, sample table) claim ten hours."""
    run_ffmpeg(
        ["-f", "lavfi", "-i", "testsrc2=s=64x64:d=1", "-c:v", "libx264", "-preset", "ultrafast", str(path)],
        timeout=60,
        what="ten-hour header sample",
    )
    data = bytearray(path.read_bytes())
    movie_scale = _patch_duration(data, b"mvhd", scale_offset=12, duration_offset=16, scale=None)
    _patch_duration(data, b"tkhd", scale_offset=None, duration_offset=20, scale=movie_scale)
    media_scale = _patch_duration(data, b"mdhd", scale_offset=12, duration_offset=16, scale=None)
    if b"elst" in data:  # the edit list's segment duration, in the movie's timescale
        _patch_duration(data, b"elst", scale_offset=None, duration_offset=8, scale=movie_scale)
    # The demuxer believes the sample table: stretch every sample so that they add up to ten hours.
    stts = data.index(b"stts") + 4
    entries = struct.unpack_from(">I", data, stts + 4)[0]
    samples = sum(struct.unpack_from(">I", data, stts + 8 + 8 * i)[0] for i in range(entries))
    for i in range(entries):
        struct.pack_into(">I", data, stts + 12 + 8 * i, media_scale * TEN_HOURS // samples)
    return _write(path, bytes(data))


def _patch_duration(
    data: bytearray, atom: bytes, *, scale_offset: int | None, duration_offset: int, scale: int | None
) -> int:
    """Set a version-0 header's 32-bit duration to ten hours in its timescale; returns the timescale."""
    start = data.index(atom) + 4  # the version byte
    assert data[start] == 0, f"{atom!r} is not version 0"
    if scale_offset is not None:
        (scale,) = struct.unpack_from(">I", data, start + scale_offset)
    assert scale
    struct.pack_into(">I", data, start + duration_offset, scale * TEN_HOURS)
    return scale


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` and whose data stops at once."""
    png = bytearray(png_bomb(1, 1))
    png[16:24] = struct.pack(">II", width, height)  # IHDR's fields follow the signature, length and type
    png[29:33] = struct.pack(">I", zlib.crc32(bytes(png[12:29])))
    return bytes(png)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _stored(user: ApiUser) -> list[Path]:
    root = Path(user.ctx.settings.resolved_storage_dir)
    return [p for p in root.rglob("*") if p.is_file() and ".meta" not in p.parts]


def test_the_corpus_is_every_shared_case_and_ours(corpus: dict[str, HostileFile]) -> None:
    assert set(corpus) == set(SHARED_CASES) | set(OUR_CASES)


@pytest.mark.parametrize("case", SHARED_CASES + OUR_CASES)
def test_hostile_upload_is_refused_with_a_clear_code(alice: ApiUser, corpus, canaries, case: str) -> None:
    listener, pipe, _ = canaries
    hostile = corpus[case]
    alice.set_preferences(auto_analyze=True)
    project = alice.create_project()
    content_type = CONTENT_TYPE[hostile.kind.value]
    if hostile.path.stat().st_size == 0:  # a zero-byte upload is refused before any URL is signed
        response = alice.start_upload(project["id"], hostile.kind.value, hostile.path, content_type)
        assert response.status_code == 422 and response.json()["error"]["code"] == "validation_failed"
    else:
        response = alice.upload(project["id"], hostile.kind.value, hostile.path, content_type=content_type)
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == hostile.code, error
        assert (
            error["message"] and "Traceback" not in response.text and str(hostile.path) not in response.text
        )
    figures.count("hostile files refused")
    assert listener.connections == 0, "FFmpeg reached the network"
    assert pipe.opens == 0, "FFmpeg opened a file outside the upload"
    assert _stored(alice) == []
    detail = alice.call("GET", f"/api/projects/{project['id']}").json()
    assert detail["uploads"] == [] and detail["latest_job"] is None  # nothing was analysed
    assert alice.call("GET", "/api/health").status_code == 200  # the process survived


def test_a_file_swapped_after_verification_is_still_refused_by_the_analysis(
    alice: ApiUser, small_sample, canaries, tmp_path: Path
) -> None:
    """The signed PUT URL outlives the check: a playlist of the same length sent after complete is
    caught by the analysis, which pins the demuxer again; the job fails cleanly, nothing is fetched."""
    listener, pipe, _ = canaries
    alice.set_preferences(auto_analyze=False)
    project = alice.create_project()
    grant = alice.start_upload(project["id"], "sample_video", small_sample.path).json()
    data = small_sample.path.read_bytes()
    assert alice.client.put(grant["url"], content=data, headers=grant["headers"]).status_code == 200
    upload_id = grant["upload"]["id"]
    assert (
        alice.call("POST", f"/api/projects/{project['id']}/uploads/{upload_id}/complete").status_code == 200
    )

    playlist = f"#EXTM3U\n#EXTINF:2.0,\n{listener.url}/seg.ts\n#EXTINF:2.0,\n{pipe.path}\n#EXT-X-ENDLIST\n"
    padded = (playlist + "#" * (len(data) - len(playlist) - 1) + "\n").encode()
    swap = alice.client.put(grant["url"], content=padded, headers=grant["headers"])
    if swap.status_code == 200:
        job = alice.call("POST", "/api/analyze", json={"project_id": project["id"]}).json()
        failed = alice.wait_job(job["id"])
        assert failed["status"] == "failed" and failed["error_code"] == UNSUPPORTED, failed
        figures.count("hostile files refused")
    assert listener.connections == 0 and pipe.opens == 0
