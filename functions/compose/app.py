"""Lambda entry point of the compose function: the handler lives in reelsmith.pipeline.handlers."""

from reelsmith.pipeline.handlers import lambda_handler_for

handler = lambda_handler_for("compose")
