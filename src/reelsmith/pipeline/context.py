"""What every step needs, built once per process (a Lambda container or the local runtime)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reelsmith.providers.registry import ProviderRegistry
from reelsmith.settings import Settings, get_settings
from reelsmith.store.db import Database, open_database
from reelsmith.store.objects import ObjectStore, make_object_store


@dataclass
class StepContext:
    settings: Settings
    db: Database
    store: ObjectStore
    providers: ProviderRegistry

    @property
    def work_root(self) -> Path:
        root = Path(tempfile.gettempdir()) / "reelsmith-work"
        root.mkdir(parents=True, exist_ok=True)
        return root

    @contextmanager
    def work_dir(self, name: str) -> Iterator[Path]:
        """A fresh folder for one step, removed afterwards (warm Lambdas share /tmp)."""
        path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.work_root))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def provider_dir(self, job_asset_id: str) -> Path:
        """Where an asynchronous provider task keeps its files between submit and poll."""
        path = self.work_root / "tasks" / job_asset_id
        path.mkdir(parents=True, exist_ok=True)
        return path


_context: StepContext | None = None


def build_context(settings: Settings | None = None, db: Database | None = None) -> StepContext:
    settings = settings or get_settings()
    return StepContext(
        settings=settings,
        db=db or open_database(settings),
        store=make_object_store(settings),
        providers=ProviderRegistry(settings),
    )


def set_context(context: StepContext | None) -> None:
    """The local runtime shares its context with the steps it runs in process."""
    global _context
    _context = context


def get_context() -> StepContext:
    global _context
    if _context is None:
        _context = build_context()
    return _context
