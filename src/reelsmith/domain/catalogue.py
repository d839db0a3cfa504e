"""The video and voice model catalogue: the one file to update when vendors change.

Durations, ratios and prices come from reference/providers.md and peers.md (November 2026).
Veo 2 and Veo 3.0 are retired; vendor model ids are data here, never scattered in adapters.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class VideoModel(BaseModel, frozen=True):
    id: str  # our id, used in plans
    provider: str  # "runway", "veo", "offline"
    vendor_model: str  # the string the vendor API takes
    durations: tuple[int, ...]  # seconds the model can make
    ratio: str  # the 9:16 ratio string the vendor takes
    needs_image: bool = False
    text_to_video: bool = True
    makes_audio: bool = False
    cost_per_second: float = 0.0  # USD
    typical_latency_s: float = 60.0
    cancellable: bool = True  # whether the vendor stops (and stops billing) a task we cancel
    label: str = ""

    @property
    def longest(self) -> int:
        return max(self.durations)

    def clip_seconds(self, on_screen: float) -> int:
        """The clip to generate for ``on_screen`` seconds: the shortest the model makes that covers it.

        Compose trims the clip to its segment, so a 0.5 s montage shot is a 2 s clip cut to 15
        frames, never a shot stretched to what the model makes. Longer than ``longest`` is the
        plan rules' problem (they split such segments), so it is refused here.
        """
        covering = [d for d in self.durations if d >= on_screen - 1e-6]
        if not covering:
            raise ValueError(f"{self.id} makes at most {self.longest} s clips, not {on_screen:g} s")
        return min(covering)

    def clip_cost(self, on_screen: float) -> float:
        """USD for the clip that covers ``on_screen`` seconds (billed on what is generated)."""
        return self.clip_seconds(on_screen) * self.cost_per_second


VIDEO_MODELS: dict[str, VideoModel] = {
    m.id: m
    for m in (
        VideoModel(
            id="animatic",
            provider="offline",
            vendor_model="animatic",
            durations=tuple(range(1, 16)),
            ratio="720:1280",
            cost_per_second=0.0,
            typical_latency_s=3.0,
            label="Offline animatic (free preview)",
        ),
        VideoModel(
            id="gen4_turbo",
            provider="runway",
            vendor_model="gen4_turbo",
            durations=tuple(range(2, 11)),
            ratio="720:1280",
            needs_image=True,
            text_to_video=False,
            cost_per_second=0.05,
            typical_latency_s=60.0,
            label="Runway Gen-4 Turbo",
        ),
        VideoModel(
            id="gen4.5",
            provider="runway",
            vendor_model="gen4.5",
            durations=tuple(range(2, 11)),
            ratio="720:1280",
            cost_per_second=0.12,
            typical_latency_s=90.0,
            label="Runway Gen-4.5",
        ),
        VideoModel(
            id="runway_veo3.1",
            provider="runway",
            vendor_model="veo3.1",
            durations=(4, 6, 8),
            ratio="1080:1920",
            makes_audio=True,
            cost_per_second=0.40,
            typical_latency_s=180.0,
            label="Veo 3.1 via Runway",
        ),
        VideoModel(
            id="runway_veo3.1_fast",
            provider="runway",
            vendor_model="veo3.1_fast",
            durations=(4, 6, 8),
            ratio="1080:1920",
            makes_audio=True,
            cost_per_second=0.15,
            typical_latency_s=120.0,
            label="Veo 3.1 Fast via Runway",
        ),
        VideoModel(
            id="veo3.1",
            provider="veo",
            vendor_model="veo-3.1-generate-001",
            durations=(4, 6, 8),
            ratio="9:16",
            makes_audio=True,
            cost_per_second=0.40,
            typical_latency_s=180.0,
            cancellable=False,
            label="Veo 3.1 (Vertex)",
        ),
        VideoModel(
            id="veo3.1_fast",
            provider="veo",
            vendor_model="veo-3.1-fast-generate-001",
            durations=(4, 6, 8),
            ratio="9:16",
            makes_audio=True,
            cost_per_second=0.15,
            typical_latency_s=120.0,
            cancellable=False,
            label="Veo 3.1 Fast (Vertex)",
        ),
    )
}

OFFLINE_VIDEO_MODEL = "animatic"

# Voice: ElevenLabs bills per character; offline espeak-ng is free.
VOICE_COST_PER_CHAR = {"elevenlabs": 0.00018, "offline": 0.0}
SOUND_EFFECT_COST = {"elevenlabs": 0.02, "offline": 0.0}
LLM_CALL_COST = {"groq": 0.001, "gemini": 0.002, "offline": 0.0}


class UnknownModel(KeyError):
    pass


def video_model(model_id: str) -> VideoModel:
    try:
        return VIDEO_MODELS[model_id]
    except KeyError as exc:
        raise UnknownModel(model_id) from exc


class CostLine(BaseModel):
    item: str
    usd: float = Field(ge=0)
