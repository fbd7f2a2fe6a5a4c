"""GET /api/docs: the API explorer (Swagger UI) for /api/openapi.json, self-contained.

The Swagger UI bundle that Powertools ships is inlined into the page, built once at
import, so the page needs this route and the document, nothing else: no CDN, no
other origin. Its Content-Security-Policy allows exactly that: the inline script and
style it carries (by hash), same-origin requests (the document and "Try it out") and
the data: images in Swagger UI's stylesheet.
"""

import base64
import hashlib
from pathlib import Path

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi import swagger_ui

from functions.platform.function import api

DOCUMENT_URL = "/api/openapi.json"

_ASSETS = Path(swagger_ui.__file__).resolve().parent
_BUNDLE = (_ASSETS / "swagger-ui-bundle.min.js").read_text(encoding="utf-8")
_STYLE = (_ASSETS / "swagger-ui.min.css").read_text(encoding="utf-8")
# validatorUrl: null, or Swagger UI would send the document to a public validator.
_START = f"""
window.ui = SwaggerUIBundle({{
  url: "{DOCUMENT_URL}",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  validatorUrl: null
}});
"""


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode() + "'"


PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TaskForge API</title>
<style>{_STYLE}</style>
</head>
<body>
<div id="swagger-ui"></div>
<script>{_BUNDLE}</script>
<script>{_START}</script>
</body>
</html>
"""

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        f"script-src {_hash(_BUNDLE)} {_hash(_START)}",
        f"style-src {_hash(_STYLE)}",
        "img-src data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

app, _, handler = api(__name__)


@app.get("/api/docs", compress=True, include_in_schema=False)
def get_docs() -> Response[str]:
    return Response(
        200,
        "text/html; charset=utf-8",
        PAGE,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-cache",
            "Vary": "Accept-Encoding",
        },
    )
