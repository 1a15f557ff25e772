"""The HTML report of a run: one self-contained file (jinja2 template, autoescaped).

Figures are embedded as base64 PNG ``data:`` URLs and the CSS is inline; a
Content-Security-Policy meta tag forbids any other load, so the file opens offline and
makes no network request. Every text that comes from the run (scenario YAML, names,
event details, sources) is HTML-escaped.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from openbmd.io.atomic import atomic_write_bytes
from openbmd.io.run_records import flatten_metrics, scenario_sha256
from openbmd.report.run_figures import FIGURE_FILES

if TYPE_CHECKING:
    from openbmd.pipeline.result import RunResult

__all__ = ["EVENT_LOG_ROWS", "report_html", "write_report_html"]

#: Rows of the event log shown in the report (the full log is in events.parquet).
EVENT_LOG_ROWS: Final = 500
_TEMPLATE: Final = ("report", "templates", "run_report.html.j2")
#: Event columns shown, with the header and the scale applied to numbers.
_EVENT_VIEW: Final = (
    ("time_s", "time, s", 1.0),
    ("kind", "event", None),
    ("threat_id", "threat", None),
    ("object_id", "object", None),
    ("sensor_id", "sensor", None),
    ("site_id", "site", None),
    ("interceptor_id", "interceptor", None),
    ("lat_deg", "lat, deg", 1.0),
    ("lon_deg", "lon, deg", 1.0),
    ("alt_m", "alt, km", 1e-3),
    ("detail", "detail", None),
)


def report_html(
    result: RunResult,
    *,
    figures: Mapping[str, bytes] | None = None,
    run_id: str | None = None,
    created: datetime | None = None,
    max_events: int = EVENT_LOG_ROWS,
) -> str:
    """The report as HTML text.

    Parameters
    ----------
    result : RunResult
        The run.
    figures : mapping of file name to PNG bytes, optional
        Figures to embed (default: rendered now by
        :func:`openbmd.report.run_figures.run_figures_png`).
    run_id : str, optional
        Run id of the run store.
    created : datetime, optional
        Date of the run (default: now), shown in UTC.
    max_events : int
        Rows of the event log shown.
    """
    import jinja2

    if figures is None:
        from openbmd.report.run_figures import run_figures_png

        figures = run_figures_png(result)
    created = created or datetime.now(UTC)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(
        resources.files("openbmd").joinpath(*_TEMPLATE).read_text(encoding="utf-8")
    )
    events = result.events
    n_events = len(np.asarray(events["time_s"]))
    shown = min(n_events, max(int(max_events), 0))
    rows = [
        [_cell(np.asarray(events[col])[i], scale) for col, _, scale in _EVENT_VIEW]
        for i in range(shown)
    ]
    note = (
        f"All {n_events} events."
        if shown == n_events
        else f"First {shown} of {n_events} events; the full log is in events.parquet."
    )
    captions = dict(FIGURE_FILES)
    figs = [
        {
            "name": name,
            "caption": captions.get(name, name),
            "base64": base64.b64encode(data).decode("ascii"),
        }
        for name, data in figures.items()
    ]
    return template.render(
        run_id=run_id,
        scenario_name=result.scenario_name,
        version=result.software_version,
        seed=result.seed,
        scenario_sha256=scenario_sha256(result.scenario_yaml),
        epoch=_utc_text(result.epoch),
        created=_utc_text(created),
        summary_rows=[
            (name, *_cell(value, 1.0)) for name, value in flatten_metrics(result.summary).items()
        ],
        figures=figs,
        events_note=note,
        event_columns=[header for _, header, _ in _EVENT_VIEW],
        event_rows=rows,
        sources=sorted(result.sources.items()),
        scenario_yaml=result.scenario_yaml,
    )


def write_report_html(result: RunResult, path: Path | str, **options: Any) -> Path:
    """Write :func:`report_html` to ``path`` atomically; return the path."""
    target = Path(path)
    atomic_write_bytes(target, report_html(result, **options).encode("utf-8"))
    return target


def _cell(value: Any, scale: float | None) -> tuple[str, bool]:
    """Text of a table cell and whether it is a number."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or value is None:
        return ("-" if value is None else str(value)), False
    if isinstance(value, int) and scale is not None:
        return f"{value:,}" if scale == 1.0 else f"{value * scale:.6g}", True
    if isinstance(value, float) and scale is not None:
        if not math.isfinite(value):
            return "-", True
        return f"{value * scale:.6g}", True
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v, scale)[0] for v in value), False
    return str(value), False


def _utc_text(t: datetime) -> str:
    t = t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    return t.strftime("%Y-%m-%d %H:%M:%S UTC")
