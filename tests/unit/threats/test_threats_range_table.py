"""Range tables and maximum range: structure, Earth rotation, closed-form free flight."""

import math
import re
from functools import cache

import numpy as np
import pytest

from openbmd.constants import MEAN_EARTH_RADIUS_M, WGS84_GM_M3_S2
from openbmd.errors import ParameterError
from openbmd.flight.propagate import EarthModel
from openbmd.threats import fly, get_missile, max_range, range_tables
from openbmd.threats.range_table import BURNOUT_ANGLES_DEG

AZIMUTH_ROW_KEYS = {
    "azimuth_deg",
    "max_range_km",
    "burnout_speed_m_s",
    "burnout_angle_deg",
    "apogee_alt_km",
    "time_of_flight_s",
}
UNIT_SUFFIX = re.compile(r"_(deg|km|m_s|s)$")


@cache
def _tables(name):
    return range_tables(get_missile(name))


@pytest.mark.parametrize("name", ["srbm", "icbm"])
def test_structure_and_unit_suffixes(name):
    t = _tables(name)
    assert set(t) == {"missile", "launch_lat_deg", "max_range_by_azimuth", "range_by_burnout"}
    assert t["missile"] == name and t["launch_lat_deg"] == 40.0
    rows = t["max_range_by_azimuth"]
    assert [r["azimuth_deg"] for r in rows] == [0.0, 45.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0]
    for row in rows:
        assert set(row) == AZIMUTH_ROW_KEYS
        assert all(UNIT_SUFFIX.search(k) for k in row), f"keys without unit suffix: {row}"
        assert all(isinstance(v, float) and math.isfinite(v) for v in row.values()), row
    angle_keys = [f"range_km_at_{a:g}_deg" for a in BURNOUT_ANGLES_DEG]
    for row in t["range_by_burnout"]:
        # range columns carry the unit (km) and the angle they are for (deg)
        assert list(row) == ["burnout_speed_m_s", *angle_keys]
        assert all(isinstance(v, float) and math.isfinite(v) for v in row.values()), row


@pytest.mark.parametrize("name", ["srbm", "icbm"])
def test_range_increases_with_burnout_speed_at_fixed_angle(name):
    rows = _tables(name)["range_by_burnout"]
    speeds = [r["burnout_speed_m_s"] for r in rows]
    assert len(rows) == 4 and speeds == sorted(speeds) and len(set(speeds)) == 4
    for key in rows[0]:
        if key == "burnout_speed_m_s":
            continue
        column = [r[key] for r in rows]
        assert all(np.diff(column) > 0), f"{name} {key}: range must grow with speed: {column}"


@pytest.mark.parametrize("name", ["srbm", "icbm"])
def test_burnout_speeds_span_the_class(name):
    t = _tables(name)
    fastest = max(r["burnout_speed_m_s"] for r in t["max_range_by_azimuth"])
    speeds = [r["burnout_speed_m_s"] for r in t["range_by_burnout"]]
    assert speeds[-1] == pytest.approx(fastest, abs=5.0), "top row: the class's own speed"
    assert speeds[0] == pytest.approx(0.4 * fastest, abs=5.0)


def _bmw_range_km(speed_m_s, angle_deg):
    """Free-flight range from the surface over a sphere (Bate, Mueller & White 1971, ch. 6):
    cos(Psi/2) = (1 - Q cos^2 g) / sqrt(1 + Q (Q - 2) cos^2 g), Q = v^2 R / mu."""
    q = speed_m_s**2 * MEAN_EARTH_RADIUS_M / WGS84_GM_M3_S2
    c2 = math.cos(math.radians(angle_deg)) ** 2
    psi = 2.0 * math.acos((1.0 - q * c2) / math.sqrt(1.0 + q * (q - 2.0) * c2))
    return MEAN_EARTH_RADIUS_M * psi / 1e3


@pytest.mark.parametrize("name", ["srbm", "icbm"])
def test_range_by_burnout_is_the_closed_form(name):
    for row in _tables(name)["range_by_burnout"]:
        v = row["burnout_speed_m_s"]
        for angle in BURNOUT_ANGLES_DEG:
            got = row[f"range_km_at_{angle:g}_deg"]
            assert got == pytest.approx(_bmw_range_km(v, angle), abs=1e-3), (
                f"{v} m/s at {angle} deg: the table must be BMW's free-flight range over a "
                "sphere of mean radius, to 1 m"
            )


def test_icbm_table_shows_the_earth_rotation():
    rows = {r["azimuth_deg"]: r["max_range_km"] for r in _tables("icbm")["max_range_by_azimuth"]}
    assert rows[90.0] == max(rows.values()) and rows[270.0] == min(rows.values())
    assert rows[90.0] - rows[270.0] > 2000.0, (
        "at 40 N an eastward ICBM gains ~355 m/s of ground speed over a westward one: "
        "several thousand km of range"
    )
    # the table's eastward row is the class's max_range at that azimuth
    east_m, _ = max_range(get_missile("icbm"), 40.0, 0.0, 90.0)
    assert rows[90.0] == pytest.approx(east_m / 1e3, abs=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"launch_lat_deg": 89.5}, "launch_lat_deg"), ({"azimuth_step_deg": 0.5}, "azimuth_step_deg")],
)
def test_range_table_parameters_checked(kwargs, name):
    with pytest.raises(ParameterError, match=f"'{name}'"):
        range_tables(get_missile("srbm"), **kwargs)


# --- Earth rotation ----------------------------------------------------------------------


@cache
def _equator_reach_km(name, rotation):
    m = get_missile(name)
    earth = EarthModel.wgs84(rotation=rotation)
    east, _ = max_range(m, 0.0, 0.0, 90.0, earth=earth)
    west, _ = max_range(m, 0.0, 0.0, 270.0, earth=earth)
    return east / 1e3, west / 1e3


@pytest.mark.parametrize(("name", "min_gain"), [("irbm", 0.10), ("icbm", 0.40)])
def test_eastward_launch_reaches_farther(name, min_gain):
    east, west = _equator_reach_km(name, True)
    assert east > (1.0 + min_gain) * west, (
        f"{name} at the equator: the Earth's 465 m/s surface speed must carry an eastward "
        f"launch farther than a westward one; east {east:.0f} km, west {west:.0f} km"
    )


@pytest.mark.parametrize("name", ["irbm", "icbm"])
def test_without_rotation_east_and_west_are_equal(name):
    east, west = _equator_reach_km(name, False)
    assert east == pytest.approx(west, abs=1e-3), (
        f"{name}: without rotation the equator is symmetric, so the reach east and west must "
        f"agree to 1 m; got {east:.4f} km and {west:.4f} km"
    )
    east_rot, west_rot = _equator_reach_km(name, True)
    assert west_rot < east < east_rot


@pytest.mark.parametrize("name", ["srbm", "mrbm", "irbm", "icbm"])
def test_max_range_is_the_best_kick(name):
    m = get_missile(name)
    best_m, kick = max_range(m, 40.0, 0.0, 0.0)
    assert math.radians(1.0) < kick < math.radians(80.0)
    kicks = kick * np.array([0.9, 0.97, 1.03, 1.1])
    f = fly(m, 40.0, 0.0, np.zeros(4), kicks)
    assert np.all(f.ground_range_m < best_m + 500.0), (
        f"{name}: kicks around the returned one must not fly (meaningfully) farther"
    )
