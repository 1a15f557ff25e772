"""fly(): batches of launches and the figures measured on them."""

import math

import numpy as np
import pytest
from pyproj import Geod

from openbmd.flight.propagate import EarthModel
from openbmd.threats import fly, get_missile
from openbmd.threats.flights import REENTRY_ALT_M

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def mrbm_batch():
    """Six MRBM launches from 40 N 10 E: kicks and cut-offs around the longest range."""
    kicks = np.radians([30.0, 45.0, 56.0, 56.0, 56.0, 70.0])
    cuts = np.array([70.0, 70.0, 70.0, 60.0, 40.0, 70.0])
    az = np.radians(np.full(6, 60.0))
    return fly(get_missile("mrbm"), 40.0, 10.0, az, kicks, cuts), kicks, cuts


def test_batch_shapes_and_impacts(mrbm_batch):
    f, kicks, _ = mrbm_batch
    for name in (
        "impact_lat_deg",
        "impact_lon_deg",
        "ground_range_m",
        "burnout_time_s",
        "burnout_speed_m_s",
        "burnout_angle_rad",
        "apogee_alt_m",
        "time_of_flight_s",
        "reentry_speed_m_s",
        "impacted",
        "launch_lat_deg",
    ):
        assert getattr(f, name).shape == kicks.shape, name
    assert np.all(f.impacted)
    assert f.plan.size == 6


def test_ground_range_is_the_geodesic_to_the_impact(mrbm_batch):
    f, _, _ = mrbm_batch
    az12, _, dist = GEOD.inv(f.launch_lon_deg, f.launch_lat_deg, f.impact_lon_deg, f.impact_lat_deg)
    np.testing.assert_allclose(
        f.ground_range_m,
        dist,
        atol=1e-3,
        err_msg="ground range must be the WGS 84 geodesic, to 1 mm",
    )
    np.testing.assert_allclose(f.impact_azimuth_deg, np.mod(az12, 360.0), atol=1e-7)


def test_burnout_is_at_the_cutoff(mrbm_batch):
    f, _, cuts = mrbm_batch
    np.testing.assert_allclose(
        f.burnout_time_s, cuts, atol=1e-9, err_msg="burnout figures are taken at the thrust cut-off"
    )
    assert np.all(f.burnout_alt_m > 0.0) and np.all(f.burnout_speed_m_s > 0.0)
    assert np.all((f.burnout_angle_rad > 0.0) & (f.burnout_angle_rad < math.pi / 2))


def test_more_propellant_flies_farther(mrbm_batch):
    f, _, _ = mrbm_batch
    # same kick (56 deg), cut-offs 70, 60, 40 s
    assert f.ground_range_m[2] > f.ground_range_m[3] > f.ground_range_m[4]
    assert f.burnout_speed_m_s[2] > f.burnout_speed_m_s[3] > f.burnout_speed_m_s[4]


def test_steeper_kick_means_flatter_burnout(mrbm_batch):
    f, _, _ = mrbm_batch
    full = [0, 1, 2, 5]  # kicks 30, 45, 56, 70 deg at full burn
    assert np.all(np.diff(f.burnout_angle_rad[full]) < 0)
    assert np.all(np.diff(f.apogee_alt_m[full]) < 0)


def test_reentry_speed_from_energy(mrbm_batch):
    """Speed at the 100 km crossing on the way down, against the apogee and the burnout.

    Between burnout (above ~45 km, thin air) and re-entry the RV coasts almost without drag,
    so the specific energy v^2/2 - mu/r is nearly conserved: the re-entry speed must exceed
    the burnout speed minus what the climb to 100 km costs.
    """
    f, _, _ = mrbm_batch
    ok = f.apogee_alt_m > REENTRY_ALT_M
    assert np.all(np.isfinite(f.reentry_speed_m_s[ok]))
    assert np.all(f.reentry_speed_m_s[ok] < f.burnout_speed_m_s[ok] + 200.0)
    assert np.all(f.reentry_speed_m_s[ok] > 0.5 * f.burnout_speed_m_s[ok])


def test_full_burn_by_default():
    m = get_missile("srbm")
    f = fly(m, 0.0, 0.0, np.radians([90.0]), np.radians([35.0]))
    assert f.burnout_time_s[0] == pytest.approx(m.total_burn_time_s, abs=1e-9)


def test_launch_time_shifts_the_epoch_not_the_flight():
    """Without rotation the launch time only relabels the clock."""
    m = get_missile("srbm")
    earth = EarthModel.wgs84(rotation=False)
    a = fly(m, 10.0, 20.0, np.radians([45.0]), np.radians([35.0]), earth=earth)
    b = fly(m, 10.0, 20.0, np.radians([45.0]), np.radians([35.0]), earth=earth, launch_time_s=500.0)
    assert b.time_of_flight_s[0] == pytest.approx(a.time_of_flight_s[0], abs=1e-9)
    assert b.ground_range_m[0] == pytest.approx(a.ground_range_m[0], abs=1e-6)


def test_reentry_crossing_found_just_below_apogee():
    """Every flight whose apogee is above 100 km must have a 100 km re-entry crossing.

    Without drag the steps near apogee grow to tens of seconds, so many of these MRBM
    flights (apogees 100 to 105 km) have both crossings of 100 km inside one step.
    """
    kicks = np.radians(np.linspace(5.0, 80.0, 600))
    f = fly(
        get_missile("mrbm"),
        0.0,
        0.0,
        np.full(kicks.size, math.pi / 2),
        kicks,
        np.full(kicks.size, 45.0),
        earth=EarthModel.wgs84(drag=False),
    )
    near = (f.apogee_alt_m > REENTRY_ALT_M + 10.0) & (f.apogee_alt_m < REENTRY_ALT_M + 5e3)
    assert near.sum() > 20, "test set-up: enough apogees just above 100 km"
    missing = np.isnan(f.reentry_speed_m_s[near])
    assert not np.any(missing), (
        f"{missing.sum()} of {near.sum()} flights with apogees 100-105 km have no re-entry "
        f"speed, e.g. apogee {f.apogee_alt_m[near][missing][0] / 1e3:.2f} km"
    )
