"""GET /health (and /api/health, through CloudFront): the process is up. Touches nothing,
so it answers even when the database is down."""

from functions.platform.function import probe

app, handler = probe(__name__)


@app.get("/health")
@app.get("/api/health")  # the same, on the path CloudFront forwards to the API
def get_health() -> dict[str, str]:
    return {"status": "ok"}
