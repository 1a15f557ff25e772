"""Scenario errors: one line per problem, ``FILE:LINE: path: allowed — got value``.

:func:`issues_from_validation_error` turns pydantic's errors into :class:`Issue` objects
(location, message); the loader adds the file and the line of each location.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from openbmd.errors import OpenBMDError
from openbmd.scenario.base import (
    ID_PATTERN,
    ISSUES_ERROR,
    RANGE_ERROR,
    UNKNOWN_KEY_ERROR,
    Loc,
    did_you_mean,
    format_loc,
    format_value,
)
from openbmd.scenario.distributions import DISTRIBUTION_KINDS

__all__ = ["Issue", "ScenarioError", "issues_from_validation_error"]


@dataclass(frozen=True)
class Issue:
    """One problem of a scenario.

    Attributes
    ----------
    loc : tuple
        Location of the offending value from the root (keys and list indices).
    message : str
        What is wrong: ``"must be ... — got ..."`` or ``"unknown key ..."``.
    line_loc : tuple, optional
        Location whose line the error points at, when not ``loc`` (an unknown key).
    """

    loc: Loc
    message: str
    line_loc: Loc | None = None

    @property
    def path(self) -> str:
        """``threats[0].launch`` style path (``scenario`` for the root)."""
        return format_loc(self.loc) or "scenario"

    def line(self, filename: str | None = None, line: int | None = None) -> str:
        """The one-line text, with ``FILE:LINE:`` when known."""
        where = ""
        if filename is not None:
            where = f"{filename}:{line}: " if line is not None else f"{filename}: "
        return f"{where}{self.path}: {self.message}"


class ScenarioError(OpenBMDError):
    """A scenario file or model a user got wrong (CLI: one line each, exit code 2).

    Attributes
    ----------
    issues : tuple of Issue
        The problems (empty for file-level errors: missing file, malformed YAML).
    """

    def __init__(self, message: str, issues: Sequence[Issue] = ()) -> None:
        super().__init__(message)
        self.issues = tuple(issues)

    @classmethod
    def from_issues(
        cls,
        issues: Sequence[Issue],
        filename: str | None = None,
        line_of: Callable[[Loc], int | None] | None = None,
    ) -> ScenarioError:
        """One line per issue; ``line_of(loc)`` gives line numbers (1-based)."""
        lines = []
        for issue in issues:
            line = line_of(issue.line_loc or issue.loc) if line_of is not None else None
            lines.append(issue.line(filename, line))
        return cls("\n".join(lines), issues)


def _strip_tags(loc: Sequence[Any]) -> Loc:
    """Drop the union tags (``~name``) that pydantic puts in error locations."""
    return tuple(p for p in loc if not (isinstance(p, str) and p.startswith("~")))


_TYPE_WORDS = {
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a text",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "dict_type": "must be a mapping of keys to values",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "datetime_type": "must be an ISO 8601 date-time with a time zone (2018-01-01T00:00:00Z)",
    "datetime_parsing": "must be an ISO 8601 date-time with a time zone (2018-01-01T00:00:00Z)",
    "datetime_from_date_parsing": "must be an ISO 8601 date-time with a time zone "
    "(2018-01-01T00:00:00Z)",
    "timezone_aware": "must have a time zone (e.g. 2018-01-01T00:00:00Z)",
    "string_too_short": "must not be empty",
}


def issues_from_validation_error(exc: ValidationError) -> list[Issue]:
    """The issues of a pydantic validation error of a scenario model."""
    issues: list[Issue] = []
    for err in exc.errors(include_url=False):
        loc = _strip_tags(err["loc"])
        kind = err["type"]
        ctx = err.get("ctx") or {}
        value = err.get("input")
        if kind == UNKNOWN_KEY_ERROR:
            for key, hint in zip(ctx["keys"], ctx["hints"], strict=True):
                text = f"unknown key '{key}'{hint or _allowed(ctx['allowed'])}"
                issues.append(Issue(loc, text, (*loc, key)))
        elif kind == ISSUES_ERROR:
            for rel, message in ctx["issues"]:
                issues.append(Issue((*loc, *_strip_tags(rel)), message))
        elif kind == RANGE_ERROR:
            issues.append(Issue(loc, f"{ctx['allowed']} — got {format_value(value)}"))
        elif kind == "missing" and loc and isinstance(loc[-1], int):
            issues.append(Issue(loc, "is required (the list is too short) — missing", loc[:-1]))
        elif kind == "missing":
            issues.append(Issue(loc, "is required — missing", loc[:-1]))
        elif kind == "literal_error" and ctx.get("expected") == "'min-energy'":
            issues.append(Issue(loc, f"{_SHAPE_HELP} — got {format_value(value)}"))
        elif kind == "literal_error":
            hint = did_you_mean(value, _literal_choices(ctx)) if isinstance(value, str) else ""
            issues.append(
                Issue(loc, f"must be one of {ctx['expected']}{hint} — got {format_value(value)}")
            )
        elif kind == "distribution_kind":
            hint = ""
            if isinstance(value, dict) and value:
                hint = did_you_mean(str(next(iter(value))), DISTRIBUTION_KINDS)
            issues.append(Issue(loc, f"{err['msg']}{hint} — got {format_value(value)}"))
        elif kind in ("too_short", "too_long"):
            bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
            word = "at least" if kind == "too_short" else "at most"
            got = ctx.get("actual_length", len(value) if hasattr(value, "__len__") else value)
            issues.append(Issue(loc, f"must have {word} {bound} item(s) — got {got}"))
        elif kind == "string_pattern_mismatch" and ctx.get("pattern") == ID_PATTERN:
            issues.append(
                Issue(
                    loc,
                    "must be an id of up to 64 letters, digits, '_', '.' or '-', starting "
                    f"with a letter or digit — got {format_value(value)}",
                )
            )
        elif kind in _TYPE_WORDS:
            issues.append(Issue(loc, f"{_TYPE_WORDS[kind]} — got {format_value(value)}"))
        else:
            issues.append(Issue(loc, f"{err['msg']} — got {format_value(value)}"))
    return issues


_SHAPE_HELP = (
    "must be 'min-energy' or a mapping {apogee_km: ...}, {burnout_angle_deg: ...} or "
    "{time_of_flight_s: ...}"
)


def _allowed(names: Sequence[str]) -> str:
    return f" (allowed: {', '.join(names)})"


def _literal_choices(ctx: dict[str, Any]) -> list[str]:
    return [
        c.strip().strip("'\"") for c in str(ctx.get("expected", "")).replace(" or ", ",").split(",")
    ]
