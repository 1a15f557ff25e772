"""Space-based infrared early warning: visibility, first sight, cues and their errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from openbmd.errors import ParameterError
from openbmd.flight.propagate import Samples
from openbmd.geodesy import ecef_to_geodetic, geodesic_inverse, geodetic_to_ecef
from openbmd.sensors.early_warning import (
    GEO_RADIUS_M,
    Cues,
    IRConstellation,
    early_warning_cues,
    early_warning_names,
    first_sight_time_s,
    get_early_warning,
    line_of_sight_clear,
)
from openbmd.threats import get_missile, solve_trajectory

#: Generic MRBM from the Korean peninsula toward central Japan (the project's demo case).
LAUNCH = (39.0, 125.7)
AIM = (35.7, 139.7)
STEP_S = 1.0


@pytest.fixture(scope="module")
def mrbm():
    traj = solve_trajectory(get_missile("mrbm"), *LAUNCH, *AIM)
    samples = traj.sample(STEP_S)
    f = traj.flight
    return traj, samples, f.plan.launch_time_s, f.burnout_time_s


def _tile(samples: Samples, n: int) -> Samples:
    """``n`` copies of a one-object sample set (same truth, independent report errors)."""
    m = samples.time_s.size
    return Samples(
        offsets=np.arange(n + 1) * m,
        time_s=np.tile(samples.time_s, n),
        r_ecef_m=np.tile(samples.r_ecef_m, (n, 1)),
        v_ecef_m_s=np.tile(samples.v_ecef_m_s, (n, 1)),
    )


def test_catalog_entry_has_a_source_for_every_parameter():
    assert early_warning_names() == ["ir-geo"]
    ew = get_early_warning("ir-geo")
    assert ew.size == 4
    for key in (
        "satellite_longitudes_deg",
        "cloud_top_alt_km",
        "grazing_alt_km",
        "reporting_latency_s",
        "launch_point_sigma_km",
        "launch_azimuth_sigma_deg",
        "launch_time_sigma_s",
    ):
        assert len(ew.sources[key]) > 20, f"{key} has no source"
    assert 10e3 <= ew.cloud_top_alt_m <= 15e3
    radius = np.linalg.norm(ew.position_ecef_m, axis=1)
    np.testing.assert_allclose(radius, 42_164e3, atol=1e3)  # published GEO radius, km
    np.testing.assert_allclose(ew.position_ecef_m[:, 2], 0.0)


def test_unknown_system_and_bad_override():
    with pytest.raises(ParameterError, match="early_warning"):
        get_early_warning("nope")
    with pytest.raises(ParameterError, match="override"):
        get_early_warning("ir-geo", not_a_field=1.0)
    with pytest.raises(ParameterError, match="reporting_latency_s"):
        get_early_warning("ir-geo", reporting_latency_s=-1.0)
    assert get_early_warning("ir-geo", reporting_latency_s=5.0).reporting_latency_s == 5.0


def test_geo_limb_geometry():
    """From GEO the ground is visible to a central angle of arccos(a / r) = 81.3 deg."""
    sat = IRConstellation.geostationary([0.0]).position_ecef_m
    limb = math.degrees(math.acos(6378137.0 / GEO_RADIUS_M))
    assert limb == pytest.approx(81.30, abs=0.01)
    lon = np.array([limb - 0.05, limb + 0.05, -(limb - 0.05), 0.0, 120.0])
    ground = geodetic_to_ecef(0.0, lon, 1.0)
    clear = line_of_sight_clear(sat, ground, 0.0)
    assert clear.tolist() == [[True, False, True, True, False]]
    # a grazing margin pulls the visible ground in
    assert not line_of_sight_clear(sat, geodetic_to_ecef(0.0, 78.0, 1.0), 12e3)[0, 0]
    # a target high enough is seen over the limb
    assert line_of_sight_clear(sat, geodetic_to_ecef(0.0, 84.0, 400e3), 12e3)[0, 0]


def test_line_of_sight_is_symmetric_and_batched():
    rng = np.random.default_rng(3)
    a = geodetic_to_ecef(rng.uniform(-80, 80, 7), rng.uniform(-180, 180, 7), 800e3)
    b = geodetic_to_ecef(rng.uniform(-80, 80, 5), rng.uniform(-180, 180, 5), 200e3)
    ab = line_of_sight_clear(a, b, 10e3)
    assert ab.shape == (7, 5)
    np.testing.assert_array_equal(ab, line_of_sight_clear(b, a, 10e3).T)
    for i in range(7):
        for j in range(5):
            assert ab[i, j] == line_of_sight_clear(a[i], b[j], 10e3)[0, 0]


def test_pacific_satellite_sees_the_launch_when_it_clears_the_clouds(mrbm):
    _, samples, t_launch, t_burnout = mrbm
    ew = get_early_warning("ir-geo")
    first = first_sight_time_s(ew, samples, t_launch, t_burnout)
    ids = list(ew.satellite_ids)
    t, r, _ = samples.of(0)
    alt = np.asarray(ecef_to_geodetic(r)[2])
    above = t[np.argmax(alt > ew.cloud_top_alt_m)]
    # seen at the first sample above the cloud tops (both satellites in view of Korea)
    assert first[ids.index("geo-pacific"), 0] == pytest.approx(above)
    assert first[ids.index("geo-indian"), 0] == pytest.approx(above)
    # about half a minute after launch for a liquid MRBM, well before burnout (~70 s)
    assert 20.0 < above - t_launch[0] < t_burnout[0]
    # the satellites over the Atlantic and the Americas are on the far side of the Earth
    assert np.isnan(first[ids.index("geo-atlantic"), 0])
    assert np.isnan(first[ids.index("geo-americas"), 0])


def test_far_side_satellite_alone_reports_nothing(mrbm):
    _, samples, t_launch, t_burnout = mrbm
    ew = IRConstellation.geostationary([-60.0], name="far")
    cues = early_warning_cues(ew, samples, t_launch, t_burnout, seed=0)
    assert len(cues) == 0
    assert cues.satellite_id.shape == (0,)


def test_no_cue_outside_powered_flight_or_below_the_clouds(mrbm):
    _, samples, t_launch, t_burnout = mrbm
    ew = get_early_warning("ir-geo")
    # burnout at 10 s: still below the clouds, so never seen (the coast is not powered)
    assert np.all(np.isnan(first_sight_time_s(ew, samples, t_launch, 10.0)))
    # a cloud top above the burnout altitude hides the whole boost
    high = ew.with_overrides(cloud_top_alt_m=60e3, grazing_alt_m=12e3)
    assert np.all(np.isnan(first_sight_time_s(high, samples, t_launch, t_burnout)))


def test_cue_latency_and_truth_without_errors(mrbm):
    traj, samples, t_launch, t_burnout = mrbm
    ew = get_early_warning(
        "ir-geo", launch_point_sigma_m=0.0, launch_azimuth_sigma_deg=0.0, launch_time_sigma_s=0.0
    )
    cues = early_warning_cues(ew, samples, t_launch, t_burnout, seed=1)
    assert isinstance(cues, Cues)
    assert sorted(cues.satellite_id.tolist()) == ["geo-indian", "geo-pacific"]
    np.testing.assert_allclose(cues.report_time_s - cues.first_sight_time_s, 30.0)
    np.testing.assert_allclose(cues.launch_time_s, t_launch[0])
    np.testing.assert_allclose(cues.launch_lat_deg, LAUNCH[0], atol=1e-6)
    np.testing.assert_allclose(cues.launch_lon_deg, LAUNCH[1], atol=1e-6)
    # ground-track heading to burnout: within a degree of the solved launch azimuth
    assert abs(cues.launch_azimuth_deg[0] - math.degrees(traj.azimuth_rad)) < 1.0
    given = early_warning_cues(ew, samples, t_launch, t_burnout, launch_azimuth_deg=77.0)
    np.testing.assert_allclose(given.launch_azimuth_deg, 77.0)
    first = cues.first_per_object()
    assert len(first) == 1 and first.object_index.tolist() == [0]
    rec = cues.records()[0]
    assert set(rec) >= {"object_index", "satellite_id", "report_time_s", "launch_lat_deg"}


def test_error_statistics_follow_the_catalog_sigmas(mrbm):
    _, samples, t_launch, t_burnout = mrbm
    n = 1500
    many = _tile(samples, n)
    ew = get_early_warning("ir-geo")
    cues = early_warning_cues(ew, many, t_launch[0], t_burnout[0], seed=42)
    assert len(cues) == 2 * n  # two satellites see every copy
    assert np.all(np.diff(cues.report_time_s) >= 0.0)
    dt = cues.launch_time_s - t_launch[0]
    dist, _, _ = geodesic_inverse(LAUNCH[0], LAUNCH[1], cues.launch_lat_deg, cues.launch_lon_deg)
    daz = (cues.launch_azimuth_deg - np.median(cues.launch_azimuth_deg) + 180.0) % 360.0 - 180.0
    # 3000 draws: the sample standard deviation is within ~4 % (3 sigma) of the truth
    assert np.std(dt) == pytest.approx(ew.launch_time_sigma_s, rel=0.06)
    assert abs(np.mean(dt)) < 0.2
    # radial error of a 2-D Gaussian of sigma s per axis: rms sqrt(2) s
    rms = math.sqrt(np.mean(np.asarray(dist) ** 2))
    assert rms == pytest.approx(math.sqrt(2.0) * ew.launch_point_sigma_m, rel=0.06)
    assert np.std(daz) == pytest.approx(ew.launch_azimuth_sigma_deg, rel=0.06)
    again = early_warning_cues(ew, many, t_launch[0], t_burnout[0], seed=42)
    np.testing.assert_array_equal(again.launch_lat_deg, cues.launch_lat_deg)
    other = early_warning_cues(ew, many, t_launch[0], t_burnout[0], seed=43)
    assert not np.array_equal(other.launch_lat_deg, cues.launch_lat_deg)


def test_bad_inputs(mrbm):
    _, samples, t_launch, _ = mrbm
    ew = get_early_warning()
    with pytest.raises(ParameterError, match="burnout_time_s"):
        first_sight_time_s(ew, samples, t_launch, -1.0)
    with pytest.raises(ParameterError, match="satellite_ids"):
        IRConstellation("x", ("a", "b"), np.array([[GEO_RADIUS_M, 0.0, 0.0]]))
    with pytest.raises(ParameterError, match="position_ecef_m"):
        IRConstellation("x", ("a",), np.array([[1e6, 0.0, 0.0]]))
