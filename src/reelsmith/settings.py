"""The one settings object. Every field reads one environment variable (documented in README).

Secrets are ``SecretStr`` so that printing or logging the settings never shows them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    # Local runtime
    data_dir: Path = Field(Path(".reelsmith"), validation_alias="REELSMITH_DATA_DIR")
    host: str = Field("127.0.0.1", validation_alias="REELSMITH_HOST")
    port: int = Field(8000, validation_alias="REELSMITH_PORT")
    public_url: str | None = Field(None, validation_alias="REELSMITH_PUBLIC_URL")
    log_level: str = Field("INFO", validation_alias=AliasChoices("LOG_LEVEL", "POWERTOOLS_LOG_LEVEL"))

    # Database
    database_url: SecretStr | None = Field(None, validation_alias="DATABASE_URL")
    pgdata_dir: Path | None = Field(None, validation_alias="REELSMITH_PGDATA")
    db_pool_max: int = Field(8, validation_alias="REELSMITH_DB_POOL_MAX")

    # Object storage
    storage_backend: Literal["local", "s3"] = Field("local", validation_alias="STORAGE_BACKEND")
    storage_dir: Path | None = Field(None, validation_alias="REELSMITH_STORAGE_DIR")
    s3_endpoint_url: str | None = Field(None, validation_alias="R2_ENDPOINT_URL")
    s3_bucket: str = Field("reelsmith", validation_alias="R2_BUCKET")
    s3_region: str = Field("auto", validation_alias="R2_REGION")
    s3_access_key_id: SecretStr | None = Field(None, validation_alias="R2_ACCESS_KEY_ID")
    s3_secret_access_key: SecretStr | None = Field(None, validation_alias="R2_SECRET_ACCESS_KEY")
    upload_url_ttl_seconds: int = Field(900, validation_alias="REELSMITH_UPLOAD_URL_TTL")
    download_url_ttl_seconds: int = Field(600, validation_alias="REELSMITH_DOWNLOAD_URL_TTL")
    signing_secret: SecretStr | None = Field(None, validation_alias="REELSMITH_SIGNING_SECRET")

    # Auth
    auth_mode: Literal["local", "supabase"] = Field("local", validation_alias="AUTH_MODE")
    supabase_url: str | None = Field(None, validation_alias="SUPABASE_URL")
    supabase_anon_key: str | None = Field(None, validation_alias="SUPABASE_ANON_KEY")
    supabase_jwt_secret: SecretStr | None = Field(None, validation_alias="SUPABASE_JWT_SECRET")
    local_token_ttl_seconds: int = Field(7 * 24 * 3600, validation_alias="REELSMITH_LOCAL_TOKEN_TTL")

    # Workflow
    workflow_backend: Literal["local", "stepfunctions"] = Field("local", validation_alias="WORKFLOW_BACKEND")
    state_machine_arn: str | None = Field(None, validation_alias="STATE_MACHINE_ARN")
    poll_seconds: int = Field(1, validation_alias="REELSMITH_POLL_SECONDS")
    poll_budget: int = Field(60, validation_alias="REELSMITH_POLL_BUDGET")
    max_concurrency: int = Field(3, validation_alias="REELSMITH_MAX_CONCURRENCY")

    # Per-user limits on the routes that spend money (services/limits.py): requests per minute, and
    # unfinished jobs at once. A refused request gets 429 with Retry-After and spends nothing.
    jobs_per_minute: int = Field(10, ge=1, validation_alias="REELSMITH_JOBS_PER_MINUTE")
    assistant_per_minute: int = Field(30, ge=1, validation_alias="REELSMITH_ASSISTANT_PER_MINUTE")
    uploads_per_minute: int = Field(30, ge=1, validation_alias="REELSMITH_UPLOADS_PER_MINUTE")
    max_active_jobs: int = Field(4, ge=1, validation_alias="REELSMITH_MAX_ACTIVE_JOBS")

    # Media
    ffmpeg_timeout_seconds: int = Field(900, validation_alias="REELSMITH_FFMPEG_TIMEOUT")
    x264_preset: str = Field("veryfast", validation_alias="REELSMITH_X264_PRESET")
    video_ttl_days: int = Field(7, validation_alias="REELSMITH_VIDEO_TTL_DAYS")

    # AI providers: any key set switches its offline stand-in off.
    offline: bool = Field(False, validation_alias="REELSMITH_OFFLINE")
    runway_api_key: SecretStr | None = Field(None, validation_alias="RUNWAYML_API_SECRET")
    google_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("GOOGLE_API_KEY", "GEMINI_API_KEY")
    )
    google_cloud_project: str | None = Field(None, validation_alias="GOOGLE_CLOUD_PROJECT")
    google_cloud_location: str = Field("us-central1", validation_alias="GOOGLE_CLOUD_LOCATION")
    elevenlabs_api_key: SecretStr | None = Field(None, validation_alias="ELEVENLABS_API_KEY")
    groq_api_key: SecretStr | None = Field(None, validation_alias="GROQ_API_KEY")

    @property
    def resolved_pgdata_dir(self) -> Path:
        return self.pgdata_dir or self.data_dir / "pgdata"

    @property
    def resolved_storage_dir(self) -> Path:
        return self.storage_dir or self.data_dir / "storage"

    @property
    def resolved_public_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process (Lambda container or local runtime), secrets included."""
    from reelsmith.secrets import settings_from_secrets

    return Settings(**settings_from_secrets())
