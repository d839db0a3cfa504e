"""The product's clock: real UTC time, or a frozen one that tests move by hand (no sleeps).

Code that decides by time (expiry, share links, cleanup, analytics windows) asks ``now()`` and passes
the value to SQL, so a test can travel eight days ahead and see exactly what a user would then.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime | None = None) -> datetime:
    """Stop the clock at ``at`` (default: the real now) until ``unfreeze``."""
    global _frozen
    moment = at or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("freeze needs a timezone-aware datetime")
    _frozen = moment
    return moment


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock forward (time travel for tests)."""
    if _frozen is None:
        raise RuntimeError("advance needs a frozen clock: call freeze() first")
    return freeze(_frozen + delta)


def unfreeze() -> None:
    global _frozen
    _frozen = None
