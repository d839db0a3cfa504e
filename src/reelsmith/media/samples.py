"""Deterministic generated media for ``reelsmith demo`` and the tests (FFmpeg lavfi sources).

A sample video knows its own truth (cut times, fade spans, where the speech is), so tests can
check shot detection and audio analysis against it instead of against eyeballed numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reelsmith.media.ffmpeg import run_ffmpeg

Transition = Literal["cut", "fade"]
Shot = tuple[float, str]  # (seconds, "#rrggbb" colour or a lavfi video source name such as "testsrc2")

DEFAULT_SOURCES = ("testsrc2", "#e76f51", "smptehdbars", "#2a9d8f")
CUT: Transition = "cut"
DEFAULT_TRANSITIONS: tuple[Transition, ...] = (CUT, "fade", CUT)
FADE_SECONDS = 0.4  # each side of a fade-through-black boundary
AUDIO_RATE = 48000
# A pulsing two-note chord: steady and tonal, the way a music bed reads to analysis.
IMAGE_ENCODERS = {
    ".png": ("-c:v", "png"),
    ".jpg": ("-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "3"),
    ".jpeg": ("-c:v", "mjpeg", "-pix_fmt", "yuvj420p", "-q:v", "3"),
    ".webp": ("-c:v", "libwebp", "-quality", "85"),
}
MUSIC_BED = "0.12*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*2*t))+0.08*sin(2*PI*330*t)"


@dataclass(frozen=True)
class SampleVideo:
    path: Path
    duration: float
    size: tuple[int, int]
    fps: int
    cuts: tuple[float, ...]  # every shot boundary after 0, hard cut or fade
    fades: tuple[tuple[float, float], ...]  # (start, end) of each fade-through-black
    speech: tuple[float, float] | None  # where the speech-like burst sits


def make_sample_video(
    path: Path,
    *,
    duration: float = 12.0,
    size: tuple[int, int] = (1080, 1920),
    fps: int = 30,
    shots: Sequence[Shot] | None = None,
    transitions: Sequence[Transition] | None = None,
    with_audio: bool = True,
) -> SampleVideo:
    """A 9:16 H.264 (+AAC) mp4 made of ``shots``.

    Without ``shots`` the video is four equal shots of ``duration`` joined by cut, fade, cut; with
    them ``duration`` is their sum and ``transitions`` (one per boundary) default to cuts.
    """
    default: tuple[Transition, ...] = DEFAULT_TRANSITIONS
    if shots is None:
        shots = [(duration / len(DEFAULT_SOURCES), source) for source in DEFAULT_SOURCES]
    else:
        default = (CUT,) * (len(shots) - 1)
    kinds = default if transitions is None else tuple(transitions)
    if len(kinds) != len(shots) - 1:
        raise ValueError("give one transition per boundary between shots")
    duration = sum(seconds for seconds, _ in shots)
    width, height = size
    fades_in = (False, *(t == "fade" for t in kinds))
    fades_out = (*(t == "fade" for t in kinds), False)
    chains = [
        _shot_chain(i, seconds, source, size, fps, fade_in=fades_in[i], fade_out=fades_out[i])
        for i, (seconds, source) in enumerate(shots)
    ]
    labels = "".join(f"[v{i}]" for i in range(len(shots)))
    graph = [*chains, f"{labels}concat=n={len(shots)}:v=1:a=0[v]"]
    speech = (round(duration * 0.25, 3), round(duration * 0.6, 3)) if with_audio else None
    maps = ["-map", "[v]"]
    if speech:
        graph.append(_audio_chain(duration, speech))
        maps += ["-map", "[a]", "-c:a", "aac", "-b:a", "128k", "-ac", "2"]
    run_ffmpeg(
        ["-filter_complex", ";".join(graph), *maps, *_h264_args(fps), "-t", f"{duration:.3f}", str(path)],
        timeout=300,
        what="sample video",
    )
    boundaries = [sum(seconds for seconds, _ in shots[: i + 1]) for i in range(len(shots) - 1)]
    return SampleVideo(
        path=path,
        duration=duration,
        size=(width, height),
        fps=fps,
        cuts=tuple(boundaries),
        fades=tuple(
            (at - FADE_SECONDS, at + FADE_SECONDS)
            for at, t in zip(boundaries, kinds, strict=True)
            if t == "fade"
        ),
        speech=speech,
    )


def make_image(path: Path, size: tuple[int, int] = (720, 1280), color: str = "#e9c46a") -> Path:
    """A still (PNG, JPEG or WebP by suffix): a coloured field with a lighter centred subject."""
    encoder = IMAGE_ENCODERS.get(path.suffix.lower())
    if encoder is None:
        raise ValueError(f"no image encoder for {path.suffix!r}")
    width, height = size
    source = f"color=c={_ffmpeg_color(color)}:s={width}x{height}:d=1"
    subject = "drawbox=x=iw/4:y=ih/3:w=iw/2:h=ih/3:color=white@0.7:t=fill"
    run_ffmpeg(
        ["-f", "lavfi", "-i", source, "-vf", subject, *encoder, "-frames:v", "1", str(path)],
        timeout=60,
        what="sample image",
    )
    return path


def make_tone(path: Path, seconds: float = 1.0, freq: float = 440.0) -> Path:
    """A mono 16-bit WAV sine tone."""
    source = f"sine=frequency={freq:g}:sample_rate=44100:duration={seconds:g}"
    run_ffmpeg(["-f", "lavfi", "-i", source, "-c:a", "pcm_s16le", str(path)], timeout=60, what="sample tone")
    return path


def make_rotated_video(
    path: Path,
    *,
    size: tuple[int, int] = (1920, 1080),
    duration: float = 1.0,
    fps: int = 30,
    degrees: int = 90,
) -> Path:
    """Landscape pixels stored with a display matrix of ``degrees``: a phone video held upright."""
    width, height = size
    source = f"testsrc2=s={width}x{height}:r={fps}:d={duration:g}"
    rotate = ["-noautorotate", "-display_rotation", str(degrees)]  # keep the pixels, set the matrix
    run_ffmpeg(
        [*rotate, "-f", "lavfi", "-i", source, *_h264_args(fps), str(path)], timeout=120, what="rotated"
    )
    return path


def _shot_chain(
    index: int, seconds: float, source: str, size: tuple[int, int], fps: int, *, fade_in: bool, fade_out: bool
) -> str:
    width, height = size
    if source.startswith("#"):
        head = f"color=c={_ffmpeg_color(source)}:s={width}x{height}:r={fps}"
    else:
        head = f"{source}{':' if '=' in source else '='}s={width}x{height}:r={fps}"
    steps = [head, f"trim=duration={seconds:.3f}", "setpts=PTS-STARTPTS", "format=yuv420p"]
    if fade_in:
        steps.append(f"fade=t=in:st=0:d={FADE_SECONDS}")
    if fade_out:
        steps.append(f"fade=t=out:st={seconds - FADE_SECONDS:.3f}:d={FADE_SECONDS}")
    return ",".join(steps) + f"[v{index}]"


def _audio_chain(duration: float, speech: tuple[float, float]) -> str:
    """A music bed plus a speech-like burst: pink noise in the voice band, pulsing at syllable rate."""
    start, end = speech
    bed = f"aevalsrc='{MUSIC_BED}':s={AUDIO_RATE}:d={duration:.3f}"
    voice = (
        f"anoisesrc=c=pink:r={AUDIO_RATE}:a=0.5:seed=7:d={duration:.3f},"
        "bandpass=f=900:width_type=h:w=1400,tremolo=f=4.5:d=0.9,"
        f"volume='6*between(t,{start},{end})':eval=frame"
    )
    return f"{bed}[bed];{voice}[voice];[bed][voice]amix=inputs=2:normalize=0[a]"


def _h264_args(fps: int) -> list[str]:
    return [
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-r", str(fps), "-g", str(fps), "-movflags", "+faststart",
    ]  # fmt: skip


def _ffmpeg_color(hex_color: str) -> str:
    return "0x" + hex_color.lstrip("#")
