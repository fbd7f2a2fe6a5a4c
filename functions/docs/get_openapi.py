"""GET /api/openapi.json: the merged OpenAPI document of the whole API.

Serves the committed functions/docs/openapi.json, read once at import: no database,
no building at runtime (building imports every handler; see tools.openapi).
"""

from pathlib import Path

from aws_lambda_powertools.event_handler import Response

from functions.platform.function import api

DOCUMENT = (Path(__file__).resolve().parent / "openapi.json").read_text(encoding="utf-8")

app, _, handler = api(__name__)


@app.get("/api/openapi.json", compress=True, include_in_schema=False)
def get_openapi() -> Response[str]:
    return Response(200, "application/json", DOCUMENT, headers={"Cache-Control": "no-cache", "Vary": "Accept-Encoding"})
