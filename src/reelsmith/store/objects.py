"""Object storage: Cloudflare R2 / AWS S3 through boto3, or a local folder with signed URLs.

Browsers never send bytes through the API: they PUT and GET with short-lived presigned URLs. An
upload URL pins the exact content type and length, so it cannot be reused for a bigger or
different file. Error messages never name a bucket or a key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypedDict
from urllib.parse import quote, urlencode

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import SecretStr

from reelsmith.domain.errors import NotFound, ServiceUnavailable, Unauthorized, ValidationFailed
from reelsmith.settings import Settings

DEFAULT_CONTENT_TYPE = "application/octet-stream"
MAX_KEY_LENGTH = 1024
_UNAVAILABLE = "File storage is unavailable; try again shortly."
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str | None  # None in S3 listings, which do not carry it
    last_modified: datetime


@dataclass(frozen=True)
class PresignedUpload:
    """Send the body with exactly these headers and exactly the declared number of bytes."""

    url: str
    method: str = "PUT"
    headers: dict[str, str] = field(default_factory=dict)


class ObjectStore(Protocol):
    def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...
    def put_file(self, key: str, path: Path, content_type: str) -> None: ...
    def get_bytes(self, key: str) -> bytes: ...
    def download_file(self, key: str, path: Path) -> None: ...
    def head(self, key: str) -> ObjectInfo | None: ...
    def delete(self, key: str) -> None: ...
    def delete_prefix(self, prefix: str) -> int: ...
    def list_prefix(self, prefix: str) -> list[ObjectInfo]: ...
    def presign_put(
        self, key: str, *, content_type: str, content_length: int, ttl: int
    ) -> PresignedUpload: ...
    def presign_get(
        self, key: str, *, ttl: int, filename: str | None = None, content_type: str | None = None
    ) -> str: ...
    def check(self) -> None: ...


def content_disposition(filename: str | None) -> str:
    """``attachment`` (so stored files never render as pages), with a sanitised file name if given."""
    if filename is None:
        return "attachment"
    return f'attachment; filename="{safe_filename(filename)}"'


def safe_filename(filename: str) -> str:
    """A download name that is safe in a header and on any disk: ASCII letters, digits, ``._-``."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._")[:100]
    return cleaned or "download"


def _require_prefix(prefix: str) -> None:
    if not prefix:
        raise ValidationFailed("Refusing to delete with an empty prefix.")


class S3ObjectStore:
    """R2 or S3. Checksums are only computed when an operation requires them: R2 rejects the
    streaming checksum trailer that boto3 >= 1.36 sends by default."""

    def __init__(self, settings: Settings) -> None:
        self._bucket = settings.s3_bucket
        self._client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=_reveal(settings.s3_access_key_id),
            aws_secret_access_key=_reveal(settings.s3_secret_access_key),
            config=Config(
                signature_version="s3v4",
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"mode": "standard", "max_attempts": 4},
                connect_timeout=5,
                read_timeout=60,
            ),
        )

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        with _s3_errors():
            self._client.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=content_type)

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        with _s3_errors():
            self._client.upload_file(str(path), self._bucket, key, ExtraArgs={"ContentType": content_type})

    def get_bytes(self, key: str) -> bytes:
        with _s3_errors():
            body: bytes = self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        return body

    def download_file(self, key: str, path: Path) -> None:
        with _s3_errors():
            self._client.download_file(self._bucket, key, str(path))

    def head(self, key: str) -> ObjectInfo | None:
        try:
            with _s3_errors():
                meta = self._client.head_object(Bucket=self._bucket, Key=key)
        except NotFound:
            return None
        return ObjectInfo(key, meta["ContentLength"], meta.get("ContentType"), meta["LastModified"])

    def delete(self, key: str) -> None:
        with _s3_errors():
            self._client.delete_object(Bucket=self._bucket, Key=key)

    def delete_prefix(self, prefix: str) -> int:
        """One DeleteObject per key: DeleteObjects needs a body checksum that R2 may not accept,
        and a project holds tens of objects, not thousands."""
        _require_prefix(prefix)
        objects = self.list_prefix(prefix)
        for info in objects:
            self.delete(info.key)
        return len(objects)

    def list_prefix(self, prefix: str) -> list[ObjectInfo]:
        paginator = self._client.get_paginator("list_objects_v2")
        with _s3_errors():
            return [
                ObjectInfo(item["Key"], item["Size"], None, item["LastModified"])
                for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix)
                for item in page.get("Contents", [])
            ]

    def presign_put(self, key: str, *, content_type: str, content_length: int, ttl: int) -> PresignedUpload:
        """Signs Content-Type and Content-Length: X-Amz-SignedHeaders=content-length;content-type;host."""
        params = {
            "Bucket": self._bucket,
            "Key": key,
            "ContentType": content_type,
            "ContentLength": content_length,
        }
        with _s3_errors():
            url = self._client.generate_presigned_url("put_object", Params=params, ExpiresIn=ttl)
        return PresignedUpload(url, "PUT", {"Content-Type": content_type})

    def presign_get(
        self, key: str, *, ttl: int, filename: str | None = None, content_type: str | None = None
    ) -> str:
        params: dict[str, Any] = {
            "Bucket": self._bucket,
            "Key": key,
            "ResponseContentDisposition": content_disposition(filename),
        }
        if content_type:
            params["ResponseContentType"] = content_type
        with _s3_errors():
            url: str = self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=ttl)
        return url

    def check(self) -> None:
        """Reachable and the bucket exists (a missing bucket is an outage here, not a 404)."""
        try:
            self._client.head_bucket(Bucket=self._bucket)
        except (ClientError, BotoCoreError) as exc:
            raise ServiceUnavailable(_UNAVAILABLE) from exc


@contextmanager
def _s3_errors() -> Iterator[None]:
    """botocore errors as ours; the original stays chained for the logs, out of the message."""
    try:
        yield
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
            raise NotFound("The file was not found.") from exc
        raise ServiceUnavailable(_UNAVAILABLE) from exc
    except BotoCoreError as exc:
        raise ServiceUnavailable(_UNAVAILABLE) from exc


class SignedParams(TypedDict):
    content_type: str | None
    content_length: int | None
    filename: str | None


class LocalObjectStore:
    """A folder that behaves like a bucket, served by the local API at ``/files/{key}``.

    Content types live in a parallel ``.meta`` tree; key segments may not start with a dot, so no
    key can reach the metadata or the temporary files of an unfinished write.
    """

    def __init__(self, root: Path, base_url: str, secret: bytes) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()
        self.base_url = base_url.rstrip("/")
        self._secret = secret

    # -- keys and paths

    def path_for(self, key: str) -> Path:
        """The file that holds ``key`` (it may not exist); raises ValidationFailed on a bad key."""
        if not _is_well_formed_key(key) or not (self.root / key).resolve().is_relative_to(self.root):
            raise ValidationFailed("This storage key is not valid.")
        return self.root / key

    def _meta_path(self, key: str) -> Path:
        return self.root / ".meta" / key

    # -- writes (atomic: a temporary file renamed into place)

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self._write(key, [data], content_type)

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        self._write(key, _file_chunks(path), content_type)

    def write_stream(
        self,
        key: str,
        chunks: Iterable[bytes],
        expected_length: int,
        content_type: str = DEFAULT_CONTENT_TYPE,
    ) -> None:
        """Store a streamed body of exactly ``expected_length`` bytes (what the upload URL signed)."""
        self._write(key, chunks, content_type, expected_length)

    def _write(
        self, key: str, chunks: Iterable[bytes], content_type: str, expected_length: int | None = None
    ) -> None:
        path = self.path_for(key)
        _atomic_write(self._meta_path(key), [content_type.encode()])
        _atomic_write(path, chunks, expected_length)

    # -- reads

    def get_bytes(self, key: str) -> bytes:
        with self.open_read(key) as file:
            return file.read()

    def download_file(self, key: str, path: Path) -> None:
        with self.open_read(key) as source, open(path, "wb") as target:
            shutil.copyfileobj(source, target, _CHUNK)

    def open_read(self, key: str) -> BinaryIO:
        try:
            return open(self.path_for(key), "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound("The file was not found.") from None

    def head(self, key: str) -> ObjectInfo | None:
        path = self.path_for(key)
        try:
            status = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        try:
            content_type = self._meta_path(key).read_text()
        except FileNotFoundError:
            content_type = DEFAULT_CONTENT_TYPE
        return ObjectInfo(key, status.st_size, content_type, datetime.fromtimestamp(status.st_mtime, UTC))

    def list_prefix(self, prefix: str) -> list[ObjectInfo]:
        directory = prefix[: prefix.rfind("/") + 1]
        base = self.path_for(directory.rstrip("/")) if directory else self.root
        keys = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [name for name in dirnames if not name.startswith(".")]
            for name in filenames:
                key = Path(dirpath, name).relative_to(self.root).as_posix()
                if not name.startswith(".") and key.startswith(prefix):
                    keys.append(key)
        return [info for key in sorted(keys) if (info := self.head(key)) is not None]

    # -- deletes (idempotent)

    def delete(self, key: str) -> None:
        path = self.path_for(key)
        for target in (path, self._meta_path(key)):
            with suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
                target.unlink()

    def delete_prefix(self, prefix: str) -> int:
        _require_prefix(prefix)
        objects = self.list_prefix(prefix)
        for info in objects:
            self.delete(info.key)
        return len(objects)

    # -- signed URLs

    def presign_put(self, key: str, *, content_type: str, content_length: int, ttl: int) -> PresignedUpload:
        if content_length < 0:
            raise ValidationFailed("The upload length must not be negative.")
        params = {"op": "put", "ct": content_type, "len": str(content_length)}
        return PresignedUpload(self._signed_url(key, params, ttl), "PUT", {"Content-Type": content_type})

    def presign_get(
        self, key: str, *, ttl: int, filename: str | None = None, content_type: str | None = None
    ) -> str:
        params = {"op": "get"}
        if content_type:
            params["ct"] = content_type
        if filename is not None:
            params["fn"] = safe_filename(filename)
        return self._signed_url(key, params, ttl)

    def verify(self, key: str, op: str, params: Mapping[str, str]) -> SignedParams:
        """Check a signed URL's query for ``op`` ("get" or "put") on ``key``; Unauthorized if not valid."""
        signature = params.get("sig", "")
        expected = self._signature(key, params)
        if params.get("op") != op or not hmac.compare_digest(expected.encode(), signature.encode()):
            raise Unauthorized("This link is not valid.")
        if int(params["exp"]) < time.time():
            raise Unauthorized("This link has expired.")
        length = params.get("len")
        return SignedParams(
            content_type=params.get("ct") or None,
            content_length=int(length) if length else None,
            filename=params.get("fn") or None,
        )

    def _signed_url(self, key: str, params: dict[str, str], ttl: int) -> str:
        self.path_for(key)
        params["exp"] = str(int(time.time()) + ttl)
        query = urlencode({**params, "sig": self._signature(key, params)})
        return f"{self.base_url}/files/{quote(key, safe='/')}?{query}"

    def _signature(self, key: str, params: Mapping[str, str]) -> str:
        """HMAC-SHA256 over every signed field, JSON-encoded so no two field sets sign alike."""
        fields = [params.get(name, "") for name in ("op", "exp", "ct", "len", "fn")]
        message = json.dumps([key, *fields]).encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def check(self) -> None:
        if not (self.root.is_dir() and os.access(self.root, os.W_OK)):
            raise ServiceUnavailable(_UNAVAILABLE)


def _is_well_formed_key(key: str) -> bool:
    """Relative, at most 1024 characters, no NUL/control characters or backslashes, and no empty,
    ``.``, ``..`` or hidden segments."""
    return (
        isinstance(key, str)
        and 0 < len(key) <= MAX_KEY_LENGTH
        and "\\" not in key
        and all(ord(char) >= 32 for char in key)
        and all(part and not part.startswith(".") for part in key.split("/"))
    )


def _atomic_write(path: Path, chunks: Iterable[bytes], expected_length: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            written = 0
            for chunk in chunks:
                written += len(chunk)
                if expected_length is not None and written > expected_length:
                    raise ValidationFailed("The upload is larger than its declared size.")
                out.write(chunk)
        if expected_length is not None and written != expected_length:
            raise ValidationFailed("The upload is smaller than its declared size.")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            yield chunk


def _reveal(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None


def make_object_store(settings: Settings) -> ObjectStore:
    """The store the settings ask for: S3/R2, or the local folder served by the local API."""
    if settings.storage_backend == "s3":
        return S3ObjectStore(settings)
    return LocalObjectStore(
        settings.resolved_storage_dir, settings.resolved_public_url, _signing_secret(settings)
    )


def _signing_secret(settings: Settings) -> bytes:
    """The configured secret, or one made on first start and kept in ``<data_dir>/signing.key`` (0600)
    so links stay valid across restarts. Written to a temporary file and hard-linked into place, so two
    processes starting at once agree on one complete key."""
    if settings.signing_secret is not None:
        return settings.signing_secret.get_secret_value().encode()
    path = settings.data_dir / "signing.key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=settings.data_dir, prefix=".signing-")
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
            with suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return path.read_bytes().strip()
