"""Runway video generation (``runwayml``): image-to-video and text-to-video as submit/poll tasks.

The SDK validates nothing and retries on its own, so this adapter checks model, duration and
prompt length against the catalogue before spending a request, and builds its client with
``max_retries=0``: Step Functions does the retrying, with backoff, on ``ProviderThrottled`` and
``ProviderUnavailable``. ``SAFETY.*`` task failures come back as failed polls whose code starts
with ``safety``, so the pipeline moves to the next model instead of paying for the same refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx
import runwayml

from reelsmith.domain.errors import ProviderRejected
from reelsmith.providers.base import TaskStatus, VideoRequest
from reelsmith.providers.http_errors import VendorErrors, malformed, sanitize
from reelsmith.providers.video_inputs import checked_model, load_prompt_image

USD_PER_CREDIT = 0.01
MAX_PROMPT_UTF16 = 1000
DATA_URI_LIMIT = 5_000_000  # Runway's cap on a data-URI prompt image, measured on the URI itself
RAW_IMAGE_LIMIT = DATA_URI_LIMIT * 3 // 4 - 64  # room for base64 growth and the "data:...;base64," prefix
ACCEPTED_IMAGES = frozenset({"image/png", "image/jpeg", "image/webp"})
REQUEST_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
PENDING_STATES = frozenset({"PENDING", "THROTTLED", "RUNNING"})

RUNWAY_ERRORS = VendorErrors(
    vendor="Runway",
    status_errors=(runwayml.APIStatusError,),
    unpack=lambda exc: (exc.status_code, exc.body, exc.response.headers),
    unreachable=(runwayml.APIConnectionError, httpx.TransportError),
    malformed=(runwayml.APIResponseValidationError, ValueError, TypeError, AttributeError, KeyError),
)


class RunwayVideoGenerator:
    name = "runway"

    def __init__(self, *, api_key: str, http_client: httpx.Client | None = None) -> None:
        self._api_key = api_key
        self._client = runwayml.RunwayML(
            api_key=api_key, max_retries=0, timeout=REQUEST_TIMEOUT, http_client=http_client
        )

    def submit(self, request: VideoRequest, *, work_dir: Path) -> str:
        """Start a task and return its id; nothing is sent when the request cannot be valid."""
        model = checked_model(request, "runway")
        params: dict[str, Any] = {
            "model": model.vendor_model,
            "ratio": model.ratio,
            "duration": request.duration,
        }
        if prompt := fit_prompt(request.prompt):
            params["prompt_text"] = prompt
        if request.seed is not None:
            params["seed"] = request.seed
        if model.makes_audio:
            params["audio"] = False  # our own voice and music go on top; silent clips cost less
        create: Callable[..., Any]
        if request.image_path is not None:
            create = self._client.image_to_video.create
            params["prompt_image"] = self._prompt_image(request.image_path)
        elif not model.text_to_video:
            raise ProviderRejected(f"{model.label} needs an image to start from.", code="image_required")
        elif "prompt_text" not in params:
            raise ProviderRejected("A clip needs a prompt or an image.", code="prompt_required")
        else:
            create = self._client.text_to_video.create
        with RUNWAY_ERRORS.translating(self._api_key):
            task = create(**params)
            task_id = task.id
        if not isinstance(task_id, str) or not task_id:
            raise malformed("Runway")
        return task_id

    def poll(self, task_id: str, *, work_dir: Path) -> TaskStatus:
        with RUNWAY_ERRORS.translating(self._api_key):
            task = self._client.tasks.retrieve(task_id)
            status = task.status
        if status in PENDING_STATES:
            progress = getattr(task, "progress", None)
            return TaskStatus(state="pending", progress=float(progress) if progress is not None else None)
        if status == "SUCCEEDED":
            return _succeeded(task)
        if status == "FAILED":
            code = str(getattr(task, "failure_code", None) or "failed").lower()
            message = sanitize(str(getattr(task, "failure", None) or "Runway could not make this clip."))
            return TaskStatus(state="failed", error_code=code, error_message=message)
        if status == "CANCELLED":
            return TaskStatus(
                state="failed", error_code="cancelled", error_message="The Runway task was cancelled."
            )
        raise malformed("Runway")

    def cancel(self, task_id: str) -> None:
        """Cancel a running task (or delete a finished one); a task that is already gone is fine."""
        with RUNWAY_ERRORS.translating(self._api_key), suppress(runwayml.NotFoundError):
            self._client.tasks.delete(task_id)

    def _prompt_image(self, path: Path) -> str:
        """A data URI when it fits Runway's limit, else an ephemeral upload's ``runway://`` URI."""
        image = load_prompt_image(path, accepted=ACCEPTED_IMAGES, max_bytes=RAW_IMAGE_LIMIT)
        uri = image.data_uri()
        if len(uri) <= DATA_URI_LIMIT:
            return uri
        suffix = image.mime_type.split("/")[1]
        with RUNWAY_ERRORS.translating(self._api_key):
            upload = self._client.uploads.create_ephemeral(
                file=(f"prompt.{suffix}", image.data, image.mime_type)
            )
            return str(upload.uri)


def _succeeded(task: Any) -> TaskStatus:
    output = getattr(task, "output", None)
    if not isinstance(output, list) or not output or not isinstance(output[0], str):
        raise malformed("Runway")
    credits = getattr(getattr(task, "cost", None), "credits", None)
    cost = round(float(credits) * USD_PER_CREDIT, 4) if isinstance(credits, int | float) else None
    return TaskStatus(state="succeeded", progress=1.0, output_url=output[0], cost_usd=cost)


def fit_prompt(text: str, limit: int = MAX_PROMPT_UTF16) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` UTF-16 code units."""
    text = " ".join(text.split())
    end = _chars_within_utf16(text, limit)
    if end == len(text):
        return text
    head = text[:end]
    if text[end] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:-")


def _chars_within_utf16(text: str, limit: int) -> int:
    """How many leading characters of ``text`` fit in ``limit`` UTF-16 code units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)
