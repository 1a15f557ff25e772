"""Errors a user can cause, and the checks that raise them.

A :class:`ParameterError` message always names the parameter, the allowed range and the
value received, in one line, in the form::

    The 'burnout_angle_deg' parameter must be in (0, 90). Got 95.0 instead.

The CLI prints that line and exits with code 2. Everything else that escapes is a bug.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np


class OpenBMDError(Exception):
    """Base class of errors caused by user input (printed as one line, CLI exit code 2)."""


class ParameterError(OpenBMDError, ValueError):
    """A parameter is outside its allowed range.

    Parameters
    ----------
    name : str
        Parameter name as the user wrote it (with unit suffix, e.g. ``lat_deg``).
    allowed : str
        The allowed range in words or interval notation, e.g. ``"[-90, 90]"``.
    got : object
        The value received (shown with ``repr``-like formatting).
    """

    def __init__(self, name: str, allowed: str, got: Any) -> None:
        self.name = name
        self.allowed = allowed
        self.got = got
        super().__init__(f"The '{name}' parameter must be {allowed}. Got {_fmt(got)} instead.")


class UnreachableError(OpenBMDError, ValueError):
    """A requested aim point or condition is outside what the vehicle can reach."""


def _fmt(value: Any) -> str:
    if isinstance(value, np.ndarray):
        if value.size == 1:
            return _fmt(value.reshape(()).item())
        flat = value.ravel()
        bad = flat[~np.isfinite(flat)] if np.issubdtype(flat.dtype, np.floating) else flat
        shown = bad[:3] if bad.size else flat[:3]
        return "array containing " + ", ".join(_fmt(v) for v in shown.tolist())
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    return repr(value) if isinstance(value, str) else str(value)


def require_finite(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as a float array; raise if any element is NaN or infinite."""
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)]
        raise ParameterError(name, "a finite number", bad.ravel()[0].item())
    return arr


def require_range(
    name: str,
    value: Any,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> np.ndarray:
    """Return ``value`` as a finite float array whose elements lie in the given interval.

    ``low_open``/``high_open`` make the bound exclusive. The error names the first
    offending element.
    """
    arr = require_finite(name, value)
    too_low = arr <= low if low_open else arr < low
    too_high = arr >= high if high_open else arr > high
    bad = too_low | too_high
    if np.any(bad):
        raise ParameterError(
            name, _interval(low, high, low_open, high_open), arr[bad].ravel()[0].item()
        )
    return arr


def require_positive(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as a float array whose elements are finite and > 0."""
    return require_range(name, value, 0.0, math.inf, low_open=True)


def require_non_negative(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as a float array whose elements are finite and >= 0."""
    return require_range(name, value, 0.0, math.inf)


def require_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``; raise naming the allowed ones."""
    options = list(choices)
    if value not in options:
        raise ParameterError(name, "one of " + ", ".join(str(c) for c in options), value)
    return value


def _interval(low: float, high: float, low_open: bool, high_open: bool) -> str:
    if math.isinf(high) and not math.isinf(low):
        return f"{'>' if low_open else '>='} {_num(low)}"
    if math.isinf(low) and not math.isinf(high):
        return f"{'<' if high_open else '<='} {_num(high)}"
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    return f"in {left}{_num(low)}, {_num(high)}{right}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))
