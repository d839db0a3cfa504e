"""Generated videos whose shot boundaries are known exactly, for shot-detection tests and the benchmark.

Each shot is a lavfi source (colour fields, test patterns, a fast pan, a Mandelbrot zoom, handheld
shake); shots join with hard cuts (``concat``) or ``xfade`` transitions (fade through black or
white, cross-dissolve, pixel dissolve). Some shots carry a 2-3 frame white flash, which is not a
cut. Everything runs on the time base 1/fps, so every boundary falls on a known frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reelsmith.media.ffmpeg import run_ffmpeg

Kind = Literal["cut", "fade", "dissolve"]

# Shot sources, formatted with w, h (render size) and fps. Chosen to be hard on a detector:
# similar-structure shots in different colours, continuous fast motion, flat fields.
SOURCES: dict[str, str] = {
    "bars": "smptehdbars=s={w}x{h}:r={fps}",
    "pattern": "testsrc2=s={w}x{h}:r={fps}",
    "pattern_green": "testsrc2=s={w}x{h}:r={fps},hue=h=120:s=1.2",
    "red": "color=c=0xd62728:s={w}x{h}:r={fps},noise=alls=12:allf=t:all_seed=1",
    "blue": "color=c=0x1f77b4:s={w}x{h}:r={fps},noise=alls=12:allf=t:all_seed=2",
    "gradient": "gradients=s={w}x{h}:r={fps}:speed=0.02:seed=3",
    "zoom": "mandelbrot=s={w}x{h}:r={fps}:maxiter=256:start_scale=2:end_scale=0.02:end_pts=60",
    "pan": "testsrc2=s={w2}x{h}:r={fps},crop={w}:{h}:x='{w}/2*(1-cos(t*5))':y=0",
    "shake": "testsrc2=s={w}x{h}:r={fps},hue=h=240,crop=iw*0.9:ih*0.9:'iw*0.05+iw*0.03*sin(t*11)':"
    "'ih*0.05+ih*0.02*cos(t*13)',scale={w}:{h}",
    "rgb": "rgbtestsrc=s={w}x{h}:r={fps}",
    "yellow": "color=c=0xe9c46a:s={w}x{h}:r={fps},noise=alls=8:allf=t:all_seed=4",
}
XFADE: dict[str, tuple[str, Kind]] = {
    "fadeblack": ("fadeblack", "fade"),
    "fadewhite": ("fadewhite", "fade"),
    "crossfade": ("fade", "dissolve"),
    "dissolve": ("dissolve", "dissolve"),
}


@dataclass(frozen=True)
class Step:
    """One shot and how it joins the previous one: ``join`` is "cut" or an XFADE key."""

    source: str
    frames: int
    join: str = "cut"
    join_frames: int = 0
    flash_at: int | None = None  # shot-local frame of a 2-frame white flash


@dataclass(frozen=True)
class Boundary:
    kind: Kind
    start: float  # cut: the first frame of the new shot; gradual: where the transition starts
    end: float

    @property
    def time(self) -> float:
        """Where the boundary is: the cut frame, or the middle of a gradual transition."""
        return (self.start + self.end) / 2


@dataclass(frozen=True)
class Corpus:
    path: Path
    fps: int
    size: tuple[int, int]
    frames: int
    boundaries: tuple[Boundary, ...]
    flashes: tuple[float, ...]

    @property
    def duration(self) -> float:
        return self.frames / self.fps


# Every kind of boundary, flashes inside shots, and fast motion that must not read as a cut.
UNIT_PLAN: tuple[Step, ...] = (
    Step("bars", 30),
    Step("pattern", 36),
    Step("red", 30, flash_at=12),
    Step("blue", 33),
    Step("zoom", 45, "crossfade", 18),
    Step("pattern_green", 30),
    Step("pan", 45),
    Step("yellow", 60, "fadeblack", 18),
    Step("gradient", 40, "dissolve", 21),
    Step("shake", 45, flash_at=8),
    Step("rgb", 45, "fadewhite", 24),
    Step("bars", 45),
    Step("pattern", 45, "crossfade", 27),
    Step("red", 24),
    Step("zoom", 30),
    Step("blue", 30, "fadeblack", 15),
    Step("pattern_green", 30),
)


# A second corpus in a different order: a cut between two shots of the same structure, a pixel
# dissolve into a moving shot, a fade into a fast zoom's neighbour, a one-second dissolve.
MIXED_PLAN: tuple[Step, ...] = (
    Step("gradient", 30),
    Step("red", 36, "crossfade", 15),
    Step("pattern", 30),
    Step("pattern_green", 30),
    Step("rgb", 45, flash_at=10),
    Step("pan", 60, "dissolve", 24),
    Step("bars", 45, "fadeblack", 21),
    Step("zoom", 30),
    Step("yellow", 40),
    Step("shake", 54, "fadewhite", 18),
    Step("blue", 48),
    Step("pattern", 45, "crossfade", 30),
    Step("red", 24),
    Step("bars", 24),
)


def long_plan(fps: int, seconds: float) -> tuple[Step, ...]:
    """UNIT_PLAN stretched (shots 2x longer) and repeated to fill ``seconds``: the benchmark's sample."""
    steps: list[Step] = []
    total = 0
    while total < seconds * fps:
        for step in UNIT_PLAN:
            stretched = Step(
                step.source,
                step.frames * 2,
                step.join if steps else "cut",
                step.join_frames,
                None if step.flash_at is None else step.flash_at * 2,
            )
            steps.append(stretched)
            total += stretched.frames - stretched.join_frames
            if total >= seconds * fps:
                break
    return tuple(steps)


def plan_truth(plan: tuple[Step, ...], fps: int = 30) -> tuple[int, tuple[Boundary, ...], tuple[float, ...]]:
    """(frame count, boundaries, flash times) of ``plan``: where each shot starts on the joined timeline."""
    boundaries: list[Boundary] = []
    flashes: list[float] = []
    length = 0
    for i, step in enumerate(plan):
        start = length - step.join_frames if i and step.join != "cut" else length
        if i and step.join == "cut":
            boundaries.append(Boundary("cut", start / fps, start / fps))
        elif i:
            boundaries.append(Boundary(XFADE[step.join][1], start / fps, length / fps))
        if step.flash_at is not None:
            flashes.append((start + step.flash_at) / fps)
        length = start + step.frames
    return length, tuple(boundaries), tuple(flashes)


def make_corpus(
    path: Path,
    plan: tuple[Step, ...] = UNIT_PLAN,
    *,
    size: tuple[int, int] = (360, 640),
    fps: int = 30,
    render_scale: int = 1,
    audio: bool = False,
    preset: str = "ultrafast",
    crf: int = 20,
) -> Corpus:
    """Render ``plan`` to an H.264 mp4 at ``size`` and return its ground truth.

    ``render_scale`` > 1 renders the sources smaller and upscales (a 1080x1920 Mandelbrot is slow).
    """
    width, height = size
    rw, rh = width // render_scale, height // render_scale
    retime = f"settb=1/{fps},setpts=N"  # every link on the 1/fps time base
    graph: list[str] = []
    for i, step in enumerate(plan):
        chain = SOURCES[step.source].format(w=rw, h=rh, w2=rw * 2, fps=fps)
        chain += f",scale={width}:{height},format=yuv420p,setsar=1,trim=end_frame={step.frames},{retime}"
        if step.flash_at is not None:
            chain += f",drawbox=c=white:t=fill:enable='between(n,{step.flash_at},{step.flash_at + 1})'"
        graph.append(f"{chain}[s{i}]")
    frames, boundaries, flashes = plan_truth(plan, fps)
    label = "s0"
    for i, (step, boundary) in enumerate(zip(plan[1:], boundaries, strict=True), start=1):
        if step.join == "cut":
            graph.append(f"[{label}][s{i}]concat=n=2:v=1:a=0,{retime}[j{i}]")
        else:
            graph.append(
                f"[{label}][s{i}]xfade=transition={XFADE[step.join][0]}:duration={step.join_frames / fps}"
                f":offset={boundary.start},{retime}[j{i}]"
            )
        label = f"j{i}"
    args = ["-f", "lavfi", "-i", f"{MUSIC}:d={frames / fps}"] if audio else []
    args += ["-filter_complex", ";".join(graph), "-map", f"[{label}]"]
    if audio:
        args += ["-map", "0:a", "-c:a", "aac", "-b:a", "128k"]
    args += ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p", "-r", str(fps)]
    run_ffmpeg([*args, "-frames:v", str(frames), str(path)], timeout=1800, what="shot corpus")
    return Corpus(path, fps, size, frames, boundaries, flashes)


# 120 BPM: a kick every 0.5 s over a two-note chord, the way a music bed reads to analysis.
MUSIC = (
    "aevalsrc='0.25*sin(2*PI*55*t)*exp(-12*mod(t,0.5))+0.08*sin(2*PI*220*t)+0.06*sin(2*PI*277*t)'"
    ":s=48000:c=stereo"
)


# Camera moves over a still, textured picture (frozen blurred noise), so only the camera moves.
TEXTURE = (
    "nullsrc=s={w2}x{h2}:r={fps},geq=lum='random(1)*255':cb=128:cr=128,boxblur=3,trim=end_frame=1,loop=-1:1:0"
)
CAMERA: dict[str, str] = {
    "static": "crop={w}:{h}:{w}/2:{h}/2",
    "pan": "crop={w}:{h}:'{w}/4+t*{w}*0.25':{h}/2",
    "zoom": "zoompan=z='1+0.012*on':d=1:s={w}x{h}:fps={fps}:x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2'",
    "handheld": "crop={w}:{h}:'{w}/2+{w}*0.02*sin(t*9)+{w}*0.012*sin(t*23)':'{h}/2+{h}*0.015*cos(t*11)'",
}


def make_camera_clip(
    path: Path, motion: str, *, seconds: float = 2.0, size: tuple[int, int] = (360, 640), fps: int = 30
) -> Path:
    """A clip whose only motion is the camera's: ``motion`` is a CAMERA key."""
    width, height = size
    chain = (
        TEXTURE.format(w2=width * 2, h2=height * 2, fps=fps)
        + ","
        + CAMERA[motion].format(w=width, h=height, fps=fps)
    )
    chain += f",format=yuv420p,setsar=1,trim=end_frame={round(seconds * fps)}"
    run_ffmpeg(
        ["-f", "lavfi", "-i", chain, "-c:v", "libx264", "-preset", "ultrafast", "-r", str(fps), str(path)],
        timeout=120,
        what="camera clip",
    )
    return path
