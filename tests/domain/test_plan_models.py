"""The plan models: drafts are loose, plans enforce the rules, preferences say what may be used."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from reelsmith.domain.plan import Plan, PlanDraft, PlanPreferences, Segment


def test_a_draft_may_break_model_limits_a_plan_may_not() -> None:
    draft = PlanDraft.model_validate({"segments": [{"prompt": "p", "duration": 20, "model": "anything"}]})
    assert draft.segments[0].duration == 20
    with pytest.raises(ValidationError, match="cannot make a 7 s clip"):
        Segment(index=0, duration=7, prompt="p", model="veo3.1")
    with pytest.raises(ValidationError, match="add up to 4 s, the target is 5 s"):
        Plan(target_duration=5, segments=[Segment(index=0, duration=4, prompt="p")])


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
