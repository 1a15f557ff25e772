"""Gating, global nearest neighbour and JPDA (openbmd.tracking.association)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.stats import chi2, multivariate_normal

from openbmd.errors import ParameterError
from openbmd.tracking.association import (
    gate_threshold,
    gnn_assign,
    jpda_weights,
    log_gate_volume,
    mahalanobis_costs,
    mixture_moments,
)


@pytest.mark.parametrize("p", [0.9, 0.99, 0.999])
@pytest.mark.parametrize("dim", [1, 2, 3, 4])
def test_gate_threshold_is_the_chi2_quantile(p, dim):
    gamma = gate_threshold(p, dim)
    assert gamma == pytest.approx(chi2.ppf(p, dim), rel=1e-12)
    # a correct detection lands in the gate with probability P_G (Monte Carlo, 20k draws)
    rng = np.random.default_rng(dim)
    a = rng.normal(size=(dim, dim))
    s = a @ a.T + dim * np.eye(dim)
    nu = rng.multivariate_normal(np.zeros(dim), s, size=20_000)
    d2, _ = mahalanobis_costs(nu, np.broadcast_to(s, (nu.shape[0], dim, dim)))
    inside = float(np.mean(d2 <= gamma))
    assert abs(inside - p) < 4 * math.sqrt(p * (1 - p) / 20_000) + 1e-4, (
        f"fraction in the gate {inside:.4f}, expected P_G = {p}"
    )


@pytest.mark.parametrize(("p", "dim"), [(0.0, 3), (1.0, 3), (0.9, 0), (0.9, 2.5)])
def test_gate_threshold_rejects_bad_input(p, dim):
    with pytest.raises(ParameterError):
        gate_threshold(p, dim)


def test_mahalanobis_costs_match_scipy_and_flag_bad_pairs():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(5, 4, 3, 3))
    s = a @ np.swapaxes(a, -1, -2) + np.eye(3)
    nu = rng.normal(size=(5, 4, 3))
    d2, logdet = mahalanobis_costs(nu, s)
    for i, j in itertools.product(range(5), range(4)):
        ref = nu[i, j] @ np.linalg.solve(s[i, j], nu[i, j])
        assert d2[i, j] == pytest.approx(ref, rel=1e-10)
        log_pdf = multivariate_normal(np.zeros(3), s[i, j]).logpdf(nu[i, j])
        assert -0.5 * (d2[i, j] + logdet[i, j]) == pytest.approx(log_pdf, rel=1e-10)
    nu[0, 0, 1] = np.nan
    s[1, 1] = -np.eye(3)  # not positive definite
    d2, logdet = mahalanobis_costs(nu, s)
    assert np.isinf(d2[0, 0]) and np.isinf(d2[1, 1]) and np.isinf(logdet[1, 1])
    assert np.all(np.isfinite(d2[2:]))


def test_gate_volume_of_a_unit_ball():
    # 3-D ball of radius 2 (gamma = 4, S = I): 4/3 pi 8
    assert float(np.exp(log_gate_volume(4.0, 3, 0.0))) == pytest.approx(4.0 / 3.0 * math.pi * 8.0)


def _brute_force_gnn(cost, gamma, miss, new):
    n_t, n_m = cost.shape
    best = math.inf
    best_pairs = None
    options = [[-1, *[j for j in range(n_m) if cost[t, j] <= gamma]] for t in range(n_t)]
    for choice in itertools.product(*options):
        used = [j for j in choice if j >= 0]
        if len(used) != len(set(used)):
            continue
        total = sum(cost[t, j] if j >= 0 else miss for t, j in enumerate(choice))
        total += new * (n_m - len(used))
        if total < best - 1e-12:
            best, best_pairs = total, choice
    return best, best_pairs


@pytest.mark.parametrize("seed", range(25))
def test_gnn_equals_brute_force_on_small_matrices(seed):
    rng = np.random.default_rng(seed)
    n_t, n_m = rng.integers(1, 5), rng.integers(0, 5)
    cost = rng.exponential(4.0, size=(n_t, n_m))
    cost[rng.random((n_t, n_m)) < 0.2] = np.inf
    gamma = 9.0
    a = gnn_assign(cost, gamma)
    best, _ = _brute_force_gnn(cost, gamma, gamma / 2, gamma / 2)
    assert a.cost == pytest.approx(best, abs=1e-9)
    for t, j in enumerate(a.detection_of_track):
        if j >= 0:
            assert cost[t, j] <= gamma, "a pair outside the gate was assigned"
            assert a.track_of_detection[j] == t


def test_gnn_with_custom_costs_and_no_detections():
    a = gnn_assign(np.empty((2, 0)), 5.0)
    assert a.detection_of_track.tolist() == [-1, -1] and a.track_of_detection.size == 0
    # a very cheap miss: the track prefers no detection at all
    a = gnn_assign([[3.0]], 10.0, miss_cost=0.1, new_cost=0.1)
    assert a.detection_of_track.tolist() == [-1]
    with pytest.raises(ParameterError):
        gnn_assign([1.0, 2.0], 5.0)


def _pda_weights(logg, pd, pg, lam):
    """Single-target PDA (Bar-Shalom, Li & Kirubarajan 2001, eq. 3.4.4-?): closed form."""
    ell = pd * np.exp(logg) / lam
    b = 1.0 - pd * pg
    return np.concatenate([[b], ell]) / (b + ell.sum())


@pytest.mark.parametrize("max_events", [20_000, 0])
def test_jpda_reduces_to_pda_for_one_track(max_events):
    rng = np.random.default_rng(7)
    logg = rng.normal(-3.0, 1.0, size=(1, 5))
    gate = np.array([[True, True, False, True, True]])
    beta = jpda_weights(logg, gate, detection_probability=0.8, gate_probability=0.99,
                        clutter_density=0.05, max_events=max_events)  # fmt: skip
    ref = _pda_weights(logg[0, gate[0]], 0.8, 0.99, 0.05)
    assert beta[0, 0] == pytest.approx(ref[0], rel=1e-12)
    np.testing.assert_allclose(beta[0, 1:][gate[0]], ref[1:], rtol=1e-12)
    assert beta[0, 3] == 0.0


def _brute_force_jpda(logg, gate, pd, pg, lam):
    n_t, n_m = logg.shape
    beta = np.zeros((n_t, n_m + 1))
    options = [[-1, *[j for j in range(n_m) if gate[t, j]]] for t in range(n_t)]
    for choice in itertools.product(*options):
        used = [j for j in choice if j >= 0]
        if len(used) != len(set(used)):
            continue
        w = 1.0
        for t, j in enumerate(choice):
            w *= pd * math.exp(logg[t, j]) / lam if j >= 0 else 1.0 - pd * pg
        for t, j in enumerate(choice):
            beta[t, j + 1] += w
    return beta / beta.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("seed", range(10))
def test_jpda_probabilities_sum_to_one_and_match_enumeration(seed):
    rng = np.random.default_rng(100 + seed)
    logg = rng.normal(-2.0, 1.5, size=(4, 5))
    gate = rng.random((4, 5)) < 0.6
    beta = jpda_weights(logg, gate, detection_probability=0.9, gate_probability=0.999,
                        clutter_density=0.1)  # fmt: skip
    np.testing.assert_allclose(beta.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(beta >= 0.0)
    assert np.all(beta[:, 1:][~gate] == 0.0)
    np.testing.assert_allclose(beta, _brute_force_jpda(logg, gate, 0.9, 0.999, 0.1), atol=1e-12)
    # each detection is claimed with total probability at most 1
    assert np.all(beta[:, 1:].sum(axis=0) <= 1.0 + 1e-12)


def test_jpda_cheap_approximation_is_a_distribution():
    rng = np.random.default_rng(5)
    logg = rng.normal(-2.0, 1.0, size=(6, 6))
    gate = np.ones((6, 6), dtype=bool)
    beta = jpda_weights(logg, gate, detection_probability=0.9, gate_probability=0.99,
                        clutter_density=0.1, max_events=10)  # fmt: skip
    np.testing.assert_allclose(beta.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(beta >= -1e-15)


def test_jpda_nonparametric_and_extreme_likelihoods():
    # likelihoods far below the float range still give sensible weights (rows rescaled)
    logg = np.array([[-2000.0, -2001.0], [-5000.0, -4990.0]])
    gate = np.ones((2, 2), dtype=bool)
    beta = jpda_weights(logg, gate, detection_probability=0.9, gate_probability=0.99,
                        log_gate_volumes=[2000.0, 4990.0])  # fmt: skip
    np.testing.assert_allclose(beta.sum(axis=1), 1.0)
    assert beta[0, 1] > beta[0, 2] and beta[1, 2] > beta[1, 1]
    with pytest.raises(ParameterError):
        jpda_weights(logg, gate, detection_probability=0.9, gate_probability=0.99)
    # a track with nothing in its gate: certainly missed
    beta = jpda_weights([[0.0]], [[False]], detection_probability=0.9, gate_probability=0.99,
                        clutter_density=1.0)  # fmt: skip
    assert beta.tolist() == [[1.0, 0.0]]


def test_mixture_moments():
    w = np.array([[0.25, 0.75]])
    x = np.array([[[0.0], [4.0]]])
    p = np.array([[[[1.0]], [[2.0]]]])
    mean, cov = mixture_moments(w, x, p)
    assert mean[0, 0] == pytest.approx(3.0)
    # 0.25 * 1 + 0.75 * 2 + 0.25 * 9 + 0.75 * 1
    assert cov[0, 0, 0] == pytest.approx(0.25 + 1.5 + 2.25 + 0.75)
    # a zero-weight component may be non-finite
    x[0, 0, 0] = np.nan
    mean, _ = mixture_moments([[0.0, 1.0]], x, p)
    assert mean[0, 0] == 4.0
