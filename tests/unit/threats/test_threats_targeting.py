"""solve_trajectory: every class and shape lands on the aim point with drag, J2 and rotation.

Impacts are checked with PROJ's geodesic code (pyproj.Geod), independent of openbmd's
geodesy. Solutions are cached per module: an ICBM solve takes about half a second.
"""

import math
import re
from functools import cache

import numpy as np
import pytest
from pyproj import Geod

from openbmd.constants import WGS84_OMEGA_RAD_S
from openbmd.errors import ParameterError, UnreachableError
from openbmd.geodesy import geodetic_to_ecef
from openbmd.threats import get_missile, max_range, solve_trajectory

GEOD = Geod(ellps="WGS84")
MISS_TOL_M = 100.0

# Launch point, launch-to-aim azimuth (deg), distance (km) and shape targets per class:
# a lofted apogee, a depressed burnout angle and a lofted time of flight, each well away
# from the min-energy values (srbm ~80 km / 45 deg / 316 s, mrbm ~255 km / 41 deg / 546 s,
# irbm ~620 km / 34 deg / 967 s, icbm ~1030 km / 21 deg / 1720 s).
GEOMETRY = {
    "srbm": {
        "launch": (35.0, 20.0),
        "azimuth_deg": 120.0,
        "distance_km": 250.0,
        "apogee_km": 105.0,
        "burnout_angle_deg": 37.0,
        "time_of_flight_s": 360.0,
    },
    "mrbm": {
        "launch": (40.0, 10.0),
        "azimuth_deg": 60.0,
        "distance_km": 1000.0,
        "apogee_km": 330.0,
        "burnout_angle_deg": 34.0,
        "time_of_flight_s": 620.0,
    },
    "irbm": {
        "launch": (-20.0, 140.0),
        "azimuth_deg": 300.0,
        "distance_km": 3000.0,
        "apogee_km": 800.0,
        "burnout_angle_deg": 27.0,
        "time_of_flight_s": 1100.0,
    },
    "icbm": {
        "launch": (55.0, -100.0),
        "azimuth_deg": 30.0,
        "distance_km": 8000.0,
        "apogee_km": 1340.0,
        "burnout_angle_deg": 16.0,
        "time_of_flight_s": 1950.0,
    },
}
CLASSES = tuple(GEOMETRY)
SHAPE_PARAMETER = {
    "apogee": "apogee_km",
    "burnout-angle": "burnout_angle_deg",
    "time-of-flight": "time_of_flight_s",
}
SHAPES = ("min-energy", *SHAPE_PARAMETER)


def _aim(name):
    g = GEOMETRY[name]
    lat0, lon0 = g["launch"]
    lon1, lat1, _ = GEOD.fwd(lon0, lat0, g["azimuth_deg"], g["distance_km"] * 1e3)
    return lat0, lon0, float(lat1), float(lon1)


@cache
def _solve(name, shape):
    lat0, lon0, lat1, lon1 = _aim(name)
    kwargs = {}
    if shape in SHAPE_PARAMETER:
        key = SHAPE_PARAMETER[shape]
        kwargs[key] = GEOMETRY[name][key]
    return solve_trajectory(get_missile(name), lat0, lon0, lat1, lon1, shape, **kwargs)


def _shape_value(traj, shape):
    f = traj.flight
    if shape == "apogee":
        return float(f.apogee_alt_m[0]) / 1e3
    if shape == "burnout-angle":
        return math.degrees(float(f.burnout_angle_rad[0]))
    return float(f.time_of_flight_s[0])


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", CLASSES)
def test_impact_on_the_aim_point(name, shape):
    traj = _solve(name, shape)
    _, _, lat1, lon1 = _aim(name)
    f = traj.flight
    assert bool(f.impacted[0]), "the re-entry vehicle must reach the ground"
    _, _, miss_m = GEOD.inv(float(f.impact_lon_deg[0]), float(f.impact_lat_deg[0]), lon1, lat1)
    assert miss_m < MISS_TOL_M, (
        f"{name} {shape}: impact {miss_m:.1f} m from the aim point (PROJ geodesic); the "
        f"solver must land within {MISS_TOL_M:g} m with drag, J2 and Earth rotation"
    )
    assert traj.impact_miss_m == pytest.approx(miss_m, abs=0.01), (
        "the reported miss distance must be the geodesic impact-to-aim distance"
    )
    assert traj.shape == shape and traj.missile.name == name


@pytest.mark.parametrize("shape", tuple(SHAPE_PARAMETER))
@pytest.mark.parametrize("name", CLASSES)
def test_shape_parameter_achieved(name, shape):
    tolerance = {"apogee": 1.0, "burnout-angle": 0.1, "time-of-flight": 2.0}[shape]
    unit = {"apogee": "km", "burnout-angle": "deg", "time-of-flight": "s"}[shape]
    wanted = GEOMETRY[name][SHAPE_PARAMETER[shape]]
    got = _shape_value(_solve(name, shape), shape)
    assert abs(got - wanted) <= tolerance, (
        f"{name} {shape}: asked for {wanted} {unit}, flew {got:.3f} {unit} "
        f"(tolerance {tolerance} {unit})"
    )


@pytest.mark.parametrize("name", CLASSES)
def test_test_shapes_are_lofted_and_depressed(name):
    """Guard on the test data: the shaped targets really are off the min-energy shape."""
    me = _solve(name, "min-energy")
    assert _shape_value(_solve(name, "apogee"), "apogee") > 1.2 * _shape_value(me, "apogee")
    assert (
        _shape_value(me, "burnout-angle")
        - _shape_value(_solve(name, "burnout-angle"), "burnout-angle")
        > 4.0
    )
    assert _shape_value(_solve(name, "time-of-flight"), "time-of-flight") > 1.05 * (
        _shape_value(me, "time-of-flight")
    )


@pytest.mark.parametrize("shape", tuple(SHAPE_PARAMETER))
@pytest.mark.parametrize("name", CLASSES)
def test_min_energy_burns_the_least_propellant(name, shape):
    me = _solve(name, "min-energy")
    other = _solve(name, shape)
    assert me.cutoff_s < other.cutoff_s, (
        f"{name}: the min-energy trajectory must cut off thrust earlier (less propellant) "
        f"than the {shape} one to the same aim; got {me.cutoff_s:.3f} s against "
        f"{other.cutoff_s:.3f} s"
    )
    assert me.cutoff_s <= me.missile.total_burn_time_s


@pytest.mark.parametrize("name", CLASSES)
def test_lofted_trajectory_flies_longer(name):
    me = _solve(name, "min-energy").flight
    lofted = _solve(name, "apogee").flight
    assert lofted.apogee_alt_m[0] > me.apogee_alt_m[0]
    assert lofted.time_of_flight_s[0] > me.time_of_flight_s[0] + 10.0, (
        f"{name}: a higher apogee to the same aim must take longer; lofted "
        f"{lofted.time_of_flight_s[0]:.1f} s, min-energy {me.time_of_flight_s[0]:.1f} s"
    )
    depressed = _solve(name, "burnout-angle").flight
    assert depressed.apogee_alt_m[0] < me.apogee_alt_m[0]
    assert depressed.time_of_flight_s[0] < me.time_of_flight_s[0]


@pytest.mark.parametrize("name", CLASSES)
def test_summary_is_finite_and_consistent(name):
    traj = _solve(name, "min-energy")
    s = traj.summary()
    expected_keys = {
        "ground_range_km",
        "apogee_alt_km",
        "time_of_flight_s",
        "burnout_speed_m_s",
        "burnout_angle_deg",
        "burnout_time_s",
        "burnout_alt_km",
        "impact_miss_m",
        "reentry_speed_m_s",
        "launch_azimuth_deg",
    }
    assert set(s) == expected_keys
    for key, value in s.items():
        if key == "reentry_speed_m_s" and s["apogee_alt_km"] < 100.0:
            assert math.isnan(value), "no 100 km re-entry crossing below a 100 km apogee"
            continue
        assert math.isfinite(value), f"{name}: summary[{key!r}] = {value}"
    assert s["ground_range_km"] == pytest.approx(GEOMETRY[name]["distance_km"], abs=0.1)
    assert s["burnout_time_s"] == pytest.approx(traj.cutoff_s, abs=1e-6)
    assert 0.0 <= s["launch_azimuth_deg"] < 360.0
    # The launch azimuth differs from the geodesic bearing to the aim because the Earth
    # turns under the flight: by about the angle it turns in the time of flight (7 deg
    # for the ICBM's 29 min); 1.5 times that angle bounds it.
    bearing = GEOMETRY[name]["azimuth_deg"]
    turn_deg = math.degrees(WGS84_OMEGA_RAD_S * s["time_of_flight_s"])
    off_deg = abs((s["launch_azimuth_deg"] - bearing + 180.0) % 360.0 - 180.0)
    assert off_deg < 1.5 * turn_deg, (
        f"{name}: launch azimuth {off_deg:.2f} deg off the bearing to the aim; the Earth "
        f"turns only {turn_deg:.2f} deg during the flight"
    )


def test_srbm_apogee_below_100_km_has_no_reentry_speed():
    s = _solve("srbm", "min-energy").summary()
    assert s["apogee_alt_km"] < 100.0
    assert math.isnan(s["reentry_speed_m_s"])


def test_reentry_speed_of_a_long_range_flight():
    s = _solve("icbm", "min-energy").summary()
    # energy: re-entry at 100 km on the way down is faster than burnout at ~200 km
    assert s["burnout_speed_m_s"] < s["reentry_speed_m_s"] < 8000.0


def test_sample_runs_from_launch_to_impact():
    traj = _solve("mrbm", "min-energy")
    t, r, v = traj.sample(step_s=5.0).of(0)
    tof = float(traj.flight.time_of_flight_s[0])
    assert t[0] == 0.0 and np.all(np.diff(t) == pytest.approx(5.0))
    assert tof - 5.0 < t[-1] <= tof
    lat0, lon0, _, _ = _aim("mrbm")
    assert np.linalg.norm(r[0] - geodetic_to_ecef(lat0, lon0, 0.0)) < 1e-6
    assert np.linalg.norm(v[0]) < 1e-9, "the missile starts at rest on the rotating Earth"


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["srbm", "mrbm"])
def test_aim_beyond_reach_states_the_reach(name):
    m = get_missile(name)
    lat0, lon0 = 40.0, 10.0
    lon1, lat1, _ = GEOD.fwd(lon0, lat0, 90.0, 2.0 * m.nominal_range_km * 1e3)
    with pytest.raises(UnreachableError) as err:
        solve_trajectory(m, lat0, lon0, lat1, lon1)
    message = str(err.value)
    found = re.search(r"at most ([\d,]+) km", message)
    assert found, f"the message must state the reachable range in km: {message}"
    stated_km = float(found.group(1).replace(",", ""))
    # for these short flights the launch azimuth of the eastward reach is within a degree
    # of east, where the range is flat in azimuth: max_range at 90 deg agrees to 1 km
    reach_m, _ = max_range(m, lat0, lon0, 90.0)
    assert stated_km == pytest.approx(reach_m / 1e3, abs=1.0), (
        "the stated reach must be the maximum range toward the aim"
    )
    assert f"{2 * m.nominal_range_km:,.0f} km" in message, "and the aim distance"


def _stated_reach_km(missile, lat0, lon0, azimuth_deg):
    lon1, lat1, _ = GEOD.fwd(lon0, lat0, azimuth_deg, 1.4 * missile.nominal_range_km * 1e3)
    with pytest.raises(UnreachableError) as err:
        solve_trajectory(missile, lat0, lon0, lat1, lon1)
    found = re.search(r"at most ([\d,]+) km", str(err.value))
    assert found, str(err.value)
    return float(found.group(1).replace(",", ""))


@pytest.mark.parametrize(
    ("name", "lat0", "azimuth_deg"),
    [("icbm", 40.0, 0.0), ("icbm", 40.0, 90.0), ("irbm", -30.0, 200.0)],
)
def test_stated_reach_is_the_boundary(name, lat0, azimuth_deg):
    """Just inside the stated reach is hit; just outside is unreachable, never a failure.

    With rotation the launch azimuth that lands on a bearing differs from it (by degrees
    for an ICBM flying north from 40 N), and so does the reach along that bearing.
    """
    m = get_missile(name)
    reach_km = _stated_reach_km(m, lat0, 0.0, azimuth_deg)
    lon1, lat1, _ = GEOD.fwd(0.0, lat0, azimuth_deg, (reach_km - 15.0) * 1e3)
    traj = solve_trajectory(m, lat0, 0.0, lat1, lon1)
    assert traj.impact_miss_m < MISS_TOL_M, (
        f"{name}: an aim 15 km inside the stated reach of {reach_km:,.0f} km must be hit"
    )
    lon1, lat1, _ = GEOD.fwd(0.0, lat0, azimuth_deg, (reach_km + 15.0) * 1e3)
    with pytest.raises(UnreachableError, match="at most"):
        solve_trajectory(m, lat0, 0.0, lat1, lon1)


def test_unreachable_shape_is_an_unreachable_error():
    lat0, lon0, lat1, lon1 = _aim("mrbm")
    with pytest.raises(UnreachableError, match="needs more energy"):
        solve_trajectory(get_missile("mrbm"), lat0, lon0, lat1, lon1, "apogee", apogee_km=2000)


@pytest.mark.parametrize("aim_offset_deg", [0.0, 0.005])
def test_aim_too_close_is_a_parameter_error(aim_offset_deg):
    with pytest.raises(ParameterError, match=r"'aim'.*at least 1 km"):
        solve_trajectory(get_missile("srbm"), 40.0, 10.0, 40.0, 10.0 + aim_offset_deg)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((90.5, 10.0, 40.0, 11.0), "launch_lat_deg"),
        ((-91.0, 10.0, 40.0, 11.0), "launch_lat_deg"),
        ((40.0, 10.0, 95.0, 11.0), "aim_lat_deg"),
        ((40.0, 10.0, -90.01, 11.0), "aim_lat_deg"),
        ((40.0, 10.0, math.nan, 11.0), "aim_lat_deg"),
        ((40.0, 400.0, 40.0, 11.0), "launch_lon_deg"),
    ],
)
def test_coordinates_out_of_range(args, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        solve_trajectory(get_missile("srbm"), *args)


@pytest.mark.parametrize(
    ("shape", "kwargs", "name"),
    [
        ("apogee", {}, "apogee_km"),
        ("burnout-angle", {}, "burnout_angle_deg"),
        ("time-of-flight", {}, "time_of_flight_s"),
        ("burnout-angle", {"burnout_angle_deg": 90.0}, "burnout_angle_deg"),
        ("apogee", {"apogee_km": -5.0}, "apogee_km"),
        ("lofted", {}, "shape"),
    ],
)
def test_shape_parameters_checked(shape, kwargs, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        solve_trajectory(get_missile("srbm"), 40.0, 10.0, 41.0, 11.0, shape, **kwargs)
