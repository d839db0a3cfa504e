"""The rule-based planner: mirrors the sample, picks models by content, stays within the rules and budget."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reelsmith.domain.analysis import AnalysisReport
from reelsmith.domain.cost import estimate_cost
from reelsmith.domain.plan import Plan, PlanPreferences, Transition
from reelsmith.providers.offline.planner import RuleBasedPlanner
from tests.domain.plan_strategies import assert_valid, briefs, make_report, preferences, reports

PAID = ["animatic", "gen4_turbo", "gen4.5", "veo3.1", "veo3.1_fast"]


def plan_for(
    report: AnalysisReport | None, brief: str = "", target: float | None = None, **prefs: object
) -> Plan:
    return RuleBasedPlanner().plan(
        report, brief=brief, target_duration=target, settings=PlanPreferences(**prefs)
    )  # type: ignore[arg-type]


def test_offline_it_mirrors_every_shot_of_the_sample() -> None:
    report = make_report(
        [2, 3, 2, 3, 5],
        kinds=["start", "cut", "dissolve", "fade", "cut"],
        hook="Watch this",
        text_on_screen=True,
        beats={2: "The chef adds a raspberry"},
    )
    plan = plan_for(report)
    assert_valid(plan)
    assert [s.duration for s in plan.segments] == [2, 3, 2, 3, 5]
    assert [s.mirrors_shot for s in plan.segments] == [0, 1, 2, 3, 4]
    assert [s.transition for s in plan.segments] == [
        Transition.CUT,
        Transition.CUT,
        Transition.FADE,
        Transition.FADE,
        Transition.CUT,
    ]
    assert {s.model for s in plan.segments} == {"animatic"}
    assert plan.segments[0].palette == ["#cc7733", "#223344"]
    assert plan.segments[0].text_overlay == "Watch this"
    assert plan.segments[-1].text_overlay == "Follow for more"
    assert plan.segments[2].prompt.startswith("The chef adds a raspberry. A chef plating a dessert")
    assert "macro" in plan.segments[0].style and "playful tone" in plan.segments[0].style
    assert plan.segments[0].camera == "locked-off static camera"
    assert "5 segments mirroring the sample's 5 shots" in plan.notes
    assert estimate_cost(plan).total_usd == 0


def test_target_defaults_to_the_sample_and_scales_the_rhythm() -> None:
    report = make_report([2, 2, 2, 2, 2])
    assert plan_for(report).target_duration == 10
    longer = plan_for(report, target=20)
    assert_valid(longer)
    assert [s.duration for s in longer.segments] == [4] * 5


def test_short_shots_keep_their_length_even_for_models_that_make_longer_clips() -> None:
    plan = plan_for(make_report([0.5] * 24), available_models=["veo3.1"])
    assert_valid(plan)
    assert plan.target_duration == 12
    assert [s.duration for s in plan.segments] == [0.5] * 24
    assert [s.mirrors_shot for s in plan.segments] == list(range(24))
    assert {s.clip_seconds for s in plan.segments} == {4}  # generated at 4 s, trimmed to 15 frames


def test_people_with_a_character_image_go_image_to_video_and_motion_goes_to_veo() -> None:
    report = make_report(
        [5, 5], beats={0: "A woman smiles at the camera", 1: "Waves crash on the beach at sunset"}
    )
    plan = plan_for(report, available_models=PAID, has_character_image=True)
    assert_valid(plan)
    first, second = plan.segments
    assert (first.model, first.use_character_image) == ("gen4_turbo", True)
    assert second.model == "veo3.1" and not second.use_character_image


def test_high_motion_picks_veo_and_calm_shots_gen45() -> None:
    assert {s.model for s in plan_for(make_report([4, 4], motion=0.6), available_models=PAID).segments} == {
        "veo3.1"
    }
    calm = plan_for(make_report([4, 4], has_people=False), available_models=PAID)
    assert {s.model for s in calm.segments} == {"gen4.5"}
    assert (
        "veo3.1"
        not in plan_for(
            make_report([4, 4], motion=0.6), available_models=PAID, excluded_models=["veo3.1"]
        ).models
    )


def test_preferred_models_win_when_available() -> None:
    plan = plan_for(make_report([4, 4], motion=0.6), available_models=PAID, preferred_models=["gen4.5"])
    assert plan.models == ["gen4.5"]


def test_over_budget_plans_are_downgraded() -> None:
    report = make_report([8, 8], motion=0.6)
    rich = plan_for(report, available_models=PAID)
    assert estimate_cost(rich).video_usd > 1
    poor = plan_for(report, available_models=PAID, monthly_budget_usd=10, spent_this_month_usd=9)
    assert_valid(poor)
    assert estimate_cost(poor).total_usd <= 1
    assert any("monthly budget" in note for note in poor.repairs)


def test_voice_over_only_when_someone_speaks() -> None:
    silent = make_report([3, 3, 3], speech=0.0)
    assert not plan_for(silent, brief="Pretty flowers").audio.voiceover
    assert not plan_for(make_report([3, 3, 3]), brief="Pretty flowers, no voiceover").audio.voiceover
    spoken = plan_for(silent, brief="A voiceover says: spring is here. Come see it.")
    assert spoken.audio.voiceover
    assert spoken.voiceover_script == "A voiceover says: spring is here. Come see it. Follow for more"


def test_captions_voice_and_custom_audio_come_from_preferences() -> None:
    plan = plan_for(make_report([3, 3]), captions=False, voice="Rachel", has_custom_audio=True)
    assert not plan.post.captions
    assert plan.audio.voice == "Rachel"
    assert plan.audio.custom_audio and not plan.audio.music_bed


def test_grade_follows_the_brief_then_the_sample() -> None:
    assert plan_for(make_report([3]), brief="Make it black and white").post.grade == "mono"
    assert plan_for(make_report([3])).post.grade == "warm"  # the sample's palette is orange over navy


def test_without_analysis_a_plan_from_the_brief_alone() -> None:
    plan = plan_for(None, brief="Our new sneakers. Light as air. Built for the city. Get yours today.")
    assert_valid(plan)
    assert plan.target_duration == 15
    assert 3 <= len(plan.segments) <= 5
    assert plan.segments[0].prompt.startswith("Our new sneakers")
    assert plan.audio.voiceover
    assert "from the brief alone" in plan.notes
    tiny = plan_for(None, brief="", target=2)
    assert_valid(tiny)
    assert tiny.target_duration == 2


def test_targets_beyond_60_are_capped_with_a_note() -> None:
    plan = plan_for(make_report([30, 30, 30]), target=90)
    assert plan.target_duration == 60
    assert any("capped at 60 s" in note for note in plan.repairs)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.none() | reports(), briefs, st.none() | st.floats(1, 120), preferences())
def test_any_analysis_brief_target_and_preferences_give_a_valid_plan(
    report: AnalysisReport | None, brief: str, target: float | None, prefs: PlanPreferences
) -> None:
    plan = RuleBasedPlanner().plan(report, brief=brief, target_duration=target, settings=prefs)
    keyframes = prefs.has_sample_keyframes or bool(report and any(s.keyframe_key for s in report.shots))
    assert_valid(plan, prefs.model_copy(update={"has_sample_keyframes": keyframes}))
    remaining = prefs.remaining_budget_usd
    if remaining is not None and estimate_cost(plan).total_usd > remaining + 1e-9:
        assert any("more than the" in note for note in plan.repairs)


def test_a_signals_only_read_never_leaks_placeholders_into_prompts_or_voice() -> None:
    report = make_report([3, 3, 3, 3], hook="1 shot in the first 3 s", beats={0: "3.0 s static shot"})
    report = report.model_copy(
        update={
            "understanding": report.understanding.model_copy(
                update={"source": "signals", "subject": "unknown: subject matter needs an AI read"}
            )
        }
    )
    brief = "Morning light. A fresh cup of coffee. Five quiet minutes. Make them count."
    plan = plan_for(report, brief=brief)
    assert_valid(plan)
    text = " ".join(s.prompt + " " + s.voiceover for s in plan.segments)
    assert "unknown" not in text.lower() and "3.0 s" not in text and "first 3 s" not in text
    assert [s.prompt.split(".")[0] for s in plan.segments] == [
        "Morning light",
        "A fresh cup of coffee",
        "Five quiet minutes",
        "Make them count",
    ]
    assert plan.voiceover_script.startswith("Morning light.")
