"""The scenario: what a run simulates, as one validated, immutable pydantic model.

A scenario file (YAML, see ``docs/scenarios.md``) maps one to one onto :class:`Scenario`.
Field checks run when the model is built; the checks that need several fields or the
catalogs (unique ids, catalog classes, override names, fire-control radars, tier order)
run in :func:`openbmd.scenario.checks.reference_issues`. Units are in the names.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, get_args

import numpy as np
from pydantic import AwareDatetime, Discriminator, Field, Strict, Tag, model_validator

from openbmd.scenario.base import Bounds, Identifier, Real, ScenarioModel, raise_issues
from openbmd.scenario.distributions import (
    DISTRIBUTION_ERROR,
    Choice,
    DistributionBase,
    Normal,
    Numeric,
    OverrideValue,
    Triangular,
    Uniform,
    numeric_tag,
)
from openbmd.scenario.locations import Location, Site

if TYPE_CHECKING:
    from openbmd.scenario.launches import Launch

__all__ = [
    "OUTPUTS",
    "ApogeeShape",
    "BattleManagement",
    "BurnoutAngleShape",
    "Defence",
    "DefenceSite",
    "Doctrine",
    "EarlyWarningSpec",
    "InlineMissile",
    "InlineStage",
    "RadarSpec",
    "Scenario",
    "Sensors",
    "Simulation",
    "Threat",
    "TimeOfFlightShape",
    "scenario_json_schema",
]

DEFAULT_EPOCH = datetime(2018, 1, 1, tzinfo=UTC)
#: What a run may write: key metrics (JSON), the time-ordered event log and the sampled
#: paths (Parquet), a Cesium animation (CZML), Google Earth (KML), NetCDF, the HTML report,
#: and (only when listed) the defended footprint of the first threat group (NetCDF + map).
OutputName = Literal[
    "summary", "events", "trajectories", "czml", "kml", "netcdf", "report", "footprint"
]
OUTPUTS: tuple[str, ...] = get_args(OutputName)


def _default_outputs() -> list[OutputName]:
    return ["summary", "events", "report"]


Positive = Annotated[Real, Bounds(0.0, math.inf, low_open=True)]
NonNegative = Annotated[Real, Bounds(0.0)]
Count = Annotated[int, Strict(), Bounds(1, 1000)]


# --- threats ----------------------------------------------------------------------------


class InlineStage(ScenarioModel):
    """One stage of an inline missile (same meaning as :class:`openbmd.threats.Stage`)."""

    propellant_mass_kg: Positive
    dry_mass_kg: Positive
    isp_sea_level_s: Positive
    isp_vacuum_s: Positive
    burn_time_s: Positive


class InlineMissile(ScenarioModel):
    """A missile defined in the scenario instead of named from the catalog."""

    name: Identifier = "inline"
    description: str = ""
    source: str = "scenario (inline definition)"
    """Provenance of the figures (shown in reports for every parameter)."""
    stages: list[InlineStage] = Field(min_length=1, max_length=5)
    payload_mass_kg: Positive
    """Re-entry vehicle mass, kg."""
    rv_ballistic_coefficient_kg_m2: Positive
    body_diameter_m: Positive
    body_drag_coefficient: NonNegative = 0.25
    vertical_rise_s: NonNegative = 6.0
    pitch_over_s: Positive = 10.0
    nominal_range_km: Positive | None = None


def _missile_tag(value: Any) -> str:
    return "~class" if isinstance(value, str) else "~inline"


MissileRef: TypeAlias = Annotated[
    Annotated[str, Tag("~class")] | Annotated[InlineMissile, Tag("~inline")],
    Discriminator(_missile_tag),
]


class ApogeeShape(ScenarioModel):
    """Trajectory through a given apogee altitude."""

    apogee_km: Annotated[Numeric, Bounds(0.0, 10_000.0, low_open=True)]


class BurnoutAngleShape(ScenarioModel):
    """Trajectory with a given flight-path angle at burnout (lofted or depressed)."""

    burnout_angle_deg: Annotated[Numeric, Bounds(0.0, 90.0, True, True)]


class TimeOfFlightShape(ScenarioModel):
    """Trajectory with a given time of flight."""

    time_of_flight_s: Annotated[Numeric, Bounds(0.0, 100_000.0, low_open=True)]


def _shape_tag(value: Any) -> str:
    if isinstance(value, str):
        return "~named"
    for tag, cls in (("apogee_km", ApogeeShape), ("burnout_angle_deg", BurnoutAngleShape)):
        if isinstance(value, cls) or (isinstance(value, dict) and tag in value):
            return "~" + tag
    return "~time_of_flight_s"


Shape: TypeAlias = Annotated[
    Annotated[Literal["min-energy"], Tag("~named")]
    | Annotated[ApogeeShape, Tag("~apogee_km")]
    | Annotated[BurnoutAngleShape, Tag("~burnout_angle_deg")]
    | Annotated[TimeOfFlightShape, Tag("~time_of_flight_s")],
    Discriminator(_shape_tag),
]


def _launch_time_tag(value: Any) -> str | None:
    if isinstance(value, list | tuple):
        return "~list"
    return numeric_tag(value)


LaunchTimes: TypeAlias = Annotated[
    Annotated[list[Real], Tag("~list")]
    | Annotated[Real, Tag("~number")]
    | Annotated[Uniform, Tag("~uniform")]
    | Annotated[Normal, Tag("~normal")]
    | Annotated[Triangular, Tag("~triangular")]
    | Annotated[Choice, Tag("~choice")],
    Discriminator(_launch_time_tag, **DISTRIBUTION_ERROR),
    Bounds(0.0, 1e6),
]


class Threat(ScenarioModel):
    """``count`` missiles of one class, from a launch place to an aim place."""

    id: Identifier
    missile: MissileRef
    """A catalog class (``srbm``, ``mrbm``, ``irbm``, ``icbm``) or an inline definition."""
    overrides: dict[str, OverrideValue] = Field(default_factory=dict)
    """Catalog parameters replaced (e.g. ``payload_mass_kg``, ``stages[0].burn_time_s``)."""
    launch: Location
    aim: Location
    launch_time_s: LaunchTimes = 0.0
    """Seconds after the epoch: one value for all, a list (one per missile) or a
    distribution (one draw per missile when a scenario is sampled)."""
    shape: Shape = "min-energy"
    """``min-energy``, ``{apogee_km}``, ``{burnout_angle_deg}`` or ``{time_of_flight_s}``."""
    count: Count = 1
    """Number of missiles (each gets its own launch and aim point in an area)."""
    value: Positive = 1.0
    """Relative value of what the threat aims at (battle-management priority ``value``)."""
    source: str | None = None
    """Where the launch and aim places come from (shown in reports)."""

    @model_validator(mode="after")
    def _times_per_missile(self) -> Threat:
        times = self.launch_time_s
        if isinstance(times, list) and len(times) != self.count:
            raise_issues(
                [
                    (
                        ("launch_time_s",),
                        f"must list one time per missile (count = {self.count}) — got {len(times)}",
                    )
                ]
            )
        return self

    @property
    def missile_class(self) -> str:
        """Catalog class name, or the inline missile's name."""
        return self.missile if isinstance(self.missile, str) else self.missile.name

    @property
    def shape_name(self) -> str:
        """The shape as :func:`openbmd.threats.solve_trajectory` names it."""
        if isinstance(self.shape, str):
            return self.shape
        names: dict[type, str] = {
            ApogeeShape: "apogee",
            BurnoutAngleShape: "burnout-angle",
            TimeOfFlightShape: "time-of-flight",
        }
        return names[type(self.shape)]

    @property
    def shape_parameter(self) -> dict[str, Any]:
        """The shape's keyword for ``solve_trajectory`` (``{}`` for min-energy)."""
        return {} if isinstance(self.shape, str) else self.shape.model_dump()


# --- sensors ----------------------------------------------------------------------------


class RadarSpec(ScenarioModel):
    """A catalog radar placed at a site."""

    id: Identifier
    class_name: str = Field(alias="class")
    """Catalog radar class (``s-band-array``, ``x-band-transportable``, ...)."""
    site: Site
    boresight_az_deg: Annotated[Real, Bounds(-360.0, 360.0)] | None = None
    """Face normal azimuth, deg from north (single-face radars)."""
    overrides: dict[str, OverrideValue] = Field(default_factory=dict)


class EarlyWarningSpec(ScenarioModel):
    """A catalog space-based infrared early-warning constellation."""

    class_name: str = Field("ir-geo", alias="class")
    overrides: dict[str, OverrideValue] = Field(default_factory=dict)


class Sensors(ScenarioModel):
    radars: list[RadarSpec] = Field(default_factory=list)
    early_warning: EarlyWarningSpec | None = None


# --- defence ----------------------------------------------------------------------------


class DefenceSite(ScenarioModel):
    """A launch site of one catalog interceptor class."""

    id: Identifier
    interceptor: str
    """Catalog interceptor class (``upper-tier``, ``terminal-high``, ``lower-tier``)."""
    site: Site
    inventory: Annotated[int, Strict(), Bounds(0, 10_000)]
    """Interceptors ready to fire (>= 0)."""
    fire_control: Identifier | None = None
    """Id of the radar that guides this site's shots (one of ``sensors.radars``)."""
    overrides: dict[str, OverrideValue] = Field(default_factory=dict)


class Doctrine(ScenarioModel):
    """How many interceptors go to each threat, and when."""

    mode: Literal["salvo", "shoot-look-shoot"] = "salvo"
    """``salvo``: all shots before any assessment; ``shoot-look-shoot``: stages."""
    salvo_size: Annotated[int, Strict(), Bounds(1, 8)] = 1
    """Interceptors per salvo (per stage)."""
    stages: Annotated[int, Strict(), Bounds(1, 5)] | None = None
    """Shoot-look-shoot stages (default 2; 1 for ``salvo``)."""
    kill_assessment_s: Annotated[Numeric, Bounds(0.0, 600.0)] = 10.0
    """Time to assess a kill after an intercept (the "look"), s."""
    layered: bool = False
    """Tiers fire in order, a lower tier only at what the tier above missed."""
    tier_order: list[str] | None = None
    """Interceptor classes, upper tier first (default: catalog order)."""

    @model_validator(mode="after")
    def _stages(self) -> Doctrine:
        if self.mode == "salvo" and self.stages not in (None, 1):
            raise_issues(
                [
                    (
                        ("stages",),
                        f"must be 1 for mode 'salvo' (or use mode 'shoot-look-shoot') "
                        f"— got {self.stages}",
                    )
                ]
            )
        return self

    @property
    def salvo_sizes(self) -> tuple[int, ...]:
        """Interceptors per stage, e.g. ``(1, 1)`` for shoot-look-shoot with salvos of 1."""
        stages = self.stages or (2 if self.mode == "shoot-look-shoot" else 1)
        return (self.salvo_size,) * stages


class BattleManagement(ScenarioModel):
    """Weapon-target assignment (see :mod:`openbmd.engagement.battle`)."""

    assignment: Literal["greedy", "optimal"] = "greedy"
    objective: Literal["expected-kills", "log-leak"] = "expected-kills"
    priority: Literal["impact", "value"] = "impact"
    """Threat order: earliest impact first, or highest ``value`` first."""
    shots_per_threat: Annotated[int, Strict(), Bounds(1, 40)] | None = None
    """Cap per threat (default: what the doctrine plans)."""


class Defence(ScenarioModel):
    sites: list[DefenceSite] = Field(default_factory=list)
    doctrine: Doctrine = Doctrine()
    battle_management: BattleManagement = BattleManagement()


# --- the scenario -----------------------------------------------------------------------


class Simulation(ScenarioModel):
    """Numerical settings of a run."""

    time_step_s: Annotated[Real, Bounds(0.0, 60.0, low_open=True)] = 1.0
    """Sampling step of trajectories and sensor looks, s."""
    max_time_s: Annotated[Real, Bounds(0.0, 86_400.0, low_open=True)] = 3600.0
    """Simulated time after the epoch, s."""
    trials: Annotated[int, Strict(), Bounds(1, 1_000_000)] = 1
    """Monte Carlo trials (1: one run with the scenario seed)."""
    track_filter: Literal["ekf", "ukf"] = "ekf"
    """Track filter: extended or unscented Kalman filter."""
    association: Literal["gnn", "jpda"] = "gnn"
    """Data association: global nearest neighbour or joint probabilistic."""
    earth: Literal["wgs84", "spherical"] = "wgs84"


class Scenario(ScenarioModel):
    """A complete scenario (see ``docs/scenarios.md``)."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: str = ""
    epoch: AwareDatetime = DEFAULT_EPOCH
    """Calendar time of t = 0 (ISO 8601 with a time zone)."""
    seed: Annotated[int, Strict(), Bounds(0, 2**63 - 1)] = 0
    """Seed of every random draw of a run."""
    simulation: Simulation = Simulation()
    threats: list[Threat] = Field(min_length=1)
    sensors: Sensors = Sensors()
    defence: Defence = Defence()
    outputs: list[OutputName] = Field(default_factory=_default_outputs)
    """What a run writes (each name once)."""

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        from openbmd.scenario.checks import reference_issues

        issues = reference_issues(self)
        if issues:
            raise_issues(issues)
        return self

    # --- uncertainty ------------------------------------------------------------------

    def uncertain_parameters(self) -> dict[str, DistributionBase]:
        """Every distribution in the scenario, keyed by its path (``threats[0].launch_time_s``)."""
        from openbmd.scenario.uncertainty import find_distributions

        return find_distributions(self)

    def nominal(self) -> Scenario:
        """The scenario with every distribution replaced by its nominal value."""
        from openbmd.scenario.uncertainty import replace_distributions

        return replace_distributions(self, None)

    def sample(self, rng: np.random.Generator | int | None = None) -> Scenario:
        """One draw of every distribution (a threat's launch-time distribution is drawn
        once per missile). ``rng``: a numpy Generator or a seed (default: ``seed``)."""
        from openbmd.scenario.uncertainty import replace_distributions

        if not isinstance(rng, np.random.Generator):
            rng = np.random.default_rng(self.seed if rng is None else rng)
        return replace_distributions(self, rng)

    def launches(self, seed: int | None = None) -> tuple[Launch, ...]:
        """One record per missile: launch and aim points, launch time, shape.

        Distributions take their nominal values; points in areas are drawn uniformly with
        ``seed`` (default: the scenario's ``seed``), so a run is reproducible.
        """
        from openbmd.scenario.launches import launches

        return launches(self, self.seed if seed is None else seed)

    # --- lookups ------------------------------------------------------------------------

    def radar(self, radar_id: str) -> RadarSpec:
        """The radar with id ``radar_id`` (KeyError if none)."""
        for r in self.sensors.radars:
            if r.id == radar_id:
                return r
        raise KeyError(radar_id)

    def defence_site(self, site_id: str) -> DefenceSite:
        """The defence site with id ``site_id`` (KeyError if none)."""
        for s in self.defence.sites:
            if s.id == site_id:
                return s
        raise KeyError(site_id)

    @property
    def missile_count(self) -> int:
        """Total number of missiles over all threats."""
        return sum(t.count for t in self.threats)

    def to_yaml(self) -> str:
        """The scenario as YAML text (:func:`openbmd.scenario.loader.scenario_to_yaml`)."""
        from openbmd.scenario.loader import scenario_to_yaml

        return scenario_to_yaml(self)


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a scenario file, for editor completion and checks.

    The schema covers the shape of the file (keys, types, ranges); the checks that need
    the catalogs (class names, override names, references) are only in the loader.
    """
    schema = Scenario.model_json_schema(by_alias=True)
    out = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }
    out["title"] = "openbmd scenario"
    # round trip through JSON: plain types only (datetime defaults become text)
    parsed: dict[str, Any] = json.loads(json.dumps(out, default=str))
    return parsed
