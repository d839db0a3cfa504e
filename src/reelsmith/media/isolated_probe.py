"""``check_upload`` in a child process: a decoder crash, hang or memory bomb ends the child, not
the API worker that asked. The child gets no credentials (only the variables Python needs to find
its packages), an address-space and CPU-time limit, and a wall-clock timeout.

Run as ``python -m reelsmith.media.isolated_probe FILE KIND``: prints the probe as JSON (exit 0), or
the refusal as {"code", "message"} (exit 2).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from reelsmith.domain.errors import MediaRejected
from reelsmith.domain.models import UploadKind

from .probe import MediaProbe, check_upload

MEMORY_LIMIT_BYTES = 4 * 1024**3
CPU_SECONDS = 60
WALL_SECONDS = 90.0
PASSED_THROUGH = ("PATH", "PYTHONPATH", "LD_LIBRARY_PATH", "LANG", "LAMBDA_TASK_ROOT")
REFUSED = 2


def check_upload_isolated(path: Path, kind: UploadKind | str, *, timeout: float = WALL_SECONDS) -> MediaProbe:
    command = [
        sys.executable, "-m", "reelsmith.media.isolated_probe", str(path), UploadKind(kind).value,
        str(CPU_SECONDS), str(MEMORY_LIMIT_BYTES),
    ]  # fmt: skip
    environment = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    try:
        child = subprocess.run(command, capture_output=True, timeout=timeout, env=environment, check=False)
    except subprocess.TimeoutExpired as exc:
        raise MediaRejected("Checking this file took too long.", code="media_limits_exceeded") from exc
    if child.returncode == 0:
        return MediaProbe.model_validate_json(child.stdout)
    if child.returncode == REFUSED:
        refusal = json.loads(child.stdout)
        raise MediaRejected(refusal["message"], code=refusal["code"])
    raise MediaRejected("This file could not be read safely.", code="unsupported_media")


def main(argv: list[str]) -> int:
    """The child: limit itself (not via preexec_fn, which is unsafe in a threaded server), then check."""
    path, kind, cpu_seconds, memory_bytes = argv
    resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_seconds), int(cpu_seconds)))
    resource.setrlimit(resource.RLIMIT_AS, (int(memory_bytes), int(memory_bytes)))
    try:
        probe = check_upload(Path(path), kind)
    except MediaRejected as exc:
        print(json.dumps({"code": exc.code, "message": exc.message}))
        return REFUSED
    print(probe.model_dump_json())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
