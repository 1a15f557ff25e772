"""Sampling-based uncertainty statistics: the design, the bands and the rank measures.

:func:`latin_hypercube` and :func:`quantile` draw the design: one point per stratum of
each parameter's probability scale, mapped through the parameter's inverse CDF.
:func:`band_of` summarises an output's spread (5/50/95 % quantiles, mean, range).

Which uncertain parameter moves an output most? Given n sampled parameter sets (one row
each) and the outputs they produced, two measures per (parameter, output) pair:

* **Spearman's rank correlation** rho: the Pearson correlation of the ranks, in
  [-1, 1]. Model-free; it sees any monotone effect, whatever its shape.
* **SRRC**, the standardised rank regression coefficient: the coefficient of the
  parameter in the least-squares fit of the output's ranks on the ranks of *all*
  parameters, every rank column scaled to mean 0 and variance 1. It separates the
  parameters' effects where the sampled inputs happen to be correlated; for the
  (nearly) independent columns of a Latin hypercube it is close to rho. The fit's
  ``rank_r2`` says how much of the output's rank variance a monotone, additive model
  explains: a low value warns that interactions or non-monotone effects matter and
  that neither measure tells the whole story.

Method after J. C. Helton and F. J. Davis, "Latin hypercube sampling and the
propagation of uncertainty in analyses of complex systems", *Reliability Engineering
& System Safety* 81 (2003) 23-69, and A. Saltelli et al., *Global Sensitivity
Analysis: The Primer* (Wiley, 2008), ch. 1.

Limits. The measures come from a sample and are noisy: for a parameter with no effect
rho scatters around 0 with a standard deviation of about ``1 / sqrt(n - 1)``, so with
many parameters some bystander looks strong by chance. An entry is flagged
``significant`` when ``|rho| > z / sqrt(n - 1)`` with ``z`` the two-sided 5 % normal
quantile Bonferroni-corrected for the p parameters (``z = Phi^-1(1 - 0.025 / p)``:
1.96 for one parameter, 2.81 for ten): the chance that *any* bystander of an output is
flagged stays below about 5 %. Below the threshold, read the order of the ranking as
chance. SRRC needs more samples than parameters (``n >= p + 2``), else it is left out
(``None``); where it is available it is the sharper measure when one parameter
dominates (its fit then leaves ~0 to the others).
Rows where an output is NaN (e.g. no firm track in that sample) are left out of that
output's measures; an output that does not vary over the sample has no ranking.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import ndtri
from scipy.stats import rankdata, spearmanr

from openbmd.errors import ParameterError
from openbmd.scenario.distributions import DistributionBase

__all__ = [
    "BAND_QUANTILES",
    "Band",
    "Sensitivity",
    "SensitivityReport",
    "band_of",
    "latin_hypercube",
    "quantile",
    "rank_sensitivity",
    "significance_threshold",
]

#: Quantiles of a band.
BAND_QUANTILES: tuple[float, float, float] = (0.05, 0.5, 0.95)
#: Family-wise false-alarm probability of the ``significant`` flags of one output.
FAMILY_ALPHA = 0.05
#: Fewest valid rows an output needs to be ranked.
MIN_ROWS = 3


# --- the sampling design ---------------------------------------------------------------


def quantile(distribution: DistributionBase, u: Any) -> np.ndarray:
    """Inverse CDF of ``distribution`` at probabilities ``u`` in [0, 1)
    (:meth:`~openbmd.scenario.distributions.DistributionBase.quantile`)."""
    return distribution.quantile(u)


def latin_hypercube(samples: int, dimensions: int, rng: np.random.Generator) -> np.ndarray:
    """A Latin hypercube of ``samples`` points in ``[0, 1)^dimensions``.

    Each column holds exactly one point in each of the ``samples`` equal strata, at a
    uniform position inside it, the strata in a random order (McKay, Beckman & Conover,
    *Technometrics* 21 (1979) 239-245). Written here rather than taken from
    ``scipy.stats.qmc`` so that a seed gives the same design with any SciPy version.
    """
    u = np.empty((samples, dimensions))
    for j in range(dimensions):
        u[:, j] = (rng.permutation(samples) + rng.random(samples)) / samples
    return u


# --- bands -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """Spread of one output over the samples.

    Attributes
    ----------
    q05, q50, q95 : float
        5 %, 50 % and 95 % quantiles (linear interpolation between order statistics).
    mean, low, high : float
        Mean, smallest and largest value.
    nominal : float
        The output of the nominal scenario (NaN where not available).
    samples : int
        Samples with a value (NaN ones left out).
    """

    q05: float
    q50: float
    q95: float
    mean: float
    low: float
    high: float
    nominal: float
    samples: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "q05": self.q05,
            "q50": self.q50,
            "q95": self.q95,
            "mean": self.mean,
            "min": self.low,
            "max": self.high,
            "nominal": self.nominal,
            "samples": self.samples,
        }


def band_of(values: Any, nominal: float = math.nan) -> Band | None:
    """The :class:`Band` of ``values`` (NaN left out; None when none is finite)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return None
    q = np.quantile(v, BAND_QUANTILES)
    return Band(
        q05=float(q[0]),
        q50=float(q[1]),
        q95=float(q[2]),
        mean=float(v.mean()),
        low=float(v.min()),
        high=float(v.max()),
        nominal=float(nominal),
        samples=int(v.size),
    )


# --- the rank measures -----------------------------------------------------------------


@dataclass(frozen=True)
class Sensitivity:
    """The effect of one uncertain parameter on one output.

    Attributes
    ----------
    parameter, output : str
    spearman : float
        Spearman's rank correlation, in [-1, 1] (0 for a parameter that does not vary).
    srrc : float or None
        Standardised rank regression coefficient (None with too few samples).
    significant : bool
        ``|spearman|`` above the chance level of the sample size and parameter count
        (:func:`significance_threshold`).
    rank : int
        1 for the parameter that moves this output most (largest ``|spearman|``).
    """

    parameter: str
    output: str
    spearman: float
    srrc: float | None
    significant: bool
    rank: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "parameter": self.parameter,
            "output": self.output,
            "spearman": self.spearman,
            "srrc": self.srrc,
            "significant": self.significant,
            "rank": self.rank,
        }


@dataclass(frozen=True)
class SensitivityReport:
    """Sensitivity ranking of every varying output.

    Attributes
    ----------
    entries : tuple of Sensitivity
        Grouped by output (in the order given), each group sorted by ``|spearman|``,
        largest first.
    samples : int
        Rows of the sample.
    rows_used : mapping of str to int
        Rows without NaN, per ranked output.
    rank_r2 : mapping of str to float or None
        R^2 of the rank regression per ranked output (None where SRRC is left out).
    threshold : float
        ``|spearman|`` above which an entry is ``significant`` (with all rows).
    constant_outputs : tuple of str
        Outputs that do not vary (or have fewer than 3 valid rows): not ranked.
    """

    entries: tuple[Sensitivity, ...]
    samples: int
    rows_used: Mapping[str, int] = field(default_factory=dict)
    rank_r2: Mapping[str, float | None] = field(default_factory=dict)
    threshold: float = math.nan
    constant_outputs: tuple[str, ...] = ()

    def for_output(self, output: str) -> tuple[Sensitivity, ...]:
        """The entries of ``output``, most influential first."""
        return tuple(e for e in self.entries if e.output == output)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "method": "spearman rank correlation and standardised rank regression (SRRC)",
            "samples": self.samples,
            "significance_threshold": self.threshold,
            "rows_used": dict(self.rows_used),
            "rank_r2": dict(self.rank_r2),
            "constant_outputs": list(self.constant_outputs),
            "ranking": [e.to_dict() for e in self.entries],
        }


def significance_threshold(n: int, parameters: int = 1) -> float:
    """``|rho|`` above which a rank correlation of ``n`` rows is unlikely to be chance:
    ``z / sqrt(n - 1)``, ``z = Phi^-1(1 - 0.025 / parameters)`` (two-sided 5 %,
    Bonferroni-corrected for ``parameters`` comparisons).

    Examples
    --------
    >>> round(significance_threshold(101), 4), round(significance_threshold(101, 10), 4)
    (0.196, 0.2807)
    """
    if n < 2:
        return math.inf
    z = float(ndtri(1.0 - 0.5 * FAMILY_ALPHA / max(int(parameters), 1)))
    return z / math.sqrt(n - 1)


def rank_sensitivity(
    inputs: Any,
    parameters: Sequence[str],
    outputs: Mapping[str, Any],
) -> SensitivityReport:
    """Rank the parameters by their effect on each output.

    Parameters
    ----------
    inputs : array_like, shape (n, p)
        Sampled parameter values, one row per sample, one column per parameter.
    parameters : sequence of str, length p
        Parameter names (column labels).
    outputs : mapping of str to array_like, shape (n,)
        Output values per sample (NaN: not available in that sample).

    Returns
    -------
    SensitivityReport

    Raises
    ------
    ParameterError
        Shapes that do not match.

    Examples
    --------
    >>> x = np.column_stack([np.arange(20.0), np.arange(20.0)[::-1] % 7])
    >>> rep = rank_sensitivity(x, ["a", "b"], {"y": 3 * x[:, 0] + 1})
    >>> rep.entries[0].parameter, rep.entries[0].spearman
    ('a', 1.0)
    """
    x = np.asarray(inputs, dtype=float)
    names = [str(p) for p in parameters]
    if x.ndim != 2 or x.shape[1] != len(names):
        raise ParameterError(
            "inputs", f"an array of shape (samples, {len(names)})", f"shape {x.shape}"
        )
    n = x.shape[0]
    entries: list[Sensitivity] = []
    rows_used: dict[str, int] = {}
    r2: dict[str, float | None] = {}
    constant: list[str] = []
    for name, values in outputs.items():
        y = np.asarray(values, dtype=float)
        if y.shape != (n,):
            raise ParameterError(f"outputs[{name!r}]", f"an array of shape ({n},)", y.shape)
        ok = np.isfinite(y)
        if np.count_nonzero(ok) < MIN_ROWS or np.ptp(y[ok]) == 0.0:
            constant.append(name)
            continue
        xs, ys = x[ok], y[ok]
        rho = [_spearman(xs[:, j], ys) for j in range(len(names))]
        srrc, r2[name] = _srrc(xs, ys)
        rows_used[name] = int(ys.size)
        limit = significance_threshold(ys.size, len(names))
        order = sorted(
            range(len(names)),
            key=lambda j: (-abs(rho[j]), -abs(srrc[j]) if srrc is not None else 0.0, j),
        )
        for rank, j in enumerate(order, start=1):
            entries.append(
                Sensitivity(
                    parameter=names[j],
                    output=name,
                    spearman=rho[j],
                    srrc=None if srrc is None else srrc[j],
                    significant=bool(abs(rho[j]) > limit),
                    rank=rank,
                )
            )
    return SensitivityReport(
        entries=tuple(entries),
        samples=n,
        rows_used=rows_used,
        rank_r2=r2,
        threshold=significance_threshold(n, len(names)),
        constant_outputs=tuple(constant),
    )


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rho; 0 for a parameter that does not vary (it cannot move anything)."""
    if np.ptp(x) == 0.0:
        return 0.0
    rho = float(spearmanr(x, y).statistic)
    return rho if math.isfinite(rho) else 0.0


def _srrc(x: np.ndarray, y: np.ndarray) -> tuple[list[float] | None, float | None]:
    """Standardised rank regression coefficients and the fit's R^2 (None: too few rows)."""
    n, p = x.shape
    varying = [j for j in range(p) if np.ptp(x[:, j]) > 0.0]
    if n < len(varying) + 2:
        return None, None
    ry = _standard(rankdata(y))
    coef = [0.0] * p
    if not varying:
        return coef, 0.0
    rx = np.column_stack([_standard(rankdata(x[:, j])) for j in varying])
    beta, *_ = np.linalg.lstsq(rx, ry, rcond=None)
    residual = ry - rx @ beta
    for k, j in enumerate(varying):
        coef[j] = float(beta[k])
    r2 = 1.0 - float(residual @ residual) / float(ry @ ry)
    return coef, min(max(r2, 0.0), 1.0)


def _standard(v: np.ndarray) -> np.ndarray:
    out: np.ndarray = (v - v.mean()) / v.std()
    return out
