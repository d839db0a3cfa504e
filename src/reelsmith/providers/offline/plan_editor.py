"""Chat edits to a plan: typed edit operations, and an offline editor that reads plain commands.

The same ``Edit`` operations are what the LLM editor asks its model for, so both editors share
one way to change a plan (``apply_edits``), and both end in the rules and the budget check.
Segment numbers are 1-based, as users count.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError

from reelsmith.domain.catalogue import VIDEO_MODELS
from reelsmith.domain.plan import Grade, Plan, PlanDraft, PlanPreferences, Transition
from reelsmith.domain.plan_diff import diff_plans
from reelsmith.domain.plan_rules import fit_to_budget, normalise_for, split_sentences, spread_lines
from reelsmith.domain.rules import MAX_VIDEO_SECONDS

MAX_MESSAGE_CHARS = 4000
HELP = (
    'Try: "make it 30 seconds", "segment 2: <prompt>", "use veo for segment 3", "remove segment 4", '
    '"swap 1 and 3", "add captions", "voice: <text>", "use the character image in every shot", '
    '"transition fade", "grade warm", "add segment: <prompt>".'
)


# -- the edit operations ---------------------------------------------------------------------


class SetTarget(BaseModel):
    op: Literal["set_target"] = "set_target"
    seconds: float = Field(gt=0, le=600)


class UpdateSegment(BaseModel):
    op: Literal["update_segment"] = "update_segment"
    segment: int = Field(ge=1)
    prompt: str | None = Field(default=None, min_length=1, max_length=1000)
    negative_prompt: str | None = Field(default=None, max_length=500)
    camera: str | None = Field(default=None, max_length=200)
    style: str | None = Field(default=None, max_length=200)
    text_overlay: str | None = Field(default=None, max_length=120)
    voiceover: str | None = Field(default=None, max_length=600)
    model: str | None = None
    use_character_image: bool | None = None
    transition: Transition | None = None


class UpdateAll(BaseModel):
    op: Literal["update_all"] = "update_all"
    model: str | None = None
    use_character_image: bool | None = None
    transition: Transition | None = None


class RemoveSegment(BaseModel):
    op: Literal["remove_segment"] = "remove_segment"
    segment: int = Field(ge=1)


class SwapSegments(BaseModel):
    op: Literal["swap_segments"] = "swap_segments"
    a: int = Field(ge=1)
    b: int = Field(ge=1)


class AddSegment(BaseModel):
    op: Literal["add_segment"] = "add_segment"
    prompt: str = Field(min_length=1, max_length=1000)
    after: int | None = Field(default=None, ge=0)  # None: at the end; 0: at the start


class SetVoiceover(BaseModel):
    """The whole voice-over script, spread over the segments sentence by sentence."""

    op: Literal["set_voiceover"] = "set_voiceover"
    text: str = Field(max_length=4000)


class SetAudio(BaseModel):
    op: Literal["set_audio"] = "set_audio"
    voiceover: bool | None = None
    music_bed: bool | None = None
    ducking: bool | None = None


class SetPost(BaseModel):
    op: Literal["set_post"] = "set_post"
    captions: bool | None = None
    grade: Grade | None = None
    caption_style: str | None = Field(default=None, max_length=40)


Edit = Annotated[
    SetTarget
    | UpdateSegment
    | UpdateAll
    | RemoveSegment
    | SwapSegments
    | AddSegment
    | SetVoiceover
    | SetAudio
    | SetPost,
    Field(discriminator="op"),
]


@dataclass(frozen=True)
class EditResult:
    plan: Plan | None  # None: the plan did not change
    understood: list[str]
    not_understood: str | None
    reply: str


# -- model names as people say them ------------------------------------------------------------

_MODEL_ALIASES: dict[str, tuple[str, ...]] = {
    "veo": ("veo3.1", "runway_veo3.1"),
    "veo3": ("veo3.1", "runway_veo3.1"),
    "googleveo": ("veo3.1",),
    "veofast": ("veo3.1_fast", "runway_veo3.1_fast"),
    "veo3fast": ("veo3.1_fast", "runway_veo3.1_fast"),
    "runwayveo": ("runway_veo3.1",),
    "runwayveofast": ("runway_veo3.1_fast",),
    "gen4": ("gen4_turbo",),
    "turbo": ("gen4_turbo",),
    "runway": ("gen4.5", "gen4_turbo"),
    "offline": ("animatic",),
    "preview": ("animatic",),
    "free": ("animatic",),
}


def _name_key(name: str) -> str:
    return re.sub(r"[\s_\-]|\bthe\b|\bmodel\b", "", name.lower())


def model_choices(name: str) -> tuple[str, ...]:
    """Catalogue ids a user may mean by a name ("veo fast", "Gen-4.5", "runway_veo3.1"), best first."""
    key = _name_key(name)
    ids = {_name_key(m): (m,) for m in VIDEO_MODELS}
    return ids.get(key) or _MODEL_ALIASES.get(key, ())


def resolve_model(name: str, prefs: PlanPreferences) -> str | None:
    """The first model the name may mean that is configured and not excluded."""
    return next((m for m in model_choices(name) if m in prefs.allowed_models), None)


# -- applying edits ---------------------------------------------------------------------------


class _RefusedError(Exception):
    """An edit that was understood but cannot be applied (the message says why)."""


@dataclass
class _Draft:
    target: float
    segments: list[dict[str, Any]]
    audio: dict[str, Any]
    post: dict[str, Any]

    def segment(self, number: int) -> dict[str, Any]:
        if not 1 <= number <= len(self.segments):
            raise _RefusedError(f"There is no segment {number}: the plan has {len(self.segments)}.")
        return self.segments[number - 1]


def apply_edits(
    plan: Plan,
    edits: Sequence[Any],
    prefs: PlanPreferences,
    *,
    not_understood: str | None = None,
    preface: str = "",
) -> EditResult:
    """Apply edits in order (later numbers see earlier changes), then the rules and the budget."""
    dump = plan.model_dump()
    draft = _Draft(plan.target_duration, dump["segments"], dump["audio"], dump["post"])
    understood: list[str] = []
    problems: list[str] = []
    for edit in edits:
        try:
            understood.append(_APPLY[type(edit)](draft, edit, prefs))
        except _RefusedError as exc:
            problems.append(str(exc))
    new_plan = None
    repairs: list[str] = []
    if understood:
        normalised = normalise_for(
            {"segments": draft.segments, "audio": draft.audio, "post": draft.post, "notes": plan.notes},
            prefs,
            target_duration=draft.target,
        )
        candidate = fit_to_budget(
            normalised.model_copy(update={"llm_calls": plan.llm_calls, "allow_partial": plan.allow_partial}),
            prefs,
        )
        if _content(candidate) != _content(plan):
            new_plan, repairs = candidate, candidate.repairs
    reply = _reply(preface, understood, problems, not_understood, repairs, changed=new_plan is not None)
    return EditResult(plan=new_plan, understood=understood, not_understood=not_understood, reply=reply)


def replace_plan(plan: Plan, proposal: PlanDraft, prefs: PlanPreferences, *, preface: str = "") -> EditResult:
    """A whole new plan proposed in chat: repaired by the rules, budgeted, and told as a diff."""
    normalised = normalise_for(
        proposal.model_dump(), prefs, target_duration=proposal.target_duration or plan.target_duration
    )
    candidate = fit_to_budget(
        normalised.model_copy(
            update={"llm_calls": plan.llm_calls, "allow_partial": plan.allow_partial, "notes": plan.notes}
        ),
        prefs,
    )
    changed = _content(candidate) != _content(plan)
    understood = diff_plans(plan, candidate) if changed else ["a rewritten plan"]
    reply = _reply(preface, understood, [], None, candidate.repairs if changed else [], changed=changed)
    return EditResult(
        plan=candidate if changed else None, understood=understood, not_understood=None, reply=reply
    )


def _content(plan: Plan) -> dict[str, Any]:
    return plan.model_dump(exclude={"repairs", "notes", "llm_calls"})


def _set_target(draft: _Draft, edit: SetTarget, prefs: PlanPreferences) -> str:
    draft.target = edit.seconds
    return f"length {edit.seconds:g} s"


def _update_segment(draft: _Draft, edit: UpdateSegment, prefs: PlanPreferences) -> str:
    segment = draft.segment(edit.segment)
    changes = edit.model_dump(exclude={"op", "segment"}, exclude_none=True)
    if "model" in changes:
        changes["model"] = _model_or_refuse(changes["model"], prefs)
    if changes.get("use_character_image"):
        _require_character_image(prefs)
    if not changes:
        raise _RefusedError(f"Nothing to change in segment {edit.segment}.")
    segment.update(changes)
    if changes.get("voiceover"):
        draft.audio["voiceover"] = True
    return f"segment {edit.segment}: " + ", ".join(_describe(name, value) for name, value in changes.items())


def _update_all(draft: _Draft, edit: UpdateAll, prefs: PlanPreferences) -> str:
    changes = edit.model_dump(exclude={"op"}, exclude_none=True)
    if "model" in changes:
        changes["model"] = _model_or_refuse(changes["model"], prefs)
    if changes.get("use_character_image"):
        _require_character_image(prefs)
    if not changes:
        raise _RefusedError("Nothing to change.")
    for number, segment in enumerate(draft.segments):
        segment.update(changes)
        if "transition" in changes and number == 0:
            segment["transition"] = Transition.CUT  # the first segment has nothing to transition from
    return "every segment: " + ", ".join(_describe(name, value) for name, value in changes.items())


def _remove_segment(draft: _Draft, edit: RemoveSegment, prefs: PlanPreferences) -> str:
    """The video gets shorter by the segment's length, so the others keep theirs."""
    removed = draft.segment(edit.segment)
    if len(draft.segments) == 1:
        raise _RefusedError("A plan needs at least one segment, so I kept segment 1.")
    del draft.segments[edit.segment - 1]
    draft.target = max(1.0, draft.target - removed["duration"])
    return f"removed segment {edit.segment} (now {draft.target:g} s)"


def _swap_segments(draft: _Draft, edit: SwapSegments, prefs: PlanPreferences) -> str:
    first, second = draft.segment(edit.a), draft.segment(edit.b)
    draft.segments[edit.a - 1], draft.segments[edit.b - 1] = second, first
    return f"swapped segments {edit.a} and {edit.b}"


def _add_segment(draft: _Draft, edit: AddSegment, prefs: PlanPreferences) -> str:
    """The video grows by an average segment (up to the 60 s cap), so the others keep their length."""
    after = len(draft.segments) if edit.after is None else min(edit.after, len(draft.segments))
    neighbour = draft.segments[max(after - 1, 0)]
    new = {
        key: neighbour[key] for key in ("model", "negative_prompt", "style", "palette", "use_character_image")
    }
    duration = draft.target / len(draft.segments)
    new |= {"prompt": edit.prompt, "duration": duration, "transition": Transition.CUT}
    draft.segments.insert(after, new)
    draft.target = min(MAX_VIDEO_SECONDS, draft.target + duration)
    return f"added segment {after + 1} (now {draft.target:g} s)"


def _set_voiceover(draft: _Draft, edit: SetVoiceover, prefs: PlanPreferences) -> str:
    lines = spread_lines(split_sentences(edit.text), len(draft.segments)) if edit.text.strip() else []
    for number, segment in enumerate(draft.segments):
        segment["voiceover"] = lines[number] if lines else ""
    draft.audio["voiceover"] = bool(lines)
    return "voice-over script" if lines else "no voice-over"


def _set_audio(draft: _Draft, edit: SetAudio, prefs: PlanPreferences) -> str:
    changes = edit.model_dump(exclude={"op"}, exclude_none=True)
    draft.audio.update(changes)
    return ", ".join(_describe(name, value) for name, value in changes.items()) or "audio unchanged"


def _set_post(draft: _Draft, edit: SetPost, prefs: PlanPreferences) -> str:
    changes = edit.model_dump(exclude={"op"}, exclude_none=True)
    draft.post.update(changes)
    return ", ".join(_describe(name, value) for name, value in changes.items()) or "finish unchanged"


_APPLY: dict[type, Callable[[_Draft, Any, PlanPreferences], str]] = {
    SetTarget: _set_target,
    UpdateSegment: _update_segment,
    UpdateAll: _update_all,
    RemoveSegment: _remove_segment,
    SwapSegments: _swap_segments,
    AddSegment: _add_segment,
    SetVoiceover: _set_voiceover,
    SetAudio: _set_audio,
    SetPost: _set_post,
}


def _model_or_refuse(name: str, prefs: PlanPreferences) -> str:
    model = resolve_model(name, prefs)
    if model is None:
        known = ", ".join(prefs.allowed_models)
        raise _RefusedError(f"{name} is not a model you can use here (available: {known}).")
    return model


def _require_character_image(prefs: PlanPreferences) -> None:
    if not prefs.has_character_image:
        raise _RefusedError("There is no character image yet: upload one first.")


def _describe(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return f"{name.replace('_', ' ')} {'on' if value else 'off'}"
    if name in ("prompt", "negative_prompt", "camera", "style", "voiceover", "text_overlay"):
        return f"new {name.replace('_', ' ')}"
    return f"{name.replace('_', ' ')} {value}"


def _reply(
    preface: str,
    understood: list[str],
    problems: list[str],
    not_understood: str | None,
    repairs: list[str],
    *,
    changed: bool,
) -> str:
    parts = [preface.strip()] if preface.strip() else []
    if understood:
        parts.append(
            "Done: " + "; ".join(understood) + "."
            if changed
            else "Understood (" + "; ".join(understood) + "), but the plan was already like that."
        )
    parts += problems
    if not_understood:
        parts.append(f'I did not understand "{not_understood}". {HELP}')
    if repairs:
        parts.append("To keep the plan valid: " + " ".join(repairs))
    return " ".join(parts) or f"I did not find a change to make. {HELP}"


# -- the plain-command parser ------------------------------------------------------------------

_SEG = r"(?:segment|shot|clip|scene)\s*#?\s*(\d+)"
_FILLER = re.compile(
    r"^(?:\s|,|\.|!|\band\b|\bthen\b|\balso\b|\bplease\b|\bcan you\b|\bcould you\b|\bwould you\b|"
    r"\bi(?:'d| would)? (?:like|want)(?: you)? to\b|\blet'?s\b|\bnow\b|\bthanks?\b|\bthank you\b)+",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r",|\band\b|\bthen\b", re.IGNORECASE)
_GRADE_NAMES: dict[str, Grade] = {
    **{grade: grade for grade in ("none", "warm", "cool", "vivid", "mono")},
    "monochrome": "mono",
    "black and white": "mono",
    "b&w": "mono",
    "off": "none",
    "natural": "none",
}
_TRANSITIONS = {
    "fade": Transition.FADE,
    "dissolve": Transition.FADE,
    "crossfade": Transition.FADE,
    "cross-fade": Transition.FADE,
    "cut": Transition.CUT,
    "slide": Transition.SLIDE,
    "wipe": Transition.WIPE,
}

Parse = Callable[[re.Match[str]], Any | None]


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_COMMANDS: list[tuple[re.Pattern[str], Parse]] = [
    (
        _p(_SEG + r"\s*(?:voice[- ]?over|voice|narration)\s*[:=]\s*(\S.*)$"),
        lambda m: UpdateSegment(segment=int(m[1]), voiceover=m[2].strip()[:600]),
    ),
    (
        _p(_SEG + r"\s*(?:prompt)?\s*[:=]\s*(\S.*)$"),
        lambda m: UpdateSegment(segment=int(m[1]), prompt=m[2].strip()[:1000]),
    ),
    (
        _p(r"(?:voice[- ]?over|voice|narration|script)\s*[:=]\s*(.*)$"),
        lambda m: SetVoiceover(text=m[1].strip()[:4000]),
    ),
    (
        _p(
            r"add\s+(?:a\s+|another\s+|one\s+more\s+)?(?:new\s+)?(?:segment|shot|clip|scene)"
            r"(?:\s+at\s+the\s+end)?\s*[:=\-]?\s*(\S.*)$"
        ),
        lambda m: AddSegment(prompt=m[1].strip()[:1000]),
    ),
    (
        _p(
            r"(?:make\s+(?:it|the\s+video|the\s+reel)\s+|set\s+(?:the\s+)?(?:length|duration|target)\s+"
            r"to\s+|(?:change|shorten|lengthen|cut)\s+(?:it|the\s+video)\s+to\s+)?"
            r"(\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)\b(?:\s+long)?"
        ),
        lambda m: SetTarget(seconds=min(float(m[1]), 600)),
    ),
    (_p(r"(?:make\s+it\s+)?(?:a|one|1)\s+minute(?:\s+long)?"), lambda m: SetTarget(seconds=60)),
    (
        _p(r"(?:use|put|show)\s+(?:the\s+|my\s+)?character(?:\s+image)?\s+(?:in|for|on)\s+" + _SEG),
        lambda m: UpdateSegment(segment=int(m[1]), use_character_image=True),
    ),
    (
        _p(
            r"(?:use|put|show)\s+(?:the\s+|my\s+)?character(?:\s+image)?(?:\s+(?:in|for|on)\s+"
            r"(?:every|all(?:\s+the)?|each)\s+(?:shots?|segments?|clips?|scenes?)|\s+everywhere)?"
        ),
        lambda m: UpdateAll(use_character_image=True),
    ),
    (
        _p(r"(?:don'?t|do\s+not|stop)\s+us(?:e|ing)\s+(?:the\s+|my\s+)?character(?:\s+image)?"),
        lambda m: UpdateAll(use_character_image=False),
    ),
    (
        _p(r"(?:use|switch\s+to|try)\s+([\w.\- ]+?)\s+(?:for|on|in)\s+" + _SEG),
        lambda m: UpdateSegment(segment=int(m[2]), model=m[1]) if model_choices(m[1]) else None,
    ),
    (
        _p(
            r"(?:use|switch\s+to|try)\s+([\w.\-]+(?:\s+(?!and\b|then\b|for\b)[\w.\-]+)*?)"
            r"(?:\s+(?:for|on|in)\s+(?:all|every|each|everything)(?:\s+(?:the\s+)?(?:segments?|shots?|clips?|"
            r"scenes?))?)?(?=\s*(?:$|,|\.|\band\b|\bthen\b))"
        ),
        lambda m: UpdateAll(model=m[1].rstrip(".")) if model_choices(m[1].rstrip(".")) else None,
    ),
    (_p(r"(?:remove|delete|drop|cut)\s+(?:the\s+)?" + _SEG), lambda m: RemoveSegment(segment=int(m[1]))),
    (
        _p(
            r"swap\s+(?:(?:segments?|shots?|clips?|scenes?)\s+)?#?(\d+)\s*(?:and|with|&|,)\s*"
            r"(?:(?:segment|shot|clip|scene)\s+)?#?(\d+)"
        ),
        lambda m: SwapSegments(a=int(m[1]), b=int(m[2])),
    ),
    (
        _p(
            r"(?:add|turn\s+on|enable|show|use)\s+(?:the\s+)?(?:captions|subtitles)|"
            r"(?:captions|subtitles)\s+on\b|with\s+(?:captions|subtitles)"
        ),
        lambda m: SetPost(captions=True),
    ),
    (
        _p(
            r"(?:no|remove|turn\s+off|disable|hide|without|drop)\s+(?:the\s+)?(?:captions|subtitles)|"
            r"(?:captions|subtitles)\s+off\b"
        ),
        lambda m: SetPost(captions=False),
    ),
    (
        _p(r"(?:no|remove|drop|without|turn\s+off)\s+(?:the\s+)?(?:voice[- ]?over|voice|narration)"),
        lambda m: SetAudio(voiceover=False),
    ),
    (
        _p(r"(?:add|with|turn\s+on)\s+(?:a\s+|some\s+)?(?:background\s+)?music(?:\s+bed)?"),
        lambda m: SetAudio(music_bed=True),
    ),
    (
        _p(r"(?:no|remove|drop|without|turn\s+off)\s+(?:the\s+)?(?:background\s+)?music(?:\s+bed)?"),
        lambda m: SetAudio(music_bed=False),
    ),
    (
        _p(
            r"(?:use\s+)?(?:transitions?\s*[:=]?\s*|all\s+)(fade|dissolve|cross-?fade|cut|slide|wipe)s?\b"
            r"(?:\s+transitions?)?|(?:use\s+)?(fade|dissolve|cross-?fade|slide|wipe)s?\s+transitions?"
        ),
        lambda m: UpdateAll(transition=_TRANSITIONS[(m[1] or m[2]).lower()]),
    ),
    (
        _p(r"(?:use\s+)?(?:cuts\s+only|only\s+cuts|hard\s+cuts|no\s+transitions)"),
        lambda m: UpdateAll(transition=Transition.CUT),
    ),
    (
        _p(
            r"(?:colou?r\s+)?(?:grade|grading|look|filter)\s*[:=]?\s*(?:to\s+)?"
            r"(warm|cool|vivid|mono|monochrome|black\s+and\s+white|b&w|none|off|natural)"
        ),
        lambda m: SetPost(grade=_grade_name(m[1])),
    ),
    (_p(r"no\s+(?:colou?r\s+)?grad(?:e|ing)"), lambda m: SetPost(grade="none")),
]


def _grade_name(word: str) -> Grade:
    return _GRADE_NAMES[re.sub(r"\s+", " ", word.lower())]


def parse_commands(message: str) -> tuple[list[Any], list[str]]:
    """Edits found in a message, and the pieces of it that no command matched."""
    edits: list[Any] = []
    unknown: list[str] = []
    for clause in re.split(r"[\n;]+", message[:MAX_MESSAGE_CHARS]):
        rest = clause
        while rest := _FILLER.sub("", rest).strip():
            edit, rest = _match_command(rest)
            if edit is not None:
                edits.append(edit)
                continue
            separator = _SEPARATOR.search(rest)
            piece, rest = (rest[: separator.start()], rest[separator.end() :]) if separator else (rest, "")
            if piece.strip(" .!?"):
                unknown.append(piece.strip())
    return edits, unknown


def _match_command(text: str) -> tuple[Any | None, str]:
    for pattern, parse in _COMMANDS:
        match = pattern.match(text)
        if not match:
            continue
        try:
            edit = parse(match)
        except ValidationError:  # e.g. "make it 0 seconds": read, but not a command we can take
            continue
        if edit is not None:
            return edit, text[match.end() :]
    return None, text


class PlanEditor:
    """Understands plain commands (several per message) and says which it understood."""

    name = "commands"

    def apply(self, plan: Plan, message: str, prefs: PlanPreferences) -> EditResult:
        edits, unknown = parse_commands(message)
        return apply_edits(plan, edits, prefs, not_understood="; ".join(unknown) or None)
