"""``openbmd coverage``: horizontal (and vertical) coverage of a catalog radar."""

from __future__ import annotations

from pathlib import Path

import typer

from openbmd.cli.common import check_output_paths, parse_latlon, print_json, print_mapping


def register(app: typer.Typer) -> None:
    """Add the coverage command to ``app``."""
    app.command("coverage")(coverage_cmd)


def coverage_cmd(
    radar: str = typer.Option(..., help="Radar class of the catalog (openbmd/data/radars.yaml)."),
    site: str = typer.Option(..., help="Radar site LAT,LON in degrees."),
    alt_km: float = typer.Option(..., "--alt-km", help="Target altitude above WGS 84, km."),
    rcs_m2: float = typer.Option(..., "--rcs-m2", help="Target radar cross-section, m²."),
    pd: float = typer.Option(0.9, "--pd", help="Required probability of detection per dwell."),
    resolution_km: float = typer.Option(
        None, "--resolution-km", help="Map cell size, km (default: ~300 cells across)."
    ),
    half_width_km: float = typer.Option(
        None, "--half-width-km", help="Map half-width, km (default: farthest detection + 8 %)."
    ),
    site_alt_m: float = typer.Option(0.0, "--site-alt-m", help="Antenna height, m."),
    boresight_az_deg: float = typer.Option(
        None, "--boresight-az-deg", help="Face azimuth of a sector radar, deg from north."
    ),
    out: Path = typer.Option(None, "--out", help="Write the coverage map as NetCDF (.nc)."),
    png: Path = typer.Option(None, "--png", help="Write a map figure with coastlines (.png)."),
    vertical_png: Path = typer.Option(
        None, "--vertical-png", help="Write a range-height figure (.png)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Where a radar detects a target of given RCS and altitude with Pd >= --pd."""
    from openbmd.errors import require_non_negative, require_positive, require_range

    lat, lon = parse_latlon("site", site)
    require_positive("rcs_m2", rcs_m2)
    require_range("alt_km", alt_km, 0.0, 2000.0)
    require_range("pd", pd, 0.0, 1.0, low_open=True, high_open=True)
    if resolution_km is not None:
        require_positive("resolution_km", resolution_km)
    if half_width_km is not None:
        require_positive("half_width_km", half_width_km)
    require_non_negative("site_alt_m", site_alt_m)
    outputs = [p for p in (out, png, vertical_png) if p is not None]
    check_output_paths(outputs)

    from openbmd.sensors.coverage import coverage_map, vertical_coverage
    from openbmd.sensors.radar import Radar

    overrides = {} if boresight_az_deg is None else {"boresight_az_deg": boresight_az_deg}
    sensor = Radar.from_catalog(radar, lat, lon, site_alt_m, **overrides)
    ds = coverage_map(
        sensor,
        rcs_m2,
        alt_km * 1e3,
        pd=pd,
        resolution_m=None if resolution_km is None else resolution_km * 1e3,
        half_width_m=None if half_width_km is None else half_width_km * 1e3,
    )
    a = ds.attrs
    summary = {
        "radar": radar,
        "site_lat_deg": lat,
        "site_lon_deg": lon,
        "target_alt_km": alt_km,
        "rcs_m2": rcs_m2,
        "pd": pd,
        "max_range_km": a["max_range_km"],
        "max_ground_range_km": a["max_ground_range_km"],
        "covered_area_km2": a["covered_area_km2"],
        "free_space_range_km": float(sensor.detection_range_m(rcs_m2, pd)) / 1e3,
        "required_snr_db": a["required_snr_db"],
        "resolution_km": a["resolution_km"],
        "grid_shape": [int(ds.sizes["lat"]), int(ds.sizes["lon"])],
        "area_model": a["area_model"],
    }
    if out is not None:
        from openbmd.io.netcdf import write_netcdf

        write_netcdf(ds, out)
        summary["netcdf"] = str(out)
    if png is not None:
        from openbmd.io.atomic import atomic_write_bytes
        from openbmd.report.maps import coverage_map_png

        atomic_write_bytes(png, coverage_map_png(ds))
        summary["png"] = str(png)
    if vertical_png is not None:
        from openbmd.io.atomic import atomic_write_bytes
        from openbmd.report.maps import vertical_coverage_png

        atomic_write_bytes(
            vertical_png, vertical_coverage_png(vertical_coverage(sensor, rcs_m2, pd=pd))
        )
        summary["vertical_png"] = str(vertical_png)
    if json_out:
        print_json(summary)
    else:
        print_mapping(f"{radar} coverage: RCS {rcs_m2:g} m², target at {alt_km:g} km", summary)
