"""Published U.S. Standard Atmosphere 1976 values that :mod:`openbmd.atmosphere` reproduces.

Source: *U.S. Standard Atmosphere, 1976*, NOAA-S/T 76-1562 (NOAA, NASA, USAF, October
1976), Part 4, Table I (geometric altitude, SI units) for temperature, pressure and
density, and the Part 4 tables in geometric altitude for the speed of sound.

Tolerances: half a unit of the last published digit where the value is exact by definition
or the table reproduces it that closely (below 86 km); above 86 km 0.1 % of the value, the
accuracy openbmd states for its shipped table (the standard's densities there have four
digits, and its own 1976 numerical integration differs from an accurate one by up to
0.1 % at 1000 km).
"""

from __future__ import annotations

from openbmd.atmosphere import atmosphere
from openbmd.validation.registry import register

_TABLE_I = (
    "U.S. Standard Atmosphere, 1976 (NOAA-S/T 76-1562), Part 4, Table I "
    "(geometric altitude, SI units)"
)
_SOUND = (
    "U.S. Standard Atmosphere, 1976 (NOAA-S/T 76-1562), Part 4 tables in geometric "
    "altitude, speed of sound column"
)


@register(
    "atmosphere.sea_level_pressure",
    quantity="pressure at 0 km [Pa]",
    source=_TABLE_I,
    expected=101325.0,
    tolerance=0.5,
    unit="Pa",
)
def _sea_level_pressure() -> float:
    return float(atmosphere(0.0).pressure_pa)


@register(
    "atmosphere.sea_level_density",
    quantity="density at 0 km [kg/m^3]",
    source=_TABLE_I,
    expected=1.2250,
    tolerance=5e-5,
    unit="kg/m^3",
)
def _sea_level_density() -> float:
    return float(atmosphere(0.0).density_kg_m3)


@register(
    "atmosphere.sea_level_speed_of_sound",
    quantity="speed of sound at 0 km [m/s]",
    source=_SOUND,
    expected=340.29,
    tolerance=0.005,
    unit="m/s",
)
def _sea_level_speed_of_sound() -> float:
    return float(atmosphere(0.0).speed_of_sound_m_s)


@register(
    "atmosphere.temperature_11km",
    quantity="temperature at 11 km geometric (10.981 km') [K]",
    source=_TABLE_I,
    expected=216.774,
    tolerance=0.001,
    unit="K",
)
def _temperature_11km() -> float:
    return float(atmosphere(11000.0).temperature_k)


@register(
    "atmosphere.pressure_20km",
    quantity="pressure at 20 km [Pa]",
    source=_TABLE_I,
    expected=5529.3,
    tolerance=0.05,
    unit="Pa",
)
def _pressure_20km() -> float:
    return float(atmosphere(20000.0).pressure_pa)


@register(
    "atmosphere.density_50km",
    quantity="density at 50 km [kg/m^3]",
    source=_TABLE_I,
    expected=1.0269e-3,
    tolerance=5e-8,
    unit="kg/m^3",
)
def _density_50km() -> float:
    return float(atmosphere(50000.0).density_kg_m3)


@register(
    "atmosphere.temperature_86km",
    quantity="kinetic temperature at 86 km [K]",
    source=_TABLE_I,
    expected=186.87,
    tolerance=0.005,
    unit="K",
)
def _temperature_86km() -> float:
    return float(atmosphere(86000.0).temperature_k)


@register(
    "atmosphere.density_100km",
    quantity="density at 100 km [kg/m^3]",
    source=_TABLE_I,
    expected=5.604e-7,
    tolerance=5.604e-10,
    unit="kg/m^3",
)
def _density_100km() -> float:
    return float(atmosphere(100000.0).density_kg_m3)


@register(
    "atmosphere.pressure_120km",
    quantity="pressure at 120 km [Pa]",
    source=_TABLE_I,
    expected=2.5382e-3,
    tolerance=2.5382e-6,
    unit="Pa",
)
def _pressure_120km() -> float:
    return float(atmosphere(120000.0).pressure_pa)


@register(
    "atmosphere.density_200km",
    quantity="density at 200 km [kg/m^3]",
    source=_TABLE_I,
    expected=2.541e-10,
    tolerance=2.541e-13,
    unit="kg/m^3",
)
def _density_200km() -> float:
    return float(atmosphere(200000.0).density_kg_m3)


@register(
    "atmosphere.density_500km",
    quantity="density at 500 km [kg/m^3]",
    source=_TABLE_I,
    expected=5.215e-13,
    tolerance=5.215e-16,
    unit="kg/m^3",
)
def _density_500km() -> float:
    return float(atmosphere(500000.0).density_kg_m3)


@register(
    "atmosphere.density_1000km",
    quantity="density at 1000 km [kg/m^3]",
    source=_TABLE_I,
    expected=3.561e-15,
    tolerance=3.561e-18,
    unit="kg/m^3",
)
def _density_1000km() -> float:
    return float(atmosphere(1000000.0).density_kg_m3)
