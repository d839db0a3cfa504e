"""Every route of the OpenAPI spec x {owner, other user, no token, expired token, share token as bearer}.

The routes come from ``app.openapi()`` at run time (plus the API routes kept out of the schema), so a
new route is in the matrix the day it lands, and ``OWNER`` must say what its owner gets or the spec
test fails. Another user gets 404 on every route that names one of Alice's objects (never 403), sees
nothing of hers anywhere, and changes nothing of hers; no, expired and share tokens get 401.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from reelsmith.store import keys
from tests.api.helpers import ApiUser

from . import figures
from .conftest import World

Route = tuple[str, str]
PUBLIC: set[Route] = {("GET", "/api/health"), ("GET", "/api/auth/config"), ("POST", "/api/auth/local")}
HIDDEN_OUTSIDE_API = ("/files/", "/s/", "/docs", "/openapi.json")  # signed URLs, share page, docs

# What Alice gets on her own objects, in the state `world` builds. Job starts are cancelled at once.
OWNER: dict[Route, set[int]] = {
    ("GET", "/api/health"): {200},
    ("POST", "/api/auth/local"): {200},
    ("GET", "/api/auth/config"): {200},
    ("GET", "/api/projects"): {200},
    ("POST", "/api/projects"): {201},
    ("GET", "/api/projects/{project_id}"): {200},
    ("PATCH", "/api/projects/{project_id}"): {200},
    ("DELETE", "/api/projects/{project_id}"): {204},
    ("POST", "/api/projects/{project_id}/favorite"): {200},
    ("POST", "/api/projects/{project_id}/uploads"): {201},
    ("POST", "/api/projects/{project_id}/uploads/{upload_id}/complete"): {200},
    ("POST", "/api/analyze"): {202},
    ("POST", "/api/generate-video"): {202},
    ("GET", "/api/jobs"): {200},
    ("GET", "/api/jobs/{job_id}"): {200},
    ("GET", "/api/jobs/{job_id}/events"): {200},
    ("POST", "/api/jobs/{job_id}/cancel"): {409},  # the analysis has finished
    ("POST", "/api/jobs/{job_id}/pause"): {409},  # only renders pause
    ("POST", "/api/jobs/{job_id}/resume"): {409},
    ("GET", "/api/projects/{project_id}/progress"): {200},
    ("POST", "/api/projects/{project_id}/regenerate"): {202},  # after the generate-video call
    ("GET", "/api/projects/{project_id}/analysis"): {200},
    ("GET", "/api/models"): {200},
    ("POST", "/api/generate-plan"): {201},
    ("GET", "/api/projects/{project_id}/plan"): {200},
    ("GET", "/api/projects/{project_id}/plans"): {200},
    ("GET", "/api/projects/{project_id}/plans/{version}"): {200},
    ("PATCH", "/api/projects/{project_id}/plans/{version}"): {201},
    ("POST", "/api/projects/{project_id}/plans/{version}/restore"): {201},
    ("POST", "/api/chat"): {200},
    ("GET", "/api/projects/{project_id}/chat"): {200},
    ("GET", "/api/videos"): {200},
    ("GET", "/api/videos/{video_id}"): {200},
    ("DELETE", "/api/videos/{video_id}"): {204},
    ("POST", "/api/videos/{video_id}/favorite"): {200},
    ("GET", "/api/videos/{video_id}/download"): {302},
    ("POST", "/api/videos/{video_id}/share"): {200},
    ("DELETE", "/api/videos/{video_id}/share"): {204},
    ("GET", "/api/analytics"): {200},
    ("GET", "/api/settings"): {200},
    ("PUT", "/api/settings"): {200},
    ("POST", "/api/settings"): {200},
    ("GET", "/api/user/export-data"): {200},
    ("POST", "/api/user/clear-data"): {200},
    ("POST", "/api/user/import-data"): {200},
    ("GET", "/api/notifications"): {200},
    ("POST", "/api/notifications/read"): {200},
}

# Valid bodies; "{name}" is replaced by the world's id of that name. Others come from the schema.
BODIES: dict[Route, Any] = {
    ("POST", "/api/auth/local"): {"email": "carol@example.com"},
    ("POST", "/api/projects"): {"title": "Another reel"},
    ("PATCH", "/api/projects/{project_id}"): {"title": "Renamed"},
    ("POST", "/api/projects/{project_id}/favorite"): {"favorite": True},
    ("POST", "/api/projects/{project_id}/uploads"): {
        "kind": "audio",
        "content_type": "audio/wav",
        "size_bytes": 10,
        "filename": "a.wav",
    },
    ("POST", "/api/analyze"): {"project_id": "{project_id}"},
    ("POST", "/api/generate-video"): {"project_id": "{project_id}"},
    ("POST", "/api/generate-plan"): {"project_id": "{project_id}"},
    ("PATCH", "/api/projects/{project_id}/plans/{version}"): {"changes": {"target_duration": 3}},
    ("POST", "/api/chat"): {"project_id": "{project_id}", "message": "make it 3 seconds"},
    ("POST", "/api/videos/{video_id}/favorite"): {"favorite": True},
    ("POST", "/api/user/clear-data"): {"confirm": "DELETE MY DATA"},
    ("POST", "/api/notifications/read"): {"ids": ["{notification_id}"]},
}
# Routes that name an object in the body but answer "nothing of yours matched" instead of 404.
OTHER_USER_OWN_SCOPE: set[Route] = {("POST", "/api/notifications/read")}
DESTRUCTIVE_LAST = ("/api/user/clear-data",)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # the template, as in the spec
    body_schema: dict[str, Any] | None
    content_type: str | None

    @property
    def route(self) -> Route:
        return (self.method, self.path)

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)


def operations(client: TestClient) -> list[Operation]:
    """Every operation of the spec, and every /api route kept out of it (an alias must not escape)."""
    spec = client.app.openapi()  # type: ignore[attr-defined]
    found: dict[Route, Operation] = {}
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            content = (op.get("requestBody") or {}).get("content", {})
            kind = next(iter(content), None)
            schema = _resolve(spec, content[kind]["schema"]) if kind else None
            found[(method.upper(), path)] = Operation(method.upper(), path, schema, kind)
    for route in served_routes(client):
        if route.path.startswith("/api/"):
            for method in (route.methods or set()) - {"HEAD"}:
                twin = next((o for o in found.values() if o.path == route.path), None)
                found.setdefault(
                    (method, route.path),
                    Operation(method, route.path, twin and twin.body_schema, twin and twin.content_type),
                )
    return sorted(found.values(), key=lambda o: (o.path, o.method))


def served_routes(client: TestClient) -> list[Any]:
    """Every route the app serves, with its full path, whether the schema shows it or not."""
    return list(iter_route_contexts(client.app.routes))  # type: ignore[attr-defined]


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(spec, spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    if "anyOf" in schema:
        return _resolve(spec, next(s for s in schema["anyOf"] if s.get("type") != "null"))
    return schema


def _example(schema: dict[str, Any], name: str, ids: dict[str, str]) -> Any:
    """A value for a required field the body table does not know: ids by name, else by type."""
    if name in ids:
        return ids[name]
    if "enum" in schema:
        return schema["enum"][0]
    return {"string": "x", "integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}.get(
        schema.get("type", "string"), "x"
    )


def request_for(op: Operation, ids: dict[str, str], extra: dict[Route, Any]) -> tuple[str, dict[str, Any]]:
    """The URL and kwargs of a valid request for ``op``, with the world's ids in the path and the body."""
    url = op.path
    for name in op.params:
        assert name in ids, f"the matrix has no id for path parameter {name!r} of {op.route}: add one"
        url = url.replace("{" + name + "}", ids[name])
    if op.route in extra:
        body = extra[op.route]
    elif op.route in BODIES:
        body = json.loads(
            re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), m.group(0)), json.dumps(BODIES[op.route]))
        )
    elif op.body_schema and op.content_type == "application/json":
        props = op.body_schema.get("properties", {})
        body = {n: _example(props.get(n, {}), n, ids) for n in op.body_schema.get("required", [])}
    else:
        body = None
    if isinstance(body, bytes):
        return url, {"content": body, "headers": {"Content-Type": op.content_type or ""}}
    return url, {"json": body}


def _names_an_object(op: Operation, kwargs: dict[str, Any], ids: dict[str, str]) -> bool:
    sent = json.dumps(kwargs.get("json"))
    return bool(op.params) or any(v in sent for k, v in ids.items() if k != "version")


def _text(response: Any) -> str:
    """The response as text to search; a ZIP's members are read out."""
    if response.headers.get("content-type", "").startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "".join(archive.read(n).decode(errors="replace") for n in archive.namelist())
    return response.text


def snapshot(user: ApiUser) -> dict[str, str]:
    """A digest of every row and object the user owns: any write by someone else changes it."""
    digest: dict[str, str] = {}
    with user.ctx.db.connection() as conn:
        tables = conn.execute(
            """SELECT table_name FROM information_schema.columns WHERE column_name = 'user_id'
               AND table_schema = current_schema() ORDER BY table_name"""
        ).fetchall()
        for row in tables:
            table = row["table_name"]
            found = conn.execute(
                f"SELECT string_agg(t::text, '|' ORDER BY t::text) AS rows FROM {table} t WHERE user_id = %s",  # noqa: S608
                (user.user_id,),
            ).fetchone()
            digest[table] = hashlib.sha256(str(found["rows"]).encode()).hexdigest()
    stored = sorted(info.key for info in user.ctx.store.list_prefix(keys.user_prefix(user.user_id)))
    digest["objects"] = hashlib.sha256("\n".join(stored).encode()).hexdigest()
    return digest


def test_every_route_in_the_spec_has_an_expected_owner_outcome(client: TestClient) -> None:
    missing = [op.route for op in operations(client) if op.route not in OWNER]
    assert not missing, f"new routes without an expected owner outcome in OWNER: {missing}"
    stale = set(OWNER) - {op.route for op in operations(client)}
    assert not stale, f"OWNER lists routes that no longer exist: {stale}"


def test_every_route_outside_the_spec_is_a_known_public_surface(client: TestClient) -> None:
    for route in served_routes(client):
        assert route.path.startswith(("/api/", *HIDDEN_OUTSIDE_API)), route.path


def test_authorization_matrix(
    world: World, bob: ApiUser, client: TestClient, expired_token: str, app_ctx
) -> None:
    ops = operations(client)
    alice = world.owner
    ids = dict(world.ids)
    notes = alice.call("GET", "/api/notifications").json()["items"]
    ids["notification_id"] = notes[0]["id"] if notes else "00000000-0000-4000-8000-000000000000"
    world.secrets.add(ids["notification_id"])
    bob.create_project("Bob's own reel")  # B owns something too, so "no rows" is not why he sees nothing
    failures: list[str] = []
    before = snapshot(alice)

    anonymous = {
        "no token": {},
        "expired token": {"Authorization": f"Bearer {expired_token}"},
        "share token as bearer": {"Authorization": f"Bearer {world.share_token}"},
    }
    for op in ops:
        url, kwargs = request_for(op, ids, {("POST", "/api/user/import-data"): _empty_zip()})
        for identity, headers in anonymous.items():
            if op.route in PUBLIC:
                continue
            plain = {k: v for k, v in kwargs.items() if k != "headers"}
            response = client.request(
                op.method, url, **plain, headers={**kwargs.get("headers", {}), **headers}
            )
            figures.count("authorization cells checked")
            if response.status_code != 401 or "WWW-Authenticate" not in response.headers:
                failures.append(f"{identity} {op.route}: {response.status_code}")

        response = bob.call(op.method, url, follow_redirects=False, **kwargs)
        figures.count("authorization cells checked")
        expected_404 = _names_an_object(op, kwargs, ids) and op.route not in OTHER_USER_OWN_SCOPE
        if expected_404 and response.status_code != 404:
            failures.append(f"other user {op.route}: {response.status_code} {response.text[:200]}")
        if not expected_404 and (response.status_code >= 500 or response.status_code == 403):
            failures.append(f"other user {op.route}: {response.status_code} {response.text[:200]}")
        sent = url + json.dumps(kwargs.get("json"))
        leaked = {s for s in world.secrets if s in _text(response) and s not in sent}
        if leaked:
            figures.count("cross-user reads")
            failures.append(f"other user {op.route} saw {leaked}")
        if op.route == ("POST", "/api/notifications/read") and response.status_code == 200:
            assert response.json()["marked"] == 0

    if snapshot(alice) != before:
        figures.count("cross-user writes")
        failures.append("another identity changed Alice's rows or objects")

    export = alice.call("GET", "/api/user/export-data").content
    for op in sorted(ops, key=_owner_order):
        url, kwargs = request_for(op, ids, _owner_bodies(alice, export))
        response = alice.call(op.method, url, follow_redirects=False, **kwargs)
        figures.count("authorization cells checked")
        if response.status_code not in OWNER.get(op.route, {response.status_code}):  # unknown: see spec test
            failures.append(f"owner {op.route}: {response.status_code} {response.text[:200]}")
        if response.status_code == 202:  # a job start: stop it, the matrix is about access
            alice.call("POST", f"/api/jobs/{response.json()['id']}/cancel")
    figures.count("routes in the authorization matrix", len(ops))
    assert not failures, "\n".join(failures)


def _owner_order(op: Operation) -> tuple[int, int, str]:
    """Reads first, then writes, then deletes (a part before its whole), then clearing the account."""
    rank = {"GET": 0, "DELETE": 2}.get(op.method, 1)
    part_first = -op.path.count("/") if op.method == "DELETE" else 0
    return (3 if op.path.endswith(DESTRUCTIVE_LAST) else rank, part_first, op.path)


def _owner_bodies(alice: ApiUser, export: bytes) -> dict[Route, Any]:
    current = alice.call("GET", "/api/settings").json()
    return {
        ("PUT", "/api/settings"): current,
        ("POST", "/api/settings"): current,
        ("POST", "/api/user/import-data"): export,
    }


def _empty_zip() -> bytes:
    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    return buffer.getvalue()
