"""NetCDF-4 files of xarray Datasets, written atomically (engine ``h5netcdf``).

A Dataset is written to a temporary file in the target folder and renamed into place
only once complete, so a crash or a full disk never leaves a half-written file under the
requested name (as :mod:`openbmd.io.atomic` does for bytes).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import xarray as xr

#: xarray engine: NetCDF-4 through h5py (needs the ``h5py`` package).
ENGINE: Final = "h5netcdf"

__all__ = ["ENGINE", "read_netcdf", "write_netcdf"]


def write_netcdf(ds: xr.Dataset, path: Path | str) -> Path:
    """Write ``ds`` to ``path`` as NetCDF-4 (HDF5), atomically.

    Boolean variables are stored as bytes with xarray's ``dtype: bool`` marker and come
    back as booleans from :func:`read_netcdf`. Attributes must be strings, numbers or
    lists of them (NetCDF has no nested attributes).

    Parameters
    ----------
    ds : xarray.Dataset
        Data to write.
    path : path-like
        Target file; its folder is created if needed.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        ds.to_netcdf(tmp, engine=ENGINE)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_netcdf(path: Path | str) -> xr.Dataset:
    """Read a NetCDF file fully into memory (the file is closed on return)."""
    import xarray as xr

    with xr.open_dataset(path, engine=ENGINE) as ds:
        return ds.load()
