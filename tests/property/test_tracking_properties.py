"""Hypothesis: the tracking filters and metrics keep their invariants on random input."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbmd.geodesy import geodetic_to_ecef
from openbmd.tracking import (
    STATUS_DONE,
    FilterModel,
    TrackState,
    innovation,
    measure,
    ospa,
    predict,
    update,
)

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SITE = np.asarray(geodetic_to_ecef(37.5, 130.0, 20.0))

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@st.composite
def tracks(draw):
    """A target 100-1500 km from the radar, a random SPD covariance, a random measurement."""
    lat = draw(st.floats(30.0, 45.0))
    lon = draw(st.floats(120.0, 140.0))
    alt = draw(st.floats(20e3, 800e3))
    r = np.asarray(geodetic_to_ecef(lat, lon, alt))
    v = np.array([draw(st.floats(-5e3, 5e3)) for _ in range(3)])
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(6, 6)) * np.array(
        [draw(st.floats(1.0, 3e3))] * 3 + [draw(st.floats(0.1, 300.0))] * 3
    )
    p = a @ a.T + np.diag([1.0] * 3 + [0.01] * 3)
    kind = draw(st.sampled_from(["ekf", "ukf"]))
    return np.concatenate([r, v]), p, rng, kind


@SETTINGS
@given(tracks())
def test_update_keeps_p_symmetric_positive_definite_and_shrinks_it(case):
    x, p, rng, kind = case
    if np.linalg.norm(x[:3] - SITE) < 50e3:
        return
    model = FilterModel(kind=kind, drag=False)
    state = TrackState(x, p, 100.0)
    r = np.diag([10.0**2, 3e-4**2, 3e-4**2, 1.0])
    z = measure(x + rng.normal(size=6) * np.sqrt(np.diag(p)), 100.0, SITE, model)[0]
    res = update(state, model, z, r, SITE)
    assert np.all(np.isfinite(res.state.x)) and np.all(np.isfinite(res.state.P))
    if res.status[0] != STATUS_DONE:
        np.testing.assert_array_equal(res.state.x, state.x)
        return
    post = res.state.P[0]
    np.testing.assert_array_equal(post, post.T)
    assert np.all(np.linalg.eigvalsh(post) > 0.0)
    # information only adds: the trace of the position covariance does not grow
    assert np.trace(post[:3, :3]) <= np.trace(p[:3, :3]) * (1.0 + 1e-9) + 1e-6
    assert res.nis[0] >= 0.0


@SETTINGS
@given(tracks(), st.floats(0.0, 30.0))
def test_predict_keeps_p_symmetric_and_finite(case, dt):
    x, p, _, kind = case
    model = FilterModel(kind=kind, ballistic_coefficient_kg_m2=2000.0)
    out = predict(TrackState(x, p, 0.0), model, dt)
    assert np.all(np.isfinite(out.x)) and np.all(np.isfinite(out.P))
    np.testing.assert_allclose(out.P, out.P.transpose(0, 2, 1), rtol=0, atol=0)
    assert np.all(np.einsum("nii->ni", out.P) > 0.0)


@SETTINGS
@given(st.floats(-100.0, 100.0), st.floats(-100.0, 100.0))
def test_azimuth_innovation_is_wrapped(a, b):
    d = innovation([[0.0, a, 0.0]], [[0.0, b, 0.0]])[0, 1]
    assert -math.pi < d <= math.pi
    assert math.isclose(math.cos(d), math.cos(a - b), abs_tol=1e-9)
    assert math.isclose(math.sin(d), math.sin(a - b), abs_tol=1e-9)


points = st.lists(st.tuples(finite, finite), min_size=0, max_size=6)


@SETTINGS
@given(points, points, points, st.floats(1.0, 500.0), st.sampled_from([1.0, 2.0]))
def test_ospa_is_a_bounded_metric(xs, ys, zs, c, p):
    x, y, z = (np.array(v, dtype=float).reshape(-1, 2) for v in (xs, ys, zs))
    dxy = ospa(x, y, c, p)
    assert 0.0 <= dxy <= c * (1 + 1e-12)
    assert math.isclose(dxy, ospa(y, x, c, p), rel_tol=1e-9, abs_tol=1e-9)
    assert ospa(x, x, c, p) <= 1e-9
    assert dxy <= ospa(x, z, c, p) + ospa(z, y, c, p) + 1e-9, "triangle inequality"
