"""Diff lines between plan versions."""

from __future__ import annotations

from reelsmith.domain.plan import Plan, Segment, Transition
from reelsmith.domain.plan_diff import diff_plans


def plan(*prompts: str, durations: list[int] | None = None, **fields: object) -> Plan:
    seconds = durations or [4] * len(prompts)
    segments = [
        Segment(index=i, duration=d, prompt=p) for i, (p, d) in enumerate(zip(prompts, seconds, strict=True))
    ]
    return Plan(target_duration=sum(seconds), segments=segments, **fields)  # type: ignore[arg-type]


def test_no_change_no_lines() -> None:
    assert diff_plans(plan("a", "b"), plan("a", "b")) == []


def test_target_and_durations() -> None:
    lines = diff_plans(plan("a", "b"), plan("a", "b", durations=[6, 4]))
    assert lines == ["Target 8 s -> 10 s", "Segment 1 duration 4 s -> 6 s"]


def test_prompt_changed_is_named_by_segment() -> None:
    assert diff_plans(plan("a", "b", "c"), plan("a", "B", "c")) == ["Segment 2 prompt changed"]


def test_removed_and_added_segments() -> None:
    assert diff_plans(plan("a", "b", "c", "d"), plan("a", "b", "c", durations=[4, 4, 4])) == [
        "Target 16 s -> 12 s",
        "Segment 4 removed",
    ]
    assert "Segment 2 removed" in diff_plans(plan("a", "b", "c"), plan("a", "c", durations=[4, 4]))
    assert "Segment 3 added" in diff_plans(plan("a", "b"), plan("a", "b", "c"))


def test_swap_reads_as_a_reorder() -> None:
    assert diff_plans(plan("a", "b", "c"), plan("c", "b", "a")) == ["Segments reordered: 3, 2, 1"]


def test_models_transitions_character_image_and_finish() -> None:
    old = plan("a", "b")
    new = old.model_copy(deep=True)
    new.segments[1] = new.segments[1].model_copy(
        update={
            "model": "gen4.5",
            "transition": Transition.FADE,
            "use_character_image": True,
            "voiceover": "hi",
        }
    )
    new.post.captions = False
    new.post.grade = "warm"
    new.audio.voiceover = False
    assert diff_plans(old, new) == [
        "Segment 2 voice-over changed",
        "Segment 2 model animatic -> gen4.5",
        "Segment 2 transition cut -> fade",
        "Segment 2 now uses the character image",
        "Voice-over off",
        "Grade none -> warm",
        "Captions off",
    ]
