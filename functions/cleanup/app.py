"""Lambda entry point of the hourly cleanup (EventBridge schedule): reelsmith.pipeline.cleanup."""

from typing import Any

from reelsmith.observability import logger
from reelsmith.pipeline.cleanup import run_cleanup
from reelsmith.pipeline.context import get_context


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return run_cleanup(get_context()).as_dict()
