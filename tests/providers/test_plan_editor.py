"""The offline plan editor: plain commands in, a valid plan and an honest reply out."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reelsmith.domain.plan import Plan, PlanPreferences, Transition
from reelsmith.domain.plan_rules import normalise_plan
from reelsmith.providers.offline.plan_editor import EditResult, PlanEditor, parse_commands, resolve_model
from tests.domain.plan_strategies import assert_valid, preferences

MODELS = ["animatic", "gen4_turbo", "gen4.5", "veo3.1", "veo3.1_fast"]
PREFS = PlanPreferences(available_models=MODELS, has_character_image=True)


def five_segments(model: str = "gen4.5") -> Plan:
    segments = [
        {"prompt": f"shot {n}", "duration": 4, "model": model, "voiceover": f"line {n}"} for n in range(1, 6)
    ]
    return normalise_plan(
        {"segments": segments}, target_duration=20, available_models=MODELS, has_character_image=True
    )


def edit(message: str, plan: Plan | None = None, prefs: PlanPreferences = PREFS) -> EditResult:
    result = PlanEditor().apply(plan or five_segments(), message, prefs)
    if result.plan is not None:
        assert_valid(result.plan, prefs)
    return result


def test_make_it_30_seconds() -> None:
    for message in (
        "make it 30 seconds",
        "30s",
        "Please set the length to 30 sec",
        "make it 30 seconds long",
    ):
        result = edit(message)
        assert result.plan is not None and result.plan.target_duration == 30, message
        assert result.understood == ["length 30 s"]
        assert result.not_understood is None
    assert edit("make it a minute").plan.target_duration == 60  # type: ignore[union-attr]


def test_targets_past_60_are_capped_and_the_reply_says_so() -> None:
    result = edit("make it 90 seconds")
    assert result.plan is not None and result.plan.target_duration == 60
    assert "capped at 60 s" in result.reply


def test_segment_prompt_keeps_ands_and_colons() -> None:
    result = edit("segment 2: a cat and a dog: best friends")
    assert result.plan is not None
    assert result.plan.segments[1].prompt == "a cat and a dog: best friends"
    assert result.understood == ["segment 2: new prompt"]


def test_use_veo_for_segment_3() -> None:
    result = edit("use veo for segment 3")
    assert result.plan is not None
    assert result.plan.segments[2].model == "veo3.1"
    assert result.plan.segments[2].duration in (4, 6, 8)


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("veo", "veo3.1"),
        ("Veo Fast", "veo3.1_fast"),
        ("gen4", "gen4_turbo"),
        ("Gen-4.5", "gen4.5"),
        ("runway", "gen4.5"),
        ("animatic", "animatic"),
        ("veo3.1_fast", "veo3.1_fast"),
        ("runway_veo3.1", None),
    ],
)
def test_model_names_as_people_say_them(name: str, model: str | None) -> None:
    assert resolve_model(name, PREFS) == model


def test_veo_resolves_to_the_configured_vendor() -> None:
    assert resolve_model("veo", PlanPreferences(available_models=["runway_veo3.1"])) == "runway_veo3.1"


def test_remove_and_swap() -> None:
    plan = five_segments()
    removed = edit("remove segment 4", plan)
    assert removed.plan is not None
    assert [s.prompt for s in removed.plan.segments] == ["shot 1", "shot 2", "shot 3", "shot 5"]
    assert removed.plan.target_duration == 16
    swapped = edit("swap 1 and 3", plan)
    assert swapped.plan is not None
    assert [s.prompt for s in swapped.plan.segments][:3] == ["shot 3", "shot 2", "shot 1"]


def test_captions_transitions_and_grade() -> None:
    result = edit("no captions; transition fade\ngrade warm")
    assert result.plan is not None
    assert not result.plan.post.captions
    assert result.plan.post.grade == "warm"
    assert [s.transition for s in result.plan.segments] == [Transition.CUT] + [Transition.FADE] * 4
    cuts = edit("cuts only and add captions", result.plan)
    assert cuts.plan is not None
    assert {s.transition for s in cuts.plan.segments} == {Transition.CUT}
    assert cuts.plan.post.captions
    assert edit("grade black and white").plan.post.grade == "mono"  # type: ignore[union-attr]


def test_voice_over_is_spread_or_set_per_segment() -> None:
    result = edit("voice: Hello there. Meet our team. Buy now. Thanks!")
    assert result.plan is not None
    assert [s.voiceover for s in result.plan.segments] == [
        "Hello there.",
        "Meet our team.",
        "Buy now.",
        "Thanks!",
        "",
    ]
    one = edit("segment 2 voice: just this", result.plan)
    assert one.plan is not None and one.plan.segments[1].voiceover == "just this"
    silent = edit("no voiceover", result.plan)
    assert silent.plan is not None and not silent.plan.audio.voiceover


def test_character_image_in_every_shot() -> None:
    result = edit("use the character image in every shot")
    assert result.plan is not None
    assert all(s.use_character_image for s in result.plan.segments)
    refused = edit("use the character image in every shot", prefs=PlanPreferences(available_models=MODELS))
    assert refused.plan is None
    assert "upload one first" in refused.reply


def test_add_segment_grows_the_video() -> None:
    result = edit("add segment: a sunset over the bay")
    assert result.plan is not None
    assert result.plan.segments[-1].prompt == "a sunset over the bay"
    assert result.plan.target_duration == 24


def test_several_commands_and_what_was_not_understood() -> None:
    result = edit("make it 30 seconds and swap 1 and 3, sing me a song; use veo fast for segment 2")
    assert result.plan is not None
    assert result.understood == ["length 30 s", "swapped segments 1 and 3", "segment 2: model veo3.1_fast"]
    assert result.not_understood == "sing me a song"
    assert 'I did not understand "sing me a song"' in result.reply
    assert result.reply.startswith("Done: length 30 s; swapped segments 1 and 3")


def test_impossible_requests_are_explained_and_change_nothing() -> None:
    assert "There is no segment 9: the plan has 5." in edit("remove segment 9").reply
    offline = edit("use veo for segment 1", prefs=PlanPreferences())
    assert offline.plan is None
    assert "veo is not a model you can use here (available: animatic)" in offline.reply
    single = normalise_plan(
        {"segments": [{"prompt": "p", "duration": 5}]},
        target_duration=5,
        available_models=["animatic"],
        has_character_image=False,
    )
    assert "at least one segment" in edit("remove segment 1", single, PlanPreferences()).reply
    nothing = edit("hello?")
    assert nothing.plan is None and nothing.understood == [] and nothing.not_understood == "hello?"


def test_no_change_returns_no_plan() -> None:
    result = edit("add captions")  # captions are on already
    assert result.plan is None
    assert "already like that" in result.reply


def test_budget_is_applied_after_the_edit() -> None:
    prefs = PREFS.model_copy(update={"monthly_budget_usd": 5.0, "spent_this_month_usd": 4.0})
    result = edit("use veo for every segment", five_segments("animatic"), prefs)
    assert result.plan is not None
    assert "veo3.1" not in result.plan.models
    assert "monthly budget" in result.reply


def test_parser_returns_typed_edits() -> None:
    edits, unknown = parse_commands("make it 0 seconds and use banana for segment 2")
    assert edits == []
    assert unknown == ["make it 0 seconds", "use banana for segment 2"]


commands = st.one_of(
    st.integers(0, 200).map(lambda n: f"make it {n} seconds"),
    st.tuples(st.integers(0, 8), st.text(min_size=1, max_size=40)).map(lambda t: f"segment {t[0]}: {t[1]}"),
    st.tuples(
        st.sampled_from(["veo", "veo fast", "gen4", "gen4.5", "runway", "animatic", "x"]), st.integers(0, 8)
    ).map(lambda t: f"use {t[0]} for segment {t[1]}"),
    st.sampled_from(["veo", "gen4.5", "animatic"]).map(lambda m: f"use {m}"),
    st.integers(0, 8).map(lambda n: f"remove segment {n}"),
    st.tuples(st.integers(0, 8), st.integers(0, 8)).map(lambda t: f"swap {t[0]} and {t[1]}"),
    st.sampled_from(
        [
            "add captions",
            "no captions",
            "transition fade",
            "cuts only",
            "grade vivid",
            "grade none",
            "use the character image in every shot",
            "no voiceover",
            "add music",
        ]
    ),
    st.text(max_size=200).map(lambda t: f"voice: {t}"),
    st.text(min_size=1, max_size=60).map(lambda t: f"add segment: {t}"),
    st.text(max_size=60),
)


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.lists(commands, min_size=1, max_size=4).map("; ".join), min_size=1, max_size=4), preferences()
)
def test_any_command_sequence_keeps_the_plan_valid(messages: list[str], prefs: PlanPreferences) -> None:
    plan = normalise_plan(
        {"segments": [{"prompt": "p", "duration": 3}] * 4},
        target_duration=12,
        available_models=prefs.allowed_models,
        has_character_image=prefs.has_character_image,
    )
    for message in messages:
        result = PlanEditor().apply(plan, message, prefs)
        assert result.reply
        if result.plan is not None:
            assert_valid(result.plan, prefs)
            plan = result.plan
