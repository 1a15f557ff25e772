"""A cheap, exact-by-construction filter for the refracted-elevation test (numba).

:func:`~openbmd.sensors.los.effective_ray_point` maps a look onto the effective sphere
(radius ``k R``, heights and surface arcs kept) with two arctangents and two sines; the
measurement loop only needs the verdict ``clear and el_low <= el_app <= el_high``.
:func:`elevation_verdict` brackets ``rise`` and ``across`` (the components of the ray on
the effective sphere, ``el_app = atan2(rise, across)``) with polynomial bounds instead:

- central angle ``theta = atan(t)``, ``t = horizontal / vertical`` in (0, 1]:
  ``t - t^3/3 <= atan t <= t - t^3/3 + t^5/5`` (alternating series, decreasing terms);
- ``x - x^3/6 <= sin x <= x - x^3/6 + x^5/120`` for ``x`` in [0, 1] (both bounds
  increasing there), applied to ``phi = theta / k`` and ``phi / 2``;
- ``rise = (h_target - h_site) - 2 r2 sin^2(phi/2)``, ``across = r2 sin(phi)``,
  ``r2 = k R + h_target > 0``; and ``el_app >= el_low`` iff ``rise >= across tan(el_low)``
  when ``across > 0``.

A verdict is given only when the bounds clear each limit by a margin of 1e-9 of the
lengths involved (metres: far above the rounding of either computation, ~1e-7 m at
Earth scale) and the ray clearly rises (``rise > margin``, hence clear); otherwise -1,
and the caller runs the exact function. The verdict therefore never differs from
:func:`~openbmd.sensors.los.visible_ecef_point`; only looks within about 0.02 deg of a
limit (at 2,000 km) fall back to the exact path.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["VERDICT_PARAMETERS", "elevation_verdict", "verdict_parameters"]

FloatArray = npt.NDArray[np.float64]

# the three entries verdict_parameters appends to a sensor parameter vector (after
# 1/M, 1/N, height, k, lowest and highest elevation, ...): usable, tan(low), tan(high)
VERDICT_PARAMETERS = 3
_MARGIN = 1e-9


def verdict_parameters(k_factor: float, el_low_rad: float, el_high_rad: float) -> list[float]:
    """(usable, tan of the lowest elevation, tan of the highest or inf if >= 90 deg).

    Unusable (0.0) for k = 1 (the exact test is one arctangent) and for limits within
    0.07 rad of +-90 deg (their tangents are ill-conditioned).
    """
    open_top = el_high_rad >= 0.5 * math.pi
    usable = k_factor != 1.0 and abs(el_low_rad) < 1.5 and (open_top or abs(el_high_rad) < 1.5)
    if not usable:
        return [0.0, 0.0, 0.0]
    return [1.0, math.tan(el_low_rad), math.inf if open_top else math.tan(el_high_rad)]


@njit(cache=True)
def _sin_low(x: float) -> float:
    return x - x * x * x / 6.0


@njit(cache=True)
def _sin_high(x: float) -> float:
    x2 = x * x
    return x - x * x2 / 6.0 + x * x2 * x2 / 120.0


@njit(cache=True)
def elevation_verdict(
    horizontal_m: float,
    up_m: float,
    cos2_az: float,
    inv_meridian: float,
    inv_prime_vertical: float,
    site_alt_m: float,
    k_factor: float,
    tan_low: float,
    tan_high: float,
) -> int:
    """1 if the look is surely clear and inside the elevation limits, 0 if surely outside,
    -1 if undecided (run :func:`~openbmd.sensors.los.effective_ray_point`).

    Same inputs as :func:`~openbmd.sensors.los.effective_ray_point` (k != 1), plus the
    tangents of the elevation limits (``tan_high`` = inf: no upper limit).
    """
    radius = 1.0 / (cos2_az * inv_meridian + (1.0 - cos2_az) * inv_prime_vertical)
    vertical = radius + site_alt_m + up_m
    if not (horizontal_m > 0.0 and vertical > 0.0):
        return -1
    t = horizontal_m / vertical
    if t > 1.0:
        return -1
    t2 = t * t
    theta_low = t - t * t2 / 3.0
    theta_high = theta_low + t * t2 * t2 / 5.0
    phi_low = theta_low / k_factor
    phi_high = theta_high / k_factor
    if phi_high > 1.0:
        return -1
    target_alt = math.sqrt(horizontal_m * horizontal_m + vertical * vertical) - radius
    r2 = k_factor * radius + target_alt
    if not r2 > 0.0:
        return -1
    half_low = _sin_low(0.5 * phi_low)
    half_high = _sin_high(0.5 * phi_high)
    climb = target_alt - site_alt_m
    rise_low = climb - 2.0 * r2 * half_high * half_high
    rise_high = climb - 2.0 * r2 * half_low * half_low
    across_low = r2 * _sin_low(phi_low)
    across_high = r2 * _sin_high(phi_high)
    margin = _MARGIN * (radius + abs(target_alt) + abs(site_alt_m) + r2 + horizontal_m)
    low_a, low_b = across_low * tan_low, across_high * tan_low
    if rise_high - min(low_a, low_b) < -margin:
        return 0  # below the lowest elevation
    if tan_high < math.inf:
        high_a, high_b = across_low * tan_high, across_high * tan_high
        if rise_low - max(high_a, high_b) > margin:
            return 0  # above the highest elevation
        if min(high_a, high_b) - rise_high <= margin:
            return -1
    if rise_low > margin and rise_low - max(low_a, low_b) > margin:
        return 1
    return -1
