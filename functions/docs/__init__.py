"""The API document and its explorer: GET /api/openapi.json and GET /api/docs."""
