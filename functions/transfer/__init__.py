"""GET /api/export and POST /api/import."""
