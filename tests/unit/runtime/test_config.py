"""Runtime configuration from the environment: defaults, and a named error for every bad variable."""

from __future__ import annotations

import pytest

from functions import catalog
from functions.runtime import config as config_module
from functions.runtime.config import LAMBDA_MAX_BODY, ConfigError, RuntimeConfig, load_handler

from . import handler_module

HANDLER = "tests.unit.runtime.handler_module.handler"


@pytest.fixture(autouse=True)
def no_cgroup_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # The default memory size comes from the container's cgroup file; unit tests read no files.
    monkeypatch.setattr(config_module, "_cgroup_memory_mb", lambda: 2048)


def from_env(**variables: str) -> RuntimeConfig:
    return RuntimeConfig.from_env({"HANDLER": HANDLER, **variables})


def test_defaults() -> None:
    config = from_env()

    assert config.handler_path == HANDLER
    assert config.port == 8080
    assert config.host == "0.0.0.0"
    assert config.event_format == "alb"
    assert config.alb_multi_value_headers is False
    assert config.max_body_bytes == LAMBDA_MAX_BODY == 6 * 1024 * 1024
    assert config.function_timeout == 30.0
    assert config.concurrency == 8
    assert config.workers == 1
    assert config.memory_mb == 2048
    assert config.region == "us-east-1"
    assert config.account_id == "000000000000"
    assert config.routes == ()
    assert config.function_name == "handler_module"
    assert config.strict is False


def test_every_variable_is_read() -> None:
    config = from_env(
        EVENT_FORMAT=" APIGW-HTTP ",
        ALB_MULTI_VALUE_HEADERS="true",
        PORT="9000",
        HOST="::",
        FUNCTION_NAME="tasks-api",
        FUNCTION_TIMEOUT="2.5",
        FUNCTION_MEMORY_MB="256",
        CONCURRENCY="4",
        WORKERS="2",
        MAX_BODY_BYTES="1024",
        AWS_REGION="eu-west-1",
        AWS_ACCOUNT_ID="123456789012",
        ROUTES="GET /tasks/{task_id}, GET /tasks/today",
    )

    assert config.event_format == "apigw-http"
    assert config.alb_multi_value_headers is True
    assert (config.port, config.host) == (9000, "::")
    assert config.function_name == "tasks-api"
    assert config.function_timeout == 2.5
    assert config.memory_mb == 256
    assert (config.concurrency, config.workers) == (4, 2)
    assert config.max_body_bytes == 1024
    assert (config.region, config.account_id) == ("eu-west-1", "123456789012")
    assert [route.key for route in config.routes] == ["GET /tasks/today", "GET /tasks/{task_id}"]


def test_blank_numbers_take_their_defaults() -> None:
    config = from_env(PORT="", FUNCTION_TIMEOUT="  ", CONCURRENCY="")

    assert (config.port, config.function_timeout, config.concurrency) == (8080, 30.0, 8)


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", " True "])
def test_flag_true(value: str) -> None:
    assert from_env(ALB_MULTI_VALUE_HEADERS=value).alb_multi_value_headers is True


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off", "OFF"])
def test_flag_false(value: str) -> None:
    assert from_env(ALB_MULTI_VALUE_HEADERS=value).alb_multi_value_headers is False


@pytest.mark.parametrize(
    ("concurrency", "workers", "strict"),
    [("1", "1", True), ("1", "2", True), ("2", "1", False), ("8", "4", False)],
)
def test_strict_means_one_invocation_at_a_time_per_process(concurrency: str, workers: str, strict: bool) -> None:
    assert from_env(CONCURRENCY=concurrency, WORKERS=workers).strict is strict


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EVENT_FORMAT", "lambda-url"),
        ("EVENT_FORMAT", "apigw"),
        ("PORT", "http"),
        ("PORT", "80.5"),
        ("PORT", "0"),
        ("PORT", "65536"),
        ("PORT", "-1"),
        ("FUNCTION_TIMEOUT", "soon"),
        ("FUNCTION_TIMEOUT", "0"),
        ("FUNCTION_TIMEOUT", "-5"),
        ("FUNCTION_TIMEOUT", "inf"),
        ("FUNCTION_TIMEOUT", "-inf"),
        ("FUNCTION_TIMEOUT", "nan"),
        ("FUNCTION_TIMEOUT", "1e-9"),
        ("FUNCTION_MEMORY_MB", "0"),
        ("FUNCTION_MEMORY_MB", "lots"),
        ("CONCURRENCY", "0"),
        ("CONCURRENCY", "1025"),
        ("CONCURRENCY", "many"),
        ("WORKERS", "0"),
        ("WORKERS", "65"),
        ("WORKERS", "2.0"),
        ("MAX_BODY_BYTES", "-1"),
        ("MAX_BODY_BYTES", "6MB"),
        ("ALB_MULTI_VALUE_HEADERS", "maybe"),
        ("ALB_MULTI_VALUE_HEADERS", "2"),
        ("ROUTES", "FETCH /tasks"),
        ("ROUTES", "GET tasks"),
        ("ROUTES", "GET /{proxy+}/x"),
        ("ROUTES", "GET /tasks/{task_id"),
    ],
)
def test_bad_variable_raises_config_error_naming_it(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        from_env(**{name: value})


@pytest.mark.parametrize("env", [{}, {"HANDLER": ""}, {"HANDLER": "   "}], ids=["unset", "empty", "blank"])
def test_handler_unset(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="HANDLER"):
        RuntimeConfig.from_env(env)


@pytest.mark.parametrize("handler_path", ["handler", "tasks_handler"])
def test_malformed_handler_is_a_config_error_from_from_env(handler_path: str) -> None:
    # Without FUNCTION_NAME the name is derived from HANDLER, which must not crash on a bare name.
    with pytest.raises(ConfigError, match="HANDLER"):
        RuntimeConfig.from_env({"HANDLER": handler_path})


class TestLoadHandler:
    def test_loads_the_function(self) -> None:
        assert load_handler(HANDLER) is handler_module.handler

    @pytest.mark.parametrize("handler_path", ["handler", "module.", ".handler", "."])
    def test_malformed(self, handler_path: str) -> None:
        with pytest.raises(ConfigError, match=r"HANDLER.*package\.module\.function"):
            load_handler(handler_path)

    def test_module_not_importable(self) -> None:
        with pytest.raises(ConfigError, match=r"HANDLER=.*cannot import .*ModuleNotFoundError"):
            load_handler("tests.unit.runtime.no_such_module.handler")

    def test_module_fails_while_importing(self) -> None:
        with pytest.raises(ConfigError, match=r"HANDLER=.*RuntimeError: database driver missing"):
            load_handler("tests.unit.runtime.failing_import.handler")

    def test_attribute_missing(self) -> None:
        with pytest.raises(ConfigError, match=r"HANDLER=.*has no 'no_such_function'"):
            load_handler("tests.unit.runtime.handler_module.no_such_function")

    def test_attribute_not_callable(self) -> None:
        with pytest.raises(ConfigError, match=r"HANDLER=.*'NOT_CALLABLE' is not callable"):
            load_handler("tests.unit.runtime.handler_module.NOT_CALLABLE")


class TestDeploymentSetsNameAndRoutes:
    """The runtime hosts any handler: name and routes come from the environment, never from
    the product's catalog (the rendered manifests and the local stack set both)."""

    HANDLER = "functions.tasks.list_tasks.handler"

    def test_name_and_routes_come_from_the_environment(self) -> None:
        config = RuntimeConfig.from_env(
            {"HANDLER": self.HANDLER, "FUNCTION_NAME": "list-tasks", "ROUTES": "GET /tasks, GET /tasks/{task_id}"}
        )

        assert config.function_name == "list-tasks"
        assert [route.key for route in config.routes] == ["GET /tasks", "GET /tasks/{task_id}"]

    def test_without_them_the_name_derives_from_the_module_and_no_route_is_assumed(self) -> None:
        config = RuntimeConfig.from_env({"HANDLER": self.HANDLER})

        assert config.function_name == "list_tasks"
        assert config.routes == ()

    def test_the_catalog_is_not_consulted(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def refuse(_: str) -> None:
            raise AssertionError("the runtime read the catalog")

        monkeypatch.setattr(catalog, "by_handler", refuse)

        assert RuntimeConfig.from_env({"HANDLER": "functions.tasks.list_tasks.handler"}).routes == ()
