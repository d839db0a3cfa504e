"""Composition benchmark: our one-pass FFmpeg composition against the shared yardsticks, side by side.

    python bench/compose_bench.py [--runs N] [--moviepy-runs M] [--skip-moviepy]

Inputs come from /work/shared/bench/make_compose_inputs.sh (6 clips of 720x1280, 5-10 s, a voice
and a music track) into bench/.work/inputs. Each round runs, one after the other on the same
machine: our composition (6 clips, 0.5 s crossfades, one caption per clip, voice over ducked
music, loudnorm, 1080x1920 30 fps, libx264 veryfast CRF 20), the bare re-encode of our output
(bare_encode.sh: the floor for one encode pass), and the MoviePy version (moviepy_compose.py,
installed into its own venv bench/.work/venv on first use; about 6 minutes a run on 2 cores).
Prints medians of wall time, the ratios ours/MoviePy and ours/bare, and peak RSS per process tree.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = (REPO / ".." / "shared" / "bench").resolve()
WORK = REPO / "bench" / ".work"
INPUTS = WORK / "inputs"
CLIP_SECONDS = (5, 10, 5, 10, 5, 5)
CROSSFADE = 0.5


def ffmpeg() -> str:
    from reelsmith.media.ffmpeg import ffmpeg_exe

    return ffmpeg_exe()


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """Run ``cmd``; return wall seconds, CPU seconds and peak RSS (MiB) of it and its children."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{stderr[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def compose_once(out: Path) -> None:
    """Our composition of the standard inputs (run in a child process so its RSS is its own)."""
    from reelsmith.media.captions import CaptionCue
    from reelsmith.media.compose import AudioInput, ClipInput, ComposeSpec
    from reelsmith.media.render import compose_video, job_work_dir

    # Planned slots: every clip but the last gives its final 0.5 s to the crossfade, so the output
    # is 37.5 s like the MoviePy version and no clip is extended.
    slots = [s - CROSSFADE for s in CLIP_SECONDS[:-1]] + [CLIP_SECONDS[-1]]
    clips = tuple(
        ClipInput(INPUTS / f"clip{i + 1}.mp4", slot, "fade" if i else "cut", CROSSFADE, source_fps=24)
        for i, slot in enumerate(slots)
    )
    starts = [sum(slots[:i]) for i in range(len(slots) + 1)]
    captions = tuple(
        CaptionCue(starts[i], starts[i + 1], f"Caption for clip {i + 1}") for i in range(len(slots))
    )
    spec = ComposeSpec(
        clips,
        (AudioInput(INPUTS / "voice.mp3", "voice"), AudioInput(INPUTS / "music.mp3", "music")),
        captions,
        preset="veryfast",
        crf=20,
    )
    with job_work_dir(WORK, "bench") as work_dir:
        compose_video(spec, out, work_dir=work_dir, timeout=1800)


def moviepy_python() -> Path:
    venv = WORK / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "moviepy", "imageio-ffmpeg"], check=True)
    return python


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="rounds of ours + bare (default 3)")
    parser.add_argument(
        "--moviepy-runs", type=int, default=1, help="rounds that also run MoviePy (default 1)"
    )
    parser.add_argument("--skip-moviepy", action="store_true")
    parser.add_argument("--compose-once", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compose_once:
        compose_once(args.compose_once)
        return

    ff = ffmpeg()
    if not (INPUTS / "music.mp3").exists():
        subprocess.run(["bash", str(SHARED / "make_compose_inputs.sh"), str(INPUTS), ff], check=True)
    ours_out, bare_out, moviepy_out = WORK / "ours.mp4", WORK / "bare.mp4", WORK / "moviepy.mp4"
    python = None if args.skip_moviepy else moviepy_python()
    results: dict[str, list[tuple[float, float, int]]] = {"ours": [], "bare": [], "moviepy": []}
    for round_no in range(args.runs):
        results["ours"].append(timed([sys.executable, __file__, "--compose-once", str(ours_out)]))
        results["bare"].append(
            timed(["bash", str(SHARED / "bare_encode.sh"), str(ours_out), str(bare_out), ff])
        )
        if python and round_no < args.moviepy_runs:
            script = SHARED / "moviepy_compose.py"
            font = REPO / "src" / "reelsmith" / "media" / "fonts" / "DejaVuSans-Bold.ttf"
            results["moviepy"].append(
                timed([str(python), str(script), str(INPUTS), str(moviepy_out), str(font)])
            )
        done = ", ".join(f"{k} {v[-1][0]:.1f} s" for k, v in results.items() if len(v) > round_no)
        print(f"round {round_no + 1}: {done}", flush=True)

    from reelsmith.media.qa import qa_report

    wall = {k: statistics.median(w for w, _, _ in v) for k, v in results.items() if v}
    cpu = {k: statistics.median(c for _, c, _ in v) for k, v in results.items() if v}
    print(
        f"\n{'run':<9}{'n':>3}{'median wall s':>15}{'min wall s':>12}{'median CPU s':>14}{'peak RSS MiB':>14}"
    )
    for name, runs in results.items():
        if runs:
            least, peak = min(w for w, _, _ in runs), max(r for _, _, r in runs)
            print(f"{name:<9}{len(runs):>3}{wall[name]:>15.1f}{least:>12.1f}{cpu[name]:>14.1f}{peak:>14}")
    ratio = wall["ours"] / wall["bare"]
    print(f"\nours / bare re-encode: wall {ratio:.3f} (goal <= 1.25), CPU {cpu['ours'] / cpu['bare']:.3f}")
    if "moviepy" in wall:
        ratio = wall["ours"] / wall["moviepy"]
        print(f"ours / MoviePy:        wall {ratio:.3f} ({1 / ratio:.1f}x faster; goal >= 8x)")
    load = os.getloadavg()[0]
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} cores (other work skews wall time)")
    report = qa_report(ours_out, planned_duration=37.5)
    print(
        f"our output: {report.width}x{report.height} {report.fps:g} fps {report.duration:.3f} s, "
        f"{report.integrated_lufs} LUFS, true peak {report.true_peak} dBTP, QA passed: {report.passed}"
    )
    for check in report.checks:
        if not check.ok:
            print(f"  QA {check.name}: {check.detail}")


if __name__ == "__main__":
    main()
