"""What a plan will cost, from the catalogue's prices, before anything is spent.

The estimate uses each segment's primary model; the rules only chain fallbacks that cost no more
per second, so it is an upper bound on the video spend. A render passing the user's remaining
monthly budget is refused (402) on this number.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from .catalogue import LLM_CALL_COST, SOUND_EFFECT_COST, VOICE_COST_PER_CHAR, video_model
from .plan import Plan


class SegmentCost(BaseModel):
    index: int
    model: str
    seconds: float  # generated (and billed): the clip covering the segment, before compose trims it
    usd: float = Field(ge=0)


class CostEstimate(BaseModel):
    per_segment: list[SegmentCost]
    video_usd: float = Field(ge=0)
    voice_usd: float = Field(ge=0)
    effects_usd: float = Field(ge=0)
    llm_usd: float = Field(ge=0)
    total_usd: float = Field(ge=0)


def _usd(value: float) -> float:
    """Money to a hundredth of a cent, so sums of float prices read cleanly."""
    return round(value, 4)


def default_audio_provider(plan: Plan) -> str:
    """A plan rendered only with the offline animatic is a preview: its voice and effects are offline."""
    paid = any(video_model(s.model).provider != "offline" for s in plan.segments)
    return "elevenlabs" if paid else "offline"


def estimate_cost(plan: Plan, *, audio_provider: str | None = None) -> CostEstimate:
    """Per-segment video cost plus voice (per character), sound effects and the LLM calls made."""
    provider = audio_provider or default_audio_provider(plan)
    per_segment = [
        SegmentCost(
            index=s.index,
            model=s.model,
            seconds=s.clip_seconds,
            usd=_usd(video_model(s.model).clip_cost(s.duration)),
        )
        for s in plan.segments
    ]
    video = _usd(sum(line.usd for line in per_segment))
    characters = len(plan.voiceover_script) if plan.audio.voiceover else 0
    voice = _usd(characters * VOICE_COST_PER_CHAR.get(provider, max(VOICE_COST_PER_CHAR.values())))
    effects = _usd(
        len(plan.audio.sound_effects) * SOUND_EFFECT_COST.get(provider, max(SOUND_EFFECT_COST.values()))
    )
    llm = _usd(
        sum(
            calls * LLM_CALL_COST.get(name, max(LLM_CALL_COST.values()))
            for name, calls in plan.llm_calls.items()
        )
    )
    return CostEstimate(
        per_segment=per_segment,
        video_usd=video,
        voice_usd=voice,
        effects_usd=effects,
        llm_usd=llm,
        total_usd=_usd(video + voice + effects + llm),
    )
