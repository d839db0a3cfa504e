"""Secrets on AWS: the functions get secret ARNs in their environment, never the secrets.

At cold start the ARNs are read once through Powertools Parameters (cached) and folded into the
settings. Locally nothing is fetched: the variables themselves are used.
"""

from __future__ import annotations

import json
import os
from typing import Any

DATABASE_URL_ARN_ENV = "DATABASE_URL_SECRET_ARN"  # plain string, or JSON {"url": ...}
R2_CREDENTIALS_ARN_ENV = "R2_CREDENTIALS_SECRET_ARN"  # JSON {"access_key_id", "secret_access_key"}
PROVIDER_KEYS_ARN_ENV = "PROVIDER_KEYS_SECRET_ARN"  # JSON {"RUNWAYML_API_SECRET": ..., "GROQ_API_KEY": ...}
PROVIDER_KEY_FIELDS = {
    "RUNWAYML_API_SECRET": "runway_api_key",
    "GOOGLE_API_KEY": "google_api_key",
    "ELEVENLABS_API_KEY": "elevenlabs_api_key",
    "GROQ_API_KEY": "groq_api_key",
    "GOOGLE_CLOUD_PROJECT": "google_cloud_project",
}
MAX_AGE_SECONDS = 300


def settings_from_secrets(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Settings overrides read from the secrets whose ARNs are in the environment."""
    environ = dict(os.environ) if environ is None else environ
    overrides: dict[str, Any] = {}
    if arn := environ.get(DATABASE_URL_ARN_ENV):
        value = _fetch(arn)
        overrides["database_url"] = (
            _json(value).get("url", value) if value.lstrip().startswith("{") else value
        )
    if arn := environ.get(R2_CREDENTIALS_ARN_ENV):
        creds = _json(_fetch(arn))
        overrides["s3_access_key_id"] = creds.get("access_key_id")
        overrides["s3_secret_access_key"] = creds.get("secret_access_key")
    if arn := environ.get(PROVIDER_KEYS_ARN_ENV):
        keys = _json(_fetch(arn))
        overrides.update({field: keys[name] for name, field in PROVIDER_KEY_FIELDS.items() if keys.get(name)})
    return overrides


def _fetch(arn: str) -> str:
    from aws_lambda_powertools.utilities import parameters

    return str(parameters.get_secret(arn, max_age=MAX_AGE_SECONDS))


def _json(value: str) -> dict[str, Any]:
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as exc:
        raise RuntimeError("A secret that should hold JSON does not.") from exc
    if not isinstance(parsed, dict):
        raise RuntimeError("A secret that should hold a JSON object does not.")
    return parsed
