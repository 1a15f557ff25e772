"""Properties of the radar equation, detection and horizon that hold for any valid input."""

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from openbmd.errors import ParameterError
from openbmd.sensors.detection import probability_of_detection, required_snr_db
from openbmd.sensors.horizon import effective_elevation_rad, horizon_range_m
from openbmd.sensors.radar_equation import range_for_snr_m, snr_db

log_pfa = st.floats(min_value=-12.0, max_value=-1.0)
pulses = st.integers(min_value=1, max_value=200)
swerling = st.integers(min_value=0, max_value=4)
unit = st.floats(min_value=1e-6, max_value=1.0 - 1e-6)
any_float = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, -1.0, 1e-300, 1e300, math.nan, math.inf, -math.inf]),
)


@settings(max_examples=150, deadline=None)
@given(log_pfa, unit, pulses, swerling)
def test_required_snr_round_trip(lg_pfa, u, n, sw):
    pfa = 10.0**lg_pfa
    pd = pfa + (1.0 - pfa) * u
    assume(pd - pfa > 1e-9 * pfa and pd < 1.0 - 1e-12)
    req = required_snr_db(pd, pfa, n, sw)
    assert math.isfinite(req)
    back = probability_of_detection(req, pfa, n, sw)
    assert abs(back - pd) < 1e-6, f"Pd({req} dB) = {back}, wanted {pd}"


@settings(max_examples=150, deadline=None)
@given(
    log_pfa,
    st.floats(min_value=-60.0, max_value=80.0),
    st.floats(min_value=0.0, max_value=20.0),
    pulses,
    swerling,
)
def test_pd_bounded_and_non_decreasing(lg_pfa, s1, gap, n, sw):
    pfa = 10.0**lg_pfa
    pd = probability_of_detection(np.array([s1, s1 + gap]), pfa, n, sw)
    assert np.all(np.isfinite(pd))
    assert pfa * (1 - 1e-9) <= pd[0] <= pd[1] + 1e-12 and pd[1] <= 1.0


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=1e7, max_value=1e11),
    st.floats(min_value=1.0, max_value=1e8),
    st.floats(min_value=1e-8, max_value=1e-2),
    st.floats(min_value=-10.0, max_value=60.0),
    st.floats(min_value=1e-5, max_value=1e4),
    st.floats(min_value=1.0, max_value=1e8),
    st.floats(min_value=1.0, max_value=1e4),
    st.floats(min_value=0.0, max_value=30.0),
    st.integers(min_value=1, max_value=10_000),
)
def test_radar_equation_round_trip_and_r4_law(f, p, tau, g, rcs, r, ts, loss, n):
    s = snr_db(f, p, tau, g, rcs, r, ts, loss, n)
    assert math.isfinite(s)
    back = range_for_snr_m(f, p, tau, g, rcs, s, ts, loss, n)
    assert abs(back - r) <= 1e-10 * r
    assert abs(snr_db(f, p, tau, g, rcs, 2 * r, ts, loss, n) - (s - 40 * math.log10(2))) < 1e-9


@settings(max_examples=300, deadline=None)
@given(any_float, any_float, any_float, any_float)
def test_bad_input_never_gives_nan(x, pfa, rng_m, h):
    """Any float either raises ParameterError or gives a non-NaN answer."""
    calls = [
        lambda: snr_db(1e9, 1e6, 1e-6, 30.0, 1.0, rng_m, 290.0),
        lambda: snr_db(x, 1e6, 1e-6, 30.0, abs(pfa), 1e5, 290.0),
        lambda: range_for_snr_m(1e9, 1e6, 1e-6, x, 1.0, pfa, 290.0),
        lambda: probability_of_detection(x, pfa, 3, 1),
        lambda: probability_of_detection(x, 1e-6, 2, 0),
        lambda: required_snr_db(x, 1e-6, 4, 3),
        lambda: required_snr_db(0.9, pfa, 1, 4),
        lambda: horizon_range_m(h, x),
        lambda: horizon_range_m(10.0, 100.0, pfa),
        lambda: effective_elevation_rad(rng_m, h, x, 4 / 3),
    ]
    for call in calls:
        try:
            value = call()
        except ParameterError as exc:
            assert "parameter" in str(exc) and "\n" not in str(exc)
            continue
        assert not np.any(np.isnan(value)), f"NaN from valid-looking input: {value}"


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=0.0, max_value=1e4),
    st.floats(min_value=0.0, max_value=2e6),
    st.floats(min_value=0.0, max_value=1e5),
    st.floats(min_value=0.2, max_value=20.0),
)
def test_horizon_monotone_and_grazing(h1, h2, dh, k):
    d = horizon_range_m(h1, h2, k)
    assert d >= 0.0 and math.isfinite(d)
    assert horizon_range_m(h1, h2 + dh, k) >= d
    assert horizon_range_m(h1 + dh, h2, k) >= d
    assume(h1 > 1.0 and h2 > 1.0 and 1.01 * d < math.pi * 6371008.8)
    # at the horizon range the ray is tangent to the effective Earth (elevation = -dip);
    # nearer targets are seen above that angle, farther ones would need a ray through it
    ke = k * 6371008.8
    dip = math.atan2(math.sqrt(h1 * (2 * ke + h1)), ke)
    assert abs(effective_elevation_rad(d, h1, h2, k) + dip) < 1e-8
    assert effective_elevation_rad(0.99 * d, h1, h2, k) > -dip
    assert effective_elevation_rad(1.01 * d, h1, h2, k) < -dip
