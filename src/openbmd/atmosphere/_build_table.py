"""Regenerate ``openbmd/data/ussa1976_table.npz`` from the exact standard.

Run ``python -m openbmd.atmosphere._build_table`` (optionally ``--step-m`` and
``--output``); it takes a second or two. The result is deterministic for a given
numpy/scipy, and ``tests/unit/atmosphere`` checks that the shipped file matches it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import numpy.typing as npt

from openbmd.atmosphere.exact import exact_atmosphere
from openbmd.atmosphere.state import MAX_ALT_M, MIN_ALT_M
from openbmd.atmosphere.table import COLUMNS, TABLE_RESOURCE

#: Grid spacing of the shipped table, m; keeps linear interpolation within 0.04 % of the
#: exact standard (the worst case is the temperature kink at the 11 km' tropopause).
DEFAULT_STEP_M = 50.0
#: Table content version: bump when the model or the grid changes.
TABLE_VERSION = "1"
SOURCE = (
    "U.S. Standard Atmosphere, 1976 (NOAA-S/T 76-1562), computed from its equations by "
    "openbmd.atmosphere.exact (layers to 86 km; diffusion equations 86-1000 km)"
)


def build_table(step_m: float = DEFAULT_STEP_M) -> dict[str, npt.NDArray[np.generic]]:
    """Arrays of the table file, computed from the exact standard.

    Parameters
    ----------
    step_m : float
        Grid spacing, m; must divide 1 005 000 m.

    Returns
    -------
    dict
        ``values`` (K, 4), ``start_m``, ``step_m``, ``columns``, ``version``, ``source``.
    """
    n_steps = round((MAX_ALT_M - MIN_ALT_M) / step_m)
    if n_steps < 1 or abs(n_steps * step_m - (MAX_ALT_M - MIN_ALT_M)) > 1e-6:
        raise ValueError(f"step_m={step_m} does not divide the altitude range")
    alt = MIN_ALT_M + step_m * np.arange(n_steps + 1)
    state = exact_atmosphere(alt)
    values = np.column_stack(
        [
            state.temperature_k,
            np.log(state.pressure_pa),
            np.log(state.density_kg_m3),
            state.speed_of_sound_m_s,
        ]
    )
    return {
        "values": np.ascontiguousarray(values, dtype=np.float64),
        "start_m": np.array(MIN_ALT_M),
        "step_m": np.array(float(step_m)),
        "columns": np.array(COLUMNS),
        "version": np.array(TABLE_VERSION),
        "source": np.array(SOURCE),
    }


def default_output() -> Path:
    """Path of the shipped table in this source tree."""
    return Path(__file__).resolve().parent.parent.joinpath(*TABLE_RESOURCE)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry: build and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step-m", type=float, default=DEFAULT_STEP_M, help="grid spacing, m")
    parser.add_argument("--output", type=Path, default=default_output(), help="npz file to write")
    args = parser.parse_args(argv)
    arrays = build_table(args.step_m)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.output, **arrays)  # type: ignore[arg-type]
    rows = arrays["values"].shape[0]
    print(f"wrote {args.output} ({rows} rows, {args.output.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
