"""Shared pieces of the scenario models: base configuration, bounded numbers, issues.

Every scenario model derives from :class:`ScenarioModel`: frozen, unknown keys rejected
with a did-you-mean hint, non-finite numbers rejected. Numeric fields carry a
:class:`Bounds` annotation that checks plain numbers, every element of a list, and the
support of a distribution, and writes ``minimum``/``maximum`` into the JSON Schema.

Checks that involve several fields raise :func:`raise_issues`: one pydantic error that
carries a list of ``(relative location, message)`` pairs, which the loader turns into
one line per issue with the line number of each offending key.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, NoReturn

import yaml
from pydantic import (
    AllowInfNan,
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

__all__ = [
    "ID_PATTERN",
    "ISSUES_ERROR",
    "RANGE_ERROR",
    "UNKNOWN_KEY_ERROR",
    "Bounds",
    "Identifier",
    "Loc",
    "Real",
    "ScenarioModel",
    "did_you_mean",
    "format_loc",
    "format_value",
    "interval_text",
    "raise_issues",
]

#: pydantic error types raised by the scenario models (the loader formats them).
UNKNOWN_KEY_ERROR = "unknown_key"
ISSUES_ERROR = "scenario_issues"
RANGE_ERROR = "out_of_range"

#: Identifiers of threats, radars and sites: letters, digits, ``_``, ``.``, ``-``.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"

Loc = tuple[str | int, ...]

#: A finite float; integers are accepted, booleans and numeric strings are not.
Real = Annotated[float, Strict(), AllowInfNan(False)]
Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN)]


class ScenarioModel(BaseModel):
    """Base of the scenario models: frozen, strict about keys, finite numbers only."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        use_attribute_docstrings=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            allowed = _allowed_keys(cls)
            unknown = [k for k in data if k not in allowed]
            if unknown:
                names = [f.alias or n for n, f in cls.model_fields.items()]
                keys = [str(k) for k in unknown]
                hints = [did_you_mean(k, names) for k in keys]
                text = "; ".join(f"unknown key '{k}'{h}" for k, h in zip(keys, hints, strict=True))
                raise PydanticCustomError(
                    UNKNOWN_KEY_ERROR,
                    "{text}",
                    {"text": text, "keys": keys, "hints": hints, "allowed": names},
                )
        return data


def _allowed_keys(cls: type[BaseModel]) -> set[str]:
    keys: set[str] = set()
    for name, info in cls.model_fields.items():
        keys.add(name)
        if info.alias:
            keys.add(info.alias)
    return keys


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or ``""``."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def raise_issues(issues: Sequence[tuple[Loc, str]]) -> NoReturn:
    """Raise one pydantic error carrying ``(location, message)`` issues.

    Locations are relative to the model whose validator raises; the message is the text
    after ``path:`` in the error line (``"must be ... — got ..."``).
    """
    text = "; ".join(f"{format_loc(loc)}: {msg}" if loc else msg for loc, msg in issues)
    raise PydanticCustomError(ISSUES_ERROR, "{text}", {"text": text, "issues": list(issues)})


def format_loc(loc: Loc) -> str:
    """``("threats", 0, "launch_time_s")`` -> ``"threats[0].launch_time_s"``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def format_value(value: Any, limit: int = 80) -> str:
    """A received value as the error lines show it (YAML-like, shortened)."""
    if isinstance(value, str):
        text = repr(value)
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = repr(value) if math.isfinite(value) else str(value)
    elif isinstance(value, datetime):
        text = value.isoformat()
    elif isinstance(value, BaseModel | dict | list | tuple):
        plain = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        plain = json.loads(json.dumps(plain, default=str))
        text = yaml.safe_dump(plain, default_flow_style=True, width=10**6).strip()
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def interval_text(low: float, high: float, low_open: bool, high_open: bool) -> str:
    """``"in [0, 90)"``, ``">= 0"``, ``"> 0"`` ... for an interval."""
    if math.isinf(low) and math.isinf(high):
        return "a finite number"
    if math.isinf(high):
        return f"{'>' if low_open else '>='} {_num(low)}"
    if math.isinf(low):
        return f"{'<' if high_open else '<='} {_num(high)}"
    return f"in {'(' if low_open else '['}{_num(low)}, {_num(high)}{')' if high_open else ']'}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


@dataclass(frozen=True)
class Bounds:
    """Annotation: a number (or each number of a list, or a distribution's support)
    must lie in an interval. Adds ``minimum``/``maximum`` to the JSON Schema (keywords
    that apply to numbers only, so they also suit a number-or-distribution field)."""

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False

    @property
    def text(self) -> str:
        return interval_text(self.low, self.high, self.low_open, self.high_open)

    def contains(self, x: float) -> bool:
        above = x > self.low if self.low_open else x >= self.low
        below = x < self.high if self.high_open else x <= self.high
        return bool(above and below)

    def check(self, value: Any) -> Any:
        support = getattr(value, "support", None)
        if callable(support):
            low, high = support()
            if not (self.contains(low) and self.contains(high)):
                extra = ""
                if math.isinf(low) or math.isinf(high):
                    extra = " (give a normal distribution low/high bounds)"
                raise PydanticCustomError(
                    RANGE_ERROR,
                    "{allowed}",
                    {"allowed": f"must be a distribution with values {self.text}{extra}"},
                )
            return value
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if isinstance(item, int | float) and not self.contains(float(item)):
                raise PydanticCustomError(
                    RANGE_ERROR, "{allowed}", {"allowed": f"must be {self.text}"}
                )
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        target = out
        if out.get("type") == "array" and "items" in out:
            target = out["items"]
        if math.isfinite(self.low):
            target["exclusiveMinimum" if self.low_open else "minimum"] = self.low
        if math.isfinite(self.high):
            target["exclusiveMaximum" if self.high_open else "maximum"] = self.high
        return out
