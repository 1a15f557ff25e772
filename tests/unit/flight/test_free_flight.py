"""Free flight from burnout (openbmd.flight.free_flight.ballistic_flight).

Over a spherical, non-rotating Earth in vacuum the front door uses the closed forms of
Bate, Mueller & White ch. 6; the numerical path (the batched propagator) must give the
same flight there, and the physics it adds elsewhere (Earth rotation, drag) must move
the range in the known direction.
"""

import itertools
import math

import pytest

from openbmd.constants import MEAN_EARTH_RADIUS_M
from openbmd.errors import ParameterError
from openbmd.flight.free_flight import _numerical, ballistic_flight

BURNOUTS = [(7000.0, 30.0, 0.0), (5000.0, 40.0, 80e3), (3000.0, 45.0, 150e3)]


def _forced_numerical(speed, angle_deg, alt_m):
    """The numerical path on the closed form's own model: sphere, no rotation, no drag."""
    return _numerical(
        speed, angle_deg, alt_m, True, MEAN_EARTH_RADIUS_M, False, False, 1e4, 0.0, 90.0
    )


@pytest.mark.parametrize(("speed", "angle_deg", "alt_m"), BURNOUTS)
def test_closed_form_and_numerical_paths_agree(speed, angle_deg, alt_m):
    """Both describe the same Keplerian arc. The propagator puts the impact state within
    0.1 mm of the surface and its dense output is good to millimetres in 60 s vacuum
    steps, so 0.1 m in range and apogee, 1 ms in time and 1 mm/s in speed are generous;
    the range from an impact located only on the cubic interpolant was 1.4 m off."""
    closed = ballistic_flight(speed, angle_deg, alt_m, spherical=True, rotation=False, drag=False)
    numeric = _forced_numerical(speed, angle_deg, alt_m)
    assert closed.method == "closed-form"
    assert numeric.method == "numerical"
    assert numeric.range_m == pytest.approx(closed.range_m, abs=0.1), "range [m]"
    assert numeric.range_angle_rad == pytest.approx(
        closed.range_angle_rad, abs=0.1 / MEAN_EARTH_RADIUS_M
    ), "range angle [rad]"
    assert numeric.time_of_flight_s == pytest.approx(closed.time_of_flight_s, abs=1e-3), (
        "time of flight [s]"
    )
    assert numeric.apogee_alt_m == pytest.approx(closed.apogee_alt_m, abs=0.1), "apogee [m]"
    assert numeric.impact_speed_m_s == pytest.approx(closed.impact_speed_m_s, abs=1e-3), (
        "impact speed [m/s]"
    )


def test_any_extra_physics_selects_the_numerical_path():
    for kwargs in (
        {"spherical": True, "rotation": True, "drag": False},
        {"spherical": True, "rotation": False, "drag": True},
        {"spherical": False, "rotation": False, "drag": False},
    ):
        assert ballistic_flight(3000.0, 45.0, 100e3, **kwargs).method == "numerical", kwargs


@pytest.mark.parametrize("spherical", [True, False], ids=["sphere", "wgs84"])
@pytest.mark.parametrize("lat_deg", [0.0, 30.0])
def test_earth_rotation_lengthens_eastward_and_shortens_westward_flights(spherical, lat_deg):
    """With the burnout speed given relative to the ground, an eastward launch carries the
    Earth's surface speed (465 m/s at the equator) on top, a westward one loses it; the
    ground range grows or shrinks accordingly (here by about 5 %)."""

    def rng(rotation, azimuth_deg):
        return ballistic_flight(
            5000.0,
            40.0,
            0.0,
            spherical=spherical,
            rotation=rotation,
            drag=False,
            burnout_lat_deg=lat_deg,
            azimuth_deg=azimuth_deg,
        ).range_m

    still = rng(False, 90.0)
    east, west = rng(True, 90.0), rng(True, 270.0)
    assert east > 1.02 * still, f"eastward {east:.0f} m vs non-rotating {still:.0f} m"
    assert west < 0.98 * still, f"westward {west:.0f} m vs non-rotating {still:.0f} m"


def test_drag_shortens_the_range_and_more_so_for_blunter_vehicles():
    """Burnout at 80 km: drag acts at re-entry; a lower ballistic coefficient
    beta = m / (Cd A) (kg/m^2) loses more range and arrives slower."""
    vacuum = ballistic_flight(5000.0, 40.0, 80e3, rotation=False, drag=False)
    flights = [
        ballistic_flight(
            5000.0, 40.0, 80e3, rotation=False, drag=True, ballistic_coefficient_kg_m2=beta
        )
        for beta in (50000.0, 5000.0, 500.0)
    ]
    ranges = [vacuum.range_m] + [f.range_m for f in flights]
    speeds = [vacuum.impact_speed_m_s] + [f.impact_speed_m_s for f in flights]
    assert all(a > b for a, b in itertools.pairwise(ranges)), ranges
    assert all(a > b for a, b in itertools.pairwise(speeds)), speeds
    # drag acts only in the last tens of seconds of a ~1000 s flight: it costs metres to
    # kilometres of a 3350 km range, never a large fraction of it
    assert ranges[-1] > 0.99 * vacuum.range_m, ranges


@pytest.mark.parametrize(
    ("args", "kwargs", "name"),
    [
        ((0.0, 40.0), {}, "burnout_speed_m_s"),
        ((-100.0, 40.0), {}, "burnout_speed_m_s"),
        ((math.nan, 40.0), {}, "burnout_speed_m_s"),
        ((3000.0, 0.0), {}, "burnout_angle_deg"),
        ((3000.0, 90.0), {}, "burnout_angle_deg"),
        ((3000.0, -10.0), {}, "burnout_angle_deg"),
        ((3000.0, 95.0), {}, "burnout_angle_deg"),
        ((3000.0, math.nan), {}, "burnout_angle_deg"),
        ((3000.0, 40.0, -1.0), {}, "burnout_alt_m"),
        ((3000.0, 40.0, math.nan), {}, "burnout_alt_m"),
        ((3000.0, 40.0), {"burnout_lat_deg": 91.0}, "burnout_lat_deg"),
        ((3000.0, 40.0), {"ballistic_coefficient_kg_m2": 0.0}, "ballistic_coefficient_kg_m2"),
        ((3000.0, 40.0), {"ballistic_coefficient_kg_m2": math.nan}, "ballistic_coefficient_kg_m2"),
        ((3000.0, 40.0), {"earth_radius_m": -1.0}, "earth_radius_m"),
    ],
)
def test_bad_input_raises_parameter_error_naming_the_parameter(args, kwargs, name):
    with pytest.raises(ParameterError) as err:
        ballistic_flight(*args, **kwargs)
    assert err.value.name == name
    assert name in str(err.value)


def test_flat_closed_form_trajectory_that_stays_in_orbit_is_rejected():
    with pytest.raises(ParameterError) as err:
        ballistic_flight(7800.0, 2.0, 300e3, spherical=True, rotation=False, drag=False)
    assert err.value.name == "burnout_angle_deg"


def test_numerical_flight_that_does_not_come_back_is_rejected():
    """A near-circular orbit does not impact within the 2 h limit of the numerical path."""
    with pytest.raises(ParameterError) as err:
        ballistic_flight(7700.0, 0.5, 300e3, rotation=True, drag=False, azimuth_deg=90.0)
    assert err.value.name == "burnout_speed_m_s"
