"""Published values that the generic threat classes and the targeting reproduce.

Two kinds of cases:

* **Class ranges.** Each catalog class must reach its publicly quoted nominal range
  (``nominal_range_km`` in ``openbmd/data/missiles.yaml``, with the source quoted there)
  within ±10 %. The computed figure is the maximum ground range at full burn, launched
  at 40° N toward the east, with drag and J2 but **without Earth rotation**. A quoted
  class range names no direction, while the rotation moves an ICBM's reach by more than
  ±10 % with the launch direction (11,373 km eastward against 8,383 km westward at
  40° N); over a non-rotating Earth the reach is nearly direction-free (under 0.4 %
  across azimuths at 40° N), so that is the figure a direction-free quote is compared
  with. The rotation's effect is tested separately (``tests/unit/threats``).
* **Ballistic free flight** (Bate, Mueller & White, *Fundamentals of Astrodynamics*,
  Dover, 1971, ch. 6 "Ballistic missile trajectories": the free-flight range equation, the
  time of free flight from Kepler's equation, and the conic's apogee). A trajectory is
  targeted numerically (thrust, pitch programme, staging, cut-off) over a non-rotating
  sphere of radius a = 6378.137 km without drag, along the equator; from its cut-off
  state (v, gamma, r) the closed forms give the free flight, which must match what the
  propagator flew after cut-off. Expected values are 0 (numerical minus closed form).
  The closed forms are written out below, independently of :mod:`openbmd.flight.ballistic`.
"""

from __future__ import annotations

import math
from functools import cache, partial

import numpy as np

from openbmd.constants import WGS84_A_M, WGS84_GM_M3_S2
from openbmd.flight.propagate import EarthModel
from openbmd.threats import ThreatTrajectory, get_missile, max_range, missile_names
from openbmd.threats import solve_trajectory as _solve_trajectory
from openbmd.validation.registry import register

#: Launch point and direction of the class-range cases.
NOMINAL_LAUNCH_LAT_DEG = 40.0
NOMINAL_AZIMUTH_DEG = 90.0
#: Relative tolerance of the class-range cases.
NOMINAL_RANGE_TOLERANCE = 0.10

_BMW = (
    "Bate, Mueller & White, Fundamentals of Astrodynamics (Dover, 1971), ch. 6 'Ballistic "
    "missile trajectories': {what}"
)


# --- class ranges ------------------------------------------------------------------------


def _class_range_km(name: str) -> float:
    reach_m, _ = max_range(
        get_missile(name),
        NOMINAL_LAUNCH_LAT_DEG,
        0.0,
        NOMINAL_AZIMUTH_DEG,
        earth=EarthModel.wgs84(rotation=False),
    )
    return reach_m / 1e3


def _register_class_range(name: str) -> None:
    missile = get_missile(name)
    register(
        f"threats.{name}_nominal_range",
        quantity=(
            f"{name} maximum ground range at full burn, launch 40 N toward the east, drag and "
            "J2, no Earth rotation (a direction-free class range) [km]"
        ),
        source=missile.sources["nominal_range_km"],
        expected=missile.nominal_range_km,
        tolerance=NOMINAL_RANGE_TOLERANCE * missile.nominal_range_km,
        unit="km",
    )(partial(_class_range_km, name))


for _name in missile_names():
    _register_class_range(_name)


# --- ballistic free flight after a numerical cut-off ---------------------------------------

#: Vacuum, non-rotating sphere of the WGS 84 equatorial radius: a launch on the equator
#: toward the east stays in the equatorial plane, where sphere and ellipsoid coincide.
_VACUUM_SPHERE = EarthModel.spherical(radius_m=WGS84_A_M)
_MU = WGS84_GM_M3_S2

# (class, aim distance along the equator [km], shape, shape parameter)
_FREE_FLIGHT_CASES = {
    "irbm_min_energy": ("irbm", 3000.0, "min-energy", {}),
    "icbm_min_energy": ("icbm", 8000.0, "min-energy", {}),
    "icbm_lofted": ("icbm", 8000.0, "burnout-angle", {"burnout_angle_deg": 30.0}),
}


@cache
def _vacuum_trajectory(key: str) -> ThreatTrajectory:
    name, distance_km, shape, kwargs = _FREE_FLIGHT_CASES[key]
    aim_lon_deg = math.degrees(distance_km * 1e3 / WGS84_A_M)
    return _solve_trajectory(
        get_missile(name), 0.0, 0.0, 0.0, aim_lon_deg, shape, earth=_VACUUM_SPHERE, **kwargs
    )


@cache
def _numerical_and_closed_form(key: str) -> dict[str, tuple[float, float]]:
    """Free flight after cut-off: (numerical, closed form) for range [m], time [s], apogee [m]."""
    traj = _vacuum_trajectory(key)
    prop = traj.flight.propagation
    last_powered = len(traj.missile.stages) - 1
    cutoff_state = prop.phase_end_state_eci[0, last_powered]
    r_bo, v_bo = cutoff_state[:3], cutoff_state[3:]
    r_impact = prop.end_state_eci[0, :3]
    psi = math.atan2(float(np.linalg.norm(np.cross(r_bo, r_impact))), float(r_bo @ r_impact))
    time_s = float(prop.end_time_s[0] - prop.phase_end_time_s[0, last_powered])
    apogee_m = float(traj.flight.apogee_alt_m[0])

    r = float(np.linalg.norm(r_bo))
    v = float(np.linalg.norm(v_bo))
    gamma = math.asin(float(r_bo @ v_bo) / (r * v))
    psi_c, time_c, apogee_c = _bmw_free_flight(v, gamma, r, WGS84_A_M)
    radius = WGS84_A_M
    return {
        "range_m": (radius * psi, radius * psi_c),
        "time_s": (time_s, time_c),
        "apogee_m": (apogee_m, apogee_c),
    }


def _bmw_free_flight(v: float, gamma: float, r_bo: float, radius: float) -> tuple[float, ...]:
    """Range angle (rad), time (s) and apogee altitude (m) of the free-flight ellipse from
    burnout (speed v, flight-path angle gamma > 0, radius r_bo) down to ``radius``.

    Q = v^2 r_bo / mu, p = r_bo Q cos^2(gamma), e^2 = 1 + Q (Q - 2) cos^2(gamma),
    a = r_bo / (2 - Q); true anomaly at burnout on the ascending branch and at impact on
    the descending one; Kepler's equation for the time; apogee a (1 + e).
    """
    q = v * v * r_bo / _MU
    cos2 = math.cos(gamma) ** 2
    p = r_bo * q * cos2
    e = math.sqrt(1.0 + q * (q - 2.0) * cos2)
    a = r_bo / (2.0 - q)
    nu_bo = math.acos((p / r_bo - 1.0) / e)
    nu_impact = 2.0 * math.pi - math.acos((p / radius - 1.0) / e)

    def mean_anomaly(nu: float) -> float:
        ecc = 2.0 * math.atan2(
            math.sqrt(1.0 - e) * math.sin(0.5 * nu), math.sqrt(1.0 + e) * math.cos(0.5 * nu)
        )
        ecc %= 2.0 * math.pi
        return ecc - e * math.sin(ecc)

    time_s = (mean_anomaly(nu_impact) - mean_anomaly(nu_bo)) / math.sqrt(_MU / a**3)
    return nu_impact - nu_bo, time_s, a * (1.0 + e) - radius


def _difference(key: str, item: str) -> float:
    numerical, closed_form = _numerical_and_closed_form(key)[item]
    return numerical - closed_form


_DESCRIPTION = {
    "irbm_min_energy": "min-energy IRBM trajectory to 3,000 km",
    "icbm_min_energy": "min-energy ICBM trajectory to 8,000 km",
    "icbm_lofted": "ICBM trajectory to 8,000 km with a 30 deg burnout angle",
}
# Tolerances: the propagator integrates with rtol 1e-8 and locates impact to 0.1 mm; the
# differences are ~1 cm and ~1e-5 s today. The bounds leave room for integrator changes
# while catching any modelling error (a wrong radius or mu moves them by kilometres).
_ITEMS = {
    "range_m": (
        "free-flight ground range after cut-off (R Psi), numerical minus BMW free-flight "
        "range equation",
        "free-flight range equation (general burnout altitude)",
        5.0,
        "m",
    ),
    "time_s": (
        "time of free flight after cut-off, numerical minus Kepler's equation",
        "time of free flight from Kepler's equation",
        0.01,
        "s",
    ),
    "apogee_m": (
        "apogee altitude, numerical minus the conic's a (1 + e) - R",
        "apogee of the free-flight ellipse",
        5.0,
        "m",
    ),
}

for _key, _description in _DESCRIPTION.items():
    for _item, (_quantity, _what, _tolerance, _unit) in _ITEMS.items():
        register(
            f"threats.bmw_free_flight_{_item.rsplit('_', 1)[0]}_{_key}",
            quantity=(
                f"{_quantity}, {_description} (targeted numerically over a vacuum, "
                f"non-rotating sphere of radius 6378.137 km) [{_unit}]"
            ),
            source=_BMW.format(what=_what),
            expected=0.0,
            tolerance=_tolerance,
            unit=_unit,
        )(partial(_difference, _key, _item))
