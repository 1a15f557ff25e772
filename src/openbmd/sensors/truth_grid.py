"""The truth of a run on a regular time grid, the input of the radar measurement passes.

:class:`TruthGrid` holds every object's ECEF position and velocity at common times (NaN
where an object does not exist), built once from propagated samples and reused by every
radar; :func:`openbmd.sensors.simulate_detections` builds one when given samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from openbmd.errors import ParameterError, require_finite
from openbmd.flight.propagate import Samples
from openbmd.sensors.measurement_kernels import samples_present

__all__ = ["TruthGrid"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class TruthGrid:
    """Truth states of O objects on a common time grid.

    Attributes
    ----------
    time_s : ndarray, shape (T,)
        Strictly increasing times, s since the scenario epoch.
    r_ecef_m : ndarray, shape (O, T, 3)
        ECEF positions, m; NaN where the object does not exist.
    v_ecef_m_s : ndarray, shape (O, T, 3)
        ECEF velocities (relative to the Earth), m/s; NaN where it does not exist.
    """

    time_s: FloatArray
    r_ecef_m: FloatArray
    v_ecef_m_s: FloatArray

    def __post_init__(self) -> None:
        t = require_finite("time_s", self.time_s).reshape(-1)
        if t.size == 0 or np.any(np.diff(t) <= 0.0):
            raise ParameterError("time_s", "a non-empty, strictly increasing array", t[:3])
        shape = (-1, t.size, 3)
        arrays = {}
        for name in ("r_ecef_m", "v_ecef_m_s"):
            arr = np.asarray(getattr(self, name), dtype=float)
            if arr.ndim == 2 and arr.shape == (t.size, 3):
                arr = arr[None]
            if arr.ndim != 3 or arr.shape[1:] != (t.size, 3):
                raise ParameterError(
                    name, f"an array of shape (O, {t.size}, 3)", f"shape {arr.shape}"
                )
            if np.any(np.isinf(arr)):
                raise ParameterError(name, "finite or NaN (no object) values", math.inf)
            arrays[name] = np.ascontiguousarray(arr.reshape(shape))
        if arrays["r_ecef_m"].shape != arrays["v_ecef_m_s"].shape:
            raise ParameterError(
                "v_ecef_m_s", "the shape of r_ecef_m", f"shape {arrays['v_ecef_m_s'].shape}"
            )
        object.__setattr__(self, "time_s", np.ascontiguousarray(t))
        for name, arr in arrays.items():
            object.__setattr__(self, name, arr)

    @cached_property
    def time_major(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``(time_s, r, v)`` with ``r`` and ``v`` time-major, shape (T, O, 3) (for kernels)."""
        r = np.ascontiguousarray(self.r_ecef_m.transpose(1, 0, 2))
        return self.time_s, r, np.ascontiguousarray(self.v_ecef_m_s.transpose(1, 0, 2))

    @cached_property
    def samples_present(self) -> npt.NDArray[np.bool_]:
        """Time-major (T, O) flag: position and velocity all finite (for kernels)."""
        _, r, v = self.time_major
        present = np.empty(r.shape[:2], dtype=np.bool_)
        samples_present(r, v, present)
        return present

    @cached_property
    def present_objects(self) -> tuple[IntArray, IntArray]:
        """``(first, objects)``: ``objects[first[i]:first[i + 1]]`` are the objects present
        at time ``i`` (see :attr:`samples_present`), in order (for kernels)."""
        present = self.samples_present
        first = np.zeros(present.shape[0] + 1, dtype=np.int64)
        np.cumsum(present.sum(axis=1), out=first[1:])
        return first, np.nonzero(present)[1].astype(np.int64)

    @property
    def objects(self) -> int:
        """Number of objects O."""
        return int(self.r_ecef_m.shape[0])

    @classmethod
    def from_samples(cls, samples: Samples) -> TruthGrid:
        """Pad ragged :class:`~openbmd.flight.propagate.Samples` onto one uniform grid.

        Every sample time must lie on a common grid ``t0 + j * dt`` (propagate with a
        common ``sample_start_s``, or launch times that are multiples of the step).
        Objects are NaN outside their own samples.
        """
        offsets = np.asarray(samples.offsets, dtype=np.int64)
        times = np.asarray(samples.time_s, dtype=float)
        if times.size == 0:
            raise ParameterError("samples", "at least one sample", "none")
        counts = np.diff(offsets)
        objects = counts.size
        owner = np.repeat(np.arange(objects), counts)
        t0 = float(times.min())
        several = np.flatnonzero(counts >= 2)
        if several.size == 0:
            step = 1.0
        else:
            first = int(offsets[several[0]])
            step = float(times[first + 1] - times[first])
        index_f = (times - t0) / step
        index = np.rint(index_f).astype(np.int64)
        if np.any(np.abs(index_f - index) > 1e-6):
            raise ParameterError(
                "samples", f"times on one grid t0 + j * {step:g} s", "samples off that grid"
            )
        n_times = int(index.max()) + 1
        r = np.full((objects, n_times, 3), np.nan)
        v = np.full((objects, n_times, 3), np.nan)
        r[owner, index] = samples.r_ecef_m
        v[owner, index] = samples.v_ecef_m_s
        return cls(np.asarray(t0 + step * np.arange(n_times), dtype=float), r, v)
