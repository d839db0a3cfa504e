"""Token verification against a real JWKS endpoint served on 127.0.0.1, and a forged-token corpus."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pydantic import SecretStr

from reelsmith.api.auth import Identity, TokenVerifier, issue_local_token, local_user_id
from reelsmith.domain.errors import ServiceUnavailable, Unauthorized, ValidationFailed
from reelsmith.settings import Settings

SUPABASE_URL = "https://abcdefgh.supabase.co"
ISSUER = f"{SUPABASE_URL}/auth/v1"
LEGACY_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
USER_ID = uuid.UUID("6f1d3c2a-9b7e-4c1d-8a2f-0e5b7c9d1a23")


@dataclass
class JwksServer:
    """A JWKS endpoint whose keys and health tests change while it runs."""

    url: str = ""
    keys: list[dict[str, Any]] = field(default_factory=list)
    failing: bool = False
    requests: int = 0


@pytest.fixture
def jwks_server() -> Iterator[JwksServer]:
    state = JwksServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests += 1
            status, body = (
                (500, b"oops") if state.failing else (200, json.dumps({"keys": state.keys}).encode())
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/auth/v1/.well-known/jwks.json"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(private_key: Any, kid: str) -> dict[str, Any]:
    if isinstance(private_key, rsa.RSAPrivateKey):
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
        alg = "RS256"
    else:
        jwk = jwt.algorithms.ECAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
        alg = "ES256"
    return {**jwk, "kid": kid, "alg": alg, "use": "sig"}


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": "authenticated",
        "sub": str(USER_ID),
        "email": "ada@example.com",
        "role": "authenticated",
        "iat": now,
        "exp": now + 3600,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict[str, Any], payload: dict[str, Any], hmac_key: bytes | None) -> str:
    """Hand-built tokens PyJWT refuses to make (alg none, an HMAC keyed with a public key)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = hmac.new(hmac_key, signing_input.encode(), hashlib.sha256).digest() if hmac_key else b""
    return f"{signing_input}.{b64(signature)}"


def supabase_settings(secret: str | None = LEGACY_SECRET) -> Settings:
    return Settings(
        auth_mode="supabase",
        supabase_url=SUPABASE_URL,
        supabase_jwt_secret=SecretStr(secret) if secret else None,
    )


@pytest.fixture
def verifier(jwks_server: JwksServer, ec_key: Any, rsa_key: Any) -> TokenVerifier:
    jwks_server.keys = [public_jwk(ec_key, "ec-1"), public_jwk(rsa_key, "rsa-1")]
    return TokenVerifier(supabase_settings(), jwks_url=jwks_server.url, jwks_refetch_cooldown=0)


# --- accepted -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key_name", "alg", "kid"), [("ec_key", "ES256", "ec-1"), ("rsa_key", "RS256", "rsa-1")]
)
def test_asymmetric_tokens_verify_against_the_jwks(
    verifier: TokenVerifier, request: pytest.FixtureRequest, key_name: str, alg: str, kid: str
) -> None:
    token = jwt.encode(claims(), request.getfixturevalue(key_name), algorithm=alg, headers={"kid": kid})
    assert verifier.verify(token) == Identity(user_id=USER_ID, email="ada@example.com")


def test_legacy_hs256_token_verifies_with_the_configured_secret(verifier: TokenVerifier) -> None:
    token = jwt.encode(claims(email=None), LEGACY_SECRET, algorithm="HS256")
    assert verifier.verify(token) == Identity(user_id=USER_ID, email=None)


# --- rejected -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keys:
    ec: Any
    rsa: Any

    @property
    def rsa_public_pem(self) -> bytes:
        return self.rsa.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def es256(self, payload: dict[str, Any], kid: str | None = "ec-1") -> str:
        return jwt.encode(payload, self.ec, algorithm="ES256", headers={"kid": kid} if kid else None)


def tampered(keys: Keys, part: str) -> str:
    head, body, sig = keys.es256(claims()).split(".")
    if part == "payload":
        return f"{head}.{b64(json.dumps(claims(sub=str(uuid.uuid4()))).encode())}.{sig}"
    return f"{head}.{body}.{sig[:-4]}AAAA"


def legacy_key(role: str) -> str:
    """The shape of Supabase's legacy anon/service_role API keys: signed, but no user."""
    now = int(time.time())
    payload = {"iss": "supabase", "ref": "abcdefgh", "role": role, "iat": now, "exp": now + 10**8}
    return jwt.encode(payload, LEGACY_SECRET, algorithm="HS256")


NOW = int(time.time())
BAD_TOKENS: dict[str, Callable[[Keys], str]] = {
    "alg none": lambda k: forge({"alg": "none", "typ": "JWT"}, claims(), None),
    "alg none with kid": lambda k: forge({"alg": "none", "kid": "ec-1"}, claims(), None),
    "HS256 keyed with the RSA public key": lambda k: forge(
        {"alg": "HS256", "kid": "rsa-1"}, claims(), k.rsa_public_pem
    ),
    "expired": lambda k: k.es256(claims(iat=NOW - 7200, exp=NOW - 3600)),
    "missing exp": lambda k: k.es256(claims(exp=None)),
    "missing sub": lambda k: k.es256(claims(sub=None)),
    "non-UUID sub": lambda k: k.es256(claims(sub="ada")),
    "empty sub": lambda k: k.es256(claims(sub="")),
    "non-canonical UUID sub": lambda k: k.es256(claims(sub=USER_ID.hex)),
    "aud anon": lambda k: k.es256(claims(aud="anon", role="anon")),
    "missing aud": lambda k: k.es256(claims(aud=None)),
    "wrong iss": lambda k: k.es256(claims(iss="https://evil.supabase.co/auth/v1")),
    "missing iss": lambda k: k.es256(claims(iss=None)),
    "nbf in the future": lambda k: k.es256(claims(nbf=int(time.time()) + 3600)),
    "role service_role": lambda k: k.es256(claims(role="service_role")),
    "unknown kid": lambda k: k.es256(claims(), kid="never-published"),
    "no kid": lambda k: k.es256(claims(), kid=None),
    "RS256 header on the EC key id": lambda k: forge({"alg": "RS256", "kid": "ec-1"}, claims(), None),
    "tampered payload": lambda k: tampered(k, "payload"),
    "tampered signature": lambda k: tampered(k, "signature"),
    "HS256 with another secret": lambda k: jwt.encode(claims(), "x" * 64, algorithm="HS256"),
    "HS512 (not configured)": lambda k: jwt.encode(claims(), LEGACY_SECRET * 2, algorithm="HS512"),
    "legacy anon key": lambda k: legacy_key("anon"),
    "legacy service_role key": lambda k: legacy_key("service_role"),
    "garbage": lambda k: "not-a-token",
    "three garbage parts": lambda k: "a.b.c",
    "empty": lambda k: "",
    "oversized": lambda k: "a" * 10_000,
}


@pytest.mark.parametrize("name", list(BAD_TOKENS))
def test_bad_tokens_are_unauthorized(verifier: TokenVerifier, ec_key: Any, rsa_key: Any, name: str) -> None:
    token = BAD_TOKENS[name](Keys(ec=ec_key, rsa=rsa_key))
    with pytest.raises(Unauthorized):
        verifier.verify(token)


def test_hs256_is_refused_when_no_legacy_secret_is_configured(jwks_server: JwksServer, ec_key: Any) -> None:
    jwks_server.keys = [public_jwk(ec_key, "ec-1")]
    verifier = TokenVerifier(supabase_settings(secret=None), jwks_url=jwks_server.url)
    with pytest.raises(Unauthorized):
        verifier.verify(jwt.encode(claims(), LEGACY_SECRET, algorithm="HS256"))
    assert jwks_server.requests == 0  # an HMAC token never reaches for the public keys


def test_hs_rs_confusion_without_a_legacy_secret(jwks_server: JwksServer, rsa_key: Any) -> None:
    jwks_server.keys = [public_jwk(rsa_key, "rsa-1")]
    verifier = TokenVerifier(supabase_settings(secret=None), jwks_url=jwks_server.url)
    pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(Unauthorized):
        verifier.verify(forge({"alg": "HS256", "kid": "rsa-1"}, claims(), pem))


# --- JWKS caching, rotation and outages -----------------------------------------------------


def test_unknown_kid_is_refetched_once_then_refused(
    verifier: TokenVerifier, jwks_server: JwksServer, ec_key: Any
) -> None:
    with pytest.raises(Unauthorized):
        verifier.verify(jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": "gone"}))
    assert jwks_server.requests == 2  # the first fetch, then one refetch looking for "gone"


def test_key_rotation_is_picked_up_after_one_refetch(
    verifier: TokenVerifier, jwks_server: JwksServer, ec_key: Any
) -> None:
    old = jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    assert verifier.verify(old).user_id == USER_ID
    assert jwks_server.requests == 1

    rotated = ec.generate_private_key(ec.SECP256R1())
    jwks_server.keys.append(public_jwk(rotated, "ec-2"))
    new = jwt.encode(claims(), rotated, algorithm="ES256", headers={"kid": "ec-2"})
    assert verifier.verify(new).user_id == USER_ID
    assert jwks_server.requests == 2
    assert verifier.verify(new).user_id == USER_ID  # now cached
    assert jwks_server.requests == 2


def test_random_kids_cannot_cause_a_fetch_storm(jwks_server: JwksServer, ec_key: Any) -> None:
    jwks_server.keys = [public_jwk(ec_key, "ec-1")]
    verifier = TokenVerifier(supabase_settings(), jwks_url=jwks_server.url)  # default cooldown
    for _ in range(200):
        token = jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": uuid.uuid4().hex})
        with pytest.raises(Unauthorized):
            verifier.verify(token)
    assert jwks_server.requests == 1


def test_jwks_outage_fails_closed_but_cached_keys_keep_working(
    verifier: TokenVerifier, jwks_server: JwksServer, ec_key: Any
) -> None:
    good = jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    assert verifier.verify(good).user_id == USER_ID
    jwks_server.failing = True
    assert verifier.verify(good).user_id == USER_ID  # served from the cache
    with pytest.raises(ServiceUnavailable):  # a new kid needs the endpoint: fail closed
        verifier.verify(jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": "ec-9"}))


def test_jwks_outage_on_a_cold_start_fails_closed(jwks_server: JwksServer, ec_key: Any) -> None:
    jwks_server.failing = True
    verifier = TokenVerifier(supabase_settings(), jwks_url=jwks_server.url)
    with pytest.raises(ServiceUnavailable):
        verifier.verify(jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": "ec-1"}))


def test_supabase_mode_needs_the_project_url() -> None:
    with pytest.raises(ServiceUnavailable):
        TokenVerifier(Settings(auth_mode="supabase", supabase_url=None))


# --- local mode -----------------------------------------------------------------------------


def local_settings(tmp_path: Any, **overrides: Any) -> Settings:
    return Settings(auth_mode="local", data_dir=tmp_path, **overrides)


def test_local_tokens_round_trip_with_a_persisted_private_key(tmp_path: Any) -> None:
    settings = local_settings(tmp_path)
    token = issue_local_token(settings, "  Ada@Example.com ")

    identity = TokenVerifier(settings).verify(token)
    assert identity == Identity(user_id=local_user_id("ada@example.com"), email="ada@example.com")
    assert identity.user_id == local_user_id("ADA@example.COM")  # stable per address

    key_file = tmp_path / "auth.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert TokenVerifier(local_settings(tmp_path)).verify(token) == identity  # another process, same key


def test_local_tokens_use_the_configured_signing_secret(tmp_path: Any) -> None:
    settings = local_settings(tmp_path, signing_secret=SecretStr("s" * 40))
    token = issue_local_token(settings, "ada@example.com")
    assert TokenVerifier(settings).verify(token).email == "ada@example.com"
    assert not (tmp_path / "auth.key").exists()

    # Not the raw secret: the token key is derived for this one purpose.
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "s" * 40, algorithms=["HS256"], audience="authenticated")
    other = local_settings(tmp_path, signing_secret=SecretStr("t" * 40))
    with pytest.raises(Unauthorized):
        TokenVerifier(other).verify(token)


def test_local_mode_refuses_foreign_and_expired_tokens(tmp_path: Any, ec_key: Any) -> None:
    settings = local_settings(tmp_path)
    verifier = TokenVerifier(settings)
    with pytest.raises(Unauthorized):
        verifier.verify(jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": "ec-1"}))
    with pytest.raises(Unauthorized):
        verifier.verify(jwt.encode(claims(), LEGACY_SECRET, algorithm="HS256"))
    expired = issue_local_token(local_settings(tmp_path, local_token_ttl_seconds=-120), "ada@example.com")
    with pytest.raises(Unauthorized):
        verifier.verify(expired)


def test_local_tokens_are_only_issued_in_local_mode(tmp_path: Any) -> None:
    with pytest.raises(ValidationFailed):
        issue_local_token(supabase_settings(), "ada@example.com")
    with pytest.raises(ValidationFailed):
        issue_local_token(local_settings(tmp_path), "not an address")
