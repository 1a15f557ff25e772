"""U.S. Standard Atmosphere 1976 from -5 km to 86 km, in closed form.

The standard defines seven layers in geopotential altitude ``H``, each with a constant
gradient of the molecular-scale temperature ``T_M``; pressure follows from the hydrostatic
equation in closed form and density from the perfect-gas law with the sea-level molecular
weight ``M0``. From -5 km to 0 km the first layer is extended downwards, as the standard's
tables do. Between 80 and 86 km the kinetic temperature is ``T = T_M * M / M0`` with the
standard's tabulated ratio ``M / M0`` (linear interpolation between its 0.5 km steps);
pressure, density and speed of sound depend on ``T_M`` only and need no ratio.

Used to build the shipped table and in tests; the run-time path is :mod:`.kernels`.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from openbmd.atmosphere import standard_constants as c

FloatArray = npt.NDArray[np.float64]


def geopotential_altitude_m(alt_m: npt.ArrayLike) -> FloatArray:
    """Geopotential altitude of a geometric altitude, with the standard's ``r0``.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude above mean sea level, m, any shape.

    Returns
    -------
    ndarray
        Geopotential altitude ``H = r0 Z / (r0 + Z)``, m' (geopotential metres), same shape.
    """
    z = np.asarray(alt_m, dtype=float)
    return np.asarray(c.R0_M * z / (c.R0_M + z), dtype=float)


@functools.cache
def layer_bases() -> tuple[FloatArray, FloatArray]:
    """Molecular-scale temperature (K) and pressure (Pa) at the base of each layer.

    Computed layer by layer from ``T0`` and ``P0`` with the closed forms, as the standard
    does (the standard lists the rounded results, e.g. 22632.06 Pa at 11 km').

    Returns
    -------
    tm_base_k : ndarray, shape (7,)
        ``T_M`` at each layer base, K.
    p_base_pa : ndarray, shape (7,)
        Pressure at each layer base, Pa.
    """
    hb = c.LAYER_BASE_H_M
    lm = c.LAYER_GRADIENT_K_M
    tm = np.empty(hb.size)
    p = np.empty(hb.size)
    tm[0] = c.T0_K
    p[0] = c.P0_PA
    for i in range(1, hb.size):
        dh = hb[i] - hb[i - 1]
        tm[i] = tm[i - 1] + lm[i - 1] * dh
        p[i] = _pressure_in_layer(p[i - 1], tm[i - 1], lm[i - 1], dh)
    tm.setflags(write=False)
    p.setflags(write=False)
    return tm, p


def _pressure_in_layer(
    p_base: FloatArray | float,
    tm_base: FloatArray | float,
    gradient: FloatArray | float,
    dh: FloatArray | float,
) -> FloatArray:
    """Hydrostatic closed form within one layer (isothermal or constant gradient)."""
    gmr = c.G0 * c.M0_KG_KMOL / c.R_STAR_J_KMOL_K  # K/m'
    p_base, tm_base, gradient, dh = np.broadcast_arrays(
        np.asarray(p_base, float),
        np.asarray(tm_base, float),
        np.asarray(gradient, float),
        np.asarray(dh, float),
    )
    isothermal = gradient == 0.0
    safe_gradient = np.where(isothermal, 1.0, gradient)
    with np.errstate(divide="ignore", invalid="ignore"):
        power_law = p_base * (tm_base / (tm_base + safe_gradient * dh)) ** (gmr / safe_gradient)
    exponential = p_base * np.exp(-gmr * dh / tm_base)
    return np.asarray(np.where(isothermal, exponential, power_law), dtype=float)


def molecular_scale_temperature_k(alt_m: npt.ArrayLike) -> FloatArray:
    """Molecular-scale temperature ``T_M`` from -5 km to 86 km.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude, m, in [-5000, 86000], any shape.

    Returns
    -------
    ndarray
        ``T_M``, K, same shape.
    """
    h = geopotential_altitude_m(alt_m)
    layer = _layer_index(h)
    tm_base, _ = layer_bases()
    return np.asarray(tm_base[layer] + c.LAYER_GRADIENT_K_M[layer] * (h - c.LAYER_BASE_H_M[layer]))


def molecular_weight_ratio(alt_m: npt.ArrayLike) -> FloatArray:
    """The standard's ratio ``M / M0``: 1 below 80 km, tabulated from 80 to 86 km.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude, m, any shape (clamped to the table's ends outside 80-86 km).

    Returns
    -------
    ndarray
        ``M / M0``, dimensionless, same shape.
    """
    z = np.asarray(alt_m, dtype=float)
    return np.asarray(np.interp(z, c.MW_RATIO_ALT_M, c.MW_RATIO), dtype=float)


def lower_state(alt_m: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Temperature, pressure, density and speed of sound from -5 km to 86 km.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude, m, in [-5000, 86000], any shape.

    Returns
    -------
    temperature_k : ndarray
        Kinetic temperature ``T = T_M M / M0``, K.
    pressure_pa : ndarray
        Pressure, Pa.
    density_kg_m3 : ndarray
        Density ``rho = p M0 / (R* T_M)``, kg/m^3.
    speed_of_sound_m_s : ndarray
        ``a = sqrt(gamma R* T_M / M0)``, m/s. All the same shape as ``alt_m``.
    """
    z = np.asarray(alt_m, dtype=float)
    h = geopotential_altitude_m(z)
    layer = _layer_index(h)
    tm_base, p_base = layer_bases()
    dh = h - c.LAYER_BASE_H_M[layer]
    gradient = c.LAYER_GRADIENT_K_M[layer]
    tm = tm_base[layer] + gradient * dh
    p = _pressure_in_layer(p_base[layer], tm_base[layer], gradient, dh)
    rho = p * c.M0_KG_KMOL / (c.R_STAR_J_KMOL_K * tm)
    a = np.sqrt(c.GAMMA * c.R_STAR_J_KMOL_K * tm / c.M0_KG_KMOL)
    t = tm * molecular_weight_ratio(z)
    return t, p, rho, a


def _layer_index(h: FloatArray) -> npt.NDArray[np.intp]:
    """Index of the layer holding each geopotential altitude (first layer below 0)."""
    idx = np.searchsorted(c.LAYER_BASE_H_M, h, side="right") - 1
    return np.asarray(np.clip(idx, 0, c.LAYER_BASE_H_M.size - 1), dtype=np.intp)
