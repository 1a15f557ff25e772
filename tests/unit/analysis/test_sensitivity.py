"""The sampling design (Latin hypercube, inverse CDFs) and the rank sensitivity measures."""

import math

import numpy as np
import pytest
from scipy import stats

from openbmd.analysis.sensitivity import (
    latin_hypercube,
    quantile,
    rank_sensitivity,
    significance_threshold,
)
from openbmd.errors import ParameterError
from openbmd.scenario.distributions import Choice, Normal, Triangular, Uniform

U = np.array([1e-9, 0.01, 0.1, 0.25, 0.5, 0.73, 0.9, 0.99, 1 - 1e-9])

#: Each law of the scenario files and the same law in scipy.stats.
LAWS = [
    (Uniform(uniform=(4000.0, 4500.0)), stats.uniform(loc=4000.0, scale=500.0)),
    (Normal(normal={"mean": 6.0, "sd": 1.5}), stats.norm(loc=6.0, scale=1.5)),
    (
        Normal(normal={"mean": 60.0, "sd": 20.0, "low": 50.0, "high": 120.0}),
        stats.truncnorm(a=-0.5, b=3.0, loc=60.0, scale=20.0),
    ),
    (
        Triangular(triangular={"low": 4.0, "mode": 6.0, "high": 9.0}),
        stats.triang(c=0.4, loc=4.0, scale=5.0),
    ),
    (Triangular(triangular={"low": 0.0, "mode": 1.0, "high": 1.0}), stats.triang(c=1.0)),
]


@pytest.mark.parametrize(("dist", "ref"), LAWS)
def test_quantile_is_scipys_inverse_cdf(dist, ref):
    np.testing.assert_allclose(quantile(dist, U), ref.ppf(U), rtol=1e-9, atol=1e-9)
    lo, hi = dist.support()
    x = quantile(dist, U)
    assert np.all((x >= lo) & (x <= hi))


def test_choice_quantile_picks_each_value_for_its_share():
    dist = Choice(choice=[3.0, 1.0, 2.0])
    # k equal strata of [0, 1): stratum j -> value j, as scipy's discrete uniform index
    u = np.linspace(0.0, 1.0, 3000, endpoint=False) + 1e-6
    idx = stats.randint(0, 3).ppf(u).astype(int)
    np.testing.assert_array_equal(quantile(dist, u), np.array([3.0, 1.0, 2.0])[idx])
    assert quantile(dist, [0.0, 0.999999]).tolist() == [3.0, 2.0]


@pytest.mark.parametrize("n", [1, 7, 50])
def test_latin_hypercube_puts_one_point_in_each_stratum(n):
    u = latin_hypercube(n, 4, np.random.default_rng(3))
    assert u.shape == (n, 4)
    assert np.all((u >= 0.0) & (u < 1.0))
    for j in range(4):
        assert sorted(np.floor(u[:, j] * n).astype(int).tolist()) == list(range(n))
    again = latin_hypercube(n, 4, np.random.default_rng(3))
    np.testing.assert_array_equal(u, again)


@pytest.mark.parametrize(("dist", "ref"), LAWS)
def test_design_marginals_match_the_law(dist, ref):
    """A Latin hypercube's empirical CDF is within 1/n of the law everywhere (a plain
    random sample only within ~1.36/sqrt(n)): the KS distance says so."""
    n = 200
    x = quantile(dist, latin_hypercube(n, 1, np.random.default_rng(11))[:, 0])
    ks = stats.kstest(x, ref.cdf)
    assert ks.statistic <= 1.0 / n + 1e-9, ks
    assert ks.pvalue > 0.99


def test_significance_threshold():
    assert significance_threshold(101) == pytest.approx(1.959964 / 10.0, rel=1e-6)
    # Bonferroni for 10 parameters: two-sided 0.5 % quantile
    assert significance_threshold(101, 10) == pytest.approx(stats.norm.ppf(0.9975) / 10.0)
    assert significance_threshold(1) == math.inf


def test_significant_flags_rarely_fire_for_bystanders():
    """Outputs that depend on nothing, ten parameters each, 40 samples: the rate of
    outputs with any false flag is ~5 % (Bonferroni; uncorrected it would be ~40 %)."""
    rng = np.random.default_rng(8)
    flagged = 0
    for _ in range(100):
        x = latin_hypercube(40, 10, rng)
        rep = rank_sensitivity(x, [f"p{j}" for j in range(10)], {"y": rng.normal(size=40)})
        flagged += any(e.significant for e in rep.entries)
    assert flagged <= 13  # expected ~5 of 100; binomial(100, 0.05) > 13 with p < 0.1 %


def _design(n, p, seed=5):
    return latin_hypercube(n, p, np.random.default_rng(seed))


def test_ranking_finds_the_driver_and_ignores_the_bystander():
    x = _design(200, 3)
    # a monotone, non-linear driver, a weaker opposite one, one with no effect at all
    y = np.exp(2.0 * x[:, 0]) - 2.0 * x[:, 1]
    rep = rank_sensitivity(x, ["driver", "damper", "bystander"], {"y": y})
    entries = rep.for_output("y")
    assert [e.parameter for e in entries] == ["driver", "damper", "bystander"]
    assert [e.rank for e in entries] == [1, 2, 3]
    assert entries[0].spearman > 0.8 and entries[1].spearman < -0.2
    assert abs(entries[2].spearman) < rep.threshold
    assert entries[0].significant and entries[1].significant and not entries[2].significant
    assert rep.rank_r2["y"] > 0.9
    # Spearman's rho is scipy's
    for e, j in zip(entries, [0, 1, 2], strict=True):
        assert e.spearman == pytest.approx(stats.spearmanr(x[:, j], y).statistic, abs=1e-12)


def test_srrc_solves_the_normal_equations_of_the_rank_correlations():
    """SRRC = R_xx^-1 r_xy with R the rank correlation matrices (standard identity of
    standardised regression), computed here independently with np.corrcoef."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(60, 3))
    x[:, 2] += 0.8 * x[:, 0]  # correlated inputs, where SRRC and rho differ
    y = x[:, 0] + 0.5 * x[:, 1] ** 3 + 0.3 * rng.normal(size=60)
    rep = rank_sensitivity(x, ["a", "b", "c"], {"y": y})
    ranks = np.column_stack([stats.rankdata(x[:, j]) for j in range(3)] + [stats.rankdata(y)])
    corr = np.corrcoef(ranks, rowvar=False)
    expected = np.linalg.solve(corr[:3, :3], corr[:3, 3])
    got = {e.parameter: e.srrc for e in rep.entries}
    np.testing.assert_allclose([got["a"], got["b"], got["c"]], expected, atol=1e-10)
    r2 = float(corr[:3, 3] @ expected)
    assert rep.rank_r2["y"] == pytest.approx(r2, abs=1e-10)


def test_constant_outputs_constant_parameters_and_nan_rows():
    x = _design(30, 2)
    x[:, 1] = 7.0  # e.g. a choice of one value
    y = x[:, 0].copy()
    y[:4] = np.nan  # e.g. no firm track in those samples
    rep = rank_sensitivity(x, ["a", "fixed"], {"y": y, "flat": np.ones(30)})
    assert rep.constant_outputs == ("flat",)
    assert rep.rows_used == {"y": 26}
    by = {e.parameter: e for e in rep.for_output("y")}
    assert by["a"].spearman == pytest.approx(1.0) and by["fixed"].spearman == 0.0
    assert by["fixed"].srrc == 0.0 and by["a"].srrc == pytest.approx(1.0)


def test_srrc_left_out_with_too_few_samples():
    x = _design(4, 3)
    rep = rank_sensitivity(x, ["a", "b", "c"], {"y": x[:, 0] + x[:, 1]})
    assert all(e.srrc is None for e in rep.entries)
    assert rep.rank_r2["y"] is None
    assert rep.to_dict()["ranking"][0]["srrc"] is None


def test_shape_errors():
    with pytest.raises(ParameterError, match="shape"):
        rank_sensitivity(np.zeros((5, 2)), ["a"], {"y": np.zeros(5)})
    with pytest.raises(ParameterError, match="outputs"):
        rank_sensitivity(np.zeros((5, 1)), ["a"], {"y": np.zeros(4)})
