"""``openbmd trajectory``, ``openbmd range-table`` and ``openbmd demo``."""

from __future__ import annotations

from pathlib import Path

import typer

from openbmd.cli.common import (
    check_output_paths,
    parse_latlon,
    print_json,
    print_mapping,
    print_table,
)

#: Default demo: a generic medium-range threat from the Korean peninsula toward central
#: Japan, the situation of the news report that started the project.
DEMO_MISSILE = "mrbm"
DEMO_LAUNCH = "39.0,125.7"
DEMO_AIM = "35.7,139.7"


def register(app: typer.Typer) -> None:
    """Add the trajectory commands to ``app``."""
    app.command("trajectory")(trajectory_cmd)
    app.command("range-table")(range_table_cmd)
    app.command("demo")(demo_cmd)


def trajectory_cmd(
    missile: str = typer.Option(..., help="Missile class: srbm, mrbm, irbm or icbm."),
    launch: str = typer.Option(..., help="Launch point LAT,LON in degrees."),
    aim: str = typer.Option(..., help="Aim point LAT,LON in degrees."),
    shape: str = typer.Option(
        "min-energy", help="min-energy, burnout-angle, apogee or time-of-flight."
    ),
    apogee_km: float = typer.Option(None, help="Apogee altitude for --shape apogee, km."),
    burnout_angle_deg: float = typer.Option(None, help="For --shape burnout-angle, deg."),
    time_of_flight_s: float = typer.Option(None, help="For --shape time-of-flight, s."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    czml: Path = typer.Option(None, help="Write the trajectory as CZML (Cesium)."),
    png: Path = typer.Option(None, help="Write a figure (altitude and ground track)."),
) -> None:
    """Full trajectory of a generic missile from a launch point to an aim point."""
    from openbmd.threats import get_missile, solve_trajectory

    lat0, lon0 = parse_latlon("launch", launch)
    lat1, lon1 = parse_latlon("aim", aim)
    outputs = [p for p in (czml, png) if p is not None]
    check_output_paths(outputs)
    traj = solve_trajectory(
        get_missile(missile),
        lat0,
        lon0,
        lat1,
        lon1,
        shape,
        apogee_km=apogee_km,
        burnout_angle_deg=burnout_angle_deg,
        time_of_flight_s=time_of_flight_s,
    )
    summary = {"missile": missile, "shape": shape, **traj.summary()}
    _write_outputs(traj, czml, png)
    if json_out:
        print_json(summary)
    else:
        print_mapping(f"{missile} trajectory ({shape})", summary)


def range_table_cmd(
    missile: str = typer.Option(..., help="Missile class: srbm, mrbm, irbm or icbm."),
    launch_lat_deg: float = typer.Option(40.0, help="Launch latitude, deg."),
    azimuth_step_deg: float = typer.Option(45.0, help="Azimuth step of the table, deg."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Maximum range against launch azimuth, and range against burnout speed and angle."""
    from openbmd.threats import get_missile, range_tables

    tables = range_tables(
        get_missile(missile), launch_lat_deg=launch_lat_deg, azimuth_step_deg=azimuth_step_deg
    )
    if json_out:
        print_json(tables)
    else:
        print_table(
            f"{missile}: maximum range against launch azimuth "
            f"(launch latitude {launch_lat_deg:g} deg)",
            tables["max_range_by_azimuth"],
        )
        print_table(
            "range against burnout speed and angle (spherical, no rotation, no drag)",
            tables["range_by_burnout"],
        )


def demo_cmd(
    out: Path = typer.Option(Path("openbmd-out/demo"), help="Folder for the figure and CZML."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """The default job: one generic medium-range trajectory, its key numbers and figure."""
    from openbmd.threats import get_missile, solve_trajectory

    lat0, lon0 = parse_latlon("launch", DEMO_LAUNCH)
    lat1, lon1 = parse_latlon("aim", DEMO_AIM)
    png, czml = out / "trajectory.png", out / "trajectory.czml"
    check_output_paths([png, czml])
    traj = solve_trajectory(get_missile(DEMO_MISSILE), lat0, lon0, lat1, lon1)
    _write_outputs(traj, czml, png)
    summary = {
        "missile": DEMO_MISSILE,
        "launch": DEMO_LAUNCH,
        "aim": DEMO_AIM,
        **traj.summary(),
        "figure": str(png),
        "czml": str(czml),
    }
    if json_out:
        print_json(summary)
    else:
        print_mapping("openbmd demo: generic MRBM, min-energy trajectory", summary)
        typer.echo(f"Figure: {png}\nCZML:   {czml}")


def _write_outputs(traj: object, czml: Path | None, png: Path | None) -> None:
    from openbmd.io.atomic import atomic_write_bytes

    if czml is not None:
        from openbmd.io.czml import trajectory_czml

        atomic_write_bytes(czml, trajectory_czml(traj).encode("utf-8"))
    if png is not None:
        from openbmd.report.trajectory_figure import trajectory_png

        atomic_write_bytes(png, trajectory_png(traj))
