"""The same small API behind each Powertools resolver, one handler per event format."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from aws_lambda_powertools.event_handler import (
    ALBResolver,
    APIGatewayHttpResolver,
    APIGatewayRestResolver,
    Response,
)
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from aws_lambda_powertools.shared.cookies import Cookie

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


def _install(app: ApiGatewayResolver) -> ApiGatewayResolver:
    @app.get("/items/<item_id>")
    def get_item(item_id: str) -> dict[str, Any]:
        event = app.current_event
        return {
            "item_id": item_id,
            "path": event.path,
            "tags": event.resolved_query_string_parameters.get("tag", []),
            "multi": event.resolved_headers_field.get("x-multi") or event.resolved_headers_field.get("X-Multi"),
        }

    @app.post("/upload")
    def upload() -> dict[str, Any]:
        event = app.current_event
        body = base64.b64decode(event.body or "") if event.is_base64_encoded else (event.body or "").encode()
        return {"base64": event.is_base64_encoded, "sha256": hashlib.sha256(body).hexdigest()}

    @app.get("/image")
    def image() -> Response:
        return Response(200, content_type="image/png", body=PNG_BYTES)

    @app.get("/cookies")
    def cookies() -> Response:
        return Response(
            200,
            content_type="text/plain",
            body="cookies",
            cookies=[Cookie("first", "1"), Cookie("second", "2", http_only=True)],
        )

    return app


alb_app = _install(ALBResolver())
rest_app = _install(APIGatewayRestResolver())
http_app = _install(APIGatewayHttpResolver())


def alb_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return alb_app.resolve(event, context)


def rest_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return rest_app.resolve(event, context)


def http_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http_app.resolve(event, context)
