"""Numba kernels: the standard atmosphere from the shipped table, one altitude at a time.

The flight propagator calls :func:`atmosphere_at` (or :func:`density_at`) at every
integration step. Both take the table as a C-contiguous float64 array of shape ``(K, 4)``,
columns ``[T (K), ln p (ln Pa), ln rho (ln kg/m^3), a (m/s)]``, tabulated on the uniform
geometric-altitude grid ``start_m + i * step_m`` (see :func:`openbmd.atmosphere.load_table`).

Lookup is O(1) (the row index is computed, not searched); interpolation is linear in ``T``
and ``a`` and in ``ln p`` and ``ln rho`` (exponential between rows). Outside the table:

- below ``start_m`` (-5 km): the values of the first row (clamped);
- above the top row (1000 km): pressure and density 0.0, temperature and speed of sound held
  at the top row's values (the standard ends at 1000 km; the drag there is already ~1e-15
  of sea level);
- NaN altitude: NaN for every output.

The kernels do not validate; :mod:`openbmd.atmosphere.state` checks user input once.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

#: Column order of the table.
COL_TEMPERATURE = 0
COL_LN_PRESSURE = 1
COL_LN_DENSITY = 2
COL_SPEED_OF_SOUND = 3


@njit(cache=True)
def atmosphere_at(
    alt_m: float, table: npt.NDArray[np.float64], start_m: float, step_m: float
) -> tuple[float, float, float, float]:
    """Temperature, pressure, density and speed of sound at one altitude.

    Parameters
    ----------
    alt_m : float
        Geometric altitude above mean sea level, m.
    table : ndarray, shape (K, 4)
        C-contiguous float64 table ``[T, ln p, ln rho, a]`` on the uniform grid.
    start_m : float
        Altitude of row 0, m.
    step_m : float
        Grid spacing, m (> 0).

    Returns
    -------
    temperature_k : float
        Kinetic temperature, K.
    pressure_pa : float
        Pressure, Pa (0.0 above the table).
    density_kg_m3 : float
        Density, kg/m^3 (0.0 above the table).
    speed_of_sound_m_s : float
        Speed of sound, m/s.
    """
    if math.isnan(alt_m):
        return math.nan, math.nan, math.nan, math.nan
    last = table.shape[0] - 1
    x = (alt_m - start_m) / step_m
    if x <= 0.0:
        return table[0, 0], math.exp(table[0, 1]), math.exp(table[0, 2]), table[0, 3]
    if x >= last:
        if x > last:
            return table[last, 0], 0.0, 0.0, table[last, 3]
        return table[last, 0], math.exp(table[last, 1]), math.exp(table[last, 2]), table[last, 3]
    i = int(x)
    f = x - i
    t = table[i, 0] + f * (table[i + 1, 0] - table[i, 0])
    ln_p = table[i, 1] + f * (table[i + 1, 1] - table[i, 1])
    ln_rho = table[i, 2] + f * (table[i + 1, 2] - table[i, 2])
    a = table[i, 3] + f * (table[i + 1, 3] - table[i, 3])
    return t, math.exp(ln_p), math.exp(ln_rho), a


@njit(cache=True)
def density_at(
    alt_m: float, table: npt.NDArray[np.float64], start_m: float, step_m: float
) -> float:
    """Density only, kg/m^3: the fast path of :func:`atmosphere_at` for drag.

    Parameters are those of :func:`atmosphere_at`; the result equals its third output.
    """
    if math.isnan(alt_m):
        return math.nan
    last = table.shape[0] - 1
    x = (alt_m - start_m) / step_m
    if x <= 0.0:
        return math.exp(table[0, 2])
    if x >= last:
        if x > last:
            return 0.0
        return math.exp(table[last, 2])
    i = int(x)
    f = x - i
    return math.exp(table[i, 2] + f * (table[i + 1, 2] - table[i, 2]))


@njit(cache=True)
def atmosphere_batch(
    alt_m: npt.NDArray[np.float64], table: npt.NDArray[np.float64], start_m: float, step_m: float
) -> npt.NDArray[np.float64]:
    """:func:`atmosphere_at` over a batch of altitudes.

    Parameters
    ----------
    alt_m : ndarray, shape (N,)
        Geometric altitudes, m.
    table, start_m, step_m
        As for :func:`atmosphere_at`.

    Returns
    -------
    ndarray, shape (N, 4)
        Columns temperature (K), pressure (Pa), density (kg/m^3), speed of sound (m/s).
    """
    out = np.empty((alt_m.shape[0], 4))
    for k in range(alt_m.shape[0]):
        t, p, rho, a = atmosphere_at(alt_m[k], table, start_m, step_m)
        out[k, 0] = t
        out[k, 1] = p
        out[k, 2] = rho
        out[k, 3] = a
    return out
