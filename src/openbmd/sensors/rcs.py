"""Target radar cross-section against aspect angle.

The **aspect angle** of a target seen by a radar is the angle between the target's
velocity (ECEF, relative to the Earth, which carries the radar) and the line of sight
from the target to the radar: 0 = nose-on (coming straight at the radar), 90 deg =
broadside, 180 deg = tail-on. A ballistic object flies nose-first along its velocity to
the accuracy needed here (a re-entry vehicle is spin-stabilised; a spent stage may
tumble, which a constant or a broad table stands in for).

:class:`RcsModel` is a table of RCS against aspect, interpolated linearly in dBsm (RCS
spans decades); :meth:`RcsModel.constant` is the aspect-free special case. The generic
tables are **orders of magnitude only**, not measurements of any object:

- :meth:`RcsModel.reentry_vehicle`: a slender conical RV. Nose-on ~0.01 m² (-20 dBsm),
  the value used in open-literature analyses of midcourse radars (e.g. Sessler et al.,
  *Countermeasures*, UCS/MIT Security Studies Program (2000); Lewis & Postol, radar range
  estimates for the AN/TPY-2 (2012)); a specular flash near ``90 deg - half-angle`` where
  the cone's generator faces the radar and a larger return from the base tail-on, as
  physical optics predicts for a cone (Knott, Shaeffer & Tuley, *Radar Cross Section*,
  2nd ed. (2004), ch. on simple shapes).
- :meth:`RcsModel.rocket_body`: a spent stage or booster (~1-1.5 m diameter, ~10 m long):
  ~1 m² nose-on, a very large broadside return of a metal cylinder (physical optics
  ``2 pi a L^2 / lambda``: thousands of m² at S band, here capped at +30 dBsm as a
  generic order), ~10 m² from the open aft end.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from openbmd.errors import ParameterError, require_positive, require_range

__all__ = ["ASPECT_TABLE_POINTS", "RcsModel", "rcs_tables"]

FloatArray = npt.NDArray[np.float64]

#: Points of the uniform aspect grid (0 to 180 deg) on which tables are resampled for the
#: compiled measurement loop (1 deg steps).
ASPECT_TABLE_POINTS = 181

_RV_ASPECT_DEG = (0.0, 20.0, 45.0, 70.0, 80.0, 90.0, 120.0, 150.0, 180.0)
_RV_RCS_DBSM = (-20.0, -20.0, -15.0, -5.0, 5.0, 0.0, -5.0, -5.0, 0.0)
_BODY_ASPECT_DEG = (0.0, 45.0, 80.0, 90.0, 100.0, 135.0, 180.0)
_BODY_RCS_DBSM = (0.0, 5.0, 15.0, 30.0, 15.0, 5.0, 10.0)


@dataclass(frozen=True)
class RcsModel:
    """RCS of one kind of object against aspect angle.

    Attributes
    ----------
    aspect_deg : tuple of float
        Aspect angles, deg, strictly increasing from 0 to 180.
    rcs_m2 : tuple of float
        RCS at those aspects, m² (> 0); linear interpolation in dBsm between them.
    label : str
        What the table stands for.
    source : str
        Where its values come from.

    Examples
    --------
    >>> float(RcsModel.constant(0.1).rcs_m2_at(1.0))
    0.1
    >>> round(float(RcsModel.reentry_vehicle().rcs_m2_at(0.0)), 4)
    0.01
    """

    aspect_deg: tuple[float, ...]
    rcs_m2: tuple[float, ...]
    label: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        aspect = require_range("aspect_deg", self.aspect_deg, 0.0, 180.0)
        rcs = require_positive("rcs_m2", self.rcs_m2)
        if aspect.ndim != 1 or aspect.shape != rcs.shape or aspect.size < 2:
            raise ParameterError(
                "aspect_deg",
                "a sequence of >= 2 angles, one per rcs_m2 value",
                f"shapes {aspect.shape} and {rcs.shape}",
            )
        if aspect[0] != 0.0 or aspect[-1] != 180.0 or np.any(np.diff(aspect) <= 0.0):
            raise ParameterError(
                "aspect_deg", "strictly increasing from 0 to 180", tuple(aspect.tolist())
            )
        object.__setattr__(self, "aspect_deg", tuple(float(a) for a in aspect))
        object.__setattr__(self, "rcs_m2", tuple(float(r) for r in rcs))

    @classmethod
    def constant(cls, rcs_m2: float, label: str = "constant") -> RcsModel:
        """The same RCS at every aspect, m² (> 0)."""
        value = float(require_positive("rcs_m2", rcs_m2))
        return cls((0.0, 180.0), (value, value), label, "constant value given by the user")

    @classmethod
    def reentry_vehicle(cls, nose_on_rcs_m2: float = 0.01) -> RcsModel:
        """Generic conical re-entry vehicle; the table scales with ``nose_on_rcs_m2``."""
        scale = float(require_positive("nose_on_rcs_m2", nose_on_rcs_m2)) / 0.01
        return cls(
            _RV_ASPECT_DEG,
            tuple(scale * 10.0 ** (0.1 * v) for v in _RV_RCS_DBSM),
            "generic conical re-entry vehicle",
            "order of magnitude only: nose-on ~0.01 m² as in open-literature midcourse "
            "radar analyses (Sessler et al., Countermeasures, 2000); aspect shape from "
            "physical optics of a cone (Knott, Shaeffer & Tuley, Radar Cross Section, "
            "2nd ed., 2004)",
        )

    @classmethod
    def rocket_body(cls) -> RcsModel:
        """Generic spent stage / booster body (~1.3 m diameter, ~10 m long)."""
        return cls(
            _BODY_ASPECT_DEG,
            tuple(10.0 ** (0.1 * v) for v in _BODY_RCS_DBSM),
            "generic rocket body",
            "order of magnitude only: physical optics of a metal cylinder, broadside "
            "2 pi a L^2 / lambda (Knott, Shaeffer & Tuley, Radar Cross Section, 2nd "
            "ed., 2004), capped at +30 dBsm",
        )

    def rcs_dbsm_at(self, aspect_rad: Any) -> Any:
        """RCS at aspect angles (rad, in [0, pi]), dBsm; any shape."""
        a = np.degrees(require_range("aspect_rad", aspect_rad, 0.0, math.pi))
        table = 10.0 * np.log10(np.asarray(self.rcs_m2))
        out = np.interp(a, np.asarray(self.aspect_deg), table)
        return out[()] if np.ndim(out) == 0 else out

    def rcs_m2_at(self, aspect_rad: Any) -> Any:
        """RCS at aspect angles (rad, in [0, pi]), m²; any shape."""
        return np.power(10.0, 0.1 * np.asarray(self.rcs_dbsm_at(aspect_rad)))[()]

    def uniform_table_dbsm(self, points: int = ASPECT_TABLE_POINTS) -> FloatArray:
        """The table resampled on ``points`` aspects evenly spaced over [0, 180] deg, dBsm."""
        grid = np.linspace(0.0, 180.0, points)
        table = 10.0 * np.log10(np.asarray(self.rcs_m2))
        return np.interp(grid, np.asarray(self.aspect_deg), table)


def rcs_tables(rcs: Any, objects: int) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Uniform aspect tables and a per-object table index for the compiled loops.

    Parameters
    ----------
    rcs : float, RcsModel, or sequence of (float or RcsModel)
        One RCS for every object (constant m², or a model), or one per object.
    objects : int
        Number of objects O.

    Returns
    -------
    tables_dbsm : ndarray, shape (M, ASPECT_TABLE_POINTS)
        Distinct tables, dBsm, on aspects ``j * 180 / (ASPECT_TABLE_POINTS - 1)`` deg.
    index : ndarray of int64, shape (O,)
        Row of ``tables_dbsm`` used by each object.
    """
    if isinstance(rcs, RcsModel) or np.ndim(rcs) == 0:
        model = rcs if isinstance(rcs, RcsModel) else RcsModel.constant(rcs)
        return model.uniform_table_dbsm()[None, :], np.zeros(objects, dtype=np.int64)
    else:
        items: Sequence[Any] = list(rcs) if not isinstance(rcs, np.ndarray) else list(rcs.ravel())
        if len(items) != objects:
            raise ParameterError(
                "rcs", f"one value or model, or one per object ({objects})", f"{len(items)} entries"
            )
    models: dict[RcsModel, int] = {}
    index = np.empty(objects, dtype=np.int64)
    for i, item in enumerate(items):
        model = item if isinstance(item, RcsModel) else RcsModel.constant(item)
        index[i] = models.setdefault(model, len(models))
    tables = np.empty((max(len(models), 1), ASPECT_TABLE_POINTS))
    tables[:] = 0.0
    for model, row in models.items():
        tables[row] = model.uniform_table_dbsm()
    return tables, index
