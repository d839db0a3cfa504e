"""Lambda entry point of the analyze function: the handler lives in reelsmith.pipeline.handlers."""

from reelsmith.pipeline.handlers import lambda_handler_for

handler = lambda_handler_for("analyze")
