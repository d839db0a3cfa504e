"""The offline animatic: a procedural clip that previews a segment for free.

It shows what the plan says: the segment's palette as a slowly moving gradient, a Ken Burns move
over the character image (or a sample keyframe) when there is one, the prompt as a caption and the
overlay text on top. One FFmpeg run, exact frame count, deterministic for the same inputs.
"""

from __future__ import annotations

import random
import re
import tempfile
import textwrap
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from reelsmith.domain.errors import MediaRejected
from reelsmith.media.ffmpeg import FONT_PATH, Input, run_ffmpeg
from reelsmith.media.probe import CONTAINERS_FOR, DEMUXERS, sniff_container
from reelsmith.settings import get_settings

DEFAULT_PALETTE = ("#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51")
HEX_COLOR = re.compile(r"#?([0-9a-fA-F]{6})")
MAX_GRADIENT_COLORS = 8  # what the gradients source takes
CAPTION_LINES = 4
OVERLAY_LINES = 2
GLYPH_WIDTH = 0.6  # average advance of DejaVu Sans Bold, in font sizes
KEN_BURNS_ZOOM = 0.12  # how much the image zooms over the clip
PALETTE_WASH = "blend=all_mode=softlight:all_opacity=0.3"  # the palette tints the image


def render_animatic(
    out_path: Path,
    *,
    duration: float,
    prompt: str,
    palette: Sequence[str] = (),
    overlay_text: str | None = None,
    image_path: Path | None = None,
    size: tuple[int, int] = (720, 1280),
    fps: int = 30,
    seed: int = 0,
    timeout: float | None = None,
) -> Path:
    """Render an H.264 (yuv420p, no audio, faststart) clip of ``round(duration * fps)`` frames."""
    frames = max(1, round(duration * fps))
    settings = get_settings()
    with tempfile.TemporaryDirectory(prefix="animatic-", dir=out_path.parent) as tmp:
        work = Path(tmp)
        graph = [_background(_palette(palette), size, fps, frames, seed)]
        inputs: list[str] = []
        if image_path is not None:
            inputs = _image_input(image_path).args()
            graph += [_ken_burns(size, fps, frames, seed), f"[kb][bg]{PALETTE_WASH}[base]"]
        else:
            graph.append("[bg]null[base]")
        width = size[0]
        texts = [
            _text_layer(
                work / "caption.txt", prompt, round(width / 24), CAPTION_LINES, width, CAPTION_PLACEMENT
            ),
            _text_layer(
                work / "overlay.txt",
                overlay_text or "",
                round(width / 13),
                OVERLAY_LINES,
                width,
                OVERLAY_PLACEMENT,
            ),
        ]
        graph.append(f"[base]{','.join([*filter(None, texts), 'format=yuv420p'])}[v]")
        encode = [
            "-map", "[v]", "-an",
            "-c:v", "libx264", "-preset", settings.x264_preset, "-crf", "20", "-pix_fmt", "yuv420p",
            "-r", str(fps), "-frames:v", str(frames),
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1", "-movflags", "+faststart",
        ]  # fmt: skip
        run_ffmpeg(
            [*inputs, "-filter_complex", ";".join(graph), *encode, str(out_path)],
            timeout=timeout or settings.ffmpeg_timeout_seconds,
            what="animatic render",
        )
    return out_path


def _palette(palette: Sequence[str]) -> list[str]:
    """Valid ``#rrggbb`` colours from the plan, at least two, at most what gradients takes."""
    colors = [f"0x{m.group(1)}" for c in palette if (m := HEX_COLOR.fullmatch(c.strip()))]
    colors = colors or [f"0x{c[1:]}" for c in DEFAULT_PALETTE]
    if len(colors) == 1:
        colors.append("0x101018")
    return colors[:MAX_GRADIENT_COLORS]


def _background(colors: list[str], size: tuple[int, int], fps: int, frames: int, seed: int) -> str:
    """The palette as a drifting gradient, drawn small (it is smooth anyway) and scaled up."""
    width, height = size
    stops = ":".join(f"c{i}={c}" for i, c in enumerate(colors))
    return (
        f"gradients=s={width // 4}x{height // 4}:r={fps}:d={frames / fps:.4f}:{stops}:n={len(colors)}"
        f":seed={seed % 2**32}:speed=0.015:type=linear,scale={width}:{height}:flags=bicubic,"
        "format=yuv420p,vignette=PI/5[bg]"
    )


def _image_input(image_path: Path) -> Input:
    container = sniff_container(image_path)
    if container not in CONTAINERS_FOR["image"]:
        raise MediaRejected("The segment image is not a PNG, JPEG or WebP image.", code="unsupported_media")
    return Input(image_path, DEMUXERS[container])


def _ken_burns(size: tuple[int, int], fps: int, frames: int, seed: int) -> str:
    """Zoom and drift over the still, chosen by the seed; upscaled first so the move is smooth."""
    width, height = size
    rng = random.Random(seed)
    zoom_in = rng.random() < 0.5
    drift_x, drift_y = rng.uniform(-0.4, 0.4), rng.uniform(-0.4, 0.4)
    progress = f"(on/{max(frames - 1, 1)})"
    zoom = f"1+{KEN_BURNS_ZOOM}*{progress if zoom_in else f'(1-{progress})'}"
    pan_x = f"(iw-iw/zoom)*(0.5+{drift_x:.3f}*{progress})"
    pan_y = f"(ih-ih/zoom)*(0.5+{drift_y:.3f}*{progress})"
    return (
        f"[0:v]scale={width * 3 // 2}:{height * 3 // 2}:force_original_aspect_ratio=increase,"
        f"crop={width * 3 // 2}:{height * 3 // 2},setsar=1,"
        f"zoompan=z='{zoom}':x='{pan_x}':y='{pan_y}':d={frames}:s={width}x{height}:fps={fps},"
        f"setsar=1,format=yuv420p[kb]"
    )


# The prompt sits in a translucent box in the upper third, fading in; the bottom stays free for the
# voice-over captions the composer burns in. The overlay text sits near the top with a shadow.
CAPTION_PLACEMENT = "x=(w-text_w)/2:y=h*0.2:box=1:boxcolor=black@0.45:boxborderw=20:alpha='min(1,t/0.6)'"
OVERLAY_PLACEMENT = "x=(w-text_w)/2:y=h*0.08:shadowx=3:shadowy=3:shadowcolor=black@0.6"


def _text_layer(
    text_file: Path, text: str, font_size: int, max_lines: int, width: int, placement: str
) -> str:
    """One wrapped block of text as a drawtext filter ("" when there is no text)."""
    lines = _wrap(text, width, font_size, max_lines)
    if not lines:
        return ""
    return _drawtext(_text_file(text_file, lines), font_size, placement)


def _drawtext(text_file: Path, font_size: int, placement: str) -> str:
    return (
        f"drawtext=fontfile={_filter_value(str(FONT_PATH))}:textfile={_filter_value(str(text_file))}"
        f":expansion=none:fontsize={font_size}:fontcolor=white:line_spacing={font_size // 4}"
        f":text_align=C:{placement}"
    )


def _wrap(text: str, width: int, font_size: int, max_lines: int) -> list[str]:
    """Printable text wrapped to the frame; the last kept line ends in an ellipsis when cut."""
    clean = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    per_line = max(8, int(width * 0.84 / (font_size * GLYPH_WIDTH)))
    lines = textwrap.wrap(" ".join(clean.split()), per_line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = textwrap.shorten(lines[-1] + " …", per_line, placeholder=" …")
    return lines


def _text_file(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _filter_value(value: str) -> str:
    """Escape ``value`` for a filter option inside a filtergraph (both FFmpeg escaping levels)."""
    option_level = re.sub(r"([\\':])", r"\\\1", value)
    return re.sub(r"([\\'\[\],;])", r"\\\1", option_level)
