"""Lambda entry point of the generate_segment function: the handler lives in reelsmith.pipeline.handlers."""

from reelsmith.pipeline.handlers import lambda_handler_for

handler = lambda_handler_for("generate_segment")
