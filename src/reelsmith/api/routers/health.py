"""Health: is the database reachable, is storage reachable, which providers are live."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from reelsmith.domain.errors import ReelsmithError
from reelsmith.observability import logger

from ..deps import Ctx

router = APIRouter(tags=["health"])


@router.get("/api/health", summary="Database and storage reachability (no auth)")
def health(ctx: Ctx) -> JSONResponse:
    checks = {"database": _check(lambda: _ping(ctx)), "storage": _check(ctx.store.check)}
    healthy = all(v == "ok" for v in checks.values())
    body = {"status": "ok" if healthy else "degraded", **checks, "providers": ctx.providers.configured()}
    return JSONResponse(body, status_code=200 if healthy else 503)


def _ping(ctx: Ctx) -> None:
    with ctx.db.connection() as conn:
        conn.execute("SELECT 1")


def _check(probe) -> str:
    try:
        probe()
    except (ReelsmithError, OSError) as exc:
        logger.warning("health check failed", extra={"error": type(exc).__name__})
        return "error"
    return "ok"
