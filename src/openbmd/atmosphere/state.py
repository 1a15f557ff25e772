"""Public, vectorised U.S. Standard Atmosphere 1976 from -5 km to 1000 km.

Every function takes geometric altitude above mean sea level in metres, of any shape,
checks it once (finite, in [-5000, 1000000] m, else :class:`~openbmd.errors.ParameterError`
naming ``alt_m``), then evaluates the shipped table with the numba kernel of
:mod:`.kernels`. Results have the shape of ``alt_m`` (a NumPy scalar for a scalar input).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from openbmd.atmosphere.kernels import atmosphere_batch
from openbmd.atmosphere.table import load_table
from openbmd.errors import require_range

#: Lowest altitude accepted by the public functions, m.
MIN_ALT_M = -5000.0
#: Highest altitude accepted by the public functions, m.
MAX_ALT_M = 1000000.0

FloatOrArray = float | npt.NDArray[np.float64]


@dataclass(frozen=True)
class AtmosphereState:
    """Atmospheric properties at a batch of altitudes; every field has the input's shape.

    Attributes
    ----------
    altitude_m : ndarray
        Geometric altitude above mean sea level, m.
    temperature_k : ndarray
        Kinetic temperature, K.
    pressure_pa : ndarray
        Pressure, Pa.
    density_kg_m3 : ndarray
        Mass density, kg/m^3.
    speed_of_sound_m_s : ndarray
        Speed of sound, m/s (above 86 km a formal continuation, see ``docs/atmosphere.md``).
    """

    altitude_m: FloatOrArray
    temperature_k: FloatOrArray
    pressure_pa: FloatOrArray
    density_kg_m3: FloatOrArray
    speed_of_sound_m_s: FloatOrArray


def _evaluate(alt_m: npt.ArrayLike) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Validate ``alt_m`` and return it with the kernel's ``(..., 4)`` output."""
    alt = require_range("alt_m", alt_m, MIN_ALT_M, MAX_ALT_M)
    table = load_table()
    flat = np.ascontiguousarray(alt, dtype=np.float64).reshape(-1)
    out = atmosphere_batch(flat, table.values, table.start_m, table.step_m)
    return alt, out.reshape((*alt.shape, 4))


def _unwrap(x: npt.NDArray[np.float64]) -> Any:
    """0-d array to NumPy scalar; other arrays unchanged."""
    return x[()]


def atmosphere(alt_m: npt.ArrayLike) -> AtmosphereState:
    """All atmospheric properties at once.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude above mean sea level, m, any shape, in [-5000, 1000000].

    Returns
    -------
    AtmosphereState
        Temperature (K), pressure (Pa), density (kg/m^3) and speed of sound (m/s), each of
        the shape of ``alt_m``.

    Raises
    ------
    ParameterError
        If any altitude is non-finite or outside [-5000, 1000000] m.

    Examples
    --------
    >>> s = atmosphere([0.0, 11000.0])
    >>> s.temperature_k.round(2).tolist(), s.pressure_pa.round(0).tolist()
    ([288.15, 216.77], [101325.0, 22700.0])
    """
    alt, out = _evaluate(alt_m)
    return AtmosphereState(
        altitude_m=_unwrap(alt),
        temperature_k=_unwrap(out[..., 0]),
        pressure_pa=_unwrap(out[..., 1]),
        density_kg_m3=_unwrap(out[..., 2]),
        speed_of_sound_m_s=_unwrap(out[..., 3]),
    )


def temperature_k(alt_m: npt.ArrayLike) -> Any:
    """Kinetic temperature, K, of the shape of ``alt_m``.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude above mean sea level, m, any shape, in [-5000, 1000000].

    Examples
    --------
    >>> round(float(temperature_k(0.0)), 2)
    288.15
    """
    return _unwrap(_evaluate(alt_m)[1][..., 0])


def pressure_pa(alt_m: npt.ArrayLike) -> Any:
    """Pressure, Pa, of the shape of ``alt_m``.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude above mean sea level, m, any shape, in [-5000, 1000000].

    Examples
    --------
    >>> round(float(pressure_pa(0.0)), 1)
    101325.0
    """
    return _unwrap(_evaluate(alt_m)[1][..., 1])


def density_kg_m3(alt_m: npt.ArrayLike) -> Any:
    """Mass density, kg/m^3, of the shape of ``alt_m``.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude above mean sea level, m, any shape, in [-5000, 1000000].

    Examples
    --------
    >>> round(float(density_kg_m3(0.0)), 4)
    1.225
    """
    return _unwrap(_evaluate(alt_m)[1][..., 2])


def speed_of_sound_m_s(alt_m: npt.ArrayLike) -> Any:
    """Speed of sound, m/s, of the shape of ``alt_m``.

    Up to 86 km this is the standard's ``sqrt(gamma R* T_M / M0)``; above, the same formula
    with the local kinetic temperature and mean molecular weight (``gamma = 1.4`` kept).

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude above mean sea level, m, any shape, in [-5000, 1000000].

    Examples
    --------
    >>> round(float(speed_of_sound_m_s(0.0)), 2)
    340.29
    """
    return _unwrap(_evaluate(alt_m)[1][..., 3])
