"""Parquet tables of a run (events, trajectories, sites), with units in the schema.

Each column is typed (``float64`` or ``string``) and carries field metadata ``unit``
(``s``, ``deg``, ``m``, or ``""`` for text) and ``description``; the file metadata
holds ``openbmd.table`` (the table's name) plus whatever the caller adds (run id,
software version, scenario hash). Any Arrow reader (pandas, polars, DuckDB, R arrow)
opens them; :func:`read_table` gives back openbmd's column dictionary and units.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np

from openbmd.io.atomic import atomic_write_bytes

__all__ = ["COLUMN_INFO", "read_table", "table_to_arrow", "write_table"]

_TEXT = "string"
_FLOAT = "float64"

#: Column name -> (Arrow type, unit, description), for the columns of
#: :mod:`openbmd.pipeline.result`. Unknown extra columns are written with an inferred
#: type and an empty unit.
COLUMN_INFO: Final[dict[str, tuple[str, str, str]]] = {
    "time_s": (_FLOAT, "s", "time since the scenario epoch"),
    "kind": (_TEXT, "", "kind of event, object or site"),
    "threat_id": (_TEXT, "", "threat the row belongs to"),
    "object_id": (_TEXT, "", "object (re-entry vehicle, rocket body, interceptor)"),
    "sensor_id": (_TEXT, "", "sensor site"),
    "site_id": (_TEXT, "", "sensor or defence site"),
    "interceptor_id": (_TEXT, "", "interceptor"),
    "class_name": (_TEXT, "", "catalog class"),
    "detail": (_TEXT, "", "reason in words, miss distance and the like"),
    "lat_deg": (_FLOAT, "deg", "WGS 84 geodetic latitude, north positive"),
    "lon_deg": (_FLOAT, "deg", "longitude, east positive"),
    "alt_m": (_FLOAT, "m", "height above the WGS 84 ellipsoid"),
    "x_ecef_m": (_FLOAT, "m", "ECEF x (toward 0 N, 0 E)"),
    "y_ecef_m": (_FLOAT, "m", "ECEF y (toward 0 N, 90 E)"),
    "z_ecef_m": (_FLOAT, "m", "ECEF z (toward the north pole)"),
    "max_range_m": (
        _FLOAT,
        "m",
        "radar: detection range of the reference target; defence site: reach",
    ),
}


def table_to_arrow(
    table: Mapping[str, Any], *, name: str, metadata: Mapping[str, str] | None = None
) -> Any:
    """A :class:`pyarrow.Table` of an openbmd column dictionary, typed and with units.

    Parameters
    ----------
    table : mapping of str to 1-D array
        Equal-length columns (strings as object arrays of ``str``).
    name : str
        Table name stored as ``openbmd.table`` in the file metadata.
    metadata : mapping of str to str, optional
        More file metadata (keys are prefixed with ``openbmd.``).
    """
    import pyarrow as pa

    fields, arrays = [], []
    for col, values in table.items():
        arr = np.asarray(values)
        kind, unit, description = COLUMN_INFO.get(col, (_infer(arr), "", ""))
        if kind == _TEXT:
            typ = pa.string()
            data = pa.array(["" if v is None else str(v) for v in arr.tolist()], type=typ)
        elif kind == _FLOAT:
            typ = pa.float64()
            data = pa.array(arr.astype(np.float64), type=typ)
        else:
            data = pa.array(arr)
            typ = data.type
        fields.append(
            pa.field(
                col,
                typ,
                nullable=False,
                metadata={"unit": unit, "description": description},
            )
        )
        arrays.append(data)
    meta = {"openbmd.table": name}
    meta.update({f"openbmd.{k}": str(v) for k, v in (metadata or {}).items()})
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))


def write_table(
    table: Mapping[str, Any],
    path: Path | str,
    *,
    name: str,
    metadata: Mapping[str, str] | None = None,
) -> Path:
    """Write a column dictionary as Parquet (zstd), atomically; return the path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = table_to_arrow(table, name=name, metadata=metadata)
    sink = pa.BufferOutputStream()
    pq.write_table(arrow, sink, compression="zstd")
    target = Path(path)
    atomic_write_bytes(target, sink.getvalue().to_pybytes())
    return target


def read_table(path: Path | str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Read a Parquet file written by :func:`write_table`.

    Returns
    -------
    columns : dict of str to ndarray
        Float columns as float64, text columns as object arrays of ``str``.
    units : dict of str to str
        Unit of each column (``""`` for text).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pq.read_table(path)
    columns: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    for fld, col in zip(arrow.schema, arrow.columns, strict=True):
        if pa.types.is_string(fld.type) or pa.types.is_large_string(fld.type):
            columns[fld.name] = np.array(col.to_pylist(), dtype=object)
        else:
            columns[fld.name] = col.to_numpy()
        meta = fld.metadata or {}
        units[fld.name] = meta.get(b"unit", b"").decode()
    return columns, units


def _infer(arr: np.ndarray) -> str:
    if arr.dtype.kind in "fiu":
        return _FLOAT if arr.dtype.kind == "f" else "other"
    if arr.dtype.kind in "OUS":
        return _TEXT
    return "other"
