"""Lambda entry point of the HTTP API: FastAPI behind Mangum (lifespan off; services built at import)."""

from mangum import Mangum

from reelsmith.api.app import create_app
from reelsmith.observability import logger
from reelsmith.services.context import build_app_context
from reelsmith.settings import get_settings

app = create_app(build_app_context(get_settings()), serve_web=False)
handler = logger.inject_lambda_context(Mangum(app, lifespan="off"), clear_state=True)
