"""Pacing figures and the one-line human summary of a report."""

from __future__ import annotations

import statistics

from reelsmith.domain.analysis import AudioSignals, Pacing, Shot
from reelsmith.media.analysis.palette import Temperature

# Mean shot length (seconds) below which a video reads as frantic / fast / medium; above: slow.
PACING_STEPS = ((1.0, "frantic"), (2.5, "fast"), (5.0, "medium"))
MIXED = 0.15  # share of the sound a kind needs to be named in the summary


def pacing(shots: list[Shot], duration: float) -> Pacing:
    lengths = [max(0.0, s.duration) for s in shots] or [duration]
    mean = statistics.fmean(lengths)
    label = next((name for limit, name in PACING_STEPS if mean < limit), "slow")
    cuts = max(0, len(shots) - 1)
    return Pacing(
        shot_count=len(shots),
        cuts_per_minute=round(cuts / duration * 60, 1) if duration > 0 else 0.0,
        mean_shot=round(mean, 2),
        median_shot=round(statistics.median(lengths), 2),
        min_shot=round(min(lengths), 2),
        max_shot=round(max(lengths), 2),
        label=label,  # type: ignore[arg-type]
    )


def summarize(pace: Pacing, temperature: Temperature, audio: AudioSignals) -> str:
    """E.g. "14 shots, 2.1 s average, fast pacing, warm palette, voice-over over music at -14 LUFS"."""
    shots = f"{pace.shot_count} shot{'s' if pace.shot_count != 1 else ''}"
    parts = [shots, f"{pace.mean_shot:.1f} s average", f"{pace.label} pacing", f"{temperature} palette"]
    return ", ".join([*parts, describe_audio(audio)])


def describe_audio(audio: AudioSignals) -> str:
    if not audio.present:
        return "no audio"
    speech, music = audio.speech_ratio >= MIXED, audio.music_ratio >= MIXED
    if speech and music:
        kind = "voice-over over music"
    elif speech:
        kind = "speech"
    elif music:
        kind = f"music ({audio.tempo_bpm:.0f} BPM)" if audio.tempo_bpm else "music"
    elif audio.silence_ratio >= 1 - MIXED:
        return "silent audio"
    else:
        kind = "ambient sound"
    return f"{kind} at {audio.integrated_lufs:.0f} LUFS" if audio.integrated_lufs is not None else kind
