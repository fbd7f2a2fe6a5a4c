"""One name per function: the catalog name is the module's file name, the name its handler
is built with (functions/platform/function.py), and the `operation` of its metrics."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from functions import catalog
from functions.catalog import CatalogError, Function
from functions.platform.function import FunctionHandler

REPO_ROOT = Path(__file__).resolve().parents[2]
HTTP = [function for function in catalog.FUNCTIONS if function.routes]
PROBES = {"get-health", "get-ready"}  # answered as they are: no request log, no metric


def _emf(out: str, metric: str) -> list[dict[str, Any]]:
    lines = (json.loads(line) for line in out.splitlines() if line.startswith("{") and '"_aws"' in line)
    return [line for line in lines if metric in line]


@pytest.mark.parametrize("function", catalog.FUNCTIONS, ids=lambda f: f.name)
def test_the_module_is_named_after_the_function(function: Function) -> None:
    module = function.name.replace("-", "_")

    assert function.handler == f"functions.{function.area}.{module}.handler"
    assert (REPO_ROOT / "functions" / function.area / f"{module}.py").is_file()


@pytest.mark.parametrize("function", catalog.FUNCTIONS, ids=lambda f: f.name)
def test_the_handler_is_built_by_the_prologue_for_its_catalog_entry(function: Function) -> None:
    handler = importlib.import_module(function.module).handler

    assert isinstance(handler, FunctionHandler)
    assert handler.function is function
    assert handler.name == function.name


@pytest.mark.parametrize("function", [f for f in HTTP if f.name not in PROBES], ids=lambda f: f.name)
def test_every_request_is_measured_under_the_catalog_name(function: Function, capsys: pytest.CaptureFixture[str]):
    from functions.devserver.gateway import mount
    from tests.support.wsgi_client import WsgiClient

    # No token and no route: refused (401) or unknown (404) before anything is touched.
    response = WsgiClient(mount(function).app).get("/no-such-route")

    assert response.status_code in (401, 404)
    [metric] = _emf(capsys.readouterr().out, "Latency")
    assert metric["operation"] == function.name
    assert metric["status_class"] == "4xx"


@pytest.mark.parametrize("name", sorted(PROBES))
def test_the_probes_answer_without_a_request_metric(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    from functions.devserver.gateway import mount
    from tests.support.wsgi_client import WsgiClient

    response = WsgiClient(mount(catalog.by_name(name)).app).get("/no-such-route")

    assert response.status_code == 404
    assert response.header("Content-Type") == "application/problem+json"
    assert _emf(capsys.readouterr().out, "Latency") == []


def test_the_dispatcher_reports_its_lag_under_its_name(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from functions.devserver.gateway import mount
    from functions.devserver.scheduler import fire
    from functions.platform.db import Database

    function = catalog.by_name("dispatch-reminders")
    dispatcher = importlib.import_module(function.module)
    database = Database(dispatcher.settings.model_copy(update={"database_url": database_url}))
    monkeypatch.setattr(dispatcher, "database", database)  # an empty database of its own: nothing is due
    try:
        assert fire(mount(function), datetime.now(UTC)) == 204
    finally:
        database.close()

    [metric] = _emf(capsys.readouterr().out, "ReminderLag")
    assert metric["operation"] == function.name
    assert metric["ReminderLag"] == [0.0]


def test_the_catalog_derives_the_handler_from_area_and_name() -> None:
    function = Function(name="attach-tag", area="tags", routes=("PUT /a",))

    assert function.handler == "functions.tags.attach_tag.handler"
    assert function.module == "functions.tags.attach_tag"
    assert catalog.by_module("functions.tags.attach_tag") is catalog.by_name("attach-tag")


def test_a_handler_that_disagrees_with_its_name_is_refused() -> None:
    with pytest.raises(CatalogError, match=r"functions\.tags\.attach_tag\.handler"):
        Function(
            name="attach-tag", area="tags", handler="functions.tags.handle_put_task_tag.handler", routes=("PUT /a",)
        )


def test_a_module_the_catalog_does_not_name_has_no_prologue() -> None:
    from functions.platform.function import authenticated_api

    with pytest.raises(KeyError, match=r"functions\.tags\.handle_put_task_tag"):
        authenticated_api("functions.tags.handle_put_task_tag")
