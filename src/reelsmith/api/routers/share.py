"""The public share page: the video, and nothing else of its owner. No sign-in.

Everything written into the page is escaped; the page is never cached or indexed, sends no referrer
(the token stays out of other sites' logs), and its CSP allows only the storage origin for media.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC
from html import escape
from urllib.parse import urlsplit

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from reelsmith.services import sharing

from ..deps import Ctx

router = APIRouter(tags=["share"])

_STYLE = (
    "body{margin:0;background:#111;color:#eee;font:16px system-ui,sans-serif;display:flex;min-height:100vh;"
    "align-items:center;justify-content:center}main{text-align:center;padding:1rem}"
    "video{max-width:100%;max-height:85vh;aspect-ratio:9/16;background:#000}p{opacity:.7}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
}


def _page(body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex"><title>A video made with Reelsmith</title>'
        f"<style>{_STYLE}</style></head><body><main>{body}</main></body></html>"
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _csp(media_origin: str) -> str:
    return (
        f"default-src 'none'; media-src {media_origin}; img-src {media_origin}; "
        f"style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


NOT_FOUND = _page("<h1>This link is not available</h1><p>It may have expired or been turned off.</p>")


@router.get("/s/{token}", response_class=HTMLResponse, include_in_schema=False)
def shared_video(token: str, ctx: Ctx) -> HTMLResponse:
    shared = sharing.open_share(ctx, token)
    if shared is None:
        return HTMLResponse(
            NOT_FOUND, status_code=404, headers={**_HEADERS, "Content-Security-Policy": _csp("'none'")}
        )
    poster = f' poster="{escape(shared.poster_url)}"' if shared.poster_url else ""
    until = shared.link_expires_at.astimezone(UTC)
    body = (
        f'<video src="{escape(shared.video_url)}"{poster} controls playsinline preload="metadata"></video>'
        f"<p>Made with Reelsmith. This link works until {until:%Y-%m-%d %H:%M} UTC.</p>"
    )
    headers = {**_HEADERS, "Content-Security-Policy": _csp(_origin(shared.video_url))}
    return HTMLResponse(_page(body), headers=headers)
