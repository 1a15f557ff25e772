"""``openbmd track``: one threat, some radars -> per-object track quality."""

from __future__ import annotations

import typer

from openbmd.cli.common import parse_latlon, print_json, print_table
from openbmd.errors import ParameterError

_RADAR_FORMAT = "CLASS@LAT,LON (e.g. s-band-array@39.7,140.1)"


def register(app: typer.Typer) -> None:
    """Add the track command to ``app``."""
    app.command("track")(track_cmd)


def parse_radar(text: str) -> tuple[str, float, float]:
    """Parse ``CLASS@LAT,LON`` and check the class against the catalog."""
    from openbmd.sensors.catalog import get_radar_class

    name, sep, where = text.strip().partition("@")
    if not sep or not name or not where:
        raise ParameterError("radar", _RADAR_FORMAT, text)
    get_radar_class(name)  # unknown class: the error lists the catalog names
    lat, lon = parse_latlon(f"radar {name}", where)
    return name, lat, lon


def track_cmd(
    missile: str = typer.Option(..., help="Missile class of the catalog (srbm, mrbm, ...)."),
    launch: str = typer.Option(..., help="Launch point LAT,LON in degrees."),
    aim: str = typer.Option(..., help="Aim point LAT,LON in degrees."),
    radar: list[str] = typer.Option(
        None, "--radar", help="Radar CLASS@LAT,LON (repeat the option for several)."
    ),
    shape: str = typer.Option("min-energy", help="Trajectory shape (see openbmd trajectory)."),
    shape_value: float = typer.Option(
        None,
        "--shape-value",
        help="The shape's parameter: apogee km, burnout angle deg or time of flight s.",
    ),
    seed: int = typer.Option(0, help="Seed of the measurement noise (>= 0)."),
    association: str = typer.Option("gnn", help="Data association: gnn or jpda."),
    early_warning: bool = typer.Option(
        True,
        "--early-warning/--no-early-warning",
        help="Seed tracks and cue the radars from infrared early warning (ir-geo).",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Track the re-entry vehicle and the rocket body of one threat with radars."""
    from openbmd.errors import require_choice

    launch_lat, launch_lon = parse_latlon("launch", launch)
    aim_lat, aim_lon = parse_latlon("aim", aim)
    if not radar:
        raise ParameterError("radar", "given at least once as " + _RADAR_FORMAT, "none")
    radars = [parse_radar(r) for r in radar]
    if seed < 0:
        raise ParameterError("seed", "an integer >= 0", seed)
    require_choice("association", association, ("gnn", "jpda"))

    from openbmd.threats import get_missile
    from openbmd.tracking.scenario_track import track_threat

    run = track_threat(
        get_missile(missile),
        (launch_lat, launch_lon),
        (aim_lat, aim_lon),
        radars,
        seed=seed,
        shape=shape,
        shape_value=shape_value,
        association=association,
        early_warning="ir-geo" if early_warning else None,
    )
    rows = run.records()
    if json_out:
        print_json(
            {
                "missile": missile,
                "launch": [launch_lat, launch_lon],
                "aim": [aim_lat, aim_lon],
                "radars": [f"{n}@{la:g},{lo:g}" for n, la, lo in radars],
                "seed": seed,
                "objects": rows,
            }
        )
        return
    # one column per object: the quantities are too many for one row each
    keys = [k for k in rows[0] if k not in ("object", "note")] if rows else []
    table = [{"quantity": k, **{r["object"]: r[k] for r in rows}} for k in keys]
    print_table(f"{missile} tracked by {len(radars)} radar(s), seed {seed}", table)
    for r in rows:
        if "note" in r:
            typer.echo(f"{r['object']}: {r['note']}")
