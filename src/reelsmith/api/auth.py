"""Bearer-token verification: Supabase JWTs in the cloud, self-issued dev tokens locally.

One code path checks every token; only the keys, the issuer and the accepted algorithms differ
between the two modes, and all three come from configuration, never from the token itself.
The header's ``alg`` only chooses *which configured key* to try: an HS256 token is checked
against the HMAC secret (and only if one is configured), an ES256/RS256 token against the
project's JWKS, so a token can never steer a public key into an HMAC check (RFC 8725 §3.1).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from reelsmith.domain.errors import ServiceUnavailable, Unauthorized, ValidationFailed
from reelsmith.settings import Settings

AUDIENCE = "authenticated"
LOCAL_ISSUER = "reelsmith-local"
LOCAL_KEY_FILE = "auth.key"
HMAC_ALGORITHMS = ("HS256",)
JWKS_ALGORITHMS = ("ES256", "RS256")
REQUIRED_CLAIMS = ["exp", "sub", "aud", "iss"]
CLOCK_SKEW_SECONDS = 30
MAX_TOKEN_LENGTH = 8192
JWKS_CACHE_SECONDS = 300
JWKS_REFETCH_COOLDOWN_SECONDS = 60.0
JWKS_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class Identity:
    """The caller, as proven by a verified token. ``user_id`` scopes every query."""

    user_id: uuid.UUID
    email: str | None = None


class TokenVerifier:
    """Verifies bearer tokens for one process; build it once, it caches the JWKS.

    ``jwks_url`` overrides the Supabase JWKS address (tests serve one on 127.0.0.1).
    ``jwks_refetch_cooldown`` bounds how often an unknown ``kid`` may trigger a refetch, so
    tokens with random key ids cannot turn into a fetch storm against the auth server.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        jwks_url: str | None = None,
        jwks_refetch_cooldown: float = JWKS_REFETCH_COOLDOWN_SECONDS,
    ) -> None:
        self._jwks: jwt.PyJWKClient | None = None
        self._hmac_key: bytes | None
        if settings.auth_mode == "supabase":
            if not settings.supabase_url:
                raise ServiceUnavailable("Sign-in is not configured: SUPABASE_URL is missing.")
            self._issuer = f"{settings.supabase_url.rstrip('/')}/auth/v1"
            secret = settings.supabase_jwt_secret
            self._hmac_key = secret.get_secret_value().encode() if secret else None
            self._jwks = jwt.PyJWKClient(
                jwks_url or f"{self._issuer}/.well-known/jwks.json",
                cache_jwk_set=True,
                lifespan=JWKS_CACHE_SECONDS,
                timeout=JWKS_TIMEOUT_SECONDS,
                cooldown_duration=jwks_refetch_cooldown,
            )
        else:
            self._issuer = LOCAL_ISSUER
            self._hmac_key = local_signing_key(settings)

    def verify(self, token: str) -> Identity:
        """Return the caller's identity, or raise Unauthorized for any token we cannot trust.

        Raises ServiceUnavailable (fail closed) when the JWKS cannot be fetched.
        """
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            raise Unauthorized()
        key, algorithms = self._key_for(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=AUDIENCE,
                issuer=self._issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized() from exc
        return _identity(claims)

    def _key_for(self, token: str) -> tuple[Any, list[str]]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized() from exc
        alg = header.get("alg")
        if alg in HMAC_ALGORITHMS and self._hmac_key is not None:
            return self._hmac_key, list(HMAC_ALGORITHMS)
        if alg in JWKS_ALGORITHMS and self._jwks is not None:
            return self._jwks_key(header.get("kid")), list(JWKS_ALGORITHMS)
        raise Unauthorized()

    def _jwks_key(self, kid: object) -> jwt.PyJWK:
        assert self._jwks is not None
        if not isinstance(kid, str) or not kid:
            raise Unauthorized()
        try:
            return self._jwks.get_signing_key(kid)
        except jwt.PyJWKClientConnectionError as exc:
            raise ServiceUnavailable("Sign-in keys are unavailable; try again shortly.") from exc
        except jwt.PyJWKClientError as exc:  # no key with this kid, even after the allowed refetch
            raise Unauthorized() from exc
        except (jwt.PyJWKSetError, ValueError) as exc:  # the JWKS endpoint answered nonsense
            raise ServiceUnavailable("Sign-in keys are unavailable; try again shortly.") from exc


def _identity(claims: dict[str, Any]) -> Identity:
    """Only a signed-in user's token maps to an identity: not anon keys, not service_role."""
    if claims.get("role", AUDIENCE) != AUDIENCE:
        raise Unauthorized()
    sub = claims["sub"]
    try:
        user_id = uuid.UUID(sub)
    except (TypeError, ValueError, AttributeError) as exc:
        raise Unauthorized() from exc
    if str(user_id) != sub:  # only the canonical form, as Supabase writes it
        raise Unauthorized()
    email = claims.get("email")
    return Identity(user_id=user_id, email=email if isinstance(email, str) and email else None)


def local_user_id(email: str) -> uuid.UUID:
    """The stable local user id of an email address (the same address is the same user)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{email.strip().lower()}")


def issue_local_token(settings: Settings, email: str) -> str:
    """A dev bearer token for the local runtime, checked by the same ``TokenVerifier``."""
    if settings.auth_mode != "local":
        raise ValidationFailed("Local sign-in tokens exist only when AUTH_MODE=local.")
    address = email.strip().lower()
    if "@" not in address:
        raise ValidationFailed("Give an email address to sign in locally.")
    now = int(time.time())
    claims = {
        "iss": LOCAL_ISSUER,
        "aud": AUDIENCE,
        "sub": str(local_user_id(address)),
        "email": address,
        "role": AUDIENCE,
        "iat": now,
        "exp": now + settings.local_token_ttl_seconds,
    }
    return jwt.encode(claims, local_signing_key(settings), algorithm=HMAC_ALGORITHMS[0])


def local_signing_key(settings: Settings) -> bytes:
    """The HMAC key of local tokens, derived for this one purpose.

    The root secret is REELSMITH_SIGNING_SECRET when set, else a random secret kept in
    ``<data_dir>/auth.key``. Deriving keeps token signing apart from every other use of the
    same root secret (such as signed storage URLs).
    """
    if settings.signing_secret is not None:
        root = settings.signing_secret.get_secret_value().encode()
    else:
        root = _persisted_secret(settings.data_dir / LOCAL_KEY_FILE)
    return hmac.new(root, b"reelsmith local bearer tokens v1", hashlib.sha256).digest()


def _persisted_secret(path: Path) -> bytes:
    """Read the secret at ``path``, creating it (mode 0600) on first use.

    Concurrent first uses agree on one secret: each writes a private temp file and links it
    into place, which fails for all but the first.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".auth-key-")  # created 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    return path.read_text().strip().encode()
