"""Registry of validation cases against published references."""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: Modules that register cases on import, one per area.
CASE_MODULES: tuple[str, ...] = (
    "openbmd.validation.cases_geodesy",
    "openbmd.validation.cases_atmosphere",
    "openbmd.validation.cases_orbits",
    "openbmd.validation.cases_flight",
    "openbmd.validation.cases_threats",
    "openbmd.validation.cases_radar",
    "openbmd.validation.cases_sensors",
    "openbmd.validation.cases_coverage",
    "openbmd.validation.cases_guidance",
    "openbmd.validation.cases_effectiveness",
    "openbmd.validation.cases_interceptors",
    "openbmd.validation.cases_engagement",
    "openbmd.validation.cases_tracking",
    "openbmd.validation.cases_analysis",
)

_REGISTRY: dict[str, Case] = {}


@dataclass(frozen=True)
class Case:
    """One published value and how openbmd computes it.

    Attributes
    ----------
    case_id : str
        Stable identifier, ``area.short_name``.
    area : str
        Capability area (``geodesy``, ``atmosphere``, ...).
    quantity : str
        What is compared, with its unit, e.g. ``"density at 50 km [kg/m^3]"``.
    source : str
        Published source: document, edition, page/table.
    expected : float
        The published value, in ``unit``.
    tolerance : float
        Allowed absolute difference, in ``unit``.
    unit : str
        Unit of ``expected``, ``tolerance`` and the computed value.
    compute : callable
        Returns openbmd's value, in ``unit``.
    """

    case_id: str
    area: str
    quantity: str
    source: str
    expected: float
    tolerance: float
    unit: str
    compute: Callable[[], float]


@dataclass(frozen=True)
class CaseResult:
    """Outcome of running one :class:`Case`."""

    case: Case
    got: float
    passed: bool
    seconds: float
    error: str | None = None

    @property
    def difference(self) -> float:
        return self.got - self.case.expected


def register(
    case_id: str,
    *,
    quantity: str,
    source: str,
    expected: float,
    tolerance: float,
    unit: str,
) -> Callable[[Callable[[], float]], Callable[[], float]]:
    """Decorator: register ``fn`` as the computation of a published value."""

    def decorator(fn: Callable[[], float]) -> Callable[[], float]:
        area = case_id.split(".", 1)[0]
        if case_id in _REGISTRY:
            raise RuntimeError(f"validation case {case_id!r} registered twice")
        _REGISTRY[case_id] = Case(case_id, area, quantity, source, expected, tolerance, unit, fn)
        return fn

    return decorator


def all_cases(areas: Iterable[str] | None = None) -> list[Case]:
    """Return every registered case (importing the case modules), optionally by area."""
    for name in CASE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    wanted = set(areas) if areas is not None else None
    return [c for c in _REGISTRY.values() if wanted is None or c.area in wanted]


def run_case(case: Case) -> CaseResult:
    """Compute one case and compare it with its published value."""
    start = time.perf_counter()
    try:
        got = float(case.compute())
    except Exception as exc:  # a failing case is reported, not raised
        return CaseResult(case, math.nan, False, time.perf_counter() - start, repr(exc))
    passed = math.isfinite(got) and abs(got - case.expected) <= case.tolerance
    return CaseResult(case, got, passed, time.perf_counter() - start)


def run_cases(areas: Iterable[str] | None = None) -> list[CaseResult]:
    """Run all (or the given areas') cases."""
    return [run_case(c) for c in all_cases(areas)]
