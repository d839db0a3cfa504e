"""Secrets come from Secrets Manager ARNs on AWS (Powertools Parameters), never from plain env values."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from reelsmith.secrets import settings_from_secrets
from reelsmith.settings import Settings


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        yield client


def test_secrets_fold_into_settings(secrets_env) -> None:
    db = secrets_env.create_secret(Name="db", SecretString="postgresql://u:p@neon.example/db")["ARN"]
    r2 = secrets_env.create_secret(
        Name="r2", SecretString=json.dumps({"access_key_id": "AKIA", "secret_access_key": "shh"})
    )["ARN"]
    keys = secrets_env.create_secret(
        Name="keys", SecretString=json.dumps({"GROQ_API_KEY": "gsk_x", "RUNWAYML_API_SECRET": ""})
    )["ARN"]
    overrides = settings_from_secrets(
        {"DATABASE_URL_SECRET_ARN": db, "R2_CREDENTIALS_SECRET_ARN": r2, "PROVIDER_KEYS_SECRET_ARN": keys}
    )
    settings = Settings(**overrides)
    assert settings.database_url.get_secret_value() == "postgresql://u:p@neon.example/db"
    assert settings.s3_secret_access_key.get_secret_value() == "shh"
    assert settings.groq_api_key.get_secret_value() == "gsk_x" and settings.runway_api_key is None
    assert "shh" not in repr(settings) and "gsk_x" not in str(settings)


def test_no_arns_no_fetch() -> None:
    assert settings_from_secrets({}) == {}
