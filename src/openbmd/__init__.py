"""openbmd: open, physics-based ballistic missile defence analysis.

Everything inside is in SI units (m, s, kg, rad, Pa, K); names in other units carry a
suffix (``lat_deg``, ``range_km``). Frames are named explicitly (``ecef``, ``eci``,
``enu``, ``geodetic``); see ``docs/conventions.md``.
"""

from openbmd._home import configure_numba_cache as _configure_numba_cache

__version__ = "0.1.0"

_configure_numba_cache()

__all__ = ["__version__"]
