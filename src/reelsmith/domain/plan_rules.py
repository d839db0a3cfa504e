"""Fit any near-valid plan to the product rules, deterministically and in bounded work.

Every planner and editor (rule-based, LLM, chat) ends here, so whatever they propose, what is
stored is a valid ``Plan``: a target of at most 60 s on the output frame grid, segments that last
whole frames and add up to it exactly, no segment longer than its model's longest clip (split,
never truncated silently: each change is written to ``Plan.repairs``) or shorter than a flash cut
(merged), models that are configured, and image-to-video models only where an input image exists.
Segment lengths are kept as proposed: the model generates the shortest clip covering a segment
and compose trims it (``VideoModel.clip_seconds``), so a sample's rhythm survives to the frame.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from .catalogue import OFFLINE_VIDEO_MODEL, VIDEO_MODELS, VideoModel, video_model
from .cost import estimate_cost
from .errors import ValidationFailed
from .plan import (
    GRADES,
    AudioStrategy,
    Plan,
    PlanDraft,
    PlanPreferences,
    PostProduction,
    Segment,
    SegmentDraft,
    Transition,
)
from .rules import (
    MAX_SEGMENT_SECONDS,
    MAX_SEGMENTS,
    MAX_VIDEO_SECONDS,
    MIN_SEGMENT_FRAMES,
    MIN_TARGET_SECONDS,
    TRANSITION_SECONDS,
    frames_to_seconds,
    to_frames,
)

MAX_SOUND_EFFECTS = 8
MAX_FALLBACKS = 2
# For a draft that names a model we do not know: good quality at a middling price first.
MODEL_PREFERENCE = (
    "gen4.5",
    "veo3.1_fast",
    "runway_veo3.1_fast",
    "veo3.1",
    "runway_veo3.1",
    "gen4_turbo",
    OFFLINE_VIDEO_MODEL,
)


def round_target(seconds: float) -> float:
    """The target on the output frame grid, between 1 s and 60 s."""
    return frames_to_seconds(to_frames(min(MAX_VIDEO_SECONDS, max(MIN_TARGET_SECONDS, seconds))))


def usable_models(available: Sequence[str], *, image_ok: bool) -> list[str]:
    """Known, configured models (the animatic always runs) that this segment's inputs allow."""
    names = [m for m in dict.fromkeys([*available, OFFLINE_VIDEO_MODEL]) if m in VIDEO_MODELS]
    return [m for m in names if image_ok or not VIDEO_MODELS[m].needs_image]


def substitute_model(model: str, usable: Sequence[str]) -> str:
    """The closest usable model: same kind (paid or preview, with audio or not), then nearest price."""
    if model in usable:
        return model
    if model not in VIDEO_MODELS:
        return next(m for m in (*MODEL_PREFERENCE, *usable) if m in usable)
    wanted = VIDEO_MODELS[model]

    def distance(candidate: str) -> tuple[bool, bool, float, str]:
        other = VIDEO_MODELS[candidate]
        return (
            (other.provider == "offline") != (wanted.provider == "offline"),
            other.makes_audio != wanted.makes_audio,
            abs(other.cost_per_second - wanted.cost_per_second),
            candidate,
        )

    return min(usable, key=distance)


def fallback_chain(
    model: str, usable: Sequence[str], seconds: float, *, limit: int = MAX_FALLBACKS
) -> list[str]:
    """Other paid models that can make the segment for no more than the primary (the estimate's bound)."""
    price = video_model(model).clip_cost(seconds)
    others = [
        m
        for m in usable
        if m != model
        and VIDEO_MODELS[m].provider != "offline"
        and VIDEO_MODELS[m].longest >= seconds - 1e-6
        and VIDEO_MODELS[m].clip_cost(seconds) <= price + 1e-9
    ]
    return sorted(others, key=lambda m: (-VIDEO_MODELS[m].clip_cost(seconds), m))[:limit]


def describe_durations(model: VideoModel) -> str:
    durations = model.durations
    if list(durations) == list(range(durations[0], durations[-1] + 1)):
        return f"{durations[0]}-{durations[-1]} s clips"
    return ", ".join(str(d) for d in durations[:-1]) + f" or {durations[-1]} s clips"


def normalise_plan(
    raw: dict[str, Any] | Plan,
    *,
    target_duration: float,
    available_models: Sequence[str],
    has_character_image: bool,
    has_keyframes: bool = False,
    has_custom_audio: bool | None = None,
) -> Plan:
    """Repair a proposed plan into a valid one; ``Plan.repairs`` lists every change a user would notice.

    ``has_keyframes``: sample keyframes exist, so segments mirroring a shot may use an
    image-to-video model without the character image. ``has_custom_audio=False`` switches off a
    music bed from an upload that does not exist (None: do not check).
    Raises ``ValidationFailed`` when a dict is not even a plan draft (wrong types, no segments).
    """
    repairs: list[str] = []
    draft = _as_draft(raw, repairs)
    target = round_target(target_duration)
    if target_duration > MAX_VIDEO_SECONDS:
        repairs.append(f"Target {target_duration:g} s capped at {target:g} s, the longest video we make.")
    elif target_duration < MIN_TARGET_SECONDS:
        repairs.append(f"Target {target_duration:g} s raised to {target:g} s, the shortest video we make.")

    segments = [
        _fit_inputs(seg, number, available_models, has_character_image, has_keyframes, repairs)
        for number, seg in enumerate(draft.segments, start=1)
    ]
    segments = _split_long(_scale(segments, target, repairs), repairs)
    segments = _merge_short(segments, target, repairs)
    frames = _fit_frames(segments, target)

    final = []
    for index, (seg, count) in enumerate(zip(segments, frames, strict=True)):
        seconds, model = frames_to_seconds(count), seg.model
        usable = usable_models(available_models, image_ok=_image_ok(seg, has_character_image, has_keyframes))
        eligible = fallback_chain(model, usable, seconds, limit=len(VIDEO_MODELS))
        chain = [m for m in dict.fromkeys(seg.fallback_models) if m in eligible][:MAX_FALLBACKS]
        keyframe = has_keyframes and seg.mirrors_shot is not None
        # An image-to-video model with no keyframe to animate animates the character image.
        use_image = seg.use_character_image or (VIDEO_MODELS[model].needs_image and not keyframe)
        transition = seg.transition
        if transition != Transition.CUT and (index == 0 or seconds < 2 * TRANSITION_SECONDS - 1e-6):
            transition = Transition.CUT
            if index:
                repairs.append(f"Segment {index + 1} is too short for a {seg.transition.value}; it cuts in.")
        final.append(
            Segment.model_validate(
                seg.model_dump()
                | {
                    "index": index,
                    "duration": seconds,
                    "model": model,
                    "fallback_models": chain or eligible[:MAX_FALLBACKS],
                    "use_character_image": use_image,
                    "transition": transition,
                }
            )
        )
    audio, post = _fit_audio_and_post(draft, target, has_custom_audio, repairs)
    carried = (
        raw.model_dump(include={"notes", "allow_partial", "llm_calls"})
        if isinstance(raw, Plan)
        else {"notes": draft.notes, **_bookkeeping(raw)}
    )
    return Plan(target_duration=target, segments=final, audio=audio, post=post, repairs=repairs, **carried)


def normalise_for(
    raw: dict[str, Any] | Plan,
    prefs: PlanPreferences,
    *,
    target_duration: float,
    models: Sequence[str] | None = None,
) -> Plan:
    """``normalise_plan`` with what the user's preferences say exists (``models`` narrows the choice)."""
    return normalise_plan(
        raw,
        target_duration=target_duration,
        available_models=models or prefs.allowed_models,
        has_character_image=prefs.has_character_image,
        has_keyframes=prefs.has_sample_keyframes,
        has_custom_audio=prefs.has_custom_audio,
    )


def fit_to_budget(plan: Plan, prefs: PlanPreferences) -> Plan:
    """Downgrade the priciest model, tier by tier, until the estimate fits the remaining budget.

    Ends at the animatic, which is free; each step removes one model from the plan, so at most
    one step per catalogue model. The reasons are added to ``Plan.repairs``.
    """
    remaining = prefs.remaining_budget_usd
    if remaining is None:
        return plan
    banned: set[str] = set()
    for _ in VIDEO_MODELS:
        if estimate_cost(plan).total_usd <= remaining + 1e-9:
            break
        priciest = max(plan.models, key=lambda m: VIDEO_MODELS[m].cost_per_second)
        if VIDEO_MODELS[priciest].cost_per_second == 0:
            break
        banned.add(priciest)
        allowed = [m for m in dict.fromkeys([*prefs.allowed_models, OFFLINE_VIDEO_MODEL]) if m not in banned]
        cheaper = [
            m for m in allowed if VIDEO_MODELS[m].cost_per_second < VIDEO_MODELS[priciest].cost_per_second
        ]
        replacement = substitute_model(priciest, cheaper)
        downgraded = [
            s.model_copy(update={"model": replacement, "fallback_models": []}) if s.model == priciest else s
            for s in plan.segments
        ]
        repaired = normalise_for(
            plan.model_copy(update={"segments": downgraded}),
            prefs,
            target_duration=plan.target_duration,
            models=allowed,
        )
        plan = with_repairs(
            repaired,
            *plan.repairs,
            *repaired.repairs,
            f"{priciest} replaced by {replacement} to stay within your monthly budget "
            f"(${remaining:.2f} left).",
        )
    if (total := estimate_cost(plan).total_usd) > remaining + 1e-9:
        plan = with_repairs(
            plan,
            *plan.repairs,
            f"Even with the cheapest models this plan costs ${total:.2f}, "
            f"more than the ${remaining:.2f} left in your monthly budget.",
        )
    return plan


def with_repairs(plan: Plan, *repairs: str) -> Plan:
    """The plan with this list of repair notes (duplicates dropped, order kept)."""
    return plan.model_copy(update={"repairs": list(dict.fromkeys(repairs))})


# -- the steps -------------------------------------------------------------------------------


def _as_draft(raw: dict[str, Any] | Plan, repairs: list[str]) -> PlanDraft:
    if isinstance(raw, Plan):
        return PlanDraft.model_validate(raw.model_dump(exclude={"target_duration", "notes"}))
    if not isinstance(raw, dict):
        raise ValidationFailed("A plan must be a JSON object.")
    data = dict(raw)
    if isinstance(data.get("segments"), list):
        data["segments"] = [
            _clip_strings(seg, number, repairs) if isinstance(seg, dict) else seg
            for number, seg in enumerate(data["segments"], start=1)
        ]
    data.pop("target_duration", None)  # the caller decides the target; the draft only proposes
    if isinstance(data.get("notes"), str):
        data["notes"] = data["notes"][:2000]
    try:
        return PlanDraft.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            "The plan is not valid: "
            + "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10]),
            errors=exc.errors(include_url=False, include_context=False, include_input=False),
        ) from exc


def _bookkeeping(raw: dict[str, Any]) -> dict[str, Any]:
    """A stored plan's own fields that a draft does not carry, kept when they are well formed."""
    calls = raw.get("llm_calls")
    well_formed = isinstance(calls, dict) and all(
        isinstance(k, str) and type(v) is int and v >= 0 for k, v in calls.items()
    )
    return {"allow_partial": raw.get("allow_partial") is True, "llm_calls": calls if well_formed else {}}


def _clip_strings(seg: dict[str, Any], number: int, repairs: list[str]) -> dict[str, Any]:
    """Shorten over-long text fields (a long prompt is no reason to throw a whole plan away)."""
    clipped = dict(seg)
    for name, field in SegmentDraft.model_fields.items():
        limit = next((m.max_length for m in field.metadata if getattr(m, "max_length", None)), None)
        value = clipped.get(name)
        if limit and isinstance(value, str) and len(value) > limit:
            clipped[name] = value[:limit]
            repairs.append(f"Segment {number} {name.replace('_', ' ')} shortened to {limit} characters.")
    return clipped


def _image_ok(seg: SegmentDraft, has_character_image: bool, has_keyframes: bool) -> bool:
    return has_character_image or (has_keyframes and seg.mirrors_shot is not None)


def _fit_inputs(
    seg: SegmentDraft,
    number: int,
    available: Sequence[str],
    has_character_image: bool,
    has_keyframes: bool,
    repairs: list[str],
) -> SegmentDraft:
    """A usable model, and the character image only where one exists."""
    update: dict[str, Any] = {}
    if seg.use_character_image and not has_character_image:
        update["use_character_image"] = False
        repairs.append(f"Segment {number} cannot use the character image: none was uploaded.")
    usable = usable_models(available, image_ok=_image_ok(seg, has_character_image, has_keyframes))
    model = substitute_model(seg.model, usable)
    if model != seg.model:
        why = (
            "is not a model we know"
            if seg.model not in VIDEO_MODELS
            else "needs an input image"
            if seg.model in usable_models(available, image_ok=True)
            else "is not available here"
        )
        repairs.append(f"Segment {number}: {seg.model} {why}; using {model}.")
    return seg.model_copy(update=update | {"model": model})


def _scale(segments: list[SegmentDraft], target: float, repairs: list[str]) -> list[SegmentDraft]:
    total = sum(s.duration for s in segments)
    if to_frames(total) != to_frames(target):
        repairs.append(f"Segment lengths scaled from {total:.3g} s to fill {target:g} s.")
    return [s.model_copy(update={"duration": s.duration * target / total}) for s in segments]


def _split_long(segments: list[SegmentDraft], repairs: list[str]) -> list[SegmentDraft]:
    """A segment longer than its model's longest clip becomes several equal parts of one shot."""
    result = []
    for number, seg in enumerate(segments, start=1):
        longest = min(MAX_SEGMENT_SECONDS, video_model(seg.model).longest)
        parts = math.ceil(seg.duration / longest - 1e-6)
        if parts <= 1:
            result.append(seg)
            continue
        repairs.append(
            f"Segment {number} ({seg.duration:.3g} s) split into {parts} parts: "
            f"{seg.model} makes {describe_durations(video_model(seg.model))}."
        )
        piece = seg.duration / parts
        result.append(seg.model_copy(update={"duration": piece}))
        result.extend(
            seg.model_copy(
                update={
                    "duration": piece,
                    "voiceover": "",
                    "text_overlay": None,
                    "transition": Transition.CUT,
                }
            )
            for _ in range(parts - 1)
        )
    return result


def _merge_shortest_pair(segments: list[SegmentDraft]) -> list[SegmentDraft]:
    """Join the adjacent pair that is shortest together; the longer one's picture and model stay.

    The pair must fit one clip of the model kept (too many segments means short ones, so a
    shortest pair always fits the catalogue's shortest longest clip, 8 s).
    """

    def fits(k: int) -> bool:
        pair = segments[k].duration + segments[k + 1].duration
        return pair <= max(video_model(s.model).longest for s in segments[k : k + 2]) + 1e-6

    candidates = [k for k in range(len(segments) - 1) if fits(k)] or [0]
    i = min(candidates, key=lambda k: (segments[k].duration + segments[k + 1].duration, k))
    first, second = segments[i], segments[i + 1]
    total = first.duration + second.duration
    keep = first if first.duration >= second.duration else second
    if video_model(keep.model).longest < total - 1e-6:
        keep = first if keep is second else second
    voice = " ".join(v for v in (first.voiceover, second.voiceover) if v)[:600]
    merged = keep.model_copy(update={"duration": total, "voiceover": voice, "transition": first.transition})
    return [*segments[:i], merged, *segments[i + 2 :]]


def _merge_short(segments: list[SegmentDraft], target: float, repairs: list[str]) -> list[SegmentDraft]:
    """Merge the shortest neighbours while there are more segments than the target's frames allow.

    At most ``MAX_SEGMENTS``, and each needs ``MIN_SEGMENT_FRAMES``; every merge removes one, so
    this is bounded by the draft's length. Shorter segments are lengthened by ``_fit_frames``.
    """
    count = len(segments)
    most = max(1, min(MAX_SEGMENTS, to_frames(target) // MIN_SEGMENT_FRAMES))
    while len(segments) > most:
        segments = _merge_shortest_pair(segments)
    if len(segments) < count:
        repairs.append(
            f"{count} segments merged into {len(segments)}: at most {most} segments "
            f"(each at least {MIN_SEGMENT_FRAMES} frames) fit {target:g} s."
        )
    return segments


def _fit_frames(segments: list[SegmentDraft], target: float) -> list[int]:
    """Whole frames per segment that add up to the target exactly, each as close to its length.

    Largest remainder: round every length down (but not under a flash cut, nor over the model's
    longest clip), then hand the frames left over to the segments that lost most in rounding, or
    take the extra ones back from those that gained most. A feasible answer always exists: the
    segments fit their models (``_split_long``) and the frames (``_merge_short``).
    """
    total = to_frames(target)
    scale = total / max(sum(s.duration for s in segments), 1e-9)
    exact = [s.duration * scale for s in segments]  # frames
    low = MIN_SEGMENT_FRAMES
    highs = [to_frames(min(MAX_SEGMENT_SECONDS, video_model(s.model).longest)) for s in segments]
    frames = [min(high, max(low, math.floor(e + 1e-6))) for e, high in zip(exact, highs, strict=True)]
    while sum(frames) < total:
        growable = [k for k in range(len(frames)) if frames[k] < highs[k]]
        if not growable:
            break
        frames[min(growable, key=lambda k: (frames[k] - exact[k], k))] += 1
    while sum(frames) > total:
        shrinkable = [k for k in range(len(frames)) if frames[k] > low]
        if not shrinkable:
            break
        frames[min(shrinkable, key=lambda k: (exact[k] - frames[k], k))] -= 1
    return frames


def _fit_audio_and_post(
    draft: PlanDraft, target: float, has_custom_audio: bool | None, repairs: list[str]
) -> tuple[AudioStrategy, PostProduction]:
    audio = draft.audio.model_copy(deep=True)
    effects = [e for e in audio.sound_effects if e.at < target][:MAX_SOUND_EFFECTS]
    if len(effects) != len(audio.sound_effects):
        repairs.append(
            f"Kept {len(effects)} of {len(audio.sound_effects)} sound effects "
            f"(at most {MAX_SOUND_EFFECTS}, all inside the video)."
        )
    audio.sound_effects = effects
    if audio.custom_audio and has_custom_audio is False:
        audio.custom_audio = False
        repairs.append("No audio was uploaded, so there is no custom music bed.")
    post = draft.post.model_copy()
    if post.grade not in GRADES:
        repairs.append(f"Unknown grade {post.grade!r}; no grade applied (choose {', '.join(GRADES)}).")
        post.grade = "none"
    return audio, post


def split_sentences(text: str) -> list[str]:
    """Sentences (or lines) of a brief or a voice-over text, trimmed, empty ones dropped."""
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def spread_lines(lines: Sequence[str], count: int, *, limit: int = 600) -> list[str]:
    """Lines in order over ``count`` segments: extra lines share a segment, too few leave gaps."""
    slots: list[list[str]] = [[] for _ in range(count)]
    for k, line in enumerate(lines):
        slots[k * count // len(lines)].append(line)
    return [" ".join(slot)[:limit] for slot in slots]
