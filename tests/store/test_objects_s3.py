"""S3ObjectStore configured for R2, against moto: the calls, the presigned URLs and the error mapping."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests

from reelsmith.domain.errors import NotFound, ServiceUnavailable, ValidationFailed
from reelsmith.settings import Settings
from reelsmith.store.objects import S3ObjectStore, make_object_store
from tests.conftest import R2_ENDPOINT, TEST_BUCKET

KEY = "users/u/projects/p/videos/v/video.mp4"


def _query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def test_round_trip(s3_store: S3ObjectStore, tmp_path: Path) -> None:
    s3_store.put_bytes(KEY, b"hello", "video/mp4")
    assert s3_store.get_bytes(KEY) == b"hello"
    info = s3_store.head(KEY)
    assert info is not None
    assert (info.key, info.size, info.content_type) == (KEY, 5, "video/mp4")

    source = tmp_path / "in.bin"
    source.write_bytes(b"x" * 2048)
    s3_store.put_file("users/u/a.bin", source, "application/octet-stream")
    target = tmp_path / "out.bin"
    s3_store.download_file("users/u/a.bin", target)
    assert target.read_bytes() == source.read_bytes()


def test_missing_objects(s3_store: S3ObjectStore, tmp_path: Path) -> None:
    assert s3_store.head(KEY) is None
    with pytest.raises(NotFound):
        s3_store.get_bytes(KEY)
    with pytest.raises(NotFound):
        s3_store.download_file(KEY, tmp_path / "out")
    s3_store.delete(KEY)  # idempotent


def test_delete(s3_store: S3ObjectStore) -> None:
    s3_store.put_bytes(KEY, b"hello", "video/mp4")
    s3_store.delete(KEY)
    assert s3_store.head(KEY) is None


def test_list_and_delete_prefix_stay_inside_the_prefix(s3_store: S3ObjectStore) -> None:
    for key in ("users/a/projects/1/x", "users/a/projects/1/y/z", "users/a/projects/10/x", "users/b/x"):
        s3_store.put_bytes(key, b"1", "text/plain")
    assert [i.key for i in s3_store.list_prefix("users/a/projects/1/")] == [
        "users/a/projects/1/x",
        "users/a/projects/1/y/z",
    ]
    assert s3_store.delete_prefix("users/a/projects/1/") == 2
    assert [i.key for i in s3_store.list_prefix("users/")] == ["users/a/projects/10/x", "users/b/x"]
    with pytest.raises(ValidationFailed):
        s3_store.delete_prefix("")


def test_list_reads_every_page(s3_store: S3ObjectStore) -> None:
    raw = boto3.client("s3", region_name="us-east-1")
    for n in range(1005):  # a listing page holds at most 1000 keys
        raw.put_object(Bucket=TEST_BUCKET, Key=f"users/many/{n:04d}", Body=b"")
    assert len(s3_store.list_prefix("users/many/")) == 1005


def test_presigned_put_signs_type_and_length_and_uploads(s3_store: S3ObjectStore) -> None:
    upload = s3_store.presign_put(KEY, content_type="video/mp4", content_length=5, ttl=900)
    assert upload.url.startswith(f"{R2_ENDPOINT}/{TEST_BUCKET}/{KEY}?")
    query = _query(upload.url)
    assert query["X-Amz-SignedHeaders"] == "content-length;content-type;host"
    assert query["X-Amz-Expires"] == "900"
    assert not any(name.lower().startswith("x-amz-checksum") for name in query)
    assert (upload.method, upload.headers) == ("PUT", {"Content-Type": "video/mp4"})

    response = requests.put(upload.url, data=b"12345", headers=upload.headers, timeout=10)
    assert response.status_code == 200
    assert s3_store.get_bytes(KEY) == b"12345"


def test_presigned_get_forces_a_download_with_a_safe_name(s3_store: S3ObjectStore) -> None:
    url = s3_store.presign_get(KEY, ttl=600, filename='my "clip"\r\n.mp4', content_type="video/mp4")
    query = _query(url)
    assert query["response-content-disposition"] == 'attachment; filename="my_clip_.mp4"'
    assert query["response-content-type"] == "video/mp4"
    assert query["X-Amz-Expires"] == "600"
    assert _query(s3_store.presign_get(KEY, ttl=60))["response-content-disposition"] == "attachment"


def test_check_and_errors_name_no_bucket_or_key(s3_store: S3ObjectStore) -> None:
    s3_store.check()
    broken = S3ObjectStore(
        Settings(
            storage_backend="s3", s3_endpoint_url=R2_ENDPOINT, s3_bucket="no-such-bucket", s3_region="auto"
        )
    )
    with pytest.raises(ServiceUnavailable) as caught:
        broken.check()
    with pytest.raises(ServiceUnavailable) as caught_put:
        broken.put_bytes(KEY, b"x", "video/mp4")
    for error in (caught.value, caught_put.value):
        assert "no-such-bucket" not in error.message
        assert KEY not in error.message


def test_make_object_store_picks_s3() -> None:
    store = make_object_store(Settings(storage_backend="s3", s3_endpoint_url=R2_ENDPOINT))
    assert isinstance(store, S3ObjectStore)
