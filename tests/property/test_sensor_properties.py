"""Hypothesis: radar sites, line of sight and detections keep their invariants."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbmd.errors import ParameterError
from openbmd.geodesy import geodetic_to_ecef
from openbmd.sensors.los import look_angles, visible
from openbmd.sensors.measurements import TruthGrid, simulate_detections
from openbmd.sensors.radar import Radar
from openbmd.sensors.rcs import RcsModel

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BASE: dict[str, Any] = {
    "frequency_hz": 3e9,
    "peak_power_w": 1e6,
    "pulse_width_s": 1e-4,
    "bandwidth_hz": 5e6,
    "noise_temperature_k": 500.0,
    "gain_db": 40.0,
}

radars = st.builds(
    lambda lat, lon, alt, power, freq, swerling, integration, pulses, rr, floor, k, az, half: Radar(
        "p",
        lat,
        lon,
        alt,
        **{
            **BASE,
            "peak_power_w": power,
            "frequency_hz": freq,
            "swerling": swerling,
            "integration": integration,
            "pulses": pulses,
            "range_rate": True,
            "dwell_s": rr,
            "range_sigma_floor_m": floor,
            "k_factor": k,
            "boresight_az_deg": az,
            "az_limits_deg": half,
            "search_revisit_s": 5.0,
        },
    ),
    st.floats(-80.0, 80.0),
    st.floats(-180.0, 180.0),
    st.floats(0.0, 3000.0),
    st.floats(1e4, 1e8),
    st.floats(5e8, 1.5e10),
    st.sampled_from([0, 1, 2, 3, 4]),
    st.sampled_from(["coherent", "noncoherent"]),
    st.integers(1, 32),
    st.floats(1e-3, 0.2),
    st.floats(0.0, 10.0),
    st.sampled_from([None, 1.0, 4.0 / 3.0, 1.2]),
    st.floats(0.0, 360.0),
    st.floats(10.0, 180.0),
)


def targets(lat, lon, seed, n=6, times=30):
    rng = np.random.default_rng(seed)
    lat_t = np.clip(lat + rng.uniform(-8, 8, n), -89.0, 89.0)
    lon_t = lon + rng.uniform(-8, 8, n)
    alt_t = rng.uniform(1e3, 800e3, n)
    start = np.asarray(geodetic_to_ecef(lat_t, lon_t, alt_t))
    vel = rng.normal(0.0, 2000.0, (n, 3))
    t = np.arange(float(times)) * 2.0
    r = start[:, None, :] + vel[:, None, :] * t[None, :, None]
    v = np.repeat(vel[:, None, :], times, axis=1)
    r[rng.integers(0, n), rng.integers(0, times) :] = np.nan  # an object that ends
    return TruthGrid(t, r, v)


@SETTINGS
@given(st.lists(radars, min_size=1, max_size=3), st.integers(0, 2**31 - 1),
       st.sampled_from([0.01, 1.0, "rv"]))  # fmt: skip
def test_detections_are_finite_sorted_and_positive_definite(radar_list, seed, rcs):
    truth = targets(radar_list[0].lat_deg, radar_list[0].lon_deg, seed)
    model = RcsModel.reentry_vehicle() if rcs == "rv" else rcs
    det = simulate_detections(radar_list, truth, rcs=model, seed=seed)
    for name in ("time_s", "range_m", "azimuth_rad", "elevation_rad", "range_rate_m_s",
                 "snr_db", "covariance", "true_range_m"):  # fmt: skip
        assert np.isfinite(getattr(det, name)).all(), name
    if det.size:
        np.linalg.cholesky(det.covariance)  # raises unless positive definite
        assert np.all(np.diff(det.time_s) >= 0.0)
        assert np.all((det.azimuth_rad >= 0.0) & (det.azimuth_rad < 2 * math.pi))
        assert det.sensor_id.max() < len(radar_list)
    assert np.all(det.expected_detections <= det.visible_looks + 1e-9)
    again = simulate_detections(radar_list, truth, rcs=model, seed=seed)
    assert np.array_equal(det.range_m, again.range_m)


@SETTINGS
@given(radars, st.integers(0, 2**31 - 1))
def test_visible_means_inside_the_mask_and_refraction_only_adds(radar, seed):
    truth = targets(radar.lat_deg, radar.lon_deg, seed)
    la = look_angles([radar], truth.r_ecef_m)
    vis = la.visible[0]
    assert np.all(la.apparent_elevation_rad[0][vis] >= math.radians(radar.min_elevation_deg))
    assert np.all(la.range_m[0][vis] <= radar.max_range_m)
    geometric = visible([radar.replace(k_factor=1.0)], truth.r_ecef_m)[0]
    if radar.k_factor >= 1.0:
        assert np.all(vis[geometric]), "refraction (k >= 1) can only extend the view"


bad_values = st.sampled_from([math.nan, math.inf, -1.0, 0.0])


@SETTINGS
@given(
    st.sampled_from(
        [
            "frequency_hz",
            "peak_power_w",
            "pulse_width_s",
            "bandwidth_hz",
            "noise_temperature_k",
            "dwell_s",
            "search_revisit_s",
            "track_update_s",
            "max_range_m",
            "az_limits_deg",
        ]
    ),
    bad_values,
)
def test_bad_radar_parameters_raise_parameter_error(field, value):
    if field == "max_range_m" and value == math.inf:
        return  # inf means no limit
    with pytest.raises(ParameterError) as err:
        Radar("bad", 0.0, 0.0, 0.0, **{**BASE, field: value})
    assert err.value.name == field


@SETTINGS
@given(st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not -90 <= x <= 90))
def test_bad_latitude(lat):
    with pytest.raises(ParameterError):
        Radar("bad", lat, 0.0, 0.0, **BASE)
