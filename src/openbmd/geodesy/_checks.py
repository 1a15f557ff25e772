"""Input checks and array plumbing shared by the geodesy wrappers."""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from openbmd.errors import ParameterError, require_finite, require_range

FloatArray: TypeAlias = npt.NDArray[np.float64]
#: A float array, or a numpy float scalar where every input was a scalar.
FloatOrArray: TypeAlias = np.float64 | npt.NDArray[np.float64]


def finite(name: str, value: Any) -> FloatArray:
    """``value`` as a float array; ParameterError naming ``name`` if not all finite."""
    return require_finite(name, value)


def latitude_deg(name: str, value: Any) -> FloatArray:
    """``value`` as a float array of latitudes in [-90, 90] deg."""
    return require_range(name, value, -90.0, 90.0)


def latitude_rad(name: str, value: Any) -> FloatArray:
    """``value`` as a float array of latitudes in [-pi/2, pi/2] rad."""
    return require_range(name, value, -0.5 * np.pi, 0.5 * np.pi)


def vector3(name: str, value: Any) -> FloatArray:
    """``value`` as a finite float array of shape (..., 3)."""
    arr = require_finite(name, value)
    if arr.ndim == 0 or arr.shape[-1] != 3:
        raise ParameterError(name, "an array of shape (..., 3)", f"shape {arr.shape}")
    return arr


def scalar_or_array(arr: FloatArray) -> FloatOrArray:
    """Return a numpy scalar for a 0-d array, else the array itself."""
    return arr[()] if arr.ndim == 0 else arr


def wrap_azimuth_deg(az_deg: FloatArray) -> FloatArray:
    """Azimuths reduced to [0, 360) deg (``np.mod`` can round tiny negatives to 360)."""
    wrapped = np.mod(az_deg, 360.0)
    return np.where(wrapped >= 360.0, 0.0, wrapped) + 0.0


def wrap_longitude_deg(lon_deg: FloatArray) -> FloatArray:
    """Longitudes reduced to (-180, 180] deg."""
    inside = (lon_deg > -180.0) & (lon_deg <= 180.0)
    wrapped = np.where(inside, lon_deg, 180.0 - np.mod(180.0 - lon_deg, 360.0))
    return np.where(wrapped <= -180.0, 180.0, wrapped) + 0.0
