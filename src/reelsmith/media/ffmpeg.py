"""The one FFmpeg runner: timeouts, an empty environment, file-only protocols, stderr kept.

Uploaded media is hostile, so every input opened here is opened with a pinned demuxer chosen
by the caller (``Input.format``) and ``-protocol_whitelist file``; FFmpeg never sees our
environment (no credentials to leak through /proc/self/environ) and never reaches the network.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reelsmith.domain.errors import MediaProcessingFailed

FONT_PATH = Path(__file__).parent / "fonts" / "DejaVuSans-Bold.ttf"
STDERR_TAIL = 2000


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@dataclass(frozen=True)
class Input:
    """One input file with the demuxer it must be read with (None only for lavfi/our own files)."""

    path: Path | str
    format: str | None = None
    options: tuple[str, ...] = ()

    def args(self) -> list[str]:
        pinned = ["-f", self.format] if self.format else []
        return [*self.options, "-protocol_whitelist", "file", *pinned, "-i", str(self.path)]


def run_ffmpeg(
    args: Sequence[str],
    *,
    timeout: float = 900,
    cwd: Path | None = None,
    what: str = "ffmpeg",
) -> str:
    """Run FFmpeg with ``args`` (without the binary) and return its stderr.

    Raises MediaProcessingFailed with the tail of stderr on failure or timeout.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", *args]
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, env={}, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise MediaProcessingFailed(f"{what} timed out after {timeout:g} s", stderr="") from exc
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise MediaProcessingFailed(
            f"{what} failed", stderr=stderr[-STDERR_TAIL:], returncode=proc.returncode
        )
    return stderr
