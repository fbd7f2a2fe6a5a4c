"""The architecture TaskForge replaces, as a competent team would build it: a Flask monolith.

Flask with an application factory, SQLAlchemy 2 ORM models mapped onto TaskForge's own
tables (same database, same schema), a Redis page cache keyed by the workspace's cache
generation (the same invalidation as TaskForge's: a hit here is a hit there), Flask-Limiter
counting each user's requests in Redis at TaskForge's API limit, and PyJWT verifying
TaskForge's own EdDSA access tokens with its public key, the token's version checked
against the users table. It serves three endpoints with TaskForge's JSON, status codes and
headers: GET /api/tasks, GET /api/tasks/<id> and POST /api/tasks; and GET /health.

Served by gunicorn with sync workers, the usual deployment of such an app:

    gunicorn --workers 3 --worker-class sync 'benchmarks.monolith:create_app()'

with DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX, JWT_PUBLIC_KEY (or JWT_PRIVATE_KEY),
JWT_ISSUER, JWT_AUDIENCE, API_RATE_LIMIT_PER_MINUTE and CACHE_TTL_SECONDS in the environment,
TaskForge's names and defaults. `python benchmarks/monolith.py` races it against TaskForge
(race.py).
"""

from .app import create_app

__all__ = ["create_app"]
