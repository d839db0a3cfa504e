"""Print the project's runtime dependencies, one requirement a line, for Lambda bundles.

Used by functions/Makefile (zip functions) and functions/compose/Dockerfile (the media image), so
both install exactly the dependencies pyproject.toml declares. ``--without-media`` leaves out the
media stack: zip functions must stay under Lambda's 250 MB unzipped quota (layers included), and
PyAV and numpy alone take ~160 MB; the functions that decode media run on the image instead.

Usage: python functions/lambda_requirements.py [--without-media] [path/to/pyproject.toml]
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

MEDIA_STACK = frozenset({"av", "numpy"})


def requirement_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def runtime_requirements(pyproject: Path, *, without_media: bool) -> list[str]:
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    skipped = MEDIA_STACK if without_media else frozenset()
    return [dep for dep in dependencies if requirement_name(dep) not in skipped]


def main(argv: list[str]) -> None:
    without_media = "--without-media" in argv
    paths = [arg for arg in argv if not arg.startswith("--")]
    pyproject = Path(paths[0]) if paths else Path(__file__).resolve().parent.parent / "pyproject.toml"
    print("\n".join(runtime_requirements(pyproject, without_media=without_media)))


if __name__ == "__main__":
    main(sys.argv[1:])
