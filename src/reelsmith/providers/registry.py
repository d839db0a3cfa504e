"""Which adapter serves each capability: a vendor when its key is set, else the offline stand-in.

Vendor SDKs are imported lazily so a process that never calls a vendor never pays its import.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from reelsmith.domain.catalogue import VIDEO_MODELS, video_model
from reelsmith.settings import Settings

if TYPE_CHECKING:
    from reelsmith.providers.base import (
        LanguageModel,
        SoundGenerator,
        VideoGenerator,
        VideoUnderstanding,
        VoiceGenerator,
    )


class ProviderRegistry:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._video: dict[str, VideoGenerator] = {}

    def _key(self, name: str) -> str | None:
        if self.settings.offline:
            return None
        secret = getattr(self.settings, name)
        return secret.get_secret_value() if secret else None

    @property
    def veo_configured(self) -> bool:
        return not self.settings.offline and bool(self.settings.google_cloud_project)

    def configured(self) -> dict[str, bool]:
        """Which vendors are live (for /api/health): names only, never keys."""
        return {
            "runway": self._key("runway_api_key") is not None,
            "veo": self.veo_configured,
            "elevenlabs": self._key("elevenlabs_api_key") is not None,
            "groq": self._key("groq_api_key") is not None,
            "gemini": self._key("google_api_key") is not None,
        }

    def available_models(self) -> list[str]:
        live = {"offline": True, "runway": self.configured()["runway"], "veo": self.veo_configured}
        return [model.id for model in VIDEO_MODELS.values() if live.get(model.provider)]

    def video(self, model_id: str) -> VideoGenerator:
        provider = video_model(model_id).provider
        if provider not in self._video:
            self._video[provider] = self._make_video(provider)
        return self._video[provider]

    def use_video(self, provider: str, generator: VideoGenerator) -> None:
        """Serve ``provider``'s models with ``generator`` (fault injection in tests, fakes locally)."""
        self._video[provider] = generator

    def _make_video(self, provider: str) -> VideoGenerator:
        if provider == "runway" and (key := self._key("runway_api_key")):
            from reelsmith.providers.runway import RunwayVideoGenerator

            return RunwayVideoGenerator(api_key=key)
        if provider == "veo" and self.veo_configured:
            from reelsmith.providers.veo import VeoVideoGenerator

            return VeoVideoGenerator(
                project=self.settings.google_cloud_project or "", location=self.settings.google_cloud_location
            )
        return self.video_offline

    @cached_property
    def video_offline(self) -> VideoGenerator:
        from reelsmith.providers.offline.animatic import AnimaticVideoGenerator

        return AnimaticVideoGenerator()

    @property
    def voice_provider(self) -> str:
        """Who will speak the voice-over: prices the plan's audio."""
        return "elevenlabs" if self._key("elevenlabs_api_key") else "offline"

    @cached_property
    def voice(self) -> VoiceGenerator:
        if key := self._key("elevenlabs_api_key"):
            from reelsmith.providers.elevenlabs import ElevenLabsVoiceGenerator

            return ElevenLabsVoiceGenerator(api_key=key)
        return self.voice_offline

    @cached_property
    def voice_offline(self) -> VoiceGenerator:
        from reelsmith.providers.offline.espeak import EspeakVoiceGenerator

        return EspeakVoiceGenerator()

    @cached_property
    def sound(self) -> SoundGenerator | None:
        if key := self._key("elevenlabs_api_key"):
            from reelsmith.providers.elevenlabs import ElevenLabsSoundGenerator

            return ElevenLabsSoundGenerator(api_key=key)
        return None

    @cached_property
    def llm(self) -> LanguageModel | None:
        if key := self._key("groq_api_key"):
            from reelsmith.providers.groq import GroqLanguageModel

            return GroqLanguageModel(api_key=key)
        if key := self._key("google_api_key"):
            from reelsmith.providers.gemini import GeminiLanguageModel

            return GeminiLanguageModel(api_key=key)
        return None

    @cached_property
    def understanding(self) -> VideoUnderstanding | None:
        if key := self._key("google_api_key"):
            from reelsmith.providers.gemini import GeminiUnderstanding

            return GeminiUnderstanding(api_key=key)
        if key := self._key("groq_api_key"):
            from reelsmith.providers.groq import GroqUnderstanding

            return GroqUnderstanding(api_key=key)
        return None
