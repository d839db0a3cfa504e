"""Settings: documented defaults, whole-object validation, PUT and its POST alias."""

from __future__ import annotations

from reelsmith.domain.user_settings import UserSettings
from tests.api.helpers import ApiUser


def test_defaults_then_validated_replace(alice: ApiUser) -> None:
    defaults = alice.call("GET", "/api/settings")
    assert defaults.status_code == 200 and defaults.json() == UserSettings().model_dump(mode="json")
    assert defaults.json()["monthly_budget_usd"] == 50.0 and defaults.json()["captions"] is True

    chosen = {
        "default_target_duration": 20,
        "preferred_models": ["gen4.5"],
        "excluded_models": ["veo3.1"],
        "default_voice": "en-gb",
        "captions": False,
        "caption_style": "minimal",
        "monthly_budget_usd": 10,
        "notifications": "none",
        "auto_analyze": False,
        "allow_partial": True,
    }
    saved = alice.call("PUT", "/api/settings", json=chosen)
    assert saved.status_code == 200, saved.text
    assert saved.json() == {**chosen, "default_target_duration": 20.0, "monthly_budget_usd": 10.0}
    assert alice.call("GET", "/api/settings").json() == saved.json()

    alias = alice.call("POST", "/api/settings", json={"captions": False})  # the rest back to defaults
    assert alias.status_code == 200
    assert alias.json() == {**UserSettings().model_dump(mode="json"), "captions": False}


def test_invalid_settings_are_refused_whole(alice: ApiUser) -> None:
    alice.call("PUT", "/api/settings", json={"monthly_budget_usd": 5})
    for bad in (
        {"preferred_models": ["no-such-model"]},
        {"monthly_budget_usd": -1},
        {"caption_style": "comic"},
        {"default_target_duration": 61},
        {"notifications": "email"},
        {"owner": "someone else"},
        {"captions": "sometimes"},
    ):
        response = alice.call("PUT", "/api/settings", json=bad)
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "validation_failed"
    assert alice.call("GET", "/api/settings").json()["monthly_budget_usd"] == 5.0
