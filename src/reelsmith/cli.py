"""`reelsmith demo | serve | migrate | token | analyze`: the local runtime and tools."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(
    help="Reelsmith: turn a sample short video into a new, similar 9:16 video.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


@app.command()
def migrate() -> None:
    """Apply database migrations (DATABASE_URL, or the embedded PostgreSQL)."""
    from reelsmith.settings import get_settings
    from reelsmith.store.db import resolve_database_url
    from reelsmith.store.migrate import apply_migrations

    applied = apply_migrations(resolve_database_url(get_settings()))
    console.print(f"Applied {len(applied)} migration(s): {', '.join(applied) or 'already up to date'}")


@app.command()
def token(email: Annotated[str, typer.Option(help="Whose dev token")] = "you@example.com") -> None:
    """Print a local dev token (AUTH_MODE=local) for calling the API by hand."""
    from reelsmith.api.auth import issue_local_token
    from reelsmith.settings import get_settings

    print(issue_local_token(get_settings(), email))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface (default REELSMITH_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default REELSMITH_PORT)")] = None,
) -> None:
    """Run the API, the web client, embedded Postgres, folder storage and the local workflow engine."""
    import uvicorn

    from reelsmith.api.app import create_app
    from reelsmith.pipeline.cleanup import start_cleanup_timer
    from reelsmith.services.context import build_app_context
    from reelsmith.settings import get_settings

    overrides: dict[str, Any] = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = get_settings().model_copy(update=overrides)
    ctx = build_app_context(settings)
    stop_cleanup = start_cleanup_timer(ctx)
    console.print(f"Reelsmith on {settings.resolved_public_url}  (API docs at /docs)")
    try:
        uvicorn.run(create_app(ctx), host=settings.host, port=settings.port, log_level="warning")
    finally:
        stop_cleanup.set()
        ctx.close()


@app.command()
def analyze(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A video file")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    ai: Annotated[bool, typer.Option("--ai/--no-ai", help="Ask an AI model too, when a key is set")] = True,
) -> None:
    """Analyse a video file and print the report (no database needed)."""
    from reelsmith.pipeline.analyze import analyze_sample
    from reelsmith.providers.registry import ProviderRegistry
    from reelsmith.settings import get_settings

    understanding = ProviderRegistry(get_settings()).understanding if ai else None
    with _progress() as progress:
        task = progress.add_task("analysing", total=1.0)
        report, _ = analyze_sample(
            file,
            understanding=understanding,
            progress=lambda stage, f: progress.update(task, completed=f, description=stage),
        )
    if as_json:
        console.print_json(report.model_dump_json())
        return
    console.print(report.summary)
    table = Table("shot", "start", "end", "kind", "confidence", "palette")
    for shot in report.shots:
        table.add_row(
            str(shot.index + 1),
            f"{shot.start:.2f}",
            f"{shot.end:.2f}",
            shot.kind,
            f"{shot.confidence:.2f}",
            " ".join(shot.palette[:3]),
        )
    console.print(table)


@app.command()
def demo(
    sample: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Your own sample video")
    ] = None,
    duration: Annotated[float | None, typer.Option(min=1, max=60, help="Target length in seconds")] = None,
    brief: Annotated[str, typer.Option(help="What the new video should be about")] = "",
) -> None:
    """Run the whole pipeline offline on a sample and print where the finished video is."""
    from reelsmith.demo import run_demo

    _quiet_logs()
    started = time.monotonic()
    with _progress() as progress:
        result = run_demo(sample=sample, duration=duration, brief=brief, reporter=_Reporter(progress))
    _print_summary(result, time.monotonic() - started)


def _quiet_logs() -> None:
    """Progress bars tell the story on a terminal; step logs only when LOG_LEVEL asks for them."""
    import os

    from reelsmith.observability import logger

    logger.setLevel(os.environ.get("LOG_LEVEL", "WARNING"))


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f}%"),
        TimeElapsedColumn(),
        console=console,
    )


class _Reporter:
    """Turns demo progress callbacks into one bar per stage and per segment."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, name: str, fraction: float, label: str | None = None) -> None:
        if name not in self.tasks:
            self.tasks[name] = self.progress.add_task(label or name, total=1.0)
        self.progress.update(self.tasks[name], completed=fraction, description=label or name)


def _print_summary(result: dict[str, Any], wall: float) -> None:
    table = Table("segment", "model", "seconds", "status", title="Reelsmith demo")
    for seg in result["segments"]:
        table.add_row(str(seg["index"] + 1), seg["model"] or "-", f"{seg['duration']:g}", seg["status"])
    console.print(table)
    console.print(
        f"Duration {result['duration']:.2f} s, {result['width']}x{result['height']}, "
        f"{result['size_bytes'] / 1e6:.1f} MB, QA {'passed' if result['qa_passed'] else 'FAILED'}"
    )
    console.print(f"Analysis: {result['summary']}")
    console.print(f"Finished in {wall:.1f} s. Video: [bold]{result['video_path']}[/bold]")


@app.command()
def cleanup() -> None:
    """Run the expiry sweep once: expired videos, old job files, abandoned uploads, expiry notices."""
    from reelsmith.pipeline.cleanup import run_cleanup
    from reelsmith.pipeline.context import build_context
    from reelsmith.settings import get_settings

    ctx = build_context(get_settings())
    try:
        report = run_cleanup(ctx)
    finally:
        ctx.db.close()
    for name, count in report.as_dict().items():
        console.print(f"{name.replace('_', ' ')}: {count}")


@app.command()
def audit() -> None:
    """Check storage against the database; exits 1 if an object has no row or a live row lacks its object."""
    from reelsmith.pipeline.context import build_context
    from reelsmith.settings import get_settings
    from reelsmith.store.audit import audit as run_audit

    ctx = build_context(get_settings())
    try:
        report = run_audit(ctx.store, ctx.db)
    finally:
        ctx.db.close()
    console.print(f"objects checked: {report.objects_checked}")
    console.print(f"objects without rows: {len(report.objects_without_rows)}")
    console.print(f"rows without objects: {len(report.rows_without_objects)}")
    for key in [*report.objects_without_rows, *report.rows_without_objects][:50]:
        console.print(f"  {key}", markup=False, soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
