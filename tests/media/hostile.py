"""Hostile uploads for tests: disguised playlists and scripts, broken, mislabeled and bomb media.

``hostile_corpus(folder, canary_url)`` writes every case and says which ``MediaRejected`` code
``check_upload`` must answer with; ``LoopbackListener`` is the SSRF canary that must stay silent.
"""

from __future__ import annotations

import socket
import struct
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from reelsmith.domain.models import UploadKind
from reelsmith.media.ffmpeg import run_ffmpeg
from reelsmith.media.samples import make_image

TINY = "s=64x64"
X264 = ("-c:v", "libx264", "-preset", "ultrafast")
UNSUPPORTED, LIMITS = "unsupported_media", "media_limits_exceeded"


@dataclass(frozen=True)
class HostileFile:
    name: str
    path: Path
    kind: UploadKind  # what the client claims it is
    code: str  # the MediaRejected code check_upload must raise


class LoopbackListener:
    """A TCP listener on 127.0.0.1 that counts every connection it receives."""

    def __init__(self) -> None:
        self.connections = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._sock.getsockname()
        return f"http://{host}:{port}"

    def __enter__(self) -> LoopbackListener:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self._accept_pending()
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            self._accept_pending()

    def _accept_pending(self) -> None:
        try:
            conn, _ = self._sock.accept()
        except (TimeoutError, BlockingIOError):
            return
        self.connections += 1
        conn.close()


def hostile_corpus(folder: Path, canary_url: str) -> dict[str, HostileFile]:
    """Write every hostile case into ``folder``; playlists point at ``canary_url``."""
    folder.mkdir(parents=True, exist_ok=True)
    f, video, image, audio = folder, UploadKind.SAMPLE_VIDEO, UploadKind.CHARACTER_IMAGE, UploadKind.AUDIO
    cases = [
        HostileFile("hls_playlist", _write(f / "playlist.mp4", _hls(canary_url)), video, UNSUPPORTED),
        HostileFile("ffconcat", _write(f / "concat.mp4", _ffconcat()), video, UNSUPPORTED),
        HostileFile("text", _write(f / "notes.mp4", b"just some text\n" * 4), video, UNSUPPORTED),
        HostileFile("zero_byte", _write(f / "empty.mp4", b""), video, UNSUPPORTED),
        HostileFile("truncated_mp4", truncated_mp4(f / "truncated.mp4"), video, UNSUPPORTED),
        HostileFile("header_only_mp4", header_only_mp4(f / "header_only.mp4"), video, UNSUPPORTED),
        HostileFile("png_as_video", make_image(f / "still.png", (64, 64)), video, UNSUPPORTED),
        HostileFile("foreign_codec", _encode(f / "mjpeg.mp4", *_lavfi(f"testsrc2={TINY}:d=0.2"),
                                             "-c:v", "mjpeg"), video, UNSUPPORTED),
        HostileFile("no_video_stream", _encode(f / "voice.mp4", *_lavfi("sine=d=1"), "-c:a", "aac"), video,
                    "no_video_stream"),
        HostileFile("no_audio_stream", _encode(f / "mute.mp4", *_lavfi(f"testsrc2={TINY}:d=1"), *X264), audio,
                    "no_audio_stream"),
        HostileFile("too_long", _encode(f / "long.mp4", *_lavfi(f"color={TINY}:r=1:d=200"), *X264, "-r", "1"),
                    video, LIMITS),
        HostileFile("absurd_fps", _encode(f / "fast.mp4", *_lavfi(f"color={TINY}:r=1000:d=0.1"), *X264,
                                          "-r", "1000"), video, LIMITS),
        HostileFile("over_4k", _encode(f / "huge.mp4", *_lavfi("color=s=4096x2304:d=0.04"), *X264,
                                       "-frames:v", "1"), video, LIMITS),
        HostileFile("too_many_streams", _many_streams(f / "streams.mp4", 9), video, LIMITS),
        HostileFile("png_bomb", _write(f / "bomb.png", png_bomb(6000, 6000)), image, LIMITS),
    ]  # fmt: skip
    return {case.name: case for case in cases}


def truncated_mp4(path: Path) -> Path:
    """A phone-style mp4 (index at the end) cut in half: the index is gone."""
    _encode(path, *_lavfi(f"testsrc2={TINY}:d=2"), *X264)
    data = path.read_bytes()
    return _write(path, data[: len(data) // 2])


def header_only_mp4(path: Path) -> Path:
    """A faststart mp4 cut right after its index: every sample it lists is missing."""
    _encode(path, *_lavfi(f"testsrc2={TINY}:d=2"), *X264, "-movflags", "+faststart")
    data = path.read_bytes()
    return _write(path, data[: data.index(b"mdat") + 4])


def png_bomb(width: int, height: int) -> bytes:
    """A few kilobytes of PNG that decode to ``width`` x ``height`` RGB pixels."""
    row = b"\x00" + b"\x00" * (width * 3)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _hls(canary_url: str) -> bytes:
    return (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n"
        f"#EXTINF:2.0,\n{canary_url}/seg0.ts\n#EXTINF:2.0,\n/etc/passwd\n#EXT-X-ENDLIST\n"
    ).encode()


def _ffconcat() -> bytes:
    return b"ffconcat version 1.0\nfile 'other/seg.mp4'\nfile '/proc/self/environ'\n"


def _many_streams(path: Path, audio_tracks: int) -> Path:
    """A tiny video carrying ``audio_tracks`` copies of a silent track."""
    maps = [arg for _ in range(audio_tracks) for arg in ("-map", "1:a")]
    return _encode(
        path,
        "-f",
        "lavfi",
        "-i",
        f"color={TINY}:d=0.2",
        "-f",
        "lavfi",
        "-i",
        "anullsrc=d=0.2",
        "-map",
        "0:v",
        *maps,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "aac",
        "-t",
        "0.2",
    )


def _lavfi(source: str) -> tuple[str, ...]:
    return ("-f", "lavfi", "-i", source)


def _encode(path: Path, *args: str) -> Path:
    run_ffmpeg([*args, str(path)], timeout=120, what="hostile sample")
    return path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
