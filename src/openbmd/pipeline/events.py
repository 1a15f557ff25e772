"""The time-ordered event log of a run (see :data:`openbmd.pipeline.result.EVENT_COLUMNS`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from openbmd.pipeline.result import EVENT_COLUMNS, EVENT_KINDS

_TEXT = ("kind", "threat_id", "object_id", "sensor_id", "site_id", "interceptor_id", "detail")


@dataclass
class EventLog:
    """Collects events in any order; :meth:`table` sorts them by time (stable)."""

    rows: list[dict[str, object]] = field(default_factory=list)

    def add(
        self,
        time_s: float,
        kind: str,
        *,
        threat_id: str = "",
        object_id: str = "",
        sensor_id: str = "",
        site_id: str = "",
        interceptor_id: str = "",
        lat_deg: float = math.nan,
        lon_deg: float = math.nan,
        alt_m: float = math.nan,
        detail: str = "",
    ) -> None:
        """Record one event (``kind`` from :data:`EVENT_KINDS`)."""
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        self.rows.append(
            {
                "time_s": float(time_s),
                "kind": kind,
                "threat_id": threat_id,
                "object_id": object_id,
                "sensor_id": sensor_id,
                "site_id": site_id,
                "interceptor_id": interceptor_id,
                "lat_deg": float(lat_deg),
                "lon_deg": float(lon_deg),
                "alt_m": float(alt_m),
                "detail": detail,
            }
        )

    def count(self, kind: str) -> int:
        """Number of events of one kind."""
        return sum(1 for r in self.rows if r["kind"] == kind)

    def table(self) -> dict[str, np.ndarray]:
        """Columns sorted by time, then by the kinds' order in a run (stable)."""
        rank = {k: i for i, k in enumerate(EVENT_KINDS)}
        order = sorted(
            range(len(self.rows)),
            key=lambda i: (self.rows[i]["time_s"], rank[str(self.rows[i]["kind"])], i),
        )
        out: dict[str, np.ndarray] = {}
        for col in EVENT_COLUMNS:
            values = [self.rows[i][col] for i in order]
            out[col] = np.array(values, dtype=object if col in _TEXT else float)
        return out
