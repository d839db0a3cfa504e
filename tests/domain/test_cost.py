"""Cost arithmetic against the catalogue's prices."""

from __future__ import annotations

import pytest

from reelsmith.domain.catalogue import LLM_CALL_COST, SOUND_EFFECT_COST, VIDEO_MODELS, VOICE_COST_PER_CHAR
from reelsmith.domain.cost import estimate_cost
from reelsmith.domain.plan import AudioStrategy, Plan, Segment, SoundEffect


def make_plan(*parts: tuple[str, int], voiceover: str = "", effects: int = 0, voice_on: bool = True) -> Plan:
    segments = [
        Segment(index=i, duration=d, prompt="p", model=m, voiceover=voiceover)
        for i, (m, d) in enumerate(parts)
    ]
    return Plan(
        target_duration=sum(d for _, d in parts),
        segments=segments,
        audio=AudioStrategy(voiceover=voice_on, sound_effects=[SoundEffect(at=0, prompt="whoosh")] * effects),
    )


def test_paid_plan_adds_video_voice_effects_and_llm() -> None:
    plan = make_plan(("gen4.5", 5), ("veo3.1", 8), voiceover="x" * 50, effects=2).model_copy(
        update={"llm_calls": {"groq": 2, "gemini": 1}}
    )
    cost = estimate_cost(plan)
    gen, veo = VIDEO_MODELS["gen4.5"].cost_per_second * 5, VIDEO_MODELS["veo3.1"].cost_per_second * 8
    assert [(c.index, c.model, c.seconds) for c in cost.per_segment] == [(0, "gen4.5", 5), (1, "veo3.1", 8)]
    assert [c.usd for c in cost.per_segment] == pytest.approx([gen, veo])
    assert cost.video_usd == pytest.approx(gen + veo)
    # the script joins the two segments' lines with a space: 101 characters
    assert cost.voice_usd == pytest.approx(round(101 * VOICE_COST_PER_CHAR["elevenlabs"], 4))
    assert cost.effects_usd == pytest.approx(2 * SOUND_EFFECT_COST["elevenlabs"])
    assert cost.llm_usd == pytest.approx(2 * LLM_CALL_COST["groq"] + LLM_CALL_COST["gemini"])
    assert cost.total_usd == pytest.approx(cost.video_usd + cost.voice_usd + cost.effects_usd + cost.llm_usd)


def test_an_offline_preview_is_free() -> None:
    cost = estimate_cost(make_plan(("animatic", 10), ("animatic", 5), voiceover="hello", effects=1))
    assert cost.total_usd == 0
    assert [c.usd for c in cost.per_segment] == [0, 0]


def test_the_audio_provider_can_be_named() -> None:
    plan = make_plan(("animatic", 4), voiceover="x" * 100)
    assert estimate_cost(plan, audio_provider="elevenlabs").voice_usd == pytest.approx(
        100 * VOICE_COST_PER_CHAR["elevenlabs"]
    )


def test_no_voiceover_costs_no_voice() -> None:
    assert estimate_cost(make_plan(("gen4.5", 4), voiceover="words", voice_on=False)).voice_usd == 0


def test_unknown_llm_providers_are_priced_at_the_dearest() -> None:
    plan = make_plan(("animatic", 4)).model_copy(update={"llm_calls": {"mystery": 3}})
    assert estimate_cost(plan).llm_usd == pytest.approx(3 * max(LLM_CALL_COST.values()))


def test_money_is_rounded_to_a_hundredth_of_a_cent() -> None:
    cost = estimate_cost(make_plan(("gen4_turbo", 3), ("gen4_turbo", 3), ("gen4_turbo", 3)))
    assert cost.video_usd == 0.45
