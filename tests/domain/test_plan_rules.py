"""The rules that turn any proposed plan into a valid one (normalise_plan, fit_to_budget)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reelsmith.domain.cost import estimate_cost
from reelsmith.domain.errors import ValidationFailed
from reelsmith.domain.plan import Plan, PlanPreferences
from reelsmith.domain.plan_rules import (
    fit_to_budget,
    normalise_plan,
    round_target,
    split_sentences,
    spread_lines,
    substitute_model,
)
from tests.domain.plan_strategies import MODEL_IDS, assert_valid

ALL = MODEL_IDS


def seg(duration: float, model: str = "animatic", **fields: object) -> dict[str, object]:
    return {"prompt": f"shot of {duration}", "duration": duration, "model": model, **fields}


def normalise(
    segments: list[dict[str, object]],
    target: float,
    models: list[str] | None = None,
    image: bool = False,
    **kwargs: object,
) -> Plan:
    plan = normalise_plan(
        {"segments": segments},
        target_duration=target,
        available_models=models or ALL,
        has_character_image=image,
        **kwargs,
    )  # type: ignore[arg-type]
    assert_valid(plan)
    return plan


@pytest.mark.parametrize(
    ("seconds", "expected"), [(0.2, 1), (12.4, 12.4), (12.51, 12.5), (59.99, 60), (75, 60), (7.0 / 3, 7 / 3)]
)
def test_targets_sit_on_the_frame_grid_between_1_and_60(seconds: float, expected: float) -> None:
    assert round_target(seconds) == pytest.approx(expected, abs=1e-9)
    assert abs(round_target(seconds) * 30 - round(round_target(seconds) * 30)) < 1e-9


def test_a_valid_plan_comes_back_unchanged_and_without_notes() -> None:
    plan = normalise([seg(4, "veo3.1"), seg(5, "gen4.5"), seg(3)], 12)
    again = normalise_plan(plan, target_duration=12, available_models=ALL, has_character_image=False)
    assert again.segments == plan.segments
    assert again.repairs == []


def test_long_segments_are_split_not_truncated() -> None:
    plan = normalise([seg(20, "gen4.5")], 20)
    assert [s.duration for s in plan.segments] == [10, 10]
    assert plan.segments[1].prompt == plan.segments[0].prompt
    assert any("split into 2 parts" in note for note in plan.repairs)


def test_shot_lengths_are_kept_to_the_frame_and_made_as_covering_clips() -> None:
    lengths = [0.5, 1.3, 0.8, 2.4, 5, 0.5]
    plan = normalise([seg(d, "veo3.1") for d in lengths], sum(lengths), models=["veo3.1"])
    assert [s.duration for s in plan.segments] == pytest.approx(lengths)
    assert [s.clip_seconds for s in plan.segments] == [4, 4, 4, 4, 6, 4]
    assert plan.repairs == []
    assert estimate_cost(plan).video_usd == pytest.approx(26 * 0.40)


def test_lengths_off_the_frame_grid_round_to_frames_that_still_add_up() -> None:
    plan = normalise([seg(1.01), seg(1.01), seg(0.98)], 3)
    frames = [round(s.duration * 30) for s in plan.segments]
    assert sum(frames) == 90 and all(29 <= f <= 31 for f in frames)


def test_a_flash_short_segment_is_lengthened_to_a_flash_cut() -> None:
    plan = normalise([seg(0.05), seg(2.95)], 3)
    assert [round(s.duration * 30) for s in plan.segments] == [6, 84]


def test_too_many_segments_for_the_target_are_merged() -> None:
    plan = normalise([seg(0.1, "veo3.1")] * 12, 1.2, models=["veo3.1"])
    assert len(plan.segments) == 6
    assert all(round(s.duration * 30) == 6 for s in plan.segments)
    assert any("12 segments merged into 6" in note for note in plan.repairs)
    many = normalise([seg(1)] * 50, 50)
    assert len(many.segments) == 40
    assert any("50 segments merged into 40" in note for note in many.repairs)


def test_fades_need_room_and_the_first_segment_always_cuts_in() -> None:
    plan = normalise(
        [seg(2, transition="fade"), seg(0.6, transition="fade"), seg(2, transition="wipe")],
        4.6,
    )
    assert [s.transition for s in plan.segments] == ["cut", "cut", "wipe"]
    assert any("Segment 2 is too short for a fade" in note for note in plan.repairs)


def test_target_is_capped_at_60_and_raised_to_1_with_a_note() -> None:
    capped = normalise([seg(10)], 75)
    assert capped.target_duration == 60
    assert any("capped at 60 s" in note for note in capped.repairs)
    raised = normalise([seg(0.5)], 0.5)
    assert raised.target_duration == 1
    assert any("raised to 1 s" in note for note in raised.repairs)
    exact = normalise([seg(6), seg(6.4)], 12.4)
    assert exact.target_duration == pytest.approx(12.4) and exact.repairs == []


def test_unknown_and_unconfigured_models_get_the_closest_available() -> None:
    plan = normalise(
        [seg(4, "sora-9"), seg(4, "veo3.1"), seg(4, "gen4_turbo")],
        12,
        models=["runway_veo3.1", "gen4.5", "animatic"],
    )
    assert [s.model for s in plan.segments] == ["gen4.5", "runway_veo3.1", "gen4.5"]
    assert any("sora-9 is not a model we know" in n for n in plan.repairs)
    assert any("veo3.1 is not available here; using runway_veo3.1" in n for n in plan.repairs)


def test_image_models_only_with_an_image() -> None:
    without = normalise([seg(5, "gen4_turbo", use_character_image=True)], 5)
    assert without.segments[0].model != "gen4_turbo"
    assert not without.segments[0].use_character_image
    assert any("needs an input image" in n for n in without.repairs)
    assert any("cannot use the character image" in n for n in without.repairs)

    with_image = normalise([seg(5, "gen4_turbo")], 5, image=True)
    assert with_image.segments[0].model == "gen4_turbo"
    assert with_image.segments[0].use_character_image  # the only image it can animate

    keyframe = normalise([seg(5, "gen4_turbo", mirrors_shot=2)], 5, has_keyframes=True)
    assert keyframe.segments[0].model == "gen4_turbo"
    assert not keyframe.segments[0].use_character_image  # the sample keyframe feeds it


def test_fallbacks_never_cost_more_than_the_primary() -> None:
    plan = normalise(
        [seg(8, "veo3.1", fallback_models=["gen4.5", "runway_veo3.1", "nope"]), seg(4, "gen4_turbo")],
        12,
        image=True,
    )
    assert plan.segments[0].fallback_models == ["gen4.5", "runway_veo3.1"]
    assert plan.segments[1].fallback_models == []


def test_over_long_text_is_shortened_with_a_note() -> None:
    plan = normalise([seg(5, prompt="x" * 1500, text_overlay="y" * 200)], 5)
    assert len(plan.segments[0].prompt) == 1000
    assert len(plan.segments[0].text_overlay or "") == 120
    assert any("prompt shortened to 1000 characters" in n for n in plan.repairs)


def test_audio_and_finish_are_repaired() -> None:
    raw = {
        "segments": [seg(10)],
        "audio": {
            "custom_audio": True,
            "sound_effects": [{"at": t, "prompt": "whoosh"} for t in range(0, 20, 2)],
        },
        "post": {"grade": "sepia"},
    }
    plan = normalise_plan(
        raw, target_duration=10, available_models=ALL, has_character_image=False, has_custom_audio=False
    )
    assert [e.at for e in plan.audio.sound_effects] == [0, 2, 4, 6, 8]
    assert not plan.audio.custom_audio
    assert plan.post.grade == "none"
    assert len(plan.repairs) == 3


def test_a_stored_plan_dict_keeps_its_bookkeeping() -> None:
    stored = normalise([seg(5)], 5).model_dump(mode="json") | {
        "allow_partial": True,
        "llm_calls": {"groq": 2},
    }
    again = normalise_plan(stored, target_duration=5, available_models=ALL, has_character_image=False)
    assert again.allow_partial and again.llm_calls == {"groq": 2}
    forged = stored | {"llm_calls": {"groq": -100}, "allow_partial": "yes", "notes": "n" * 5000}
    cleaned = normalise_plan(forged, target_duration=5, available_models=ALL, has_character_image=False)
    assert cleaned.llm_calls == {} and not cleaned.allow_partial and len(cleaned.notes) == 2000


@pytest.mark.parametrize(
    "raw", [{}, {"segments": []}, {"segments": [{"duration": "long"}]}, {"segments": "x"}]
)
def test_what_is_not_a_plan_draft_is_refused(raw: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed, match="The plan is not valid"):
        normalise_plan(raw, target_duration=10, available_models=ALL, has_character_image=False)


def test_substitute_prefers_the_same_kind_of_model() -> None:
    assert substitute_model("veo3.1", ["runway_veo3.1", "gen4.5", "animatic"]) == "runway_veo3.1"
    assert substitute_model("gen4_turbo", ["gen4.5", "animatic"]) == "gen4.5"
    assert substitute_model("veo3.1", ["animatic"]) == "animatic"


def test_text_helpers() -> None:
    assert split_sentences("Hi there. How are you?\nFine!") == ["Hi there.", "How are you?", "Fine!"]
    assert spread_lines(["a", "b"], 4) == ["a", "", "b", ""]
    assert spread_lines(["a", "b", "c"], 2) == ["a b", "c"]


def test_budget_downgrades_tier_by_tier() -> None:
    plan = normalise([seg(8, "veo3.1"), seg(8, "veo3.1"), seg(4, "gen4.5")], 20)
    prefs = PlanPreferences(available_models=ALL, monthly_budget_usd=10, spent_this_month_usd=7.5)
    fitted = fit_to_budget(plan, prefs)
    assert_valid(fitted)
    assert estimate_cost(fitted).total_usd <= 2.5
    assert "veo3.1" not in fitted.models
    assert any("to stay within your monthly budget ($2.50 left)" in n for n in fitted.repairs)
    assert fit_to_budget(plan, PlanPreferences(available_models=ALL)) is plan


def test_when_nothing_fits_the_budget_the_plan_says_so() -> None:
    plan = normalise([seg(5)], 5).model_copy(update={"llm_calls": {"groq": 1000}})
    fitted = fit_to_budget(plan, PlanPreferences(monthly_budget_usd=0.5))
    assert any("more than the $0.50 left" in n for n in fitted.repairs)


drafts = st.lists(
    st.fixed_dictionaries(
        {
            "prompt": st.text(min_size=1, max_size=30),
            "duration": st.floats(0.01, 100),
            "model": st.sampled_from([*ALL, "unknown"]),
        },
        optional={
            "use_character_image": st.booleans(),
            "mirrors_shot": st.none() | st.integers(0, 30),
            "fallback_models": st.lists(st.sampled_from([*ALL, "x"]), max_size=3),
        },
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(drafts, st.floats(0.01, 120), st.lists(st.sampled_from(ALL), max_size=7), st.booleans(), st.booleans())
def test_any_draft_becomes_a_valid_plan(
    segments: list[dict[str, object]], target: float, models: list[str], image: bool, keyframes: bool
) -> None:
    plan = normalise_plan(
        {"segments": segments},
        target_duration=target,
        available_models=models,
        has_character_image=image,
        has_keyframes=keyframes,
    )
    prefs = PlanPreferences(
        available_models=models, has_character_image=image, has_sample_keyframes=keyframes
    )
    assert_valid(plan, prefs)
    if plan.target_duration != round_target(target):
        raise AssertionError("the target is the requested one, on the frame grid")
    again = normalise_plan(
        plan,
        target_duration=plan.target_duration,
        available_models=models,
        has_character_image=image,
        has_keyframes=keyframes,
    )
    assert again.segments == plan.segments and again.repairs == []
