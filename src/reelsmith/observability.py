"""Structured logging (Powertools Logger) shared by functions, pipeline and API."""

from __future__ import annotations

from aws_lambda_powertools import Logger

logger = Logger(service="reelsmith")
