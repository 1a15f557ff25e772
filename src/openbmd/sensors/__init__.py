"""Sensors: radar equation, detection, horizon, radar sites, line of sight, measurements,
coverage and space-based early warning.

- :func:`snr_db`, :func:`range_for_snr_m`: the radar range equation (energy form).
- :func:`probability_of_detection`, :func:`required_snr_db`: Swerling 0-4, N pulses.
- :func:`horizon_range_m`: 4/3-Earth radar horizon.
- :class:`Radar`, :func:`get_radar_class`, :func:`radar_names`: radar sites and catalog.
- :class:`RcsModel`: constant or aspect-dependent radar cross section.
- :func:`visible`, :func:`look_angles`: line of sight over sensors x objects x times.
- :func:`simulate_detections` -> :class:`Detections`: seeded noisy measurements.
- :func:`coverage_map`, :func:`vertical_coverage`: coverage products (xarray; imported on
  first use so that importing :mod:`openbmd.sensors` stays light).
- :func:`get_early_warning`, :func:`early_warning_cues`: infrared launch cues.
"""

from typing import Any

from openbmd.sensors.catalog import RadarClass, get_radar_class, radar_names
from openbmd.sensors.detection import pd_table, probability_of_detection, required_snr_db
from openbmd.sensors.early_warning import (
    Cues,
    IRConstellation,
    early_warning_cues,
    early_warning_names,
    get_early_warning,
)
from openbmd.sensors.horizon import effective_elevation_rad, horizon_range_m
from openbmd.sensors.los import LookAngles, SensorGeometry, look_angles, visible
from openbmd.sensors.measurements import Detections, TruthGrid, simulate_detections
from openbmd.sensors.radar import Radar
from openbmd.sensors.radar_equation import (
    beamwidth_rad,
    gain_from_aperture_db,
    range_for_snr_m,
    snr_db,
    wavelength_m,
)
from openbmd.sensors.rcs import RcsModel

_LAZY = {"coverage_map", "vertical_coverage", "covered_area_km2"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from openbmd.sensors import coverage

        return getattr(coverage, name)
    raise AttributeError(f"module 'openbmd.sensors' has no attribute {name!r}")


__all__ = [
    "Cues",
    "Detections",
    "IRConstellation",
    "LookAngles",
    "Radar",
    "RadarClass",
    "RcsModel",
    "SensorGeometry",
    "TruthGrid",
    "beamwidth_rad",
    "coverage_map",
    "covered_area_km2",
    "early_warning_cues",
    "early_warning_names",
    "effective_elevation_rad",
    "gain_from_aperture_db",
    "get_early_warning",
    "get_radar_class",
    "horizon_range_m",
    "look_angles",
    "pd_table",
    "probability_of_detection",
    "radar_names",
    "range_for_snr_m",
    "required_snr_db",
    "simulate_detections",
    "snr_db",
    "vertical_coverage",
    "visible",
    "wavelength_m",
]
