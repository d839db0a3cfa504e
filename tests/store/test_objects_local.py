"""LocalObjectStore: a folder with the bucket's behaviour, signed URLs and hostile-key checks."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from reelsmith.domain.errors import NotFound, Unauthorized, ValidationFailed
from reelsmith.settings import Settings
from reelsmith.store.objects import LocalObjectStore, content_disposition, make_object_store

KEY = "users/u/projects/p/uploads/a/sample_video"


def _split(url: str) -> tuple[str, dict[str, str]]:
    """(key, query) as the local API's ``/files/{key:path}`` route receives them."""
    parts = urlsplit(url)
    assert parts.path.startswith("/files/")
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    return unquote(parts.path.removeprefix("/files/")), query


def test_round_trip_and_head(local_store: LocalObjectStore, tmp_path: Path) -> None:
    local_store.put_bytes(KEY, b"hello", "video/mp4")
    assert local_store.get_bytes(KEY) == b"hello"
    info = local_store.head(KEY)
    assert info is not None
    assert (info.key, info.size, info.content_type) == (KEY, 5, "video/mp4")
    with local_store.open_read(KEY) as file:
        assert file.read() == b"hello"

    source = tmp_path / "in.bin"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 1))
    local_store.put_file("users/u/big.bin", source, "application/octet-stream")
    target = tmp_path / "out.bin"
    local_store.download_file("users/u/big.bin", target)
    assert target.read_bytes() == source.read_bytes()


def test_missing_objects_and_idempotent_delete(local_store: LocalObjectStore, tmp_path: Path) -> None:
    assert local_store.head(KEY) is None
    assert local_store.head("users/u") is None  # a "directory" is not an object
    with pytest.raises(NotFound):
        local_store.get_bytes(KEY)
    with pytest.raises(NotFound):
        local_store.download_file(KEY, tmp_path / "out")
    local_store.put_bytes(KEY, b"x", "video/mp4")
    local_store.delete(KEY)
    local_store.delete(KEY)
    assert local_store.head(KEY) is None


def test_list_and_delete_prefix_stay_inside_the_prefix(local_store: LocalObjectStore) -> None:
    for key in ("users/a/projects/1/x", "users/a/projects/1/y/z", "users/a/projects/10/x", "users/b/x"):
        local_store.put_bytes(key, b"1", "text/plain")
    assert [i.key for i in local_store.list_prefix("users/a/projects/1/")] == [
        "users/a/projects/1/x",
        "users/a/projects/1/y/z",
    ]
    assert [i.key for i in local_store.list_prefix("users/a/projects/1")] == [
        "users/a/projects/1/x",
        "users/a/projects/1/y/z",
        "users/a/projects/10/x",
    ]
    assert local_store.list_prefix("users/nobody/") == []
    assert local_store.delete_prefix("users/a/projects/1/") == 2
    assert [i.key for i in local_store.list_prefix("")] == ["users/a/projects/10/x", "users/b/x"]
    with pytest.raises(ValidationFailed):
        local_store.delete_prefix("")


@pytest.mark.parametrize(
    "bad_key",
    [
        "",
        "/etc/passwd",
        "../outside",
        "users/../../outside",
        "users/./x",
        "users//x",
        "users\\x",
        "users/x\x00y",
        "users/x\ny",
        "users/.meta",
        ".meta/users/x",
        "x" * 1025,
    ],
)
def test_hostile_keys_are_refused(local_store: LocalObjectStore, bad_key: str) -> None:
    with pytest.raises(ValidationFailed):
        local_store.put_bytes(bad_key, b"x", "text/plain")
    with pytest.raises(ValidationFailed):
        local_store.head(bad_key)
    with pytest.raises(ValidationFailed):
        local_store.presign_get(bad_key, ttl=60)


def test_a_symlink_cannot_lead_outside_the_root(local_store: LocalObjectStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (local_store.root / "users").mkdir()
    (local_store.root / "users" / "link").symlink_to(outside)
    with pytest.raises(ValidationFailed):
        local_store.put_bytes("users/link/x", b"x", "text/plain")
    assert list(outside.iterdir()) == []


def test_write_stream_enforces_the_signed_length(local_store: LocalObjectStore) -> None:
    local_store.write_stream(KEY, [b"ab", b"cd"], 4, "video/mp4")
    assert local_store.get_bytes(KEY) == b"abcd"
    with pytest.raises(ValidationFailed, match="larger"):
        local_store.write_stream(KEY, [b"ab", b"cd", b"e"], 4)
    with pytest.raises(ValidationFailed, match="smaller"):
        local_store.write_stream(KEY, [b"ab"], 4)
    assert local_store.get_bytes(KEY) == b"abcd"  # the earlier object is untouched
    leftovers = [p for p in local_store.path_for(KEY).parent.iterdir() if p.name.startswith(".tmp-")]
    assert leftovers == []


def test_presigned_put_verifies_and_returns_the_signed_terms(local_store: LocalObjectStore) -> None:
    upload = local_store.presign_put(KEY, content_type="video/mp4", content_length=5, ttl=900)
    assert upload.url.startswith("http://testserver/files/users/")
    assert (upload.method, upload.headers) == ("PUT", {"Content-Type": "video/mp4"})
    key, query = _split(upload.url)
    assert key == KEY
    assert local_store.verify(key, "put", query) == {
        "content_type": "video/mp4",
        "content_length": 5,
        "filename": None,
    }


def test_presigned_get_carries_a_safe_file_name(local_store: LocalObjectStore) -> None:
    url = local_store.presign_get(KEY, ttl=60, filename="../my clip.mp4", content_type="video/mp4")
    key, query = _split(url)
    signed = local_store.verify(key, "get", query)
    assert signed == {"content_type": "video/mp4", "content_length": None, "filename": "my_clip.mp4"}
    assert content_disposition(signed["filename"]) == 'attachment; filename="my_clip.mp4"'
    assert content_disposition(None) == "attachment"


@pytest.mark.parametrize(
    "tamper",
    [
        {"sig": "0" * 64},
        {"sig": ""},
        {"ct": "text/html"},
        {"len": "500000000"},
        {"exp": str(int(time.time()) + 10**6)},
        {"op": "get"},
    ],
)
def test_tampered_urls_are_refused(local_store: LocalObjectStore, tamper: dict[str, str]) -> None:
    key, query = _split(local_store.presign_put(KEY, content_type="video/mp4", content_length=5, ttl=900).url)
    with pytest.raises(Unauthorized):
        local_store.verify(key, "put", {**query, **tamper})


def test_a_url_is_bound_to_its_key_op_and_secret(local_store: LocalObjectStore, tmp_path: Path) -> None:
    key, query = _split(local_store.presign_get(KEY, ttl=60))
    with pytest.raises(Unauthorized):
        local_store.verify("users/u/projects/p/uploads/a/other", "get", query)
    with pytest.raises(Unauthorized):
        local_store.verify(key, "put", query)
    other_secret = LocalObjectStore(local_store.root, "http://testserver", b"another secret")
    with pytest.raises(Unauthorized):
        other_secret.verify(key, "get", query)
    without_sig = {name: value for name, value in query.items() if name != "sig"}
    with pytest.raises(Unauthorized):
        local_store.verify(key, "get", without_sig)


def test_expired_urls_are_refused(local_store: LocalObjectStore) -> None:
    key, query = _split(local_store.presign_get(KEY, ttl=-1))
    with pytest.raises(Unauthorized, match="expired"):
        local_store.verify(key, "get", query)


def test_make_object_store_keeps_one_signing_key(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", storage_backend="local", signing_secret=None)
    store = make_object_store(settings)
    assert isinstance(store, LocalObjectStore)
    assert store.root == (tmp_path / "data" / "storage").resolve()
    key_file = tmp_path / "data" / "signing.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key, query = _split(store.presign_get(KEY, ttl=60))

    restarted = make_object_store(settings)
    assert isinstance(restarted, LocalObjectStore)
    restarted.verify(key, "get", query)  # links survive a restart
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["signing.key", "storage"]


def test_make_object_store_uses_the_configured_secret(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, signing_secret="configured", public_url="https://example.test/")
    store = make_object_store(settings)
    assert isinstance(store, LocalObjectStore)
    assert store.presign_get(KEY, ttl=60).startswith("https://example.test/files/")
    assert not (tmp_path / "signing.key").exists()
    same = LocalObjectStore(tmp_path / "elsewhere", "https://example.test", b"configured")
    key, query = _split(store.presign_get(KEY, ttl=60))
    same.verify(key, "get", query)


def test_check(local_store: LocalObjectStore) -> None:
    local_store.check()
