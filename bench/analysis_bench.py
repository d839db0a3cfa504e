"""Analysis benchmark: our whole signal analysis against PySceneDetect and a bare decode, side by side.

    python bench/analysis_bench.py [--rounds N]

The sample is made once in bench/.work/analysis/: the test suite's shot corpus (cuts, fades,
dissolves, flashes, fast pans and zooms) stretched and repeated to 60 s at 1080x1920 30 fps,
H.264 High (x264 medium, CRF 23) with an AAC music track; its boundaries are known to the frame.
PySceneDetect (scenedetect-headless, the yardstick) is installed on first use into its own venv,
bench/.work/scenedetect-venv, never into the project. Each round runs, one after the other:

- ours: ``analyze_video`` (every signal, keyframes, no AI), in a child process;
- PySceneDetect: ``scenedetect -i FILE detect-content list-scenes`` (cuts only);
- the floor: ``ffmpeg -i FILE -f null -`` (a bare full decode).

Prints wall-time medians with ratios, CPU time, our peak RSS, and how well each detector found the
known boundaries.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the corpus generator lives with the tests

from tests.media.analysis_corpus import Corpus, long_plan, make_corpus, plan_truth  # noqa: E402

WORK = REPO / "bench" / ".work" / "analysis"
SAMPLE = WORK / "sample-60s-1080x1920.mp4"
SCENEDETECT_VENV = REPO / "bench" / ".work" / "scenedetect-venv"
SIZE, FPS, SECONDS = (1080, 1920), 30, 60
PLAN = long_plan(FPS, SECONDS)
OURS = """
import json, sys
from pathlib import Path
from reelsmith.media.analysis import analyze_video
report, _ = analyze_video(Path(sys.argv[1]), keyframe_dir=Path(sys.argv[2]))
print(json.dumps({"shots": [[s.start, s.kind] for s in report.shots], "timings": report.timings}))
"""


def ffmpeg() -> str:
    from reelsmith.media.ffmpeg import ffmpeg_exe

    return ffmpeg_exe()


def sample() -> Corpus:
    frames, boundaries, flashes = plan_truth(PLAN, FPS)
    if SAMPLE.exists():
        return Corpus(SAMPLE, FPS, SIZE, frames, boundaries, flashes)
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"making the {SECONDS} s sample (once; several minutes on 2 cores)...", flush=True)
    partial = SAMPLE.with_suffix(".partial.mp4")
    corpus = make_corpus(
        partial, PLAN, size=SIZE, fps=FPS, render_scale=2, audio=True, preset="medium", crf=23
    )
    partial.rename(SAMPLE)
    return Corpus(SAMPLE, corpus.fps, corpus.size, corpus.frames, corpus.boundaries, corpus.flashes)


def scenedetect() -> Path:
    exe = SCENEDETECT_VENV / "bin" / "scenedetect"
    if not exe.exists():
        print("installing scenedetect-headless into bench/.work/scenedetect-venv...", flush=True)
        venv.create(SCENEDETECT_VENV, with_pip=True)
        subprocess.run(
            [SCENEDETECT_VENV / "bin" / "pip", "install", "-q", "scenedetect-headless"], check=True
        )
    return exe


def run_child(cmd: list[str]) -> tuple[float, float, int, str]:
    """Run ``cmd``; wall seconds, CPU seconds and peak RSS (MiB) of its process tree, and its stdout."""
    started = time.perf_counter()
    with open(WORK / "stdout.txt", "wb") as out, open(WORK / "stderr.txt", "wb") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{(WORK / 'stderr.txt').read_text(errors='replace')[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, (WORK / "stdout.txt").read_text()


def scenedetect_cuts(csv_path: Path) -> list[float]:
    with open(csv_path, newline="") as fh:
        first = next(csv.reader(fh))
    return [_seconds(tc) for tc in first[1:] if tc]


def _seconds(timecode: str) -> float:
    hours, minutes, seconds = timecode.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def matched(truth: list[float], found: list[float], tolerance: float) -> int:
    unused = sorted(found)
    hits = 0
    for t in sorted(truth):
        near = [f for f in unused if abs(f - t) <= tolerance]
        if near:
            unused.remove(min(near, key=lambda f: abs(f - t)))
            hits += 1
    return hits


def accuracy(corpus: Corpus, found: list[tuple[float, str]]) -> str:
    """Cut recall within one frame, gradual recall within 0.25 s, precision over every boundary found."""
    frame = 1 / corpus.fps + 1e-3
    cuts = [b.time for b in corpus.boundaries if b.kind == "cut"]
    gradual = [b.time for b in corpus.boundaries if b.kind != "cut"]
    found_cuts = [t for t, kind in found if kind in ("cut", "any")]
    found_gradual = [t for t, kind in found if kind in ("fade", "dissolve", "any")]
    cut_hits, gradual_hits = matched(cuts, found_cuts, frame), matched(gradual, found_gradual, 0.25)
    right = matched([b.time for b in corpus.boundaries], [t for t, _ in found], 0.25)
    return (
        f"cuts {cut_hits}/{len(cuts)} within 1 frame, gradual {gradual_hits}/{len(gradual)} within 0.25 s, "
        f"{right}/{len(found)} found boundaries right"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    corpus = sample()
    detector = scenedetect()
    keyframes, scenes = WORK / "keyframes", WORK / "scenes"
    commands = {
        "ours": [sys.executable, "-c", OURS, str(corpus.path), str(keyframes)],
        "pyscenedetect": [
            str(detector),
            "-q",
            "-i",
            str(corpus.path),
            "-o",
            str(scenes),
            "detect-content",
            "list-scenes",
            "-q",
        ],
        "bare decode": [ffmpeg(), "-v", "error", "-i", str(corpus.path), "-f", "null", "-"],
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    peak = 0
    ours_out = ""
    for round_number in range(1, args.rounds + 1):
        for name, cmd in commands.items():
            wall, cpu, rss, out = run_child(cmd)
            walls[name].append(wall)
            cpus[name].append(cpu)
            if name == "ours":
                peak, ours_out = max(peak, rss), out
            print(f"round {round_number}: {name:14s} {wall:7.2f} s wall, {cpu:7.2f} s CPU", flush=True)

    wall = {name: statistics.median(values) for name, values in walls.items()}
    cpu = {name: statistics.median(values) for name, values in cpus.items()}
    size_mb = corpus.path.stat().st_size * 8 / 1e6 / corpus.duration
    cut_count = sum(b.kind == "cut" for b in corpus.boundaries)
    print(
        f"\nsample: {corpus.duration:.1f} s {SIZE[0]}x{SIZE[1]} {FPS} fps H.264 (x264 medium CRF 23), "
        f"{size_mb:.1f} Mbit/s; {len(corpus.boundaries)} boundaries ({cut_count} cuts), "
        f"{len(corpus.flashes)} flashes; medians of {args.rounds} rounds on {os.cpu_count()} cores"
    )
    print(f"{'':34s} {'wall s':>8s} {'CPU s':>8s} {'/ bare decode':>14s} {'/ PySceneDetect':>16s}")
    labels = {
        "ours": "ours: analyze_video (no AI)",
        "pyscenedetect": "PySceneDetect detect-content",
        "bare decode": "ffmpeg -i FILE -f null - (floor)",
    }
    for name, label in labels.items():
        print(
            f"{label:34s} {wall[name]:8.2f} {cpu[name]:8.2f} {wall[name] / wall['bare decode']:14.2f} "
            f"{wall[name] / wall['pyscenedetect']:16.2f}"
        )
    print(
        f"PySceneDetect wall / ours: {wall['pyscenedetect'] / wall['ours']:.2f}x   our peak RSS: {peak} MiB"
    )
    report = json.loads(ours_out)
    print("our stages (last round):", ", ".join(f"{k} {v:.2f} s" for k, v in report["timings"].items()))
    ours_found = [(start, kind) for start, kind in report["shots"][1:]]
    csv_path = next(scenes.glob("*-Scenes.csv"))
    theirs_found = [(t, "any") for t in scenedetect_cuts(csv_path)]
    print("accuracy, ours:         ", accuracy(corpus, ours_found))
    print("accuracy, PySceneDetect:", accuracy(corpus, theirs_found))


if __name__ == "__main__":
    main()
