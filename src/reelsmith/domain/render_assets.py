"""What a render job generates for a plan: one asset per segment, the voice-over, the effects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .catalogue import video_model
from .plan import Plan


@dataclass(frozen=True)
class AssetSpec:
    kind: str
    idx: int
    model: str | None
    provider: str | None
    spec: dict[str, Any]


def assets_for_plan(plan: Plan, *, segment_images: dict[int, str | None]) -> list[AssetSpec]:
    """``segment_images`` maps a segment index to the object key of its input image (or None)."""
    specs = [
        AssetSpec(
            kind="video_segment",
            idx=seg.index,
            model=seg.model,
            provider=video_model(seg.model).provider,
            spec={
                "prompt": seg.prompt,
                "negative_prompt": seg.negative_prompt,
                "duration": seg.duration,
                "models": [seg.model, *[m for m in seg.fallback_models if m != seg.model]],
                "image_key": segment_images.get(seg.index),
                "palette": seg.palette,
                "overlay_text": seg.text_overlay,
                "transition": seg.transition.value,
            },
        )
        for seg in plan.segments
    ]
    script = plan.voiceover_script
    if plan.audio.voiceover and script:
        specs.append(AssetSpec("voiceover", 0, None, None, {"text": script, "voice": plan.audio.voice}))
    for i, effect in enumerate(plan.audio.sound_effects):
        specs.append(
            AssetSpec(
                "sound_effect",
                i,
                None,
                None,
                {"prompt": effect.prompt, "duration": effect.duration, "at": effect.at},
            )
        )
    return specs
