"""Immutable result of a tracker run: every track's history, flat arrays with offsets.

Track ``k`` (its id, in creation order) owns history rows ``offsets[k]:offsets[k + 1]``:
one row per state the track took (its start, then each update), with the detection
that made it and that detection's truth object (for metrics; the tracker never reads
it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from openbmd.errors import ParameterError
from openbmd.tracking.filters import TrackState
from openbmd.tracking.metrics import TrackQuality, track_quality

__all__ = ["TrackHistory", "TrackerResult"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Names of the status codes 0, 1, 2.
STATUS_NAMES = ("tentative", "confirmed", "deleted")


@dataclass(frozen=True, eq=False)
class TrackHistory:
    """History of one track (views of :class:`TrackerResult`'s arrays, H rows).

    Attributes
    ----------
    track_id : int
    time_s : (H,) float
        Time of each state, s since the epoch.
    x : (H, n) float
        States (ECI, layout of :mod:`openbmd.tracking.models`).
    P : (H, n, n) float
        Covariances.
    status : (H,) int
        Status after that row: 0 tentative, 1 confirmed (2 never appears in rows: a
        deletion adds no state; see ``TrackerResult.deleted_time_s``).
    detection_index : (H,) int
        Row of the input detections that made the state; -1 for a cue's prior.
    object_id : (H,) int
        Truth object of that detection; -1 for none.
    sensor_id : (H,) int
        Sensor of that detection; -1 for none.
    nis : (H,) float
        Squared Mahalanobis distance of the associated detection (NaN at a start).
    """

    track_id: int
    time_s: FloatArray
    x: FloatArray
    P: FloatArray
    status: IntArray
    detection_index: IntArray
    object_id: IntArray
    sensor_id: IntArray
    nis: FloatArray

    def state(self) -> TrackState:
        """All rows as a :class:`~openbmd.tracking.filters.TrackState`."""
        return TrackState.trusted(self.x, self.P, self.time_s)


@dataclass(frozen=True, eq=False)
class TrackerResult:
    """Tracks of a run (K tracks, H history rows in all).

    Attributes
    ----------
    track_id : (K,) int
        Ids, ``0 .. K-1`` in creation order (never reused).
    source : tuple of str, length K
        ``"detection"`` or ``"cue"`` (seeded by an early-warning report).
    created_time_s, confirmed_time_s, deleted_time_s : (K,) float
        When each track started, was confirmed and was deleted, s (NaN: never).
    final_status : (K,) int
        0 tentative, 1 confirmed, 2 deleted at the end of the run.
    offsets : (K + 1,) int
        Track ``k`` owns rows ``offsets[k]:offsets[k + 1]`` of the history arrays.
    time_s, x, P, status, detection_index, object_id, sensor_id, nis
        History rows (see :class:`TrackHistory`).
    counts : mapping of str to int
        ``detections`` (given), ``used_detections``, ``skipped_non_finite``,
        ``out_of_order`` (rows earlier than a row before them in the input; they were
        sorted), ``failed_updates`` (numerical failures, treated as misses), ``scans``.
    """

    track_id: IntArray
    source: tuple[str, ...]
    created_time_s: FloatArray
    confirmed_time_s: FloatArray
    deleted_time_s: FloatArray
    final_status: IntArray
    offsets: IntArray
    time_s: FloatArray
    x: FloatArray
    P: FloatArray
    status: IntArray
    detection_index: IntArray
    object_id: IntArray
    sensor_id: IntArray
    nis: FloatArray
    counts: Mapping[str, int]

    @classmethod
    def from_tracks(
        cls, tracks: Sequence[Any], *, n_state: int, counts: Mapping[str, int]
    ) -> TrackerResult:
        """Flatten the tracker's internal track records (``hist`` rows of
        ``(t, x, P, status, detection, object, sensor, nis)``)."""
        sizes = [len(tr.hist) for tr in tracks]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        rows = [row for tr in tracks for row in tr.hist]

        def col(i: int, dtype: Any) -> np.ndarray:
            return np.array([row[i] for row in rows], dtype=dtype)

        x = np.array([row[1] for row in rows]).reshape(-1, n_state)
        p = np.array([row[2] for row in rows]).reshape(-1, n_state, n_state)
        return cls(
            track_id=np.array([tr.id for tr in tracks], dtype=np.int64),
            source=tuple(tr.source for tr in tracks),
            created_time_s=np.array([tr.created for tr in tracks], dtype=float),
            confirmed_time_s=np.array([tr.confirmed for tr in tracks], dtype=float),
            deleted_time_s=np.array([tr.deleted for tr in tracks], dtype=float),
            final_status=np.array([tr.status for tr in tracks], dtype=np.int64),
            offsets=offsets,
            time_s=col(0, float),
            x=x,
            P=p,
            status=col(3, np.int64),
            detection_index=col(4, np.int64),
            object_id=col(5, np.int64),
            sensor_id=col(6, np.int64),
            nis=col(7, float),
            counts=dict(counts),
        )

    @property
    def size(self) -> int:
        """Number of tracks K."""
        return int(self.track_id.size)

    def __len__(self) -> int:
        return self.size

    def history(self, track_id: int) -> TrackHistory:
        """History of one track."""
        k = int(track_id)
        if not 0 <= k < self.size:
            raise ParameterError("track_id", f"in [0, {self.size - 1}]", track_id)
        sl = slice(int(self.offsets[k]), int(self.offsets[k + 1]))
        return TrackHistory(k, self.time_s[sl], self.x[sl], self.P[sl], self.status[sl],
                            self.detection_index[sl], self.object_id[sl], self.sensor_id[sl],
                            self.nis[sl])  # fmt: skip

    def confirmed(self) -> IntArray:
        """Ids of the tracks that were ever confirmed."""
        return np.flatnonzero(np.isfinite(self.confirmed_time_s)).astype(np.int64)

    def quality(self, max_gap_s: float | None = None) -> TrackQuality:
        """Purity of the tracks and continuity of the truth objects
        (:func:`openbmd.tracking.metrics.track_quality` over the rows made by a
        detection; a cue's prior row is left out). ``max_gap_s``: a longer interval
        between updates of one object is a break (default: none counts)."""
        gap = float(np.finfo(float).max) if max_gap_s is None else max_gap_s
        rows = self.detection_index >= 0
        owner = np.repeat(self.track_id, np.diff(self.offsets))
        return track_quality(owner[rows], self.object_id[rows], self.time_s[rows],
                             max_gap_s=gap)  # fmt: skip

    def majority_object_id(self) -> IntArray:
        """Truth object behind most of each track's detections (-1: none)."""
        q = self.quality()
        out = np.full(self.size, -1, dtype=np.int64)
        out[q.track_ids] = q.dominant_object
        return out

    def purity(self) -> FloatArray:
        """Fraction of each track's detections that come from its majority object
        (NaN: no detection)."""
        q = self.quality()
        out = np.full(self.size, np.nan)
        out[q.track_ids] = q.purity
        return out

    def status_names(self) -> tuple[str, ...]:
        """Final status of each track, in words."""
        return tuple(STATUS_NAMES[int(s)] for s in self.final_status)
