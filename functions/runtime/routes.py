"""Route templates as API Gateway writes them: `GET /items/{item_id}`, `ANY /{proxy+}`.

They give an event its `resource`, `routeKey` and `pathParameters`. Matching runs on
the raw path segments, so parameters arrive exactly as the client sent them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}
_PARAMETER = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_.-]*)(\+?)\}$")


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    segments: tuple[str, ...]
    # Each segment as matching needs it, worked out once: (literal, "", False) or
    # ("", parameter name, greedy).
    _pattern: tuple[tuple[str, str, bool], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = []
        for segment in self.segments:
            found = _PARAMETER.match(segment)
            pattern.append(("", found.group(1), bool(found.group(2))) if found else (segment, "", False))
        object.__setattr__(self, "_pattern", tuple(pattern))

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    def match(self, method: str, raw_path: str) -> dict[str, str] | None:
        """Path parameters when `method raw_path` fits this route, else None."""
        if self.method != "ANY" and self.method != method:
            return None
        parts = raw_path.split("/")[1:]
        parameters: dict[str, str] = {}
        for index, (literal, name, greedy) in enumerate(self._pattern):
            if greedy:  # {name+}: the rest of the path
                rest = "/".join(parts[index:])
                if not rest:
                    return None
                parameters[name] = rest
                return parameters
            if index >= len(parts):
                return None
            if not name:
                if literal != parts[index]:
                    return None
            elif parts[index]:
                parameters[name] = parts[index]
            else:
                return None
        return parameters if len(parts) == len(self._pattern) else None


def parse_route(text: str) -> Route:
    method, _, template = text.strip().partition(" ")
    method, template = method.upper(), template.strip()
    if method not in _METHODS:
        raise ValueError(f"{text.strip()!r}: unknown method {method!r}")
    if not template.startswith("/"):
        raise ValueError(f"{text.strip()!r}: the path must start with '/'")
    segments = tuple(template.split("/")[1:]) if template != "/" else ("",)
    for position, segment in enumerate(segments):
        found = _PARAMETER.match(segment)
        if found and found.group(2) and position != len(segments) - 1:
            raise ValueError(f"{text.strip()!r}: a greedy parameter must come last")
        if not found and ("{" in segment or "}" in segment):
            raise ValueError(f"{text.strip()!r}: malformed parameter {segment!r}")
    return Route(method=method, template=template, segments=segments)


def parse_routes(text: str) -> tuple[Route, ...]:
    """`GET /items/{id}, POST /items` → routes, most specific first."""
    routes = [parse_route(part) for part in text.split(",") if part.strip()]
    return tuple(sorted(routes, key=specificity))


def find_route(routes: tuple[Route, ...], method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes:
        parameters = route.match(method, raw_path)
        if parameters is not None:
            return route, parameters
    return None


def specificity(route: Route) -> tuple[int, int, int]:
    # As API Gateway: literal segments beat parameters, parameters beat greedy ones,
    # and an explicit method beats ANY.
    greedy = sum(1 for s in route.segments if s.endswith("+}"))
    parameters = sum(1 for s in route.segments if s.startswith("{"))
    return (greedy, parameters, 1 if route.method == "ANY" else 0)
