"""``openbmd engage``: the intercept window of one interceptor site against one threat."""

from __future__ import annotations

import typer

from openbmd.cli.common import parse_latlon, print_json, print_mapping

#: Default delay from the threat's burnout to a firm track, s: an early-warning report
#: about 30 s after the first sight of the boost (``reporting_latency_s`` of
#: ``data/early_warning.yaml``), then about 30 s for a fire-control radar, cued by it, to
#: build a track good enough to fire on. A nominal assumption, not a quoted figure.
DEFAULT_FIRM_TRACK_DELAY_S = 60.0


def register(app: typer.Typer) -> None:
    """Add ``engage`` to ``app``."""
    app.command("engage")(engage_cmd)


def engage_cmd(
    interceptor: str = typer.Option(..., help="Interceptor class (see docs/interceptors.md)."),
    site: str = typer.Option(..., help="Interceptor launch site LAT,LON in degrees."),
    missile: str = typer.Option(..., help="Threat class: srbm, mrbm, irbm or icbm."),
    launch: str = typer.Option(..., help="Threat launch point LAT,LON in degrees."),
    aim: str = typer.Option(..., help="Threat aim point LAT,LON in degrees."),
    shape: str = typer.Option(
        "min-energy", help="min-energy, burnout-angle, apogee or time-of-flight."
    ),
    apogee_km: float = typer.Option(None, help="Apogee altitude for --shape apogee, km."),
    burnout_angle_deg: float = typer.Option(None, help="For --shape burnout-angle, deg."),
    time_of_flight_s: float = typer.Option(None, help="For --shape time-of-flight, s."),
    firm_track_s: float = typer.Option(
        None,
        help="Seconds after the threat's launch when the defence holds a firm track "
        f"(default: the threat's burnout time + {DEFAULT_FIRM_TRACK_DELAY_S:g} s).",
    ),
    kill_assessment_s: float = typer.Option(
        15.0, help="Time from an intercept to the decision to fire again, s."
    ),
    min_homing_s: float = typer.Option(
        4.0, help="Shortest homing time after seeker acquisition, s."
    ),
    sample_step_s: float = typer.Option(1.0, help="Sampling of the threat trajectory, s."),
    sspk: float = typer.Option(None, help="Override the class's single-shot kill probability."),
    reliability: float = typer.Option(None, help="Override the class's reliability."),
    reaction_time_s: float = typer.Option(None, help="Override the class's reaction time, s."),
    inventory: float = typer.Option(
        None, metavar="N", help="Interceptors at the site (caps the shots), integer >= 0."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """When and where an interceptor site can engage a threat (intercept window).

    Times are seconds since the threat's launch.
    """
    import numpy as np

    from openbmd.engagement.effectiveness import require_count
    from openbmd.engagement.tracks import LaunchSites, ThreatTracks
    from openbmd.engagement.windows import intercept_windows
    from openbmd.errors import require_non_negative, require_range
    from openbmd.interceptors.catalog import get_interceptor
    from openbmd.threats import get_missile, solve_trajectory

    site_lat, site_lon = parse_latlon("site", site)
    lat0, lon0 = parse_latlon("launch", launch)
    lat1, lon1 = parse_latlon("aim", aim)
    step = float(require_range("sample_step_s", sample_step_s, 0.0, 10.0, low_open=True))
    require_non_negative("kill_assessment_s", kill_assessment_s)
    require_non_negative("min_homing_s", min_homing_s)
    if firm_track_s is not None:
        require_non_negative("firm_track_s", firm_track_s)
    stock = None if inventory is None else int(require_count("inventory", inventory))
    overrides = {
        k: v
        for k, v in (
            ("sspk", sspk),
            ("reliability", reliability),
            ("reaction_time_s", reaction_time_s),
        )
        if v is not None
    }
    for key in ("sspk", "reliability"):
        if key in overrides:
            require_range(key, overrides[key], 0.0, 1.0)
    if "reaction_time_s" in overrides:
        require_non_negative("reaction_time_s", overrides["reaction_time_s"])
    icp = get_interceptor(interceptor, **overrides)
    threat = get_missile(missile)
    traj = solve_trajectory(
        threat,
        lat0,
        lon0,
        lat1,
        lon1,
        shape,
        apogee_km=apogee_km,
        burnout_angle_deg=burnout_angle_deg,
        time_of_flight_s=time_of_flight_s,
    )
    burnout = float(traj.flight.burnout_time_s[0])
    if firm_track_s is None:
        firm = burnout + DEFAULT_FIRM_TRACK_DELAY_S
        rule = f"default: burnout {burnout:.1f} s + {DEFAULT_FIRM_TRACK_DELAY_S:g} s"
    else:
        firm, rule = float(firm_track_s), "given"
    tracks = ThreatTracks.from_trajectories([traj], firm, step_s=step)
    sites = LaunchSites(np.array([site_lat]), np.array([site_lon]), names=(site,))
    w = intercept_windows(
        tracks,
        sites,
        icp,
        min_homing_time_s=min_homing_s,
        kill_assessment_s=kill_assessment_s,
    )
    out = w.summary(0, 0)
    shots = int(out["shot_opportunities"])
    available = shots if stock is None else min(shots, stock)
    p_single = icp.reliability * icp.sspk
    values = {
        "interceptor": icp.name,
        "missile": missile,
        "shape": shape,
        "firm_track_s": firm,
        "firm_track_rule": rule,
        **out,
        "shots_available": available,
        "single_shot_p_kill": p_single,
        "time_of_flight_s": float(traj.flight.time_of_flight_s[0]),
    }
    if json_out:
        print_json(values)
        return
    print_mapping(f"{icp.name} at {site} against {missile} ({shape})", values)
    typer.echo(f"Firm track at {firm:.1f} s after launch ({rule}).")
    if not out["engageable"]:
        typer.echo(f"Not engageable: {out['reason']}.")
