"""The U.S. Standard Atmosphere 1976 computed from its equations, -5 km to 1000 km.

This is the reference that builds the shipped table (``_build_table``) and that the tests
compare the table against. It is slower than the table path (scipy integration on first
use, then dense-output evaluation) and is not meant for inner loops: use
:func:`openbmd.atmosphere.atmosphere` or the kernels.

Below 86 km see :mod:`.exact_lower`; above, :mod:`.exact_upper`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from openbmd.atmosphere import standard_constants as c
from openbmd.atmosphere.exact_lower import lower_state
from openbmd.atmosphere.exact_upper import solve_upper, upper_state
from openbmd.atmosphere.state import MAX_ALT_M, MIN_ALT_M, AtmosphereState
from openbmd.errors import require_range


def exact_atmosphere(
    alt_m: npt.ArrayLike, *, oxygen_eddy_weight_kg_kmol: float = 0.0
) -> AtmosphereState:
    """The standard atmosphere from its defining equations (no table).

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude above mean sea level, m, any shape, in [-5000, 1000000].
    oxygen_eddy_weight_kg_kmol : float, optional
        0 (default) is the standard. See :func:`.exact_upper.solve_upper` for the one
        variant offered, used to cross-check against the ``ussa1976`` package.

    Returns
    -------
    AtmosphereState
        Arrays of the shape of ``alt_m`` (temperature K, pressure Pa, density kg/m^3,
        speed of sound m/s).

    Raises
    ------
    ParameterError
        If any altitude is non-finite or outside [-5000, 1000000] m.
    """
    alt = require_range("alt_m", alt_m, MIN_ALT_M, MAX_ALT_M)
    z = alt.reshape(-1)
    out = np.empty((4, z.size))
    low = z < c.Z7_M
    if np.any(low):
        out[:, low] = np.array(lower_state(z[low]))
    if np.any(~low):
        out[:, ~low] = np.array(upper_state(z[~low], oxygen_eddy_weight_kg_kmol)[:4])
    shaped = out.reshape((4, *alt.shape))
    return AtmosphereState(alt, shaped[0], shaped[1], shaped[2], shaped[3])


def exact_number_densities_m3(alt_m: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Number densities of N2, O, O2, Ar, He and H from 86 km to 1000 km, 1/m^3.

    Parameters
    ----------
    alt_m : array_like
        Geometric altitude, m, in [86000, 1000000], shape (N,) or scalar.

    Returns
    -------
    ndarray, shape (6, N)
        In the order of ``standard_constants.SPECIES``.
    """
    alt = require_range("alt_m", alt_m, c.Z7_M, c.Z12_M)
    return solve_upper().number_densities_m3(alt.reshape(-1))
