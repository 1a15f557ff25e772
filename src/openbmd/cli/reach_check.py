"""``openbmd reach-check``: can interceptors from given sites reach one trajectory at all?"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from openbmd.cli.common import (
    check_output_paths,
    parse_latlon,
    print_json,
    print_mapping,
)


def register(app: typer.Typer) -> None:
    """Add ``reach-check`` to ``app``."""
    app.command("reach-check")(reach_check_cmd)


def parse_site(text: str) -> tuple[str | None, tuple[float, float]]:
    """``"LAT,LON"`` or ``"NAME=LAT,LON"`` -> (name or None, (lat, lon))."""
    name, _, coords = text.rpartition("=")
    return (name.strip() or None), parse_latlon("site", coords)


def reach_check_cmd(
    interceptor: str = typer.Option(
        ..., help="Interceptor class: upper-tier, terminal-high or lower-tier."
    ),
    site: list[str] = typer.Option(
        ..., help="Interceptor site LAT,LON or NAME=LAT,LON in degrees (repeat for more)."
    ),
    missile: str = typer.Option(..., help="Threat class: srbm, mrbm, irbm or icbm."),
    launch: str = typer.Option(..., help="Threat launch point LAT,LON in degrees."),
    aim: str = typer.Option(..., help="Threat aim point LAT,LON in degrees."),
    shape: str = typer.Option(
        "min-energy", help="min-energy, burnout-angle, apogee or time-of-flight."
    ),
    apogee_km: float = typer.Option(None, help="Apogee altitude for --shape apogee, km."),
    burnout_angle_deg: float = typer.Option(None, help="For --shape burnout-angle, deg."),
    time_of_flight_s: float = typer.Option(None, help="For --shape time-of-flight, s."),
    radar: str = typer.Option(
        "s-band-array", help="Radar class placed at every site (see docs/sensors.md)."
    ),
    early_warning: bool = typer.Option(
        True,
        "--early-warning/--no-early-warning",
        help="A space-based infrared cue (catalog ir-geo) speeds the radars' confirmation.",
    ),
    firm_track_s: float = typer.Option(
        None,
        help="Firm-track time for every site, s after the threat's launch (replaces the radars).",
    ),
    shared_track: bool = typer.Option(
        False, "--shared-track", help="Every site fires on the earliest firm track of any site."
    ),
    rcs_m2: float = typer.Option(
        None, help="Constant RV radar cross-section, m^2 (default: generic conical RV)."
    ),
    speed_margin: bool = typer.Option(
        True,
        "--speed-margin/--no-speed-margin",
        help="Compute the speed margin (a bisection over fly-out tables: seconds).",
    ),
    min_homing_s: float = typer.Option(4.0, help="Shortest homing after seeker acquisition, s."),
    kill_assessment_s: float = typer.Option(15.0, help="Intercept to next decision, s."),
    sample_step_s: float = typer.Option(1.0, help="Sampling of the threat trajectory, s."),
    png: Path = typer.Option(None, help="Write a figure (altitude, windows, launch times)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Whether interceptors at the sites can reach the threat at all, and the margins.

    Times are seconds after the threat's launch. Generic nominal analysis: public,
    order-of-magnitude parameters of generic classes (docs/reach-check.md).
    """
    from openbmd.analysis.reach_check import reach_check
    from openbmd.errors import ParameterError

    parsed = [parse_site(s) for s in site]
    names = [name or f"{lat:g},{lon:g}" for name, (lat, lon) in parsed]
    if len(set(names)) != len(names):
        raise ParameterError("site", "sites with distinct names", ", ".join(site))
    origin = parse_latlon("launch", launch)
    target = parse_latlon("aim", aim)
    if rcs_m2 is not None and not (math.isfinite(rcs_m2) and rcs_m2 > 0):
        raise ParameterError("rcs_m2", "> 0", rcs_m2)
    if png is not None:
        check_output_paths([png])
    result = reach_check(
        interceptor,
        [coords for _, coords in parsed],
        missile,
        origin,
        target,
        site_names=names,
        shape=shape,
        apogee_km=apogee_km,
        burnout_angle_deg=burnout_angle_deg,
        time_of_flight_s=time_of_flight_s,
        radar=radar,
        early_warning=early_warning,
        firm_track_s=firm_track_s,
        shared_track=shared_track,
        rcs_m2=rcs_m2,
        min_homing_s=min_homing_s,
        kill_assessment_s=kill_assessment_s,
        sample_step_s=sample_step_s,
        margins=speed_margin,
    )
    if png is not None:
        from openbmd.io.atomic import atomic_write_bytes
        from openbmd.report.reach_check_figure import reach_check_png

        atomic_write_bytes(png, reach_check_png(result))
    out = result.to_dict()
    if json_out:
        print_json({**out, **({"figure": str(png)} if png is not None else {})})
        return
    _print_text(out)
    if png is not None:
        typer.echo(f"Figure: {png}")


def _print_text(out: dict[str, Any]) -> None:
    summary = {k: v for k, v in out.items() if k != "sites"}
    summary["launch"] = "{:g},{:g}".format(*out["launch"])
    summary["aim"] = "{:g},{:g}".format(*out["aim"])
    print_mapping(
        f"reach check: {out['interceptor']} against {out['missile']} (times: s after its launch)",
        summary,
    )
    for s in out["sites"]:
        w = s["window"]
        print_mapping(
            f"site {s['name']} ({s['lat_deg']:g},{s['lon_deg']:g})",
            {
                "reachable": s["reachable"],
                "reason": s["reason"] or "-",
                "closest_ground_range_km": s["closest_ground_range_km"],
                "first_detection_s": s["first_detection_s"],
                "firm_track_s": s["firm_track_s"],
                "firm_track_source": s["firm_track_source"],
                "interceptor_launch_s": _span(w["earliest_launch_s"], w["latest_launch_s"]),
                "intercept_s": _span(w["earliest_intercept_s"], w["latest_intercept_s"]),
                "intercept_alt_km": _span(w["min_intercept_alt_km"], w["max_intercept_alt_km"]),
                "intercept_ground_range_km": _span(
                    w["min_ground_range_km"], w["max_ground_range_km"]
                ),
                "shot_opportunities": w["shot_opportunities"],
                "latest_firm_track_s": s["latest_firm_track_s"],
                "track_margin_s": s["track_margin_s"],
            },
        )
        typer.echo(f"{s['name']}: {s['reason_detail']}.")
    sm = out["speed_margin_m_s"]
    if isinstance(sm, float) and math.isfinite(sm):
        more = {"at least": "at least ", "at most": "more than "}.get(out["speed_margin_bound"], "")
        verb = "could burn out slower by" if sm >= 0 else "would have to burn out faster by"
        typer.echo(
            f"Speed margin ({out['speed_margin_basis']}): {sm:+,.0f} m/s"
            f"{' (' + out['speed_margin_bound'] + ')' if out['speed_margin_bound'] else ''}: "
            f"the interceptor {verb} {more}{abs(sm):,.0f} m/s "
            f"(class {out['burnout_speed_m_s']:,.0f} m/s; "
            f"{'tried up to' if out['speed_margin_bound'] == 'at most' else 'needs'} "
            f"{out['required_burnout_speed_m_s']:,.0f} m/s)."
        )
    verdict = "REACHABLE" if out["reachable"] else "NOT REACHABLE"
    typer.echo(f"Verdict: {verdict} (generic nominal analysis; docs/reach-check.md).")


def _span(a: float, b: float) -> str:
    if not (isinstance(a, float) and math.isfinite(a)):
        return "-"
    return f"{a:,.0f} to {b:,.0f}"
