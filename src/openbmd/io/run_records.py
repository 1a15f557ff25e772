"""Records of the run store, and helpers shared with the run folder and the report.

Kept apart from :mod:`openbmd.io.runstore` so that readers of run records (the report,
the CLI) need neither DuckDB nor the store's locking logic.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "StoredRun",
    "compare_metrics",
    "flatten_metrics",
    "iso",
    "json_ready",
    "new_run_id",
    "scenario_sha256",
    "utc",
]


def scenario_sha256(text: str) -> str:
    """Hex SHA-256 of the scenario text (UTF-8), as recorded in the store and files."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_run_id(now: datetime | None = None) -> str:
    """A short id: UTC time to the second plus 16 random bits, e.g. ``260509-073512-a3f9``.

    Ids sort by creation time; two runs started in the same second differ in the random
    part (a collision is retried by :meth:`RunStore.start_run`).
    """
    now = now or datetime.now(UTC)
    return f"{now:%y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def json_ready(value: Any) -> Any:
    """``value`` with numpy scalars/arrays, paths and dates made JSON-ready.

    Non-finite floats become ``None`` (JSON has no NaN); mapping keys become strings.
    """
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return json_ready(value.tolist())
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        return json_ready(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def flatten_metrics(summary: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested summary dictionaries flattened to dotted names (``stage_seconds.tracking``)."""
    flat: dict[str, Any] = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_metrics(value, f"{name}."))
        else:
            flat[name] = value
    return flat


@dataclass(frozen=True)
class StoredRun:
    """One row of the run store (times are UTC)."""

    run_id: str
    status: str
    scenario_name: str
    scenario_sha256: str
    scenario_yaml: str
    software_version: str
    seed: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    out_dir: str | None
    summary: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    owner_host: str = ""
    owner_pid: int = 0

    @property
    def duration_s(self) -> float | None:
        """Wall time from start to finish, s (``None`` while running)."""
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def as_dict(self, *, scenario: bool = False) -> dict[str, Any]:
        """JSON-ready fields; the scenario text only with ``scenario=True``."""
        out = {
            "run_id": self.run_id,
            "status": self.status,
            "scenario_name": self.scenario_name,
            "scenario_sha256": self.scenario_sha256,
            "software_version": self.software_version,
            "seed": self.seed,
            "created_at": iso(self.created_at),
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
            "duration_s": self.duration_s,
            "out_dir": self.out_dir,
            "error": self.error,
            "owner_host": self.owner_host,
            "owner_pid": self.owner_pid,
            "summary": self.summary,
            "outputs": self.outputs,
        }
        if scenario:
            out["scenario_yaml"] = self.scenario_yaml
        return json_ready(out)


def compare_metrics(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows ``{"metric", "a", "b", "difference"}`` of two summaries (see ``RunStore.compare``)."""
    fa, fb = flatten_metrics(a), flatten_metrics(b)
    rows = []
    for name in [*fa, *(k for k in fb if k not in fa)]:
        va, vb = fa.get(name), fb.get(name)
        rows.append({"metric": name, "a": va, "b": vb, "difference": _difference(va, vb)})
    return rows


def _difference(a: Any, b: Any) -> float | int | None:
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return None
    if isinstance(a, numbers) and isinstance(b, numbers):
        diff = b - a
        return diff if math.isfinite(diff) else None
    return None


def utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat().replace("+00:00", "Z")
