"""The FastAPI application: routers, error handlers, and (locally) the web client at /."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from reelsmith.services.context import AppContext

from .auth import TokenVerifier
from .errors import install_error_handlers
from .routers import (
    analytics,
    auth,
    files,
    health,
    jobs,
    notifications,
    plans,
    projects,
    settings,
    share,
    user,
    videos,
)

WEB_DIR = Path(__file__).resolve().parents[3] / "web"


def create_app(ctx: AppContext, *, serve_web: bool = True) -> FastAPI:
    app = FastAPI(
        title="Reelsmith API",
        version="0.1.0",
        description="Turn a sample short-form video into a new, similar 9:16 video. "
        'Errors are JSON {"error": {"code", "message"}}.',
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.state.verifier = TokenVerifier(ctx.settings)
    install_error_handlers(app)
    for module in (
        health,
        auth,
        projects,
        files,
        jobs,
        plans,
        videos,
        share,
        analytics,
        settings,
        user,
        notifications,
    ):
        app.include_router(module.router)
    if serve_web and WEB_DIR.is_dir():
        app.mount("/", StaticFiles(directory=WEB_DIR, html=True), name="web")
    return app
