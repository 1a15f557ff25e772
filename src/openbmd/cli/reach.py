"""``openbmd reach``: the reach and time-to-reach table of an interceptor class."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from openbmd.cli.common import check_output_paths, print_json, print_mapping, print_table

#: Steps along the longer axis of the table printed by the command.
PRINTED_STEPS = 50


def register(app: typer.Typer) -> None:
    """Add ``reach`` to ``app``."""
    app.command("reach")(reach_cmd)


def reach_cmd(
    interceptor: str = typer.Option(
        ..., help="Interceptor class: upper-tier, terminal-high or lower-tier."
    ),
    step_km: float = typer.Option(
        None, help="Grid step of the printed table, km (default: ~50 steps)."
    ),
    png: Path = typer.Option(None, help="Write a figure (fly-out fan, time contours, limits)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Maximum ground range and altitude of an interceptor class and its time to reach.

    The table gives the shortest fly-out time from launch (s) to each ground range and
    altitude, over a non-rotating Earth (null where out of reach).
    """
    import numpy as np

    from openbmd.errors import ParameterError
    from openbmd.interceptors.catalog import get_interceptor
    from openbmd.interceptors.flyout import time_to_reach_table

    if png is not None:
        check_output_paths([png])
    if step_km is not None and not (math.isfinite(step_km) and step_km > 0):
        raise ParameterError("step_km", "> 0", step_km)
    it = get_interceptor(interceptor)
    table = time_to_reach_table(it)
    summary = _summary(it, table)
    step_m = _step_m(table, step_km)
    points = (table.max_ground_range_m / step_m + 1) * (table.max_altitude_m / step_m + 1)
    if points > 1e6:
        raise ParameterError("step_km", "giving at most a million table points", step_km)
    x = np.arange(0.0, table.max_ground_range_m + 0.5 * step_m, step_m)
    h = np.arange(0.0, table.max_altitude_m + 0.5 * step_m, step_m)
    times = table.time_at(x[:, None], h[None, :])
    if png is not None:
        from openbmd.interceptors.flyout import flyout_fan
        from openbmd.io.atomic import atomic_write_bytes
        from openbmd.report.flyout_figure import flyout_png

        atomic_write_bytes(png, flyout_png(it, table, flyout_fan(it)))
    if json_out:
        print_json(
            {
                **summary,
                "table_step_km": step_m / 1e3,
                "ground_range_km": _rounded(x / 1e3, 6),
                "altitude_km": _rounded(h / 1e3, 6),
                "time_s": [_rounded(row, 2) for row in times],
                **({"figure": str(png)} if png is not None else {}),
            }
        )
        return
    print_mapping(f"{interceptor}: reach", summary)
    cols = np.linspace(0, x.size - 1, min(x.size, 9)).round().astype(int)
    rows = np.linspace(0, h.size - 1, min(h.size, 9)).round().astype(int)[::-1]
    print_table(
        "time to reach, s (rows: altitude; columns: ground range; - out of reach)",
        [
            {"altitude_km": float(h[j] / 1e3)}
            | {f"{x[i] / 1e3:g} km": round(float(times[i, j]), 1) for i in cols}
            for j in rows
        ],
    )
    if png is not None:
        typer.echo(f"Figure: {png}")


def _summary(it: Any, table: Any) -> dict[str, Any]:
    return {
        "interceptor": it.name,
        "kind": it.kind,
        "max_ground_range_km": table.max_ground_range_m / 1e3,
        "max_altitude_km": table.max_altitude_m / 1e3,
        "burnout_speed_km_s": table.burnout_speed_m_s / 1e3,
        "burnout_time_s": table.burnout_time_s,
        "published_burnout_speed_km_s": it.published_burnout_speed_m_s / 1e3,
        "design_burnout_speed_km_s": it.design_burnout_speed_m_s / 1e3,
        "launch_mass_kg": it.launch_mass_kg,
        "min_intercept_alt_km": it.min_intercept_alt_m / 1e3,
        "max_intercept_alt_km": it.max_intercept_alt_m / 1e3,
        "max_ground_range_cap_km": it.max_ground_range_m / 1e3,
        "table_resolution_km": table.resolution_m / 1e3,
        "content_hash": table.content_hash,
    }


def _step_m(table: Any, step_km: float | None) -> float:
    if step_km is not None:
        return float(step_km) * 1e3
    extent = max(table.max_ground_range_m, table.max_altitude_m)
    raw = extent / PRINTED_STEPS
    p = 10.0 ** math.floor(math.log10(raw))
    return float(next(m * p for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * p >= raw))


def _rounded(values: Any, digits: int) -> list[Any]:
    return [None if not math.isfinite(v) else round(float(v), digits) for v in values]
