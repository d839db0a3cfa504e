"""The plan models: drafts are loose, plans enforce the rules, preferences say what may be used."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from reelsmith.domain.plan import Plan, PlanDraft, PlanPreferences, Segment


def test_a_draft_may_break_model_limits_a_plan_may_not() -> None:
    draft = PlanDraft.model_validate({"segments": [{"prompt": "p", "duration": 20, "model": "anything"}]})
    assert draft.segments[0].duration == 20
    with pytest.raises(ValidationError, match="cannot make a 9 s clip"):
        Segment(index=0, duration=9, prompt="p", model="veo3.1")
    with pytest.raises(ValidationError, match="not a whole number of frames"):
        Segment(index=0, duration=2.01, prompt="p")
    with pytest.raises(ValidationError, match=r"the shortest is 0\.2 s"):
        Segment(index=0, duration=0.1, prompt="p")
    with pytest.raises(ValidationError, match="add up to 4 s, the target is 5 s"):
        Plan(target_duration=5, segments=[Segment(index=0, duration=4, prompt="p")])


def test_a_segment_is_made_as_the_shortest_clip_that_covers_it() -> None:
    assert Segment(index=0, duration=7, prompt="p", model="veo3.1").clip_seconds == 8
    assert Segment(index=0, duration=0.5, prompt="p", model="gen4.5").clip_seconds == 2
    assert Segment(index=0, duration=4, prompt="p", model="veo3.1").clip_seconds == 4


def test_the_timeline_and_voice_slots_follow_the_frames() -> None:
    plan = Plan(
        target_duration=3,
        segments=[
            Segment(index=0, duration=0.5, prompt="p", voiceover="Hook line."),
            Segment(index=1, duration=0.5, prompt="p"),
            Segment(index=2, duration=1.0, prompt="p", voiceover="  Body line. "),
            Segment(index=3, duration=1.0, prompt="p"),
        ],
    )
    assert plan.timeline() == [(0, 0.5), (0.5, 1.0), (1.0, 2.0), (2.0, 3.0)]
    slots = plan.voice_slots()
    assert [(s.segment, s.start, s.end, s.text) for s in slots] == [
        (0, 0, 1.0, "Hook line."),
        (2, 1.0, 3.0, "Body line."),
    ]
    assert slots[1].seconds == 2.0


def test_preferences_pick_models() -> None:
    prefs = PlanPreferences(
        available_models=["animatic", "gen4.5", "veo3.1", "sora"],
        excluded_models=["veo3.1"],
        preferred_models=["gen4.5", "veo3.1"],
        monthly_budget_usd=10,
        spent_this_month_usd=12,
    )
    assert prefs.allowed_models == ["animatic", "gen4.5"]
    assert prefs.candidate_models == ["gen4.5"]
    assert prefs.remaining_budget_usd == 0
    assert PlanPreferences(available_models=[], excluded_models=["animatic"]).allowed_models == ["animatic"]
    assert PlanPreferences().remaining_budget_usd is None


def test_plan_lists_its_models_in_order() -> None:
    plan = Plan(
        target_duration=9,
        segments=[
            Segment(index=0, duration=4, prompt="p", model="gen4.5"),
            Segment(index=1, duration=5, prompt="p"),
        ],
    )
    assert plan.models == ["gen4.5", "animatic"]
