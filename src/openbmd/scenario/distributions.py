"""Uncertain numeric parameters: a number, or a distribution to draw it from.

Wherever a scenario field is :data:`Numeric`, the file may give a plain number or one of

==========================================  =============================  =================
YAML                                        law                            nominal value
==========================================  =============================  =================
``{uniform: [lo, hi]}``                     uniform on [lo, hi], lo < hi   centre (lo + hi)/2
``{normal: {mean: m, sd: s}}``              normal, s > 0                  mean
``{normal: {mean, sd, low: a, high: b}}``   normal truncated to [a, b]     mean
``{triangular: {low, mode, high}}``         triangular, low <= mode <= high  mode
``{choice: [v1, v2, ...]}``                 one of the values, equally     the first value
==========================================  =============================  =================

Each distribution has ``nominal()``, ``sample(rng, size=None)`` (a numpy ``Generator``:
same seed, same draws), ``support()`` and ``quantile(u)`` (the inverse CDF, for
stratified designs). A bounded field (e.g. ``launch_time_s >= 0``)
checks the whole support, so an untruncated normal is refused there.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, TypeAlias

import numpy as np
from pydantic import Discriminator, Field, Tag, model_validator
from scipy.special import ndtr, ndtri

from openbmd.scenario.base import Bounds, Real, ScenarioModel, raise_issues

__all__ = [
    "DISTRIBUTION_ERROR",
    "DISTRIBUTION_KINDS",
    "Choice",
    "Distribution",
    "DistributionBase",
    "Normal",
    "NormalParameters",
    "Numeric",
    "OverrideValue",
    "Triangular",
    "TriangularParameters",
    "Uniform",
    "is_distribution",
    "nominal_value",
    "numeric_tag",
    "sample_value",
]

#: The keys that name a distribution in a file.
DISTRIBUTION_KINDS: tuple[str, ...] = ("uniform", "normal", "triangular", "choice")
_DISTRIBUTION_HELP = (
    "must be a number or a distribution: {uniform: [lo, hi]}, {normal: {mean, sd}}, "
    "{triangular: {low, mode, high}} or {choice: [...]}"
)


class DistributionBase(ScenarioModel):
    """Common interface of the distributions."""

    def nominal(self) -> float:
        """The value a nominal (non-random) run uses."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size: int | None = None) -> Any:
        """One draw (a float) or ``size`` draws (an array), from ``rng``."""
        raise NotImplementedError

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take."""
        raise NotImplementedError

    def quantile(self, u: Any) -> np.ndarray:
        """Inverse CDF at probabilities ``u`` in [0, 1) (an array of the shape of ``u``):
        the same law as :meth:`sample`, for stratified designs such as Latin hypercubes."""
        return self._quantile(np.clip(np.asarray(u, dtype=float), _TINY, _BELOW_ONE))

    def _quantile(self, p: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Uniform(DistributionBase):
    """Uniform law on ``[lo, hi]``."""

    uniform: tuple[Real, Real]
    """``[lo, hi]`` with ``lo < hi``."""

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        lo, hi = self.uniform
        if not lo < hi:
            raise_issues([(("uniform",), f"must be [lo, hi] with lo < hi — got [{lo}, {hi}]")])
        return self

    def nominal(self) -> float:
        return 0.5 * (self.uniform[0] + self.uniform[1])

    def sample(self, rng: np.random.Generator, size: int | None = None) -> Any:
        return _out(rng.uniform(self.uniform[0], self.uniform[1], size))

    def support(self) -> tuple[float, float]:
        return self.uniform

    def _quantile(self, p: np.ndarray) -> np.ndarray:
        lo, hi = self.uniform
        return lo + p * (hi - lo)


class NormalParameters(ScenarioModel):
    """Mean, standard deviation and optional truncation bounds of a normal law."""

    mean: Real
    sd: Annotated[Real, Bounds(0.0, math.inf, low_open=True)]
    """Standard deviation (> 0)."""
    low: Real | None = None
    """Optional lower truncation bound (draws below it are not made)."""
    high: Real | None = None
    """Optional upper truncation bound."""

    @model_validator(mode="after")
    def _bounds(self) -> NormalParameters:
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        if not low < high:
            raise_issues([(("high",), f"must be > low ({low}) — got {high}")])
        if not low <= self.mean <= high:
            raise_issues(
                [(("mean",), f"must be in [low, high] = [{low}, {high}] — got {self.mean}")]
            )
        return self


class Normal(DistributionBase):
    """Normal law, optionally truncated to ``[low, high]`` (exact inverse-CDF draws)."""

    normal: NormalParameters

    def nominal(self) -> float:
        return self.normal.mean

    def support(self) -> tuple[float, float]:
        p = self.normal
        return (-math.inf if p.low is None else p.low, math.inf if p.high is None else p.high)

    def sample(self, rng: np.random.Generator, size: int | None = None) -> Any:
        p = self.normal
        if p.low is None and p.high is None:
            return _out(rng.normal(p.mean, p.sd, size))
        low, high = self.support()
        a, b = ndtr((low - p.mean) / p.sd), ndtr((high - p.mean) / p.sd)
        x = p.mean + p.sd * ndtri(rng.uniform(a, b, size))
        return _out(np.clip(x, low, high))

    def _quantile(self, p: np.ndarray) -> np.ndarray:
        n = self.normal
        if n.low is None and n.high is None:
            return n.mean + n.sd * ndtri(p)
        low, high = self.support()
        a, b = ndtr((low - n.mean) / n.sd), ndtr((high - n.mean) / n.sd)
        return np.clip(n.mean + n.sd * ndtri(a + p * (b - a)), low, high)


class TriangularParameters(ScenarioModel):
    """Corners of a triangular law."""

    low: Real
    mode: Real
    high: Real

    @model_validator(mode="after")
    def _ordered(self) -> TriangularParameters:
        if not self.low < self.high:
            raise_issues([(("high",), f"must be > low ({self.low}) — got {self.high}")])
        if not self.low <= self.mode <= self.high:
            raise_issues(
                [
                    (
                        ("mode",),
                        f"must be in [low, high] = [{self.low}, {self.high}] — got {self.mode}",
                    )
                ]
            )
        return self


class Triangular(DistributionBase):
    """Triangular law on ``[low, high]`` peaking at ``mode``."""

    triangular: TriangularParameters

    def nominal(self) -> float:
        return self.triangular.mode

    def support(self) -> tuple[float, float]:
        return self.triangular.low, self.triangular.high

    def sample(self, rng: np.random.Generator, size: int | None = None) -> Any:
        t = self.triangular
        return _out(rng.triangular(t.low, t.mode, t.high, size))

    def _quantile(self, p: np.ndarray) -> np.ndarray:
        t = self.triangular
        width = t.high - t.low
        split = (t.mode - t.low) / width
        left = t.low + np.sqrt(p * width * (t.mode - t.low))
        right = t.high - np.sqrt((1.0 - p) * width * (t.high - t.mode))
        return np.where(p < split, left, right)


class Choice(DistributionBase):
    """One of a list of values, each equally likely; the first is the nominal one."""

    choice: list[Real] = Field(min_length=1)

    def nominal(self) -> float:
        return self.choice[0]

    def support(self) -> tuple[float, float]:
        return min(self.choice), max(self.choice)

    def sample(self, rng: np.random.Generator, size: int | None = None) -> Any:
        return _out(np.asarray(self.choice, dtype=float)[rng.integers(len(self.choice), size=size)])

    def _quantile(self, p: np.ndarray) -> np.ndarray:
        # value floor(p k) of the k values: each equally likely
        values = np.asarray(self.choice, dtype=float)
        return values[np.minimum((p * values.size).astype(np.int64), values.size - 1)]


#: Probabilities given to :meth:`DistributionBase.quantile` are clipped to
#: ``[_TINY, _BELOW_ONE]`` so that unbounded laws stay finite.
_TINY = float(np.finfo(float).tiny)
_BELOW_ONE = 1.0 - 2.0**-53


def _out(x: Any) -> Any:
    return float(x) if np.ndim(x) == 0 else np.asarray(x, dtype=float)


_CLASSES: dict[str, type[DistributionBase]] = {
    "uniform": Uniform,
    "normal": Normal,
    "triangular": Triangular,
    "choice": Choice,
}


def _distribution_tag(value: Any) -> str | None:
    if isinstance(value, DistributionBase):
        return "~" + next(k for k, c in _CLASSES.items() if isinstance(value, c))
    if isinstance(value, dict):
        for kind in DISTRIBUTION_KINDS:
            if kind in value:
                return "~" + kind
        return None
    return None


def numeric_tag(value: Any) -> str | None:
    """Union tag of a number-or-distribution value (None: a mapping of no known law)."""
    if isinstance(value, dict | DistributionBase):
        return _distribution_tag(value)
    return "~number"


def _override_tag(value: Any) -> str | None:
    if isinstance(value, bool):
        return "~flag"
    if isinstance(value, str):
        return "~text"
    if isinstance(value, list | tuple):
        return "~list"
    return numeric_tag(value)


#: Error raised when a mapping names no known distribution (for the union discriminators).
DISTRIBUTION_ERROR: dict[str, Any] = {
    "custom_error_type": "distribution_kind",
    "custom_error_message": _DISTRIBUTION_HELP,
}

#: A distribution (one of the four laws).
Distribution: TypeAlias = Annotated[
    Annotated[Uniform, Tag("~uniform")]
    | Annotated[Normal, Tag("~normal")]
    | Annotated[Triangular, Tag("~triangular")]
    | Annotated[Choice, Tag("~choice")],
    Discriminator(_distribution_tag, **DISTRIBUTION_ERROR),
]

#: A number or a distribution.
Numeric: TypeAlias = Annotated[
    Annotated[Real, Tag("~number")]
    | Annotated[Uniform, Tag("~uniform")]
    | Annotated[Normal, Tag("~normal")]
    | Annotated[Triangular, Tag("~triangular")]
    | Annotated[Choice, Tag("~choice")],
    Discriminator(numeric_tag, **DISTRIBUTION_ERROR),
]

#: The value of a catalog parameter override: a number or distribution, a flag, a text
#: (e.g. ``integration: coherent``) or a list of numbers (e.g. ``el_limits_deg``).
OverrideValue: TypeAlias = Annotated[
    Annotated[bool, Tag("~flag")]
    | Annotated[str, Tag("~text")]
    | Annotated[list[Real], Tag("~list")]
    | Annotated[Real, Tag("~number")]
    | Annotated[Uniform, Tag("~uniform")]
    | Annotated[Normal, Tag("~normal")]
    | Annotated[Triangular, Tag("~triangular")]
    | Annotated[Choice, Tag("~choice")],
    Discriminator(_override_tag, **DISTRIBUTION_ERROR),
]


def is_distribution(value: Any) -> bool:
    """Whether ``value`` is a distribution (not a plain value)."""
    return isinstance(value, DistributionBase)


def nominal_value(value: Any) -> Any:
    """``value.nominal()`` for a distribution, ``value`` itself otherwise."""
    return value.nominal() if isinstance(value, DistributionBase) else value


def sample_value(value: Any, rng: np.random.Generator, size: int | None = None) -> Any:
    """A draw for a distribution, ``value`` itself otherwise."""
    return value.sample(rng, size) if isinstance(value, DistributionBase) else value
