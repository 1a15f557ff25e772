"""Scenarios: what a run simulates, validated once, with every catalog source attached.

- :class:`Scenario` (pydantic, frozen) and its parts: :class:`Threat`, :class:`RadarSpec`,
  :class:`EarlyWarningSpec`, :class:`DefenceSite`, :class:`Doctrine`,
  :class:`BattleManagement`, :class:`Simulation`; places (:class:`GeoPoint`,
  :class:`Site`, :class:`CircleArea`, :class:`PolygonArea`).
- Distributions for uncertain numbers (:class:`Uniform`, :class:`Normal`,
  :class:`Triangular`, :class:`Choice`); :meth:`Scenario.nominal`,
  :meth:`Scenario.sample`, :meth:`Scenario.uncertain_parameters`.
- :func:`load_scenario` (file or built-in name; errors ``FILE:LINE: path: allowed — got
  value``), :func:`parse_scenario`, :func:`scenario_to_yaml`.
- :func:`resolve_scenario`: catalog classes and overrides -> missiles, radars, early
  warning, interceptors, with ``sources()`` for reports.
- :func:`scenario_json_schema`; built-ins: :func:`builtin_names`, :func:`builtin_text`.

See ``docs/scenarios.md``.
"""

from openbmd.scenario.builtin import (
    builtin_descriptions,
    builtin_names,
    builtin_path,
    builtin_text,
)
from openbmd.scenario.distributions import (
    Choice,
    Normal,
    Triangular,
    Uniform,
    is_distribution,
    nominal_value,
)
from openbmd.scenario.errors import Issue, ScenarioError
from openbmd.scenario.launches import Launch
from openbmd.scenario.loader import (
    load_scenario,
    parse_scenario,
    scenario_to_yaml,
    validate_scenario,
)
from openbmd.scenario.locations import CircleArea, GeoPoint, PolygonArea, Site
from openbmd.scenario.model import (
    OUTPUTS,
    ApogeeShape,
    BattleManagement,
    BurnoutAngleShape,
    Defence,
    DefenceSite,
    Doctrine,
    EarlyWarningSpec,
    InlineMissile,
    InlineStage,
    RadarSpec,
    Scenario,
    Sensors,
    Simulation,
    Threat,
    TimeOfFlightShape,
    scenario_json_schema,
)
from openbmd.scenario.resolve import (
    OVERRIDE_SOURCE,
    ResolvedScenario,
    resolve_early_warning,
    resolve_interceptor,
    resolve_missile,
    resolve_radar,
    resolve_scenario,
)

__all__ = [
    "OUTPUTS",
    "OVERRIDE_SOURCE",
    "ApogeeShape",
    "BattleManagement",
    "BurnoutAngleShape",
    "Choice",
    "CircleArea",
    "Defence",
    "DefenceSite",
    "Doctrine",
    "EarlyWarningSpec",
    "GeoPoint",
    "InlineMissile",
    "InlineStage",
    "Issue",
    "Launch",
    "Normal",
    "PolygonArea",
    "RadarSpec",
    "ResolvedScenario",
    "Scenario",
    "ScenarioError",
    "Sensors",
    "Simulation",
    "Site",
    "Threat",
    "TimeOfFlightShape",
    "Triangular",
    "Uniform",
    "builtin_descriptions",
    "builtin_names",
    "builtin_path",
    "builtin_text",
    "is_distribution",
    "load_scenario",
    "nominal_value",
    "parse_scenario",
    "resolve_early_warning",
    "resolve_interceptor",
    "resolve_missile",
    "resolve_radar",
    "resolve_scenario",
    "scenario_json_schema",
    "scenario_to_yaml",
    "validate_scenario",
]
