"""Defence studies at scale: defended footprints, launch areas denied, Monte Carlo
effectiveness, parameter uncertainty and the strategic reach check, serial or on Dask.

Import the submodules directly (``openbmd.analysis.footprint``,
``openbmd.analysis.montecarlo``, ``openbmd.analysis.uncertainty``,
``openbmd.analysis.reach_check``, ``openbmd.analysis.parallel``): they pull in xarray and
dask only when used.
"""
