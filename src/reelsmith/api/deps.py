"""Request dependencies: the app context and the authenticated caller."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from reelsmith.domain.errors import Unauthorized
from reelsmith.services.context import AppContext
from reelsmith.store import users

from .auth import Identity, TokenVerifier


def get_ctx(request: Request) -> AppContext:
    return request.app.state.ctx


def get_verifier(request: Request) -> TokenVerifier:
    return request.app.state.verifier


def current_identity(
    request: Request,
    ctx: Annotated[AppContext, Depends(get_ctx)],
    verifier: Annotated[TokenVerifier, Depends(get_verifier)],
) -> Identity:
    """Only the Authorization header counts (never a query string); the user row is made on first sight."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Sign in: a bearer token is required.", code="missing_token")
    identity = verifier.verify(token.strip())
    with ctx.db.connection() as conn:
        users.ensure_user(conn, identity.user_id, identity.email)
    return identity


def current_user_id(identity: Annotated[Identity, Depends(current_identity)]) -> UUID:
    return identity.user_id


Ctx = Annotated[AppContext, Depends(get_ctx)]
UserId = Annotated[UUID, Depends(current_user_id)]
