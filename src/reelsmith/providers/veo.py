"""Veo 3.1 on Vertex AI (``google-genai``): a long-running operation per clip.

google-genai 3.x runs Veo only on a Vertex client (an API-key client raises ``ValueError``), so
credentials come from Application Default Credentials; tests inject credentials and an httpx
client. The SDK has no retries unless asked, which is what we want: Step Functions retries.
We always hand it an ``httpx.Client`` (left alone it picks ``httpx2``), so production runs the
same HTTP stack as the tests and raises one family of network exceptions. A finished operation
does not raise: errors, safety filtering and missing bytes are read off the operation here.
Videos come back inline (we never set ``output_gcs_uri``) and are written to ``work_dir`` at once.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import google.auth.exceptions
import httpx
from google import genai
from google.auth.credentials import Credentials
from google.genai import errors as genai_errors
from google.genai import types

from reelsmith.providers.base import TaskStatus, VideoRequest
from reelsmith.providers.http_errors import VendorErrors, is_safety, malformed, sanitize
from reelsmith.providers.video_inputs import checked_model, load_prompt_image

REQUEST_TIMEOUT_MS = 60_000
ACCEPTED_IMAGES = frozenset({"image/png", "image/jpeg"})
MAX_IMAGE_BYTES = 10 * 1024 * 1024
OPERATION_NAME = re.compile(
    r"projects/[^/]+/locations/[^/]+/publishers/google/models/[^/]+/operations/[\w.-]+"
)
RESOLUTION = "720p"

VEO_ERRORS = VendorErrors(
    vendor="Veo",
    status_errors=(genai_errors.APIError,),
    unpack=lambda exc: (exc.code, exc.details, exc.response.headers if exc.response is not None else None),
    unreachable=(httpx.TransportError, google.auth.exceptions.TransportError),
    auth_errors=(google.auth.exceptions.DefaultCredentialsError, google.auth.exceptions.RefreshError),
)


class VeoVideoGenerator:
    name = "veo"

    def __init__(
        self,
        *,
        project: str,
        location: str,
        credentials: Credentials | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._client = genai.Client(
            vertexai=True,
            project=project,
            location=location,
            credentials=credentials,
            http_options=types.HttpOptions(
                timeout=REQUEST_TIMEOUT_MS, httpx_client=http_client or httpx.Client()
            ),
        )

    def submit(self, request: VideoRequest, *, work_dir: Path) -> str:
        """Start the operation and return its full name, which is the task id."""
        model = checked_model(request, "veo")
        image = None
        if request.image_path is not None:
            loaded = load_prompt_image(
                request.image_path, accepted=ACCEPTED_IMAGES, max_bytes=MAX_IMAGE_BYTES
            )
            image = types.Image(image_bytes=loaded.data, mime_type=loaded.mime_type)
        config = types.GenerateVideosConfig(
            aspect_ratio=model.ratio,
            duration_seconds=request.duration,
            number_of_videos=1,
            negative_prompt=request.negative_prompt or None,
            person_generation="allow_adult",
            generate_audio=False,  # our own voice and music go on top; silent clips cost less
            resolution=RESOLUTION,
            seed=request.seed,
        )
        source = types.GenerateVideosSource(prompt=request.prompt or None, image=image)
        with VEO_ERRORS.translating():
            operation = self._client.models.generate_videos(
                model=model.vendor_model, source=source, config=config
            )
        if not operation.name or not OPERATION_NAME.fullmatch(operation.name):
            raise malformed("Veo")
        return operation.name

    def poll(self, task_id: str, *, work_dir: Path) -> TaskStatus:
        if not OPERATION_NAME.fullmatch(task_id):
            return TaskStatus(
                state="failed", error_code="unknown_task", error_message="Not a Veo operation name."
            )
        with VEO_ERRORS.translating():
            operation = self._client.operations.get(
                types.GenerateVideosOperation.model_validate({"name": task_id})
            )
        if not operation.done:
            return TaskStatus(state="pending")
        if operation.error:
            return _operation_error(operation.error)
        return _finished(operation.response, work_dir / f"veo-{task_id.rsplit('/', 1)[1]}.mp4")

    def cancel(self, task_id: str) -> None:
        """Nothing to call: google-genai 3.6 has no way to cancel a Veo operation.

        The operation runs to the end and is billed; the pipeline simply stops polling it.
        """


def _operation_error(error: dict[str, Any]) -> TaskStatus:
    message = sanitize(str(error.get("message") or "Veo could not make this clip."))
    code = "safety_filtered" if is_safety(message) else f"veo_error_{error.get('code', 'unknown')}"
    return TaskStatus(state="failed", error_code=code, error_message=message)


def _finished(response: types.GenerateVideosResponse | None, out_path: Path) -> TaskStatus:
    videos = (response.generated_videos if response else None) or []
    video = videos[0].video if videos else None
    if video is not None and video.video_bytes:
        out_path.write_bytes(video.video_bytes)
        return TaskStatus(state="succeeded", progress=1.0, output_path=out_path)
    if video is not None and video.uri:
        return TaskStatus(
            state="failed",
            error_code="unsupported_output",
            error_message="Veo stored the clip in Cloud Storage instead of returning it.",
        )
    if response is not None and response.rai_media_filtered_count:
        reasons = sanitize("; ".join(response.rai_media_filtered_reasons or [])) or "no reason given"
        return TaskStatus(
            state="failed",
            error_code="safety_filtered",
            error_message=f"Veo's safety filters removed the clip: {reasons}",
        )
    return TaskStatus(state="failed", error_code="no_output", error_message="Veo finished without a clip.")
