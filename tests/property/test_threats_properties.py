"""Hypothesis: random launch and aim points within each class's reach are always hit.

Every solve flies with drag, J2 and Earth rotation; impacts are measured with PROJ's
geodesic code (pyproj.Geod), independent of openbmd's geodesy. Few examples: one solve
takes 0.1 to 0.5 s.
"""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from openbmd.threats import get_missile, solve_trajectory

GEOD = Geod(ellps="WGS84")
MISS_TOL_M = 100.0
# The re-entry speed is NaN by definition when the apogee is below 100 km.
NO_REENTRY_BELOW_KM = 100.0
SETTINGS = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Distances inside every class's reach in every direction: the shortest reach is westward
# at the equator (srbm 299 km, mrbm 1288 km, irbm 3628 km, icbm 8164 km).
DISTANCE_KM = {
    "srbm": (50.0, 280.0),
    "mrbm": (300.0, 1100.0),
    "irbm": (1000.0, 3400.0),
    "icbm": (3000.0, 7800.0),
}

launch_lat = st.floats(-70.0, 70.0)
launch_lon = st.floats(-180.0, 180.0)
azimuth = st.floats(0.0, 360.0, exclude_max=True)


def _check(name, lat0, lon0, az, dist_km, shape="min-energy", **kwargs):
    lon1, lat1, _ = GEOD.fwd(lon0, lat0, az, dist_km * 1e3)
    traj = solve_trajectory(get_missile(name), lat0, lon0, lat1, lon1, shape, **kwargs)
    f = traj.flight
    _, _, miss_m = GEOD.inv(float(f.impact_lon_deg[0]), float(f.impact_lat_deg[0]), lon1, lat1)
    assert miss_m < MISS_TOL_M, (
        f"{name} from ({lat0:.3f}, {lon0:.3f}) toward {az:.1f} deg, {dist_km:.1f} km: "
        f"impact {miss_m:.1f} m from the aim (allowed {MISS_TOL_M:g} m)"
    )
    summary = traj.summary()
    for key, value in summary.items():
        if key == "reentry_speed_m_s" and summary["apogee_alt_km"] < NO_REENTRY_BELOW_KM:
            continue
        assert math.isfinite(value), f"{name}: summary[{key!r}] is {value}"
    assert 0.0 < summary["burnout_time_s"] <= traj.missile.total_burn_time_s
    return traj


def _strategy(name):
    low, high = DISTANCE_KM[name]
    return st.tuples(launch_lat, launch_lon, azimuth, st.floats(low, high))


@SETTINGS
@given(_strategy("srbm"))
def test_srbm_always_lands_on_the_aim(args):
    _check("srbm", *args)


@SETTINGS
@given(_strategy("mrbm"))
def test_mrbm_always_lands_on_the_aim(args):
    _check("mrbm", *args)


@SETTINGS
@given(_strategy("irbm"))
def test_irbm_always_lands_on_the_aim(args):
    _check("irbm", *args)


@SETTINGS
@given(_strategy("icbm"))
def test_icbm_always_lands_on_the_aim(args):
    _check("icbm", *args)


@SETTINGS
@given(_strategy("mrbm"), st.floats(1.1, 1.4))
def test_mrbm_lofted_by_time_of_flight_lands_and_flies_that_long(args, stretch):
    lat0, lon0, az, dist_km = args
    # well inside the reach, so that the lofted shape has propellant to spare (near the
    # reach a 40 % longer flight needs more energy than the missile has: UnreachableError)
    dist_km = min(dist_km, 800.0)
    me = _check("mrbm", lat0, lon0, az, dist_km)
    wanted_s = stretch * float(me.flight.time_of_flight_s[0])
    lofted = _check("mrbm", lat0, lon0, az, dist_km, "time-of-flight", time_of_flight_s=wanted_s)
    got_s = float(lofted.flight.time_of_flight_s[0])
    assert abs(got_s - wanted_s) < 2.0, f"asked for {wanted_s:.1f} s, flew {got_s:.1f} s"
    assert lofted.cutoff_s > me.cutoff_s, "a lofted shape must burn more than min-energy"
