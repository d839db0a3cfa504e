"""API fixtures: the real app on a real database, folder storage and the local workflow engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from reelsmith.api.app import create_app
from reelsmith.pipeline.context import set_context
from reelsmith.services.context import AppContext, build_app_context
from reelsmith.settings import Settings
from reelsmith.store.db import Database
from reelsmith.workflow.local import LocalWorkflow

from .helpers import ApiUser


@pytest.fixture(scope="session")
def local_workflow() -> Iterator[LocalWorkflow]:
    """One in-process Step Functions engine for the session, running the real ASL and handlers."""
    from reelsmith.pipeline.handlers import HANDLERS

    workflow = LocalWorkflow(HANDLERS, fast_retries=True)
    yield workflow
    workflow.close()


@pytest.fixture
def api_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"public_url": "http://testserver"})


@pytest.fixture
def app_ctx(api_settings: Settings, db: Database, local_workflow: LocalWorkflow) -> Iterator[AppContext]:
    ctx = build_app_context(api_settings, db=db, workflow=local_workflow)
    yield ctx
    set_context(None)


@pytest.fixture
def client(app_ctx: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(app_ctx, serve_web=False), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def alice(client: TestClient, api_settings: Settings, app_ctx: AppContext) -> ApiUser:
    return ApiUser.sign_in(client, api_settings, app_ctx, "alice@example.com")


@pytest.fixture
def bob(client: TestClient, api_settings: Settings, app_ctx: AppContext) -> ApiUser:
    return ApiUser.sign_in(client, api_settings, app_ctx, "bob@example.com")


@pytest.fixture(scope="session")
def small_sample(tmp_path_factory: pytest.TempPathFactory):
    """A 4 s 360x640 sample with cuts, a fade and a speech-like burst (made once per session)."""
    from reelsmith.media.samples import make_sample_video

    return make_sample_video(tmp_path_factory.mktemp("media") / "sample.mp4", duration=4.0, size=(360, 640))
