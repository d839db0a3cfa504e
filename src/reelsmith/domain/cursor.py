"""Opaque pagination cursors: a JSON list of the last row's sort keys, URL-safe base64."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


def pack(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def unpack(cursor: str) -> list[Any]:
    """The packed values; ValueError for anything that is not a cursor we made."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor") from exc
    if not isinstance(values, list):
        raise ValueError("not a cursor")
    return values
