"""Audio signals: EBU R128 loudness, speech / music / silence segments, tempo and beats.

Loudness comes from FFmpeg's ebur128 filter (K-weighting and gating done right), run on the audio
stream only while the video decodes. The rest reads the 16 kHz mono samples the decode pass kept,
with simple features on short windows: level, syllable-rate (4 Hz) modulation of the energy,
the share of quiet frames (pauses between words), spectral flatness (noise vs tone). Tempo is the
autocorrelation of an onset envelope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from reelsmith.domain.analysis import AudioSegment, AudioSignals
from reelsmith.media.ffmpeg import Input, run_ffmpeg

SegmentKind = Literal["speech", "music", "silence", "other"]
FRAME = 512  # samples per feature frame (32 ms at 16 kHz)
SEGMENT = 0.5  # seconds per labelled segment
CONTEXT = 1.0  # seconds either side of a segment that its features look at
SILENCE_DB = -50.0  # dBFS
ENVELOPE_FLOOR = 1e-3
SPEECH_MODULATION = 0.3  # share of envelope modulation at 2.5-7 Hz
SPEECH_PAUSES = 0.3  # share of frames well below the local mean energy (gaps between syllables)
SOME_PAUSES = 0.2
TONAL_FLATNESS = 0.25  # spectral flatness under which sound is tonal (music)
ONSET_HOP = 128  # samples: 8 ms onset resolution for tempo
ONSET_WINDOW = 1024  # samples: 64 ms energy window, longer than a bass period
ONSET_SMOOTH = 5  # hops
TEMPO_RANGE = (60.0, 200.0)
TEMPO_PRIOR = 120.0  # BPM, centre of a broad log-normal preference (octave errors)
TEMPO_STRENGTH = 0.15  # normalised autocorrelation a beat must reach
NO_LOUDNESS = -69.0  # ebur128 reports -70 LUFS for silence


@dataclass(frozen=True)
class Loudness:
    integrated: float | None
    range: float | None
    true_peak: float | None


def measure_loudness(path: Path, demuxer: str, timeout: float = 300) -> Loudness:
    """Integrated loudness, loudness range and true peak of the first audio stream (FFmpeg ebur128)."""
    stderr = run_ffmpeg(
        [
            "-nostats",
            *Input(path, demuxer).args(),
            "-map",
            "0:a:0",
            "-vn",
            "-sn",
            "-dn",
            "-af",
            "ebur128=peak=true:framelog=quiet",
            "-f",
            "null",
            "-",
        ],
        timeout=timeout,
        what="loudness measurement",
    )
    summary = stderr.rsplit("Summary:", 1)[-1]
    integrated = _number(r"I:\s*(-?[\d.]+|-inf) LUFS", summary)
    peak = _number(r"Peak:\s*(-?[\d.]+|-inf) dBFS", summary)
    return Loudness(
        integrated=integrated if integrated is not None and integrated > NO_LOUDNESS else None,
        range=_number(r"LRA:\s*(-?[\d.]+) LU", summary),
        true_peak=peak,
    )


def _number(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text)
    if not match or match.group(1) == "-inf":
        return None
    return round(float(match.group(1)), 1)


def audio_signals(samples: np.ndarray, rate: int, loudness: Loudness | None) -> AudioSignals:
    """Everything about the sound; ``samples`` is mono float in -1..1."""
    if samples.size < rate // 2:
        return AudioSignals(present=samples.size > 0)
    segments = classify_segments(samples, rate)
    total = sum(s.end - s.start for s in segments) or 1.0

    def share(kind: str) -> float:
        return round(sum(s.end - s.start for s in segments if s.kind == kind) / total, 3)

    music = share("music")
    tempo, beats = estimate_tempo(samples, rate) if music >= 0.25 else (None, [])
    return AudioSignals(
        present=True,
        integrated_lufs=loudness.integrated if loudness else None,
        loudness_range=loudness.range if loudness else None,
        true_peak_dbtp=loudness.true_peak if loudness else None,
        speech_ratio=share("speech"),
        music_ratio=music,
        silence_ratio=share("silence"),
        segments=segments,
        tempo_bpm=tempo,
        beats=beats,
    )


def classify_segments(samples: np.ndarray, rate: int) -> list[AudioSegment]:
    """Speech, music, silence or other for every half second, merged into runs."""
    frames = samples[: len(samples) // FRAME * FRAME].reshape(-1, FRAME)
    energy = (frames**2).mean(axis=1) + 1e-10
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(FRAME), axis=1)) ** 2 + 1e-12
    flatness = np.exp(np.log(spectrum).mean(axis=1)) / spectrum.mean(axis=1)
    frame_rate = rate / FRAME
    per_segment = max(1, round(SEGMENT * frame_rate))
    context = round(CONTEXT * frame_rate)
    labels: list[SegmentKind] = []
    for start in range(0, len(frames), per_segment):
        lo, hi = max(0, start - context), min(len(frames), start + per_segment + context)
        labels.append(_label(energy[start : start + per_segment], energy[lo:hi], flatness[lo:hi], frame_rate))
    labels = _smooth(labels)
    duration = len(samples) / rate
    segments: list[AudioSegment] = []
    for i, label in enumerate(labels):
        begin, end = i * per_segment / frame_rate, min(duration, (i + 1) * per_segment / frame_rate)
        if segments and segments[-1].kind == label:
            segments[-1] = AudioSegment(start=segments[-1].start, end=round(end, 3), kind=label)
        else:
            segments.append(AudioSegment(start=round(begin, 3), end=round(end, 3), kind=label))
    return segments


def _label(own: np.ndarray, energy: np.ndarray, flatness: np.ndarray, frame_rate: float) -> SegmentKind:
    if 10 * np.log10(own.mean()) < SILENCE_DB:
        return "silence"
    loud = energy > energy.max() * 1e-4  # ignore digital silence inside the window
    if loud.sum() < 4:
        return "silence"
    envelope = np.log(energy + ENVELOPE_FLOOR * energy.max())  # a 30 dB floor: gaps must not swamp the rhythm
    pauses = float((energy < 0.5 * energy.mean()).mean())
    modulation = _modulation_share(envelope, frame_rate)
    # Speech: frequent pauses between syllables with some syllable-rate rhythm, or a strong rhythm
    # with some pauses. Music: tonal and sustained. Steady noise (wind, crowd, hiss): other.
    if (pauses >= SPEECH_PAUSES and modulation >= SPEECH_MODULATION / 2) or (
        modulation >= 1.5 * SPEECH_MODULATION and pauses >= SOME_PAUSES
    ):
        return "speech"
    tonal = float(np.median(flatness[loud])) < TONAL_FLATNESS
    return "music" if tonal else "other"


def _modulation_share(envelope: np.ndarray, frame_rate: float) -> float:
    """Share of the energy envelope's modulation power at syllable rates (2.5-7 Hz)."""
    centred = envelope - envelope.mean()
    power = np.abs(np.fft.rfft(centred * np.hanning(len(centred)))) ** 2
    freqs = np.fft.rfftfreq(len(centred), 1 / frame_rate)
    band = (freqs >= 2.5) & (freqs <= 7.0)
    total = power[freqs >= 0.5].sum()
    return float(power[band].sum() / total) if total > 0 else 0.0


def _smooth(labels: list[SegmentKind]) -> list[SegmentKind]:
    """A lone half-second between two equal neighbours takes their label."""
    out = list(labels)
    for i in range(1, len(labels) - 1):
        if labels[i - 1] == labels[i + 1] != labels[i]:
            out[i] = labels[i - 1]
    return out


def estimate_tempo(samples: np.ndarray, rate: int) -> tuple[float | None, list[float]]:
    """(BPM, beat times) from the autocorrelation of the onset envelope; (None, []) if no clear beat."""
    if len(samples) < 4 * ONSET_WINDOW:
        return None, []
    # Energy over a window longer than a bass period, every hop (running sums: no per-frame loop).
    sums = np.r_[0.0, np.cumsum(samples.astype(np.float64) ** 2)]
    starts = np.arange(0, len(samples) - ONSET_WINDOW, ONSET_HOP)
    log_energy = np.log((sums[starts + ONSET_WINDOW] - sums[starts]) / ONSET_WINDOW + 1e-10)
    onset = np.maximum(0.0, np.diff(log_energy, prepend=log_energy[0]))
    onset = np.convolve(onset, np.hanning(ONSET_SMOOTH + 2)[1:-1], mode="same")  # peaks wider than a lag step
    onset -= onset.mean()
    env_rate = rate / ONSET_HOP
    shortest, longest = (round(env_rate * 60 / bpm) for bpm in (TEMPO_RANGE[1], TEMPO_RANGE[0]))
    if len(onset) < 2 * longest:
        return None, []
    spectrum = np.fft.rfft(onset, n=2 * len(onset))
    acf = np.fft.irfft(np.abs(spectrum) ** 2)[: longest + 2]
    if acf[0] <= 0:
        return None, []
    acf /= acf[0]
    lags = np.arange(shortest, longest + 1)
    prior = np.exp(-0.5 * (np.log2(env_rate * 60 / lags / TEMPO_PRIOR) / 1.0) ** 2)
    best = int(lags[np.argmax(acf[lags] * prior)])
    if acf[best] < TEMPO_STRENGTH:
        return None, []
    left, centre, right = acf[best - 1], acf[best], acf[best + 1]
    curve = left - 2 * centre + right
    period = best + (0.5 * (left - right) / curve if curve < 0 else 0.0)
    bpm = 60 * env_rate / period
    grid = np.arange(0, len(onset) - best, period)
    phase = int(np.argmax([onset[np.round(grid + offset).astype(int)].sum() for offset in range(best)]))
    # An onset shows when the energy window's far end reaches it: shift by the window length.
    beats = (np.arange(phase, len(onset), period) + ONSET_WINDOW / ONSET_HOP) / env_rate
    return round(float(bpm), 1), [round(float(t), 3) for t in beats]
