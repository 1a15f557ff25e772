"""Gravity of an oblate Earth: central term plus the J2 zonal harmonic.

The acceleration is the gradient of

.. math:: U = \\frac{\\mu}{r}\\left[1 - J_2 \\left(\\frac{a}{r}\\right)^2
          \\frac{3 \\sin^2\\phi_c - 1}{2}\\right]

(Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed., eq. 8-28 and
8-30), with :math:`\\phi_c` the geocentric latitude. Because the field is symmetric about
the rotation axis, the same formula holds in ECEF and in openbmd's ECI frame (both have z
along the rotation axis).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from openbmd.constants import WGS84_A_M, WGS84_GM_M3_S2, WGS84_J2
from openbmd.errors import ParameterError, require_finite


@njit(cache=True)
def gravity_point(
    x_m: float, y_m: float, z_m: float, mu: float, j2: float, radius_m: float
) -> tuple[float, float, float]:
    """Gravitational acceleration (m/s^2) at one point, in the frame of the input.

    ``j2 = 0`` gives the central (point-mass) field.
    """
    r2 = x_m * x_m + y_m * y_m + z_m * z_m
    r = np.sqrt(r2)
    mu_r3 = mu / (r2 * r)
    if j2 == 0.0:
        return -mu_r3 * x_m, -mu_r3 * y_m, -mu_r3 * z_m
    k = 1.5 * j2 * radius_m * radius_m / r2
    s2 = 5.0 * z_m * z_m / r2
    fxy = -mu_r3 * (1.0 - k * (s2 - 1.0))
    fz = -mu_r3 * (1.0 - k * (s2 - 3.0))
    return fxy * x_m, fxy * y_m, fz * z_m


def gravity_accel(
    r_m: np.ndarray,
    *,
    mu: float = WGS84_GM_M3_S2,
    j2: float = WGS84_J2,
    radius_m: float = WGS84_A_M,
) -> np.ndarray:
    """Gravitational acceleration with the J2 term, vectorised.

    Parameters
    ----------
    r_m : array_like, shape (..., 3)
        Position in ECEF or ECI (z along the rotation axis), m.
    mu : float
        Gravitational parameter, m^3/s^2 (default WGS 84).
    j2 : float
        Second zonal harmonic; 0 for a point mass (default WGS 84).
    radius_m : float
        Reference radius of the harmonic expansion, m (default WGS 84 semi-major axis).

    Returns
    -------
    ndarray, shape (..., 3)
        Acceleration, m/s^2, in the frame of ``r_m``.

    Examples
    --------
    >>> import numpy as np
    >>> g = gravity_accel(np.array([6378137.0, 0.0, 0.0]), j2=0.0)
    >>> round(float(-g[0]), 4)
    9.7983
    """
    r = require_finite("r_m", r_m)
    if r.shape[-1:] != (3,):
        raise ParameterError("r_m", "an array of shape (..., 3)", f"shape {r.shape}")
    norm2 = np.sum(r * r, axis=-1, keepdims=True)
    if np.any(norm2 == 0.0):
        raise ParameterError("r_m", "a non-zero position vector", "the origin")
    norm = np.sqrt(norm2)
    mu_r3 = mu / (norm2 * norm)
    z2 = (r[..., 2:3] ** 2) / norm2
    k = 1.5 * j2 * radius_m**2 / norm2
    factor = np.concatenate(
        [
            np.broadcast_to(1.0 - k * (5.0 * z2 - 1.0), r[..., :2].shape),
            1.0 - k * (5.0 * z2 - 3.0),
        ],
        axis=-1,
    )
    return -mu_r3 * factor * r
