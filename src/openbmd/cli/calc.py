"""``openbmd calc ...``: single physics calculations."""

from __future__ import annotations

import math
from enum import StrEnum

import typer

from openbmd.cli.common import print_json, print_mapping, print_table
from openbmd.cli.engagement_calc import salvo_cmd

calc_app = typer.Typer(
    help="Single physics calculations (atmosphere, ballistic free flight, radar).",
    no_args_is_help=True,
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


@calc_app.command("radar-snr")
def radar_snr_cmd(
    frequency_hz: float = typer.Option(..., help="Carrier frequency, Hz (> 0)."),
    peak_power_w: float = typer.Option(..., help="Peak transmitted power, W (> 0)."),
    pulse_width_s: float = typer.Option(..., help="Pulse width, s (> 0)."),
    gain_db: float = typer.Option(..., help="Antenna gain (transmit = receive), dBi."),
    rcs_m2: float = typer.Option(..., help="Target radar cross-section, m^2 (>= 0)."),
    range_m: float = typer.Option(..., help="Slant range to the target, m (> 0)."),
    noise_temperature_k: float = typer.Option(..., help="System noise temperature, K (> 0)."),
    loss_db: float = typer.Option(0.0, help="Total system losses, dB (>= 0)."),
    pulses: float = typer.Option(1.0, help="Pulses integrated coherently (>= 1)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """SNR of a target echo from the monostatic radar equation (energy form)."""
    from openbmd.sensors.radar_equation import snr_db, wavelength_m

    value = snr_db(
        frequency_hz, peak_power_w, pulse_width_s, gain_db, rcs_m2, range_m,
        noise_temperature_k, loss_db, pulses,
    )  # fmt: skip
    out = {"snr_db": float(value), "wavelength_m": float(wavelength_m(frequency_hz))}
    if json_out:
        print_json(out)
    else:
        print_mapping("Radar equation", out)


@calc_app.command("radar-range")
def radar_range_cmd(
    frequency_hz: float = typer.Option(..., help="Carrier frequency, Hz (> 0)."),
    peak_power_w: float = typer.Option(..., help="Peak transmitted power, W (> 0)."),
    pulse_width_s: float = typer.Option(..., help="Pulse width, s (> 0)."),
    gain_db: float = typer.Option(..., help="Antenna gain (transmit = receive), dBi."),
    rcs_m2: float = typer.Option(..., help="Target radar cross-section, m^2 (>= 0)."),
    snr_db: float = typer.Option(..., help="SNR to reach, dB."),
    noise_temperature_k: float = typer.Option(..., help="System noise temperature, K (> 0)."),
    loss_db: float = typer.Option(0.0, help="Total system losses, dB (>= 0)."),
    pulses: float = typer.Option(1.0, help="Pulses integrated coherently (>= 1)."),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Range at which the monostatic radar equation gives the stated SNR."""
    from openbmd.sensors.radar_equation import range_for_snr_m, wavelength_m

    value = float(
        range_for_snr_m(
            frequency_hz,
            peak_power_w,
            pulse_width_s,
            gain_db,
            rcs_m2,
            snr_db,
            noise_temperature_k,
            loss_db,
            pulses,
        )
    )
    out = {
        "range_m": value,
        "range_km": value / 1e3,
        "wavelength_m": float(wavelength_m(frequency_hz)),
    }
    if json_out:
        print_json(out)
    else:
        print_mapping("Radar equation: range for SNR", out)


@calc_app.command("detection")
def detection_cmd(
    pfa: float = typer.Option(..., help="Probability of false alarm, in (0, 1)."),
    swerling: int = typer.Option(0, help="Swerling target model: 0 (steady), 1, 2, 3 or 4."),
    pulses: int = typer.Option(1, help="Pulses integrated non-coherently (>= 1)."),
    pd: float | None = typer.Option(
        None, help="Probability of detection, in (pfa, 1): print the required SNR."
    ),
    snr_db: float | None = typer.Option(
        None, help="Per-pulse SNR, dB: print the probability of detection."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Square-law detector, N pulses integrated non-coherently: Pd <-> per-pulse SNR.

    Give exactly one of --pd (prints required_snr_db) and --snr-db (prints pd).
    """
    from openbmd.errors import OpenBMDError

    if (pd is None) == (snr_db is None):
        raise OpenBMDError("give exactly one of --pd and --snr-db")
    from openbmd.sensors.detection import probability_of_detection, required_snr_db

    out: dict[str, float | int] = {"pfa": pfa, "pulses": pulses, "swerling": swerling}
    if pd is not None:
        out["pd"] = pd
        out["required_snr_db"] = float(required_snr_db(pd, pfa, pulses, swerling))
    else:
        out["snr_db"] = float(snr_db)  # type: ignore[arg-type]
        out["pd"] = float(probability_of_detection(snr_db, pfa, pulses, swerling))
    if json_out:
        print_json(out)
    else:
        print_mapping("Detection (square-law, non-coherent integration)", out)


@calc_app.command("horizon")
def horizon_cmd(
    antenna_height_m: float = typer.Option(..., help="Antenna height above sea level, m."),
    target_alt_m: float = typer.Option(..., help="Target altitude above sea level, m."),
    k_factor: float = typer.Option(
        4.0 / 3.0, help="Effective-Earth factor k (> 0): 4/3 standard refraction, 1 none."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Radar horizon: ground distance at which the line of sight grazes the 4/3 Earth."""
    from openbmd.constants import MEAN_EARTH_RADIUS_M
    from openbmd.sensors.horizon import horizon_range_m, horizon_slant_range_m

    ground = float(horizon_range_m(antenna_height_m, target_alt_m, k_factor))
    slant = float(horizon_slant_range_m(antenna_height_m, target_alt_m, k_factor))
    out = {
        "range_km": ground / 1e3,
        "slant_range_km": slant / 1e3,
        "k_factor": k_factor,
        "earth_radius_km": MEAN_EARTH_RADIUS_M / 1e3,
    }
    if json_out:
        print_json(out)
    else:
        print_mapping("Radar horizon (effective Earth)", out)


calc_app.command("salvo")(salvo_cmd)
