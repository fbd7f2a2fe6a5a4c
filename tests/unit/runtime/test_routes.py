"""Route templates as API Gateway writes them: parsing, precedence, matching on raw segments."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.runtime.routes import Route, find_route, parse_route, parse_routes


def route_key(routes: str, method: str, path: str) -> str | None:
    found = find_route(parse_routes(routes), method, path)
    return found[0].key if found else None


class TestParse:
    def test_method_is_upper_cased_and_template_kept(self) -> None:
        route = parse_route("  get /tasks/{task_id}  ")

        assert route == Route(method="GET", template="/tasks/{task_id}", segments=("tasks", "{task_id}"))
        assert route.key == "GET /tasks/{task_id}"

    def test_root(self) -> None:
        assert parse_route("GET /").segments == ("",)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("FETCH /tasks", "unknown method"),
            ("/tasks", "unknown method"),
            ("GET tasks", "must start with '/'"),
            ("GET", "must start with '/'"),
            ("GET /{proxy+}/tail", "greedy parameter must come last"),
            ("ANY /a/{rest+}/{id}", "greedy parameter must come last"),
            ("GET /tasks/{task_id", "malformed parameter"),
            ("GET /tasks/task_id}", "malformed parameter"),
            ("GET /tasks/{}", "malformed parameter"),
            ("GET /tasks/{+}", "malformed parameter"),
            ("GET /tasks/{a}{b}", "malformed parameter"),
            ("GET /tasks/x{id}", "malformed parameter"),
            ("GET /tasks/{1st}", "malformed parameter"),
            ("GET /tasks/{a b}", "malformed parameter"),
        ],
    )
    def test_errors(self, text: str, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            parse_route(text)

    def test_parse_routes_skips_empty_entries_and_reports_the_bad_one(self) -> None:
        assert [r.key for r in parse_routes("GET /a, ,POST /b,")] == ["GET /a", "POST /b"]
        with pytest.raises(ValueError, match="'PUT b'"):
            parse_routes("GET /a, PUT b")

    def test_parse_routes_orders_most_specific_first(self) -> None:
        routes = parse_routes("ANY /{proxy+}, GET /tasks/{task_id}, ANY /tasks/today, GET /tasks/today")

        assert [r.key for r in routes] == [
            "GET /tasks/today",
            "ANY /tasks/today",
            "GET /tasks/{task_id}",
            "ANY /{proxy+}",
        ]


class TestPrecedence:
    def test_literal_beats_parameter(self) -> None:
        routes = "GET /tasks/{task_id}, GET /tasks/today"

        assert route_key(routes, "GET", "/tasks/today") == "GET /tasks/today"
        assert route_key(routes, "GET", "/tasks/7") == "GET /tasks/{task_id}"

    def test_parameter_beats_greedy(self) -> None:
        routes = "GET /tasks/{proxy+}, GET /tasks/{task_id}"

        assert route_key(routes, "GET", "/tasks/7") == "GET /tasks/{task_id}"
        assert route_key(routes, "GET", "/tasks/7/notes") == "GET /tasks/{proxy+}"

    def test_explicit_method_beats_any(self) -> None:
        routes = "ANY /tasks, GET /tasks"

        assert route_key(routes, "GET", "/tasks") == "GET /tasks"
        assert route_key(routes, "DELETE", "/tasks") == "ANY /tasks"

    def test_method_must_match(self) -> None:
        assert route_key("GET /tasks", "POST", "/tasks") is None

    def test_no_route_matches(self) -> None:
        assert route_key("GET /tasks, POST /tasks/{task_id}", "GET", "/projects") is None


class TestMatch:
    def test_parameters_are_the_raw_segments(self) -> None:
        route = parse_route("GET /files/{folder}/{name}")

        assert route.match("GET", "/files/a%20b/c%2Fd.txt") == {"folder": "a%20b", "name": "c%2Fd.txt"}

    def test_greedy_takes_the_rest_of_the_path(self) -> None:
        route = parse_route("ANY /files/{path+}")

        assert route.match("PUT", "/files/a/b/c.txt") == {"path": "a/b/c.txt"}
        assert route.match("PUT", "/files/a/") == {"path": "a/"}
        assert route.match("PUT", "/files/x") == {"path": "x"}

    def test_greedy_needs_at_least_one_character(self) -> None:
        route = parse_route("ANY /files/{path+}")

        assert route.match("GET", "/files") is None
        assert route.match("GET", "/files/") is None

    def test_root_greedy_does_not_match_root(self) -> None:
        route = parse_route("ANY /{proxy+}")

        assert route.match("GET", "/") is None
        assert route.match("GET", "/x") == {"proxy": "x"}

    @pytest.mark.parametrize("path", ["/tasks/", "/tasks//notes", "//notes"])
    def test_empty_segment_never_matches_a_parameter(self, path: str) -> None:
        routes = "GET /tasks/{task_id}, GET /tasks/{task_id}/notes, GET /{kind}/notes"

        assert route_key(routes, "GET", path) is None

    def test_trailing_slash_is_a_different_path(self) -> None:
        assert parse_route("GET /tasks").match("GET", "/tasks/") is None
        assert parse_route("GET /tasks/").match("GET", "/tasks") is None
        assert parse_route("GET /tasks/").match("GET", "/tasks/") == {}
        assert parse_route("GET /tasks/{task_id}").match("GET", "/tasks/7/") is None

    def test_root_matches_only_root(self) -> None:
        route = parse_route("GET /")

        assert route.match("GET", "/") == {}
        assert route.match("GET", "/x") is None

    def test_longer_or_shorter_paths_do_not_match(self) -> None:
        route = parse_route("GET /tasks/{task_id}")

        assert route.match("GET", "/tasks") is None
        assert route.match("GET", "/tasks/7/notes") is None

    def test_literal_segments_are_case_sensitive(self) -> None:
        assert parse_route("GET /tasks").match("GET", "/Tasks") is None


# Segments a client can send unencoded, plus percent-escapes; never empty, never braces.
SEGMENT = st.text(alphabet=string.ascii_letters + string.digits + "-._~%!$&'()*+,;=:@", min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(segments=st.lists(SEGMENT, min_size=1, max_size=6), data=st.data())
def test_a_path_matches_its_own_template_with_the_right_parameters(segments: list[str], data: st.DataObject) -> None:
    is_parameter = data.draw(st.lists(st.booleans(), min_size=len(segments), max_size=len(segments)))
    template_parts = [
        f"{{p{i}}}" if parameter else segment
        for i, (segment, parameter) in enumerate(zip(segments, is_parameter, strict=True))
    ]
    route = parse_route("GET /" + "/".join(template_parts))

    parameters = route.match("GET", "/" + "/".join(segments))

    assert parameters == {
        f"p{i}": segment for i, (segment, parameter) in enumerate(zip(segments, is_parameter, strict=True)) if parameter
    }


@settings(max_examples=150, deadline=None)
@given(prefix=st.lists(SEGMENT, max_size=3), rest=st.lists(SEGMENT, min_size=1, max_size=5))
def test_a_greedy_template_takes_any_non_empty_rest(prefix: list[str], rest: list[str]) -> None:
    route = parse_route("ANY /" + "/".join([*prefix, "{proxy+}"]))

    assert route.match("PATCH", "/" + "/".join([*prefix, *rest])) == {"proxy": "/".join(rest)}


@settings(max_examples=100, deadline=None)
@given(segments=st.lists(SEGMENT, min_size=1, max_size=5), extra=SEGMENT)
def test_a_template_without_greedy_rejects_an_extra_segment(segments: list[str], extra: str) -> None:
    route = parse_route("GET /" + "/".join(f"{{p{i}}}" for i in range(len(segments))))

    assert route.match("GET", "/" + "/".join([*segments, extra])) is None
    assert route.match("GET", "/" + "/".join(segments[:-1])) is None
