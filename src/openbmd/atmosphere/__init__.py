"""U.S. Standard Atmosphere, 1976 (NOAA-S/T 76-1562), -5 km to 1000 km geometric altitude.

Run time uses a shipped table of the exact standard (50 m grid, linear interpolation, within
0.1 % of the standard everywhere) through numba kernels; the exact model that builds the
table is in :mod:`openbmd.atmosphere.exact`. See ``docs/atmosphere.md``.

Public API
----------
atmosphere, temperature_k, pressure_pa, density_kg_m3, speed_of_sound_m_s
    Vectorised functions of geometric altitude in metres (any shape).
AtmosphereState
    Frozen result of :func:`atmosphere`.
load_table, AtmosphereTable, table_range
    The shipped table, for the kernels and ``openbmd doctor``.
atmosphere_at, density_at
    Numba kernels for integrators (one altitude, no validation).
"""

from openbmd.atmosphere.kernels import atmosphere_at, density_at
from openbmd.atmosphere.state import (
    MAX_ALT_M,
    MIN_ALT_M,
    AtmosphereState,
    atmosphere,
    density_kg_m3,
    pressure_pa,
    speed_of_sound_m_s,
    temperature_k,
)
from openbmd.atmosphere.table import AtmosphereTable, load_table, table_range

__all__ = [
    "MAX_ALT_M",
    "MIN_ALT_M",
    "AtmosphereState",
    "AtmosphereTable",
    "atmosphere",
    "atmosphere_at",
    "density_at",
    "density_kg_m3",
    "load_table",
    "pressure_pa",
    "speed_of_sound_m_s",
    "table_range",
    "temperature_k",
]
