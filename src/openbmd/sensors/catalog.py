"""Catalog of generic radar classes with the public source of every parameter.

The data live in ``openbmd/data/radars.yaml``; each parameter there is a mapping
``{value: ..., source: "..."}``. The classes are generic orders of magnitude, not models of
real radars. Place one with :meth:`openbmd.sensors.radar.Radar.from_catalog`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from openbmd.errors import ParameterError

__all__ = ["RadarClass", "get_radar_class", "radar_names"]

#: Parameters a catalog entry may give (the radar attributes other than the site and name).
CATALOG_KEYS = frozenset({
    "platform", "frequency_hz", "peak_power_w", "pulse_width_s", "pulses", "integration",
    "bandwidth_hz", "gain_db", "aperture_area_m2", "aperture_efficiency", "noise_temperature_k",
    "loss_db", "pfa", "swerling", "beamwidth_deg", "monopulse_slope", "dwell_s",
    "boresight_az_deg", "boresight_el_deg", "az_limits_deg", "el_limits_deg",
    "min_elevation_deg", "max_range_m", "search_revisit_s", "track_update_s", "range_rate",
    "range_sigma_floor_m", "angle_sigma_floor_deg", "range_rate_sigma_floor_m_s",
    "range_bias_m", "az_bias_deg", "el_bias_deg", "k_factor", "scan_loss_exponent",
})  # fmt: skip


@dataclass(frozen=True)
class RadarClass:
    """One catalog entry: parameter values and their sources (read-only mappings).

    Attributes
    ----------
    name : str
        Catalog name, e.g. ``"x-band-transportable"``.
    description : str
    values : mapping of str to object
        Radar attribute name -> value (units in the names).
    sources : mapping of str to str
        Radar attribute name -> public source or stated assumption.
    """

    name: str
    description: str
    values: Mapping[str, Any]
    sources: Mapping[str, str]


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("openbmd").joinpath("data/radars.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def radar_names() -> list[str]:
    """Names of the catalog radar classes, in file order.

    Examples
    --------
    >>> radar_names()
    ['s-band-array', 'x-band-transportable', 'long-range-discrimination']
    """
    return list(_raw())


@cache
def get_radar_class(name: str) -> RadarClass:
    """Return the catalog radar class ``name``.

    Raises
    ------
    ParameterError
        If no class of that name exists (the message lists the names), or the entry is
        malformed (a parameter without ``value`` and ``source``, or an unknown one).
    """
    raw = _raw()
    if name not in raw:
        raise ParameterError("radar", "one of " + ", ".join(raw), name)
    entry = dict(raw[name])
    description = str(entry.pop("description", ""))
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, item in entry.items():
        if key not in CATALOG_KEYS:
            raise ParameterError(f"{name}.{key}", "a radar parameter", key)
        if not isinstance(item, dict) or set(item) != {"value", "source"}:
            raise ParameterError(f"{name}.{key}", "a mapping {value: ..., source: ...}", item)
        value = item["value"]
        values[key] = tuple(float(v) for v in value) if isinstance(value, list) else value
        sources[key] = str(item["source"])
    return RadarClass(name, description, MappingProxyType(values), MappingProxyType(sources))
