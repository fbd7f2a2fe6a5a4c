import importlib

import pytest

from functions import catalog
from functions.catalog import CatalogError, Function, Scaling


def test_the_shipped_catalog_is_consistent():
    catalog.validate()


@pytest.mark.parametrize("function", catalog.FUNCTIONS, ids=lambda f: f.name)
def test_every_handler_imports_and_is_callable(function: Function):
    module_name, _, attribute = function.handler.rpartition(".")
    assert callable(getattr(importlib.import_module(module_name), attribute))


def test_health_endpoints_are_cataloged():
    assert catalog.by_handler("functions.health.get_health.handler").routes == ("GET /health", "GET /api/health")
    assert catalog.by_name("get-ready").routes == ("GET /ready", "GET /api/ready")


@pytest.mark.parametrize(
    ("functions", "message"),
    [
        ((Function("Bad_Name", "functions.a.b.handler", routes=("GET /a",)),), "DNS label"),
        (
            (
                Function("a", "functions.a.b.handler", routes=("GET /a",)),
                Function("a", "functions.a.c.handler", routes=("GET /b",)),
            ),
            "appears twice",
        ),
        ((Function("a", "functions.a.b.handler"),), "exactly one of"),
        ((Function("a", "functions.a.b.handler", routes=("GET /a",), schedule="* * * * *"),), "exactly one of"),
        ((Function("a", "somewhere.else", routes=("GET /a",)),), "handler must be"),
        ((Function("a", "functions.a.b.handler", routes=("GET /a",), uses=frozenset({"s3"})),), "unknown uses"),
        (
            (Function("a", "functions.a.b.handler", routes=("GET /a",), scaling=Scaling(min_scale=3, max_scale=1)),),
            "min_scale",
        ),
        ((Function("a", "functions.a.b.handler", routes=("FETCH /a",)),), "unknown method"),
        (
            (
                Function("a", "functions.a.b.handler", routes=("GET /a/{id}",)),
                Function("b", "functions.a.c.handler", routes=("GET /a/{id}",)),
            ),
            "served by both",
        ),
    ],
)
def test_inconsistent_catalogs_are_rejected(functions, message):
    with pytest.raises(CatalogError, match=message):
        catalog.validate(functions)


def test_trigger_kind_follows_the_declaration():
    assert Function("a", "functions.a.b.handler", routes=("GET /a",)).trigger == "http"
    assert Function("a", "functions.a.b.handler", schedule="* * * * *").trigger == "schedule"
    assert Function("a", "functions.a.b.handler", events=("dev.taskforge.task.created",)).trigger == "event"


def test_database_connections_at_full_scale_fit_the_smallest_database():
    # Each worker process holds at most one connection (DATABASE_POOL_MAX=1 in the
    # manifests); staging's db.t4g.large allows about 850 (docs/operations.md), a few of them
    # reserved, and the migration Job and an operator's psql need some too.
    at_full_scale = sum(f.scaling.max_scale * f.scaling.workers for f in catalog.FUNCTIONS if "database" in f.uses)
    assert at_full_scale <= 800
