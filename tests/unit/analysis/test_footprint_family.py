"""Reference trajectory families: blended, rotated profiles against solved trajectories."""

from __future__ import annotations

import math

import numpy as np
import pytest

from openbmd.analysis import footprint_kernels as fk
from openbmd.analysis.footprint_blocks import threat_geometry
from openbmd.analysis.footprint_family import blend, build_family
from openbmd.errors import ParameterError
from openbmd.threats import get_missile, solve_trajectory

LAUNCH = (39.5, 126.3)  # centre of japan-2018's launch box
#: Aim points east, south-east and north of it (Tokyo, Hagi, the Sea of Japan).
AIMS = np.array([(35.69, 139.69), (34.46, 131.57), (42.0, 128.5)])


@pytest.fixture(scope="module")
def family():
    mrbm = get_missile("mrbm")
    rng, brg, _ = threat_geometry(
        np.full(3, LAUNCH[0]), np.full(3, LAUNCH[1]), AIMS[:, 0], AIMS[:, 1]
    )
    return mrbm, build_family(
        mrbm, *LAUNCH, bearings_rad=brg, range_lo_m=rng.min(), range_hi_m=rng.max()
    )


def test_families_cover_the_bearings_in_even_steps(family):
    _, fam = family
    steps = np.diff(fam.bearing_rad)
    assert not fam.periodic and np.allclose(steps, steps[0])
    assert math.degrees(steps[0]) <= 30.0
    assert np.all(np.diff(fam.range_m, axis=1) > 0), "ranges increase along the members"
    assert np.all(np.diff(fam.range_m, axis=1) < 60e3), "members about 40 km apart"


def test_blended_trajectories_follow_solved_ones(family):
    """Position within 3 km and velocity within 150 m/s at every sample, time of flight
    within 1.5 s: the planar-profile approximation (Earth rotation kept through the
    bearing families and the cross-track angle)."""
    mrbm, fam = family
    lat0, lon0 = np.full(3, LAUNCH[0]), np.full(3, LAUNCH[1])
    rng, brg, geometry = threat_geometry(lat0, lon0, AIMS[:, 0], AIMS[:, 1])
    index, weight = blend(fam, rng, brg)
    assert np.all(index[:, 0] >= 0)
    time_s = np.arange(0.0, 900.0, 2.0)
    r = np.empty((3, time_s.size, 3))
    v = np.empty_like(r)
    fk.place_kernel(fam.profile, index, weight, geometry, np.zeros(3), time_s, r, v)
    for i, (lat1, lon1) in enumerate(AIMS):
        traj = solve_trajectory(mrbm, *LAUNCH, lat1, lon1)
        truth = traj.sample(2.0)
        n = min(truth.time_s.size, int(np.isfinite(r[i, :, 0]).sum()))
        assert n > 100
        dr = np.linalg.norm(truth.r_ecef_m[:n] - r[i, :n], axis=1)
        dv = np.linalg.norm(truth.v_ecef_m_s[:n] - v[i, :n], axis=1)
        assert dr.max() < 3e3, (i, dr.max())
        assert dv.max() < 150.0, (i, dv.max())
        assert np.median(dr) < 1e3
        tof = float(traj.flight.time_of_flight_s[0])
        assert weight[i, 3] == pytest.approx(tof, abs=1.5)


def test_out_of_reach_and_bad_shapes(family):
    mrbm, fam = family
    index, weight = blend(fam, np.array([5_000e3, 1.0]), np.array([1.9, 1.9]))
    assert np.all(index == -1) and np.all(weight[:, 3] == 0.0)
    with pytest.raises(ParameterError, match="apogee_km"):
        build_family(
            mrbm,
            *LAUNCH,
            bearings_rad=np.array([1.0]),
            range_lo_m=5e5,
            range_hi_m=6e5,
            shape="apogee",
        )


def test_lofted_family_keeps_its_apogee():
    """Shaped families solve the kick for the shape at each cut-off: a 500 km apogee."""
    mrbm = get_missile("mrbm")
    fam = build_family(
        mrbm,
        *LAUNCH,
        bearings_rad=np.array([1.9]),
        range_lo_m=400e3,
        range_hi_m=700e3,
        shape="apogee",
        shape_parameter={"apogee_km": 500.0},
    )
    apogee = fam.profile[..., 2].max(axis=2)
    assert np.all(np.abs(apogee - 500e3) < 10e3), apogee / 1e3
