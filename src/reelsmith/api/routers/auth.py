"""Local dev sign-in: only in AUTH_MODE=local, verified by the same code path as Supabase tokens."""

from __future__ import annotations

from fastapi import APIRouter

from reelsmith.domain.errors import NotFound

from ..auth import issue_local_token
from ..deps import Ctx
from ..schemas import LocalSignIn

router = APIRouter(tags=["auth"])


@router.post("/api/auth/local", summary="Get a local dev token (local mode only)")
def local_sign_in(body: LocalSignIn, ctx: Ctx) -> dict:
    if ctx.settings.auth_mode != "local":
        raise NotFound()
    return {"access_token": issue_local_token(ctx.settings, body.email), "token_type": "bearer"}


@router.get("/api/auth/config", summary="How the web client should sign in")
def auth_config(ctx: Ctx) -> dict:
    settings = ctx.settings
    return {
        "mode": settings.auth_mode,
        "supabase_url": settings.supabase_url,
        "supabase_anon_key": settings.supabase_anon_key,
    }
