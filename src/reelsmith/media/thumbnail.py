"""Pictures of a composed video: the thumbnail, a short animated preview, and a small copy."""

from __future__ import annotations

from pathlib import Path

from reelsmith.domain.errors import MediaProcessingFailed

from .ffmpeg import Input, run_ffmpeg

THUMBNAIL_WINDOW = (0.3, 8.0)  # start, length (s): skip a fade-in, stay near the hook
DARK_LUMA = 24  # mean 8-bit luma at or below which a frame counts as black


def _ours(video_path: Path) -> list[str]:
    return Input(video_path, "mov").args()


def make_thumbnail(video_path: Path, out_jpg: Path, *, width: int = 540, timeout: float = 120) -> Path:
    """The most representative frame of the opening seconds (FFmpeg ``thumbnail``), never a black one
    unless the video is dark throughout."""
    start, length = THUMBNAIL_WINDOW
    pick = f"trim=start={start}:duration={length},fps=5,scale={width}:-2:flags=bicubic"
    skip_dark = f"signalstats,metadata=select:key=lavfi.signalstats.YAVG:value={DARK_LUMA}:function=greater"
    try:
        return _one_frame(video_path, out_jpg, f"{pick},{skip_dark},thumbnail=n=40", timeout)
    except MediaProcessingFailed:  # no frame was bright enough: every frame is dark
        return _one_frame(video_path, out_jpg, f"{pick},thumbnail=n=40", timeout)


def _one_frame(video_path: Path, out_jpg: Path, graph: str, timeout: float) -> Path:
    args = [
        "-loglevel",
        "error",
        *_ours(video_path),
        "-vf",
        graph,
        "-frames:v",
        "1",
        "-q:v",
        "3",
        str(out_jpg),
    ]
    run_ffmpeg(args, timeout=timeout, what="thumbnail")
    return out_jpg


def make_preview(
    video_path: Path,
    out_path: Path,
    *,
    start: float = 0.5,
    seconds: float = 3.0,
    width: int = 270,
    timeout: float = 120,
) -> Path:
    """A short looping preview: animated WebP (small, sharp) or GIF, chosen by ``out_path``'s suffix."""
    frames = (
        f"trim=start={start}:duration={seconds},setpts=PTS-STARTPTS,fps=10,scale={width}:-2:flags=bicubic"
    )
    if out_path.suffix.lower() == ".gif":
        encode = [
            "-filter_complex",
            f"[0:v]{frames},split[a][b];[a]palettegen=max_colors=128[p];[b][p]paletteuse",
        ]
    else:
        encode = ["-vf", frames, "-c:v", "libwebp_anim", "-quality", "60", "-compression_level", "4"]
    run_ffmpeg(
        ["-loglevel", "error", *_ours(video_path), *encode, "-an", "-loop", "0", str(out_path)],
        timeout=timeout,
        what="preview",
    )
    return out_path


def make_small_copy(
    video_path: Path, out_mp4: Path, *, preset: str = "veryfast", timeout: float = 600
) -> Path:
    """A 720x1280 copy for slow connections (the audio is copied as is)."""
    args = [
        "-loglevel", "error", *_ours(video_path),
        "-vf", "scale=720:1280:flags=bicubic", "-c:v", "libx264", "-preset", preset, "-crf", "23",
        "-profile:v", "high", "-pix_fmt", "yuv420p", "-c:a", "copy",
        "-map_metadata", "-1", "-movflags", "+faststart", str(out_mp4),
    ]  # fmt: skip
    run_ffmpeg(args, timeout=timeout, what="small copy")
    return out_mp4
