"""Catalog of generic interceptor classes with the public source of every parameter.

The data live in ``openbmd/data/interceptors.yaml``; each parameter there is a mapping
``{value: ..., source: "..."}``. A class's rocket is built by
:meth:`~openbmd.interceptors.interceptor.Interceptor.from_burnout` from its design burnout
speed and burn time (see the file's header).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from openbmd.errors import ParameterError
from openbmd.interceptors.interceptor import Interceptor

__all__ = ["OVERRIDE_SOURCE", "PARAMETERS", "get_interceptor", "interceptor_names"]

#: Parameters of :meth:`Interceptor.from_burnout` that build the rocket.
ROCKET_PARAMETERS: tuple[str, ...] = (
    "burnout_speed_m_s",
    "burn_time_s",
    "kv_mass_kg",
    "kv_ballistic_coefficient_kg_m2",
    "isp_sea_level_s",
    "isp_vacuum_s",
    "structural_fraction",
    "body_diameter_m",
    "body_drag_coefficient",
    "vertical_rise_s",
    "pitch_over_s",
)
#: :class:`Interceptor` attributes a catalog entry may set.
FIELD_PARAMETERS: tuple[str, ...] = (
    "kind",
    "min_intercept_alt_m",
    "max_intercept_alt_m",
    "max_ground_range_m",
    "divert_delta_v_m_s",
    "lateral_accel_limit_m_s2",
    "seeker_acquisition_range_m",
    "reaction_time_s",
    "min_launch_interval_s",
    "sspk",
    "reliability",
    "lethal_radius_m",
    "min_closing_speed_m_s",
    "max_closing_speed_m_s",
    "max_crossing_angle_deg",
    "required_track_sigma_m",
    "published_burnout_speed_m_s",
)
#: Every parameter a catalog entry (or an override) may set.
PARAMETERS: tuple[str, ...] = ROCKET_PARAMETERS + FIELD_PARAMETERS
#: Source recorded for a parameter given to :func:`get_interceptor` as an override.
OVERRIDE_SOURCE = "user override"


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("openbmd").joinpath("data/interceptors.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def interceptor_names() -> list[str]:
    """Names of the catalog classes (``upper-tier``, ``terminal-high``, ``lower-tier``)."""
    return list(_raw())


def get_interceptor(name: str, **overrides: Any) -> Interceptor:
    """Return the catalog interceptor class ``name``, optionally with parameters changed.

    Parameters
    ----------
    name : str
        A name from :func:`interceptor_names`.
    **overrides
        Any of :data:`PARAMETERS` (e.g. ``sspk=0.7``, ``burnout_speed_m_s=5000``); their
        source becomes ``"user override"``. Rocket parameters rebuild the rocket.

    Raises
    ------
    ParameterError
        Unknown class (the message lists the names), unknown override (lists the
        parameters), or a value out of range.
    """
    raw = _raw()
    if name not in raw:
        raise ParameterError("interceptor", "one of " + ", ".join(raw), name)
    unknown = sorted(set(overrides) - set(PARAMETERS))
    if unknown:
        raise ParameterError("overrides", "among " + ", ".join(PARAMETERS), unknown[0])
    if not overrides:
        return _build(name)
    return _make(name, overrides)


@cache
def _build(name: str) -> Interceptor:
    return _make(name, {})


def _make(name: str, overrides: dict[str, Any]) -> Interceptor:
    entry = _raw()[name]
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key in PARAMETERS:
        if key in entry:
            values[key] = entry[key]["value"]
            sources[key] = str(entry[key]["source"])
    for key, value in overrides.items():
        values[key] = value
        sources[key] = OVERRIDE_SOURCE
    missing = [k for k in ROCKET_PARAMETERS[:3] if k not in values]
    if missing:
        raise ParameterError(missing[0], "given in the catalog entry", None)
    fields: dict[str, Any] = {}
    for key, value in values.items():
        if key == "kind":
            fields[key] = str(value)
        else:
            try:
                fields[key] = float(value)
            except (TypeError, ValueError):
                raise ParameterError(key, "a number", value) from None
    rocket_args = {k: fields.pop(k) for k in ROCKET_PARAMETERS if k in fields}
    return Interceptor.from_burnout(
        name,
        rocket_args.pop("burnout_speed_m_s"),
        rocket_args.pop("burn_time_s"),
        rocket_args.pop("kv_mass_kg"),
        **rocket_args,
        **fields,
        description=str(entry.get("description", "")),
        sources=sources,
    )
