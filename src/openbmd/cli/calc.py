"""``openbmd calc ...``: single physics calculations."""

from __future__ import annotations

import math
from enum import StrEnum

import typer

from openbmd.cli.common import print_json, print_mapping, print_table

calc_app = typer.Typer(
    help="Single physics calculations (atmosphere, ballistic free flight).", no_args_is_help=True
)


class EarthKind(StrEnum):
    spherical = "spherical"
    wgs84 = "wgs84"


@calc_app.command("atmosphere")
def atmosphere_cmd(
    alt_km: list[float] = typer.Argument(..., help="Geometric altitudes, km (-5 to 1000)."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON list."),
) -> None:
    """U.S. Standard Atmosphere 1976 at the given altitudes."""
    import numpy as np

    from openbmd.atmosphere import atmosphere
    from openbmd.errors import require_range

    alt_m = require_range("alt_km", np.asarray(alt_km, dtype=float), -5.0, 1000.0) * 1e3
    state = atmosphere(alt_m)
    rows = [
        {
            "altitude_km": float(a) / 1e3,
            "temperature_k": float(t),
            "pressure_pa": float(p),
            "density_kg_m3": float(r),
            "speed_of_sound_m_s": float(c),
        }
        for a, t, p, r, c in zip(
            np.atleast_1d(alt_m),
            np.atleast_1d(state.temperature_k),
            np.atleast_1d(state.pressure_pa),
            np.atleast_1d(state.density_kg_m3),
            np.atleast_1d(state.speed_of_sound_m_s),
            strict=True,
        )
    ]
    if json_out:
        print_json(rows)
    else:
        print_table("U.S. Standard Atmosphere 1976", rows)


@calc_app.command("ballistic")
def ballistic_cmd(
    burnout_speed_kms: float = typer.Option(..., help="Burnout speed, km/s (Earth-relative)."),
    burnout_angle_deg: float = typer.Option(
        ..., help="Burnout flight-path angle above the local horizontal, deg, in (0, 90)."
    ),
    burnout_alt_km: float = typer.Option(0.0, help="Burnout altitude, km (>= 0)."),
    earth: EarthKind = typer.Option(EarthKind.wgs84, help="Earth model."),
    earth_radius_km: float = typer.Option(
        6371.0088, help="Sphere radius for --earth spherical, km (default: mean Earth radius)."
    ),
    no_rotation: bool = typer.Option(False, "--no-rotation", help="Do not rotate the Earth."),
    no_drag: bool = typer.Option(False, "--no-drag", help="No atmosphere drag."),
    ballistic_coefficient_kg_m2: float = typer.Option(
        10000.0, help="Re-entry vehicle beta = m/(Cd A), kg/m^2 (with drag)."
    ),
    burnout_lat_deg: float = typer.Option(0.0, help="Burnout latitude, deg."),
    azimuth_deg: float = typer.Option(90.0, help="Flight azimuth at burnout, deg from north."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Free flight from burnout to impact: range, apogee, time of flight, impact speed.

    With ``--earth spherical --no-rotation --no-drag`` this is the Keplerian problem,
    solved in closed form; otherwise it is integrated numerically.
    """
    from openbmd.flight.free_flight import ballistic_flight

    result = ballistic_flight(
        burnout_speed_m_s=burnout_speed_kms * 1e3,
        burnout_angle_deg=burnout_angle_deg,
        burnout_alt_m=burnout_alt_km * 1e3,
        spherical=earth is EarthKind.spherical,
        earth_radius_m=earth_radius_km * 1e3,
        rotation=not no_rotation,
        drag=not no_drag,
        ballistic_coefficient_kg_m2=ballistic_coefficient_kg_m2,
        burnout_lat_deg=burnout_lat_deg,
        azimuth_deg=azimuth_deg,
    )
    out = {
        "range_km": result.range_m / 1e3,
        "range_angle_deg": math.degrees(result.range_angle_rad),
        "apogee_alt_km": result.apogee_alt_m / 1e3,
        "time_of_flight_s": result.time_of_flight_s,
        "impact_speed_m_s": result.impact_speed_m_s,
        "method": result.method,
    }
    if json_out:
        print_json(out)
    else:
        print_mapping("Ballistic free flight", out)
