"""The shipped U.S. Standard Atmosphere 1976 table and its loader.

``openbmd/data/ussa1976_table.npz`` holds the exact standard (:mod:`.exact`) sampled on a
uniform geometric-altitude grid from -5 km to 1000 km, written by
``python -m openbmd.atmosphere._build_table``. Arrays in the file:

``values`` (K, 4) float64
    Columns ``[temperature_k, ln(pressure_pa), ln(density_kg_m3), speed_of_sound_m_s]``.
``start_m``, ``step_m`` float64 scalars
    Altitude of row 0 and grid spacing, m.
``columns`` str (4,)
    Column names, in order.
``version``, ``source`` str scalars
    Table format/content version and what it was computed from.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

#: Location of the table inside the ``openbmd`` package.
TABLE_RESOURCE = ("data", "ussa1976_table.npz")
#: Column names of :attr:`AtmosphereTable.values`, in order.
COLUMNS = ("temperature_k", "ln_pressure_pa", "ln_density_kg_m3", "speed_of_sound_m_s")


@dataclass(frozen=True)
class AtmosphereTable:
    """The standard atmosphere on a uniform grid, ready for :mod:`.kernels`.

    Attributes
    ----------
    values : ndarray, shape (K, 4)
        Read-only, C-contiguous float64 ``[T (K), ln p (ln Pa), ln rho (ln kg/m^3), a (m/s)]``.
    start_m : float
        Geometric altitude of row 0, m.
    step_m : float
        Grid spacing, m.
    top_m : float
        Geometric altitude of the last row, ``start_m + (K - 1) step_m``, m.
    source : str
        What the table was computed from.
    version : str
        Table version.
    """

    values: npt.NDArray[np.float64]
    start_m: float
    step_m: float
    top_m: float
    source: str
    version: str

    @property
    def n_rows(self) -> int:
        """Number of rows K."""
        return int(self.values.shape[0])


@functools.cache
def load_table() -> AtmosphereTable:
    """Load the shipped table once (later calls return the same object).

    Returns
    -------
    AtmosphereTable
        Pass ``table.values, table.start_m, table.step_m`` to the kernels.
    """
    resource = resources.files("openbmd").joinpath(*TABLE_RESOURCE)
    with resource.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
        values = np.ascontiguousarray(data["values"], dtype=np.float64)
        start_m = float(data["start_m"])
        step_m = float(data["step_m"])
        columns = tuple(str(x) for x in data["columns"])
        source = str(data["source"])
        version = str(data["version"])
    if values.ndim != 2 or values.shape[1] != len(COLUMNS) or columns != COLUMNS:
        raise RuntimeError(f"corrupt atmosphere table: shape {values.shape}, columns {columns}")
    if not (step_m > 0.0 and np.all(np.isfinite(values))):
        raise RuntimeError("corrupt atmosphere table: non-finite values or step")
    values.setflags(write=False)
    top_m = start_m + (values.shape[0] - 1) * step_m
    return AtmosphereTable(values, start_m, step_m, top_m, source, version)


def table_range() -> tuple[float, float, float, int]:
    """Reach of the shipped table, for ``openbmd doctor``.

    Returns
    -------
    min_m : float
        Lowest tabulated geometric altitude, m.
    max_m : float
        Highest tabulated geometric altitude, m.
    step_m : float
        Grid spacing, m.
    n_rows : int
        Number of rows.
    """
    table = load_table()
    return table.start_m, table.top_m, table.step_m, table.n_rows
