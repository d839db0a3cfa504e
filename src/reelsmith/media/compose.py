"""The composition as one FFmpeg command with one filter graph, built by pure functions (no I/O).

Timing (how transitions consume time, so the planned total stays exact): each clip's *slot*
starts at the sum of the planned durations before it, rounded to a frame, and the output lasts
exactly the sum of all planned durations. A transition into clip ``i`` fills the first frames of
its slot: the incoming clip begins on time (captions and voice-over stay in sync with the plan)
and the outgoing clip runs on under it. So each clip supplies its slot plus the next clip's
transition; a clip shorter than that holds its last frame (``tpad`` clone) instead of failing.
Every clip is cut into head / middle / tail pieces by frame number, each transition is an
``xfade`` of one tail and the next head, and one ``concat`` joins all pieces in order.

Speed: libx264 dominates, so the graph stays cheap: planar YUV throughout (grades are ``eq`` and
``lutyuv``; an RGB filter would cost two full-frame conversions a frame), crop to 9:16 before the
one bilinear scale, frame-rate reduction before scaling, decoding stopped at what each clip
supplies (``-t`` on its input), clips read strictly in order. Colour is tagged BT.709 without a
matrix conversion: the video models deliver BT.709, and untagged HD is BT.709 by convention.
Sound: voice over the music bed with sidechain ducking, effects at their times, then ``loudnorm``
to the target: linear, from a first audio-only measuring pass (see ``Loudness``), with its
true-peak ceiling 1.5 dB under the limit to leave room for the AAC encoder's overshoot.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reelsmith.domain.rules import (
    OUTPUT_FPS,
    OUTPUT_HEIGHT,
    OUTPUT_WIDTH,
    TARGET_LUFS,
    TRANSITION_SECONDS,
    TRUE_PEAK_DBTP,
)

from .captions import CaptionCue
from .ffmpeg import FONT_PATH, Input

TransitionKind = Literal["cut", "fade", "slide", "wipe"]
AudioRole = Literal["voice", "music", "effect"]

XFADE_TRANSITIONS: dict[str, str] = {"fade": "fade", "slide": "slideleft", "wipe": "wipeleft"}

# Grades stay in YUV: an RGB filter (curves, lut3d) would cost two full-frame conversions per frame.
GRADES: dict[str, str] = {
    "none": "",
    "warm": "lutyuv=u=val-7:v=val+7,eq=saturation=1.05",
    "cool": "lutyuv=u=val+7:v=val-5",
    "vivid": "eq=contrast=1.08:saturation=1.35",
    "mono": "lutyuv=u=128:v=128,eq=contrast=1.1",
    "bright": "eq=brightness=0.04:gamma=1.08:saturation=1.1",
    "moody": "eq=contrast=1.12:brightness=-0.03:saturation=0.8,lutyuv=u=val+4:v=val-2",
    "vintage": "eq=contrast=0.92:saturation=0.7,lutyuv=u=val-6:v=val+4",
}

# Demuxer pinned per file extension: our assets are stored under names we chose, and an upload
# whose bytes do not match its pinned container is refused by FFmpeg instead of being auto-probed.
DEMUXERS: dict[str, str] = {
    ".mp4": "mov",
    ".m4a": "mov",
    ".mov": "mov",
    ".wav": "wav",
    ".mp3": "mp3",
    ".ogg": "ogg",
    ".webm": "matroska",
}

MUSIC_BED_DB = -12.0  # music sits this far under the voice before ducking (gain_db adds to it)
EFFECT_DB = -3.0
DUCKING = "sidechaincompress=threshold=0.03:ratio=6:attack=40:release=400"
AUDIO_FORMAT = "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo"
SCALE_FLAGS = "bilinear"


def demuxer_for(path: Path) -> str:
    try:
        return DEMUXERS[path.suffix.lower()]
    except KeyError:
        raise ValueError(f"no pinned demuxer for {path.name!r}") from None


@dataclass(frozen=True)
class ClipInput:
    """One generated clip. ``duration`` is its planned slot on screen, seconds."""

    path: Path
    duration: float
    transition_in: TransitionKind = "cut"
    transition_seconds: float = TRANSITION_SECONDS
    overlay_text: str | None = None
    has_audio: bool = False  # mix the clip's own sound into the bed (ducked under the voice)
    source_fps: float | None = None  # when known and above the output rate, frames drop before scaling


@dataclass(frozen=True)
class AudioInput:
    path: Path
    role: AudioRole
    start: float = 0.0
    gain_db: float = 0.0
    duration: float | None = None  # the file's length when known: a shorter music bed is looped


@dataclass(frozen=True)
class Loudness:
    """The mix as loudnorm's analysis measured it in a first, audio-only pass.

    With it the encode pass normalises linearly to the exact target; without it loudnorm's
    dynamic mode guesses from a 3 s window and misses short or sparse voice-overs by > 1 LU.
    """

    integrated: float
    true_peak: float
    lra: float
    threshold: float
    offset: float


@dataclass(frozen=True)
class ClipTiming:
    start_frame: int  # first frame of the clip's slot on the output timeline
    slot_frames: int
    transition_frames: int  # frames of the incoming transition (0: a cut)
    supplied_frames: int  # slot plus the next clip's transition


@dataclass(frozen=True)
class ComposeSpec:
    clips: tuple[ClipInput, ...]
    audio: tuple[AudioInput, ...] = ()
    captions: tuple[CaptionCue, ...] = ()
    caption_style: str = "bold"
    grade: str = "none"
    fit: Literal["fill", "letterbox"] = "fill"  # never letterbox unless the plan asks
    width: int = OUTPUT_WIDTH
    height: int = OUTPUT_HEIGHT
    fps: int = OUTPUT_FPS
    crf: int = 20
    preset: str = "veryfast"
    target_lufs: float = TARGET_LUFS
    true_peak: float = TRUE_PEAK_DBTP
    ducking: bool = True

    def __post_init__(self) -> None:
        if not self.clips:
            raise ValueError("a composition needs at least one clip")
        if any(c.duration <= 0 for c in self.clips):
            raise ValueError("clip durations must be positive")
        if self.grade not in GRADES:
            raise ValueError(f"unknown grade {self.grade!r}; known: {', '.join(GRADES)}")
        if self.width % 2 or self.height % 2:
            raise ValueError("output width and height must be even")
        for timing in self.timeline()[1:]:
            if timing.transition_frames >= timing.slot_frames:
                raise ValueError("a transition must be shorter than the clip it leads into")

    @property
    def total_frames(self) -> int:
        return round(sum(c.duration for c in self.clips) * self.fps)

    @property
    def total_duration(self) -> float:
        """The exact output duration: the planned total, on a frame boundary."""
        return self.total_frames / self.fps

    @property
    def has_subtitles(self) -> bool:
        return bool(self.captions) or any(c.overlay_text for c in self.clips)

    def timeline(self) -> list[ClipTiming]:
        starts, elapsed = [], 0.0
        for clip in self.clips:
            starts.append(round(elapsed * self.fps))
            elapsed += clip.duration
        ends = [*starts[1:], round(elapsed * self.fps)]
        incoming = [
            0 if i == 0 or c.transition_in == "cut" else round(c.transition_seconds * self.fps)
            for i, c in enumerate(self.clips)
        ]
        following = [*incoming[1:], 0]
        return [
            ClipTiming(s, e - s, x, e - s + nxt)
            for s, e, x, nxt in zip(starts, ends, incoming, following, strict=True)
        ]


def overlay_cues(spec: ComposeSpec) -> list[CaptionCue]:
    """Each clip's text overlay, shown for the clip's slot."""
    return [
        CaptionCue(t.start_frame / spec.fps, (t.start_frame + t.slot_frames) / spec.fps, clip.overlay_text)
        for clip, t in zip(spec.clips, spec.timeline(), strict=True)
        if clip.overlay_text
    ]


def filter_value(value: str) -> str:
    """Quote a filter option value (e.g. a path) for both levels of FFmpeg's filter-graph parsing."""
    quoted = "'" + value.replace("'", "'\\''") + "'"
    return "".join("\\" + ch if ch in "\\'[],;" else ch for ch in quoted)


def _seconds(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _clip_chain(spec: ComposeSpec, index: int, timing: ClipTiming) -> str:
    """Normalise one clip (9:16 fill, size, rate, SAR, format) to exactly the frames it supplies."""
    clip = spec.clips[index]
    w, h = spec.width, spec.height
    if spec.fit == "fill":
        frame = (
            f"crop='trunc(min(iw,ih*{w}/{h})/2)*2':'trunc(min(ih,iw*{h}/{w})/2)*2',"
            f"scale={w}:{h}:flags={SCALE_FLAGS}"
        )
    else:
        frame = (
            f"scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2:flags={SCALE_FLAGS},"
            f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2"
        )
    frame += ",format=yuv420p,setsar=1"
    rate = f"fps={spec.fps}"
    steps = [rate, frame] if clip.source_fps and clip.source_fps > spec.fps else [frame, rate]
    return (
        f"[{index}:v]setpts=PTS-STARTPTS,{','.join(steps)},"
        f"tpad=stop_mode=clone:stop={timing.supplied_frames},trim=end_frame={timing.supplied_frames}"
    )


def _pieces(index: int, timing: ClipTiming, next_transition: int) -> tuple[str, list[str]]:
    """Split a clip into head (under the incoming transition), middle and tail (under the next one).

    Cutting the transitions out as short pieces and joining everything with one ``concat`` keeps
    FFmpeg reading the clips in order: an ``xfade`` over whole clips pulls every later clip from the
    start and holds its frames until the offset (hundreds of MB of 1080x1920 frames, and slower).
    """
    bounds = {"mid": (timing.transition_frames, timing.slot_frames)}
    if timing.transition_frames:
        bounds["head"] = (0, timing.transition_frames)
    if next_transition:
        bounds["tail"] = (timing.slot_frames, timing.supplied_frames)
    if len(bounds) == 1:
        return f"setpts=PTS-STARTPTS[mid{index}]", []
    trims = [
        f"[s{index}{name}]trim=start_frame={a}:end_frame={b},setpts=PTS-STARTPTS[{name}{index}]"
        for name, (a, b) in bounds.items()
    ]
    return f"split={len(bounds)}{''.join(f'[s{index}{name}]' for name in bounds)}", trims


def _video_graph(spec: ComposeSpec, subtitles: str | None, fonts_dir: str) -> list[str]:
    timeline = spec.timeline()
    parts: list[str] = []
    segments: list[str] = []
    for i, timing in enumerate(timeline):
        next_transition = timeline[i + 1].transition_frames if i + 1 < len(timeline) else 0
        ending, trims = _pieces(i, timing, next_transition)
        parts += [f"{_clip_chain(spec, i, timing)},{ending}", *trims]
        if timing.transition_frames:
            kind = XFADE_TRANSITIONS[spec.clips[i].transition_in]
            duration = _seconds(timing.transition_frames / spec.fps)
            parts.append(f"[tail{i - 1}][head{i}]xfade=transition={kind}:duration={duration}:offset=0[x{i}]")
            segments.append(f"x{i}")
        segments.append(f"mid{i}")
    finish = [GRADES[spec.grade]] if GRADES[spec.grade] else []
    if subtitles:
        finish.append(f"ass=filename={filter_value(subtitles)}:fontsdir={filter_value(fonts_dir)}")
    finish.append("setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv")
    joined = "".join(f"[{s}]" for s in segments)
    parts.append(f"{joined}concat=n={len(segments)}:v=1:a=0,{','.join(finish)}[vout]")
    return parts


def _mix(labels: Sequence[str], out: str) -> str:
    if len(labels) == 1:
        return f"[{labels[0]}]anull[{out}]"
    return f"{''.join(f'[{x}]' for x in labels)}amix=inputs={len(labels)}:normalize=0:duration=longest[{out}]"


# AAC encoding lifts inter-sample peaks by up to ~1 dB: normalise below the ceiling by this much.
TRUE_PEAK_HEADROOM_DB = 1.5


def _loudnorm(spec: ComposeSpec, loudness: Loudness | None, *, measure: bool) -> str:
    target = f"loudnorm=I={spec.target_lufs:g}:TP={spec.true_peak - TRUE_PEAK_HEADROOM_DB:g}:LRA=11"
    if measure:
        return f"{target}:print_format=json"
    if loudness is None:
        return target
    return (
        f"{target}:measured_I={loudness.integrated:g}:measured_TP={loudness.true_peak:g}"
        f":measured_LRA={loudness.lra:g}:measured_thresh={loudness.threshold:g}"
        f":offset={loudness.offset:g}:linear=true"
    )


def _audio_graph(spec: ComposeSpec, loudness: Loudness | None = None, *, measure: bool = False) -> list[str]:
    total = _seconds(spec.total_duration)
    parts: list[str] = []
    voices: list[str] = []
    beds: list[str] = []
    effects: list[str] = []
    for i, (clip, timing) in enumerate(zip(spec.clips, spec.timeline(), strict=True)):
        if clip.has_audio:
            delay = round(timing.start_frame / spec.fps * 1000)
            parts.append(
                f"[{i}:a]asetpts=PTS-STARTPTS,{AUDIO_FORMAT},"
                f"atrim=duration={_seconds(timing.slot_frames / spec.fps)},adelay={delay}:all=1[ca{i}]"
            )
            beds.append(f"ca{i}")
    base_gain = {"voice": 0.0, "music": MUSIC_BED_DB, "effect": EFFECT_DB}
    groups = {"voice": voices, "music": beds, "effect": effects}
    for k, item in enumerate(spec.audio, start=len(spec.clips)):
        steps = ["asetpts=PTS-STARTPTS", AUDIO_FORMAT]
        gain = base_gain[item.role] + item.gain_db
        if gain:
            steps.append(f"volume={gain:g}dB")
        if item.start > 0:
            steps.append(f"adelay={round(item.start * 1000)}:all=1")
        if item.role == "music":
            steps.append(f"atrim=duration={total}")
        parts.append(f"[{k}:a]{','.join(steps)}[a{k}]")
        groups[item.role].append(f"a{k}")
    mixed: list[str] = []
    if voices:
        parts.append(_mix(voices, "voice"))
    if beds:
        parts.append(_mix(beds, "bed"))
    if voices and beds and spec.ducking:
        parts.append("[voice]asplit=2[voice_mix][voice_key]")
        parts.append(f"[bed][voice_key]{DUCKING}[ducked]")
        mixed += ["voice_mix", "ducked"]
    else:
        mixed += (["voice"] if voices else []) + (["bed"] if beds else [])
    mixed += effects
    if not mixed:
        return [f"anullsrc=r=48000:cl=stereo,atrim=duration={total}[aout]"]
    parts.append(_mix(mixed, "mix"))
    parts.append(
        f"[mix]apad=whole_dur={total},atrim=duration={total},"
        f"{_loudnorm(spec, loudness, measure=measure)},"
        f"aresample=48000,{AUDIO_FORMAT}[aout]"
    )
    return parts


def build_filter_graph(
    spec: ComposeSpec,
    *,
    subtitles: str | None = None,
    fonts_dir: str = str(FONT_PATH.parent),
    loudness: Loudness | None = None,
) -> str:
    """The whole graph: labelled outputs ``[vout]`` and ``[aout]``.

    ``subtitles`` is the ASS file with the captions and overlays (written by the caller, since
    this function does no I/O); it is required when the spec has any. libass looks for fonts only
    in ``fonts_dir`` (the bundled font) and the style names the bundled family.
    """
    if spec.has_subtitles and not subtitles:
        raise ValueError("the spec has captions or overlays: pass the ASS file that holds them")
    return ";".join(_video_graph(spec, subtitles, fonts_dir) + _audio_graph(spec, loudness))


def _music_loop(spec: ComposeSpec, item: AudioInput) -> tuple[str, ...]:
    """Loop a music bed shorter than the video a *finite* number of times.

    Never ``-stream_loop -1``: an input that yields no packets (a hostile file that the pinned
    demuxer reads as empty) would loop forever.
    """
    if item.role != "music" or not item.duration or item.duration >= spec.total_duration:
        return ()
    return ("-stream_loop", str(math.ceil(spec.total_duration / item.duration) - 1))


def build_inputs(spec: ComposeSpec) -> list[Input]:
    """Every input with a pinned demuxer; clips read only as far as they are used."""
    inputs = [
        Input(clip.path, demuxer_for(clip.path), ("-t", _seconds(t.supplied_frames / spec.fps + 0.25)))
        for clip, t in zip(spec.clips, spec.timeline(), strict=True)
    ]
    for item in spec.audio:
        inputs.append(Input(item.path, demuxer_for(item.path), _music_loop(spec, item)))
    return inputs


def has_sound(spec: ComposeSpec) -> bool:
    """Whether anything audible goes into the mix (else the output carries generated silence)."""
    return bool(spec.audio) or any(clip.has_audio for clip in spec.clips)


def build_loudness_command(spec: ComposeSpec) -> list[str]:
    """An audio-only pass that prints loudnorm's JSON measurement of the final mix (seconds, no video)."""
    args = ["-nostats", "-loglevel", "info"]
    for item in build_inputs(spec):
        args += item.args()
    graph = ";".join(_audio_graph(spec, measure=True))
    return [*args, "-filter_complex", graph, "-map", "[aout]", "-f", "null", "-"]


def parse_loudness(stderr: str) -> Loudness | None:
    """loudnorm's measurement from the log; None for silence (nothing to normalise)."""
    start = stderr.rfind("{")
    end = stderr.rfind("}")
    if start < 0 or end < start:
        return None
    try:
        data = json.loads(stderr[start : end + 1])
        loudness = Loudness(
            integrated=float(data["input_i"]),
            true_peak=float(data["input_tp"]),
            lra=float(data["input_lra"]),
            threshold=float(data["input_thresh"]),
            offset=float(data["target_offset"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
    finite = all(math.isfinite(v) for v in vars(loudness).values())
    return loudness if finite else None


def build_command(
    spec: ComposeSpec,
    out_path: Path,
    *,
    subtitles: str | None = None,
    fonts_dir: str = str(FONT_PATH.parent),
    loudness: Loudness | None = None,
) -> list[str]:
    """The full FFmpeg argument list (without the binary) for ``ffmpeg.run_ffmpeg``."""
    args = ["-nostats", "-loglevel", "warning"]
    for item in build_inputs(spec):
        args += item.args()
    graph = build_filter_graph(spec, subtitles=subtitles, fonts_dir=fonts_dir, loudness=loudness)
    args += [
        "-filter_complex", graph,
        "-map", "[vout]", "-map", "[aout]",
        "-c:v", "libx264", "-preset", spec.preset, "-crf", str(spec.crf),
        "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
        "-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "2",
        "-map_metadata", "-1", "-map_chapters", "-1",
        "-movflags", "+faststart",
        str(out_path),
    ]  # fmt: skip
    return args
