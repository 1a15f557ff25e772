"""Catalog references of a scenario turned into domain objects, with every source kept.

Each catalog class named by the scenario, with its overrides, becomes the object the
simulation uses: a :class:`~openbmd.threats.Missile` per threat, a
:class:`~openbmd.sensors.radar.Radar` per radar, an
:class:`~openbmd.sensors.early_warning.IRConstellation`, an
:class:`~openbmd.interceptors.interceptor.Interceptor` per defence site. Every nominal
parameter keeps the public source the catalog gives it; an overridden one gets
:data:`OVERRIDE_SOURCE`. :meth:`ResolvedScenario.sources` flattens them for reports.

Distributions resolve to their nominal values here; resolve ``scenario.sample(rng)``
for a Monte Carlo draw.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from openbmd.errors import OpenBMDError, ParameterError
from openbmd.scenario.base import Loc, format_value
from openbmd.scenario.catalogs import stage_override
from openbmd.scenario.distributions import nominal_value
from openbmd.scenario.errors import Issue, ScenarioError
from openbmd.scenario.launches import Launch
from openbmd.scenario.model import (
    DefenceSite,
    EarlyWarningSpec,
    RadarSpec,
    Scenario,
    Threat,
)

if TYPE_CHECKING:
    from openbmd.interceptors.interceptor import Interceptor
    from openbmd.sensors.early_warning import IRConstellation
    from openbmd.sensors.radar import Radar
    from openbmd.threats.missile import Missile

__all__ = [
    "OVERRIDE_SOURCE",
    "SCENARIO_SOURCE",
    "ResolvedScenario",
    "resolve_early_warning",
    "resolve_interceptor",
    "resolve_missile",
    "resolve_radar",
    "resolve_scenario",
]

#: Source recorded for a catalog parameter that the scenario overrides.
OVERRIDE_SOURCE = "scenario override"
#: Source recorded for what the scenario itself sets (sites, inventories) without a
#: ``source`` of its own.
SCENARIO_SOURCE = "scenario"

#: Early-warning parameters as the catalog names them -> (attribute, factor to SI).
_EW_ATTRIBUTES = {
    "cloud_top_alt_km": ("cloud_top_alt_m", 1e3),
    "grazing_alt_km": ("grazing_alt_m", 1e3),
    "reporting_latency_s": ("reporting_latency_s", 1.0),
    "launch_point_sigma_km": ("launch_point_sigma_m", 1e3),
    "launch_azimuth_sigma_deg": ("launch_azimuth_sigma_deg", 1.0),
    "launch_time_sigma_s": ("launch_time_sigma_s", 1.0),
}


@dataclass(frozen=True)
class ResolvedScenario:
    """A scenario with every catalog reference resolved (nominal values).

    Attributes
    ----------
    scenario : Scenario
        The scenario resolved (no distributions left).
    missiles : mapping of str to Missile
        Threat id -> missile (overrides applied).
    radars : mapping of str to Radar
        Radar id -> radar placed at its site.
    early_warning : IRConstellation or None
    interceptors : mapping of str to Interceptor
        Defence site id -> interceptor class (overrides applied).
    launches : tuple of Launch
        One record per missile.
    """

    scenario: Scenario
    missiles: Mapping[str, Missile]
    radars: Mapping[str, Radar]
    early_warning: IRConstellation | None
    interceptors: Mapping[str, Interceptor]
    launches: tuple[Launch, ...]

    def sources(self) -> dict[str, str]:
        """Flat ``path -> source`` of every nominal parameter, for reports.

        Paths: ``threats.<id>.<parameter>`` (``stages[k].<name>`` for stage figures,
        ``launch``, ``aim``), ``sensors.radars.<id>.<parameter>``,
        ``sensors.early_warning.<parameter>``, ``defence.sites.<id>.<parameter>``
        (``site``, ``inventory`` and the interceptor's parameters).
        """
        s = self.scenario
        out: dict[str, str] = {}
        for t in s.threats:
            out[f"threats.{t.id}.launch"] = t.source or SCENARIO_SOURCE
            out[f"threats.{t.id}.aim"] = t.source or SCENARIO_SOURCE
            for key, text in self.missiles[t.id].sources.items():
                out[f"threats.{t.id}.{key}"] = text
        for r in s.sensors.radars:
            for key, text in self.radars[r.id].sources.items():
                out[f"sensors.radars.{r.id}.{key}"] = text
        if self.early_warning is not None:
            for key, text in self.early_warning.sources.items():
                out[f"sensors.early_warning.{key}"] = text
        for d in s.defence.sites:
            out[f"defence.sites.{d.id}.site"] = d.site.source or SCENARIO_SOURCE
            out[f"defence.sites.{d.id}.inventory"] = SCENARIO_SOURCE
            for key, text in self.interceptors[d.id].sources.items():
                out[f"defence.sites.{d.id}.{key}"] = text
        return out


def resolve_scenario(scenario: Scenario, *, seed: int | None = None) -> ResolvedScenario:
    """Resolve every catalog reference of ``scenario`` (its nominal values).

    ``seed`` draws the points in launch and aim areas (default: the scenario's seed).

    Raises
    ------
    ScenarioError
        An override value that the domain model refuses, located at its key.
    """
    s = scenario.nominal()
    ew = s.sensors.early_warning
    return ResolvedScenario(
        scenario=s,
        missiles=_frozen(
            {t.id: resolve_missile(t, ("threats", i)) for i, t in enumerate(s.threats)}
        ),
        radars=_frozen(
            {
                r.id: resolve_radar(r, ("sensors", "radars", i))
                for i, r in enumerate(s.sensors.radars)
            }
        ),
        early_warning=None
        if ew is None
        else resolve_early_warning(ew, ("sensors", "early_warning")),
        interceptors=_frozen(
            {
                d.id: resolve_interceptor(d, ("defence", "sites", i))
                for i, d in enumerate(s.defence.sites)
            }
        ),
        launches=s.launches(seed),
    )


def _frozen(d: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(d)


def _values(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Nominal override values, lists as tuples."""
    out = {}
    for key, value in overrides.items():
        v = nominal_value(value)
        out[key] = tuple(v) if isinstance(v, list) else v
    return out


def _error(
    exc: Exception,
    loc: Loc,
    overrides: Mapping[str, Any],
    default: str,
    names: Mapping[str, str] | None = None,
) -> ScenarioError:
    """A :class:`ScenarioError` located at the override the domain model refused
    (``names``: the domain's parameter name -> the override key, where they differ)."""
    if isinstance(exc, ParameterError):
        name = (names or {}).get(exc.name, exc.name)
        keys = [k for k in overrides if k == name or k.endswith("." + name)]
        where = (*loc, "overrides", keys[0]) if keys else (*loc, default)
        text = f"must be {exc.allowed} — got {format_value(exc.got)}"
        if not keys:
            text = f"the '{exc.name}' parameter {text}"
        return ScenarioError.from_issues([Issue(where, text)])
    where = (*loc, "overrides") if overrides else (*loc, default)
    return ScenarioError.from_issues([Issue(where, f"is refused: {exc}")])


def _kind(example: Any) -> str:
    if isinstance(example, bool):
        return "true or false"
    if isinstance(example, str):
        return "a text"
    if isinstance(example, tuple | list):
        return "a list of numbers"
    return "a number"


def _check_kinds(overrides: Mapping[str, Any], examples: Mapping[str, Any], loc: Loc) -> None:
    """Refuse an override whose kind (number, flag, text, list) differs from the
    parameter's (``examples``: a value of each parameter)."""
    issues = []
    for key, value in overrides.items():
        if key in examples:
            want = _kind(examples[key])
            if _kind(value) != want and not (
                want == "a list of numbers"
                and _kind(value) == "a number"
                and key == "satellite_longitudes_deg"
            ):
                issues.append(
                    Issue((*loc, "overrides", key), f"must be {want} — got {format_value(value)}")
                )
    if issues:
        raise ScenarioError.from_issues(issues)


def resolve_missile(threat: Threat, loc: Loc = ()) -> Missile:
    """The missile of ``threat``: its catalog class (or inline definition) with overrides."""
    from openbmd.threats.catalog import get_missile
    from openbmd.threats.missile import Missile, Stage

    overrides = _values(threat.overrides)
    try:
        if isinstance(threat.missile, str):
            base = get_missile(threat.missile)
        else:
            inline = threat.missile
            fields = inline.model_dump(exclude={"name", "description", "source", "stages"})
            if fields["nominal_range_km"] is None:
                del fields["nominal_range_km"]
            stages = tuple(Stage(**st.model_dump()) for st in inline.stages)
            keys = [
                *fields,
                *(
                    f"stages[{k}].{n}"
                    for k in range(len(stages))
                    for n in inline.stages[0].model_dump()
                ),
            ]
            base = Missile(
                name=inline.name,
                stages=stages,
                description=inline.description,
                sources=dict.fromkeys(keys, inline.source),
                **fields,
            )
        if not overrides:
            return base
        sources = dict(base.sources)
        stage_values = [dataclasses.asdict(st) for st in base.stages]
        top: dict[str, Any] = {}
        for key, value in overrides.items():
            sources[key] = OVERRIDE_SOURCE
            where = stage_override(key)
            if where is None:
                top[key] = float(value)
            else:
                stage_values[where[0]][where[1]] = float(value)
        stages = tuple(Stage(**v) for v in stage_values)
        return dataclasses.replace(base, stages=stages, sources=sources, **top)
    except (OpenBMDError, ValueError, TypeError) as exc:
        raise _error(exc, loc, threat.overrides, "missile") from None


def resolve_radar(spec: RadarSpec, loc: Loc = ()) -> Radar:
    """The catalog radar of ``spec`` placed at its site, overrides applied."""
    from openbmd.sensors.radar import Radar

    overrides = _values(spec.overrides)
    _check_kinds(overrides, _radar_examples(spec.class_name), loc)
    if spec.boresight_az_deg is not None:
        overrides["boresight_az_deg"] = spec.boresight_az_deg
    site = spec.site
    try:
        radar = Radar.from_catalog(
            spec.class_name, site.lat_deg, site.lon_deg, site.alt_m, name=spec.id, **overrides
        )
        sources = dict(radar.sources)
        for key in overrides:
            sources[key] = OVERRIDE_SOURCE
        if spec.boresight_az_deg is not None:
            sources["boresight_az_deg"] = SCENARIO_SOURCE
        for key in ("lat_deg", "lon_deg", "alt_m"):
            sources[key] = site.source or SCENARIO_SOURCE
        return dataclasses.replace(radar, sources=sources)
    except (OpenBMDError, ValueError, TypeError) as exc:
        raise _error(exc, loc, spec.overrides, "class") from None


def _radar_examples(class_name: str) -> dict[str, Any]:
    from openbmd.sensors.catalog import get_radar_class
    from openbmd.sensors.radar import Radar

    examples = {
        f.name: (0.0 if f.default is None else f.default)
        for f in dataclasses.fields(Radar)
        if f.default is not dataclasses.MISSING
    }
    with contextlib.suppress(OpenBMDError):  # an unknown class: resolve_radar reports it
        examples.update(get_radar_class(class_name).values)
    return examples


def resolve_early_warning(spec: EarlyWarningSpec, loc: Loc = ()) -> IRConstellation:
    """The catalog early-warning constellation of ``spec``, overrides applied."""
    from openbmd.sensors.early_warning import IRConstellation, get_early_warning

    overrides = _values(spec.overrides)
    examples: dict[str, Any] = dict.fromkeys(_EW_ATTRIBUTES, 0.0)
    examples["satellite_longitudes_deg"] = (0.0,)
    _check_kinds(overrides, examples, loc)
    try:
        system = get_early_warning(spec.class_name)
        sources = dict(system.sources)
        attrs: dict[str, Any] = {}
        for key, value in overrides.items():
            sources[key] = OVERRIDE_SOURCE
            if key in _EW_ATTRIBUTES:
                name, factor = _EW_ATTRIBUTES[key]
                attrs[name] = factor * float(value)
        if "satellite_longitudes_deg" in overrides:
            lons = overrides["satellite_longitudes_deg"]
            lons = lons if isinstance(lons, tuple) else (lons,)
            ids = system.satellite_ids if len(lons) == system.size else None
            keep = {
                f.name: getattr(system, f.name)
                for f in dataclasses.fields(system)
                if f.name not in ("satellite_ids", "position_ecef_m", "sources")
            }
            system = IRConstellation.geostationary(lons, ids, **keep)
        return dataclasses.replace(system, sources=sources, **attrs)
    except (OpenBMDError, ValueError, TypeError) as exc:
        si_names = {si: key for key, (si, _) in _EW_ATTRIBUTES.items()}
        raise _error(exc, loc, spec.overrides, "class", si_names) from None


def resolve_interceptor(site: DefenceSite, loc: Loc = ()) -> Interceptor:
    """The catalog interceptor class of a defence site, overrides applied."""
    from openbmd.interceptors.catalog import get_interceptor

    overrides = _values(site.overrides)
    try:
        interceptor = get_interceptor(site.interceptor, **overrides)
        if not overrides:
            return interceptor
        sources = dict(interceptor.sources)
        for key in overrides:
            sources[key] = OVERRIDE_SOURCE
        return dataclasses.replace(interceptor, sources=sources)
    except (OpenBMDError, ValueError, TypeError) as exc:
        raise _error(exc, loc, site.overrides, "interceptor") from None
