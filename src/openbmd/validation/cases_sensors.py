"""Published values that the radar site model and the line of sight reproduce.

Sources and tolerances:

- **Measurement accuracy** (the formulas themselves, evaluated by hand): range
  ``sigma_R = c / (2 B sqrt(2 SNR))`` (Skolnik, *Introduction to Radar Systems*, 3rd ed.
  (2001), ch. 6; Richards, *Fundamentals of Radar Signal Processing* (2005), ch. 7) for
  B = 1 MHz, SNR = 20 dB: 299792458 / (2e6 sqrt(200)) = 10.5993 m; angle
  ``sigma = theta_3dB / (k_m sqrt(2 SNR))`` with k_m = 1.6 (Sherman, *Monopulse
  Principles and Techniques* (1984); Richards (2005), ch. 7) for a 1 deg beam, SNR =
  20 dB: 1 / (1.6 sqrt(200)) = 0.044194 deg. Tolerances: half a unit of the last digit.
- **Radar horizon through the full WGS 84 line of sight** (:func:`look_angles`): a radar
  at sea level on the equator, a target at a fixed altitude moving east along the
  equator (where the ellipsoid's normal section is the equator itself, a circle of radius
  a = 6378.137 km). The ground distance at which the apparent elevation crosses 0 is
  found by bisection. With k = 4/3 it is compared with Skolnik's rule
  ``d[km] = 4.12 sqrt(h[m])`` (3rd ed., ch. 8; tolerance 0.25 %: the rounding of 4.12 and
  the radius 6370 km behind it against a); with k = 1 with the exact tangent distance
  ``a arccos(a / (a + h))`` (Euclid; Doerry, *Earth Curvature and Atmospheric Refraction
  Effects on Radar Signal Propagation*, Sandia report SAND2012-10690 (2013)), evaluated by
  hand to 1 m.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np

from openbmd.constants import WGS84_A_M
from openbmd.geodesy import geodetic_to_ecef
from openbmd.sensors.los import SensorGeometry, look_angles
from openbmd.sensors.radar import Radar
from openbmd.validation.registry import register

_ACCURACY = (
    "Skolnik, Introduction to Radar Systems, 3rd ed. (2001), ch. 6; Richards, Fundamentals of "
    "Radar Signal Processing (2005), ch. 7: sigma_R = c / (2 B sqrt(2 SNR))"
)
_MONOPULSE = (
    "Sherman, Monopulse Principles and Techniques (1984); Richards, Fundamentals of Radar "
    "Signal Processing (2005), ch. 7: sigma = theta_3dB / (1.6 sqrt(2 SNR))"
)
_SKOLNIK_RULE = (
    "Skolnik, Introduction to Radar Systems, 3rd ed. (2001), ch. 8, 4/3-Earth horizon rule "
    "d[km] = 4.12 sqrt(h[m])"
)
_TANGENT = (
    "exact tangent distance a arccos(a / (a + h)) on the equator of WGS 84 (a = 6378.137 km); "
    "Doerry, 'Earth Curvature and Atmospheric Refraction Effects on Radar Signal "
    "Propagation', Sandia report SAND2012-10690 (2013)"
)


def _radar(**changes: object) -> Radar:
    """A generic radar on the equator at sea level (only the named values matter)."""
    base = Radar(
        "validation",
        0.0,
        0.0,
        0.0,
        frequency_hz=3e9,
        peak_power_w=1e6,
        pulse_width_s=1e-4,
        bandwidth_hz=1e6,
        noise_temperature_k=500.0,
        gain_db=40.0,
        min_elevation_deg=-90.0,
        el_limits_deg=(-90.0, 90.0),
    )
    return base.replace(**changes)


@register(
    "sensors.range_accuracy_formula",
    quantity="range standard deviation, B = 1 MHz, SNR = 20 dB, no floor [m]",
    source=_ACCURACY + ": 10.5993 m",
    expected=10.5993,
    tolerance=5e-5,
    unit="m",
)
def range_accuracy_m() -> float:
    return float(_radar().range_sigma_m(20.0))


@register(
    "sensors.angle_accuracy_formula",
    quantity="angle standard deviation, 1 deg beam, k_m = 1.6, SNR = 20 dB, no floor [deg]",
    source=_MONOPULSE + ": 0.044194 deg",
    expected=0.044194,
    tolerance=5e-7,
    unit="deg",
)
def angle_accuracy_deg() -> float:
    return math.degrees(float(_radar(beamwidth_deg=1.0).angle_sigma_rad(20.0)))


def _horizon_distance_km(target_alt_m: float, k_factor: float | None) -> float:
    """Ground distance along the equator where the apparent elevation crosses zero, km."""
    sensors = SensorGeometry.of([_radar(k_factor=k_factor)])
    lo, hi = 0.01, 40.0  # deg of longitude, elevation > 0 at lo and < 0 at hi

    def elevation(lon_deg: float) -> float:
        point = geodetic_to_ecef(0.0, lon_deg, target_alt_m)
        return float(np.asarray(look_angles(sensors, point).apparent_elevation_rad)[0])

    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if elevation(mid) > 0.0:
            lo = mid
        else:
            hi = mid
    return WGS84_A_M * math.radians(0.5 * (lo + hi)) / 1e3


for _alt_m, _expected in ((10e3, 412.0), (1000.0, 130.29)):
    register(
        f"sensors.los_horizon_4_3_{int(_alt_m)}m",
        quantity=(
            f"4/3-Earth horizon through the WGS 84 line of sight: radar at sea level on the "
            f"equator, target {_alt_m:g} m up due east [km]"
        ),
        source=_SKOLNIK_RULE + f": 4.12 * sqrt({_alt_m:g}) = {_expected} km",
        expected=_expected,
        tolerance=0.0025 * _expected,
        unit="km",
    )(partial(_horizon_distance_km, _alt_m, 4.0 / 3.0))

register(
    "sensors.los_horizon_geometric_100km",
    quantity=(
        "geometric (k = 1) horizon through the WGS 84 line of sight: radar at sea level on "
        "the equator, target 100 km up due east [km]"
    ),
    source=_TANGENT + ": 6378.137 arccos(6378.137 / 6478.137) = 1122.132 km",
    expected=1122.132,
    tolerance=0.001,
    unit="km",
)(partial(_horizon_distance_km, 100e3, None))
