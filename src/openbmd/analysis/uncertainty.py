"""Parameter uncertainty: a scenario with distributions in, bands and a ranking out.

:func:`uncertainty_study` draws ``samples`` parameter sets from the scenario's
distributions (a Latin hypercube over their quantiles: each 1/N of every law's
probability gets exactly one of the N draws), runs each set (one
:func:`openbmd.pipeline.run_scenario` run with its own seed), and gives

* **bands**: the 5/50/95 % quantiles of each output over the samples (with the mean
  and the nominal scenario's value);
* a **sensitivity ranking** of the parameters per output
  (:func:`openbmd.analysis.sensitivity.rank_sensitivity`);
* with ``footprint=True``, a **probability map**: the fraction of samples in which each
  cell of the defended footprint is engageable (:mod:`openbmd.analysis.footprint`).

Reproducibility: the design (the drawn values) follows from ``seed`` and ``samples``;
sample ``i`` runs with ``task_seeds(seed, samples)[i]``, which depends only on the seed
and ``i``. Serial and Dask runs (:class:`~openbmd.analysis.parallel.Backend`) give
identical results, bit for bit. Each run also draws its own random parts (measurement
noise, kill draws, points of launch and aim areas): the bands hold both the parameter
uncertainty and that run-to-run scatter. See ``docs/uncertainty.md``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

from openbmd.analysis.montecarlo_analytic import analytic_check
from openbmd.analysis.parallel import Backend, map_tasks, task_seeds
from openbmd.analysis.sensitivity import (
    BAND_QUANTILES,
    Band,
    SensitivityReport,
    band_of,
    latin_hypercube,
    quantile,
    rank_sensitivity,
)
from openbmd.errors import OpenBMDError, ParameterError
from openbmd.scenario import Scenario, load_scenario
from openbmd.scenario.base import Loc, format_loc
from openbmd.scenario.distributions import DistributionBase
from openbmd.scenario.uncertainty import find_distributions

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "ANALYTIC_OUTPUTS",
    "BAND_QUANTILES",
    "FOOTPRINT_OUTPUTS",
    "OUTPUTS",
    "RUN_OUTPUTS",
    "Band",
    "UncertainParameter",
    "UncertaintyResult",
    "check_supports",
    "sample_design",
    "scenario_with_values",
    "uncertain_parameters",
    "uncertainty_study",
]

#: Outputs of one pipeline run (name -> meaning).
RUN_OUTPUTS: dict[str, str] = {
    "leakers": "threats that reached the ground unkilled",
    "kills": "threats killed",
    "interceptors_fired": "interceptors expended",
    "threats_engaged": "threats at which at least one interceptor was fired",
    "engageable_threats": "threats with at least one intercept window",
    "kill_fraction": "kills / missiles",
    "no_leaker": "1 when no threat leaked, else 0 (its mean estimates P(no leaker))",
    "mean_time_to_firm_track_s": "mean time from launch to the first firm track, s",
}
#: Closed-form outputs of the drawn kill figures and the doctrine (no run needed).
#: (:func:`openbmd.analysis.montecarlo_analytic.analytic_check` with ``p_track`` 1: every
#: threat tracked and in reach, inventory not counted).
ANALYTIC_OUTPUTS: dict[str, str] = {
    "analytic_p_kill": "kill probability per threat, Wilkening (2000) closed form",
    "analytic_p_no_leaker": "P(no leaker) of the raid, Wilkening (2000) closed form",
}
#: Output of the defended footprint (``footprint=True``).
FOOTPRINT_OUTPUTS: dict[str, str] = {
    "defended_area_km2": "area of aim points at which the defence can engage the threat, km^2",
}
#: Every output, in report order.
OUTPUTS: dict[str, str] = {**RUN_OUTPUTS, **ANALYTIC_OUTPUTS, **FOOTPRINT_OUTPUTS}
#: Largest sample count a study accepts.
MAX_SAMPLES = 1_000_000
#: Samples per task: runs take seconds each, closed forms microseconds.
_RUN_CHUNK, _ANALYTIC_CHUNK = 1, 256
#: Entropy word that keeps the design's stream apart from the runs' seeds.
_DESIGN_STREAM = 0x4C4853

#: Areas of the probability map (attributes): quantiles of the defended area over the
#: samples; cells engageable in any sample, in at least half, in all of them.
_MAP_AREAS = (
    "area_p05_km2",
    "area_p50_km2",
    "area_p95_km2",
    "area_any_km2",
    "area_half_km2",
    "area_all_km2",
)
_LAUNCH_TIME = re.compile(r"^threats\[(\d+)\]\.launch_time_s$")


# --- the parameters and their draws ---------------------------------------------------


@dataclass(frozen=True)
class UncertainParameter:
    """One sampled dimension: a distribution of the scenario (one per missile for a
    launch-time distribution of a threat with ``count`` > 1).

    Attributes
    ----------
    name : str
        Label: the path, with ``[k]`` for missile k of a launch-time distribution.
    path : str
        Path of the distribution in the scenario (``defence.sites[0].overrides.sspk``).
    distribution : DistributionBase
    missile : int or None
        Missile index within the threat, for a per-missile launch time.
    """

    name: str
    path: str
    distribution: DistributionBase
    missile: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping: name, path, law as in the file, nominal value, support."""
        lo, hi = self.distribution.support()
        return {
            "parameter": self.name,
            "path": self.path,
            "distribution": self.distribution.model_dump(),
            "nominal": self.distribution.nominal(),
            "support": [lo, hi],
        }


def uncertain_parameters(scenario: Scenario) -> tuple[UncertainParameter, ...]:
    """The sampled dimensions of ``scenario``, in the order of its fields."""
    out: list[UncertainParameter] = []
    for path, dist in find_distributions(scenario).items():
        match = _LAUNCH_TIME.match(path)
        count = scenario.threats[int(match.group(1))].count if match else 1
        if count > 1:
            out.extend(UncertainParameter(f"{path}[{k}]", path, dist, k) for k in range(count))
        else:
            out.append(UncertainParameter(path, path, dist))
    return tuple(out)


def sample_design(parameters: Sequence[UncertainParameter], samples: int, seed: int) -> np.ndarray:
    """Drawn parameter values, shape ``(samples, len(parameters))``: a Latin hypercube
    mapped through each distribution's inverse CDF."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), _DESIGN_STREAM]))
    u = latin_hypercube(samples, len(parameters), rng)
    x = np.empty_like(u)
    for j, parameter in enumerate(parameters):
        x[:, j] = quantile(parameter.distribution, u[:, j])
    return x


def scenario_with_values(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """A copy of ``scenario`` with the distribution at each path of ``values`` replaced
    by its value (a float, or a list of one float per missile for a launch time);
    distributions not in ``values`` take their nominal values.

    The copy is not re-validated: the values lie in the supports the fields checked.
    """

    def walk(value: Any, loc: Loc) -> Any:
        if isinstance(value, DistributionBase):
            return values.get(format_loc(loc), value.nominal())
        if isinstance(value, BaseModel):
            updates = {}
            for name, info in type(value).model_fields.items():
                old = getattr(value, name)
                new = walk(old, (*loc, info.alias or name))
                if new is not old:
                    updates[name] = new
            return value.model_copy(update=updates) if updates else value
        if isinstance(value, list | tuple):
            items = [walk(item, (*loc, i)) for i, item in enumerate(value)]
            changed = any(a is not b for a, b in zip(items, value, strict=True))
            return type(value)(items) if changed else value
        if isinstance(value, dict):
            mapped = {k: walk(v, (*loc, k)) for k, v in value.items()}
            return mapped if any(mapped[k] is not value[k] for k in value) else value
        return value

    out: Scenario = walk(scenario, ())
    return out


def check_supports(scenario: Scenario, parameters: Sequence[UncertainParameter]) -> None:
    """Refuse an override distribution whose range the model refuses at either end.

    The loader checks override values at their nominal value only; each end of a
    bounded override range is resolved here (the other parameters nominal), so that a
    range such as ``sspk: {uniform: [0.5, 1.2]}`` fails before any run.
    """
    from openbmd.scenario.resolve import resolve_scenario

    for parameter in parameters:
        if ".overrides." not in parameter.path:
            continue
        for end in parameter.distribution.support():
            if not math.isfinite(end):
                continue
            try:
                resolve_scenario(scenario_with_values(scenario, {parameter.path: float(end)}))
            except OpenBMDError as exc:
                lo, hi = parameter.distribution.support()
                raise OpenBMDError(
                    f"{parameter.path}: the range [{lo:g}, {hi:g}] reaches {end:g}, which "
                    f"the model refuses: {exc}"
                ) from None


def _values_of_row(parameters: Sequence[UncertainParameter], row: np.ndarray) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for parameter, x in zip(parameters, row.tolist(), strict=True):
        if parameter.missile is None:
            values[parameter.path] = float(x)
        else:
            values.setdefault(parameter.path, []).append(float(x))
    return values


# --- one sample ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    """Samples run by one task (picklable: everything a worker needs)."""

    scenario: Scenario
    rows: tuple[tuple[int, dict[str, Any], int], ...]
    """(index, values by path, seed) per sample; index -1: the nominal scenario."""
    run: bool
    footprint: dict[str, Any] | None


def _run_task(task: _Task) -> list[tuple[dict[str, float], np.ndarray | None]]:
    return [_one_sample(task, index, values, seed) for index, values, seed in task.rows]


def _one_sample(
    task: _Task, index: int, values: dict[str, Any], seed: int
) -> tuple[dict[str, float], np.ndarray | None]:
    scenario = scenario_with_values(task.scenario, values)
    try:
        out: dict[str, float] = {}
        if task.run:
            out.update(_run_outputs(scenario, seed))
        analytic = analytic_check(scenario)
        out["analytic_p_kill"] = analytic.p_kill_per_threat
        out["analytic_p_no_leaker"] = analytic.p_no_leaker
        engageable = None
        if task.footprint is not None:
            area, engageable = _footprint(scenario, task.footprint)
            out["defended_area_km2"] = area
    except OpenBMDError as exc:
        which = "the nominal scenario" if index < 0 else f"sample {index}"
        shown = ", ".join(f"{k} = {np.round(v, 6).tolist()}" for k, v in values.items())
        raise OpenBMDError(f"uncertainty {which} ({shown}): {exc}") from None
    return out, engageable


def _run_outputs(scenario: Scenario, seed: int) -> dict[str, float]:
    from openbmd.pipeline.run import run_scenario

    result = run_scenario(scenario, seed=seed)
    s = result.summary
    kinds = np.asarray(result.events["kind"])
    engaged = set(np.asarray(result.events["object_id"])[kinds == "interceptor-launch"].tolist())
    missiles = max(int(s["missiles"]), 1)
    return {
        "leakers": float(s["leakers"]),
        "kills": float(s["kills"]),
        "interceptors_fired": float(s["interceptors_fired"]),
        "threats_engaged": float(len(engaged)),
        "engageable_threats": float(s["engageable_rv"]),
        "kill_fraction": float(s["kills"]) / missiles,
        "no_leaker": 1.0 if int(s["leakers"]) == 0 else 0.0,
        "mean_time_to_firm_track_s": float(s["mean_time_to_firm_track_s"]),
    }


def _footprint(scenario: Scenario, options: dict[str, Any]) -> tuple[float, np.ndarray]:
    from openbmd.analysis.footprint import defended_footprint, footprint_areas

    ds = defended_footprint(scenario, **options)
    return float(footprint_areas(ds)["defended_area_km2"]), np.asarray(ds["engageable"], bool)


# --- the study -------------------------------------------------------------------------


@dataclass(frozen=True)
class UncertaintyResult:
    """What :func:`uncertainty_study` found (immutable).

    Attributes
    ----------
    scenario_name : str
    seed : int
        Seed of the design and of the runs.
    samples : int
    parameters : tuple of UncertainParameter
        The sampled dimensions (columns of ``inputs``).
    inputs : ndarray, shape (samples, parameters)
        Drawn values, in the parameters' units.
    outputs : mapping of str to ndarray, shape (samples,)
        Output per sample (:data:`OUTPUTS` gives their meaning).
    nominal : mapping of str to float
        Outputs of the nominal scenario (every distribution at its nominal value, run
        with the scenario's own seed).
    bands : mapping of str to Band
    sensitivity : SensitivityReport
    probability_map : xarray.Dataset or None
        ``p_engageable(lat, lon)``: fraction of samples in which a cell is engageable,
        with ``engageable_nominal`` and ``cell_area_km2`` (``footprint=True`` only).
    run : bool
        False: closed-form outputs only (no pipeline run per sample).
    """

    scenario_name: str
    seed: int
    samples: int
    parameters: tuple[UncertainParameter, ...]
    inputs: np.ndarray
    outputs: Mapping[str, np.ndarray]
    nominal: Mapping[str, float]
    bands: Mapping[str, Band]
    sensitivity: SensitivityReport
    probability_map: xr.Dataset | None = None
    run: bool = True
    method: str = field(default="latin-hypercube")

    @property
    def parameter_names(self) -> list[str]:
        """Labels of the columns of ``inputs``."""
        return [p.name for p in self.parameters]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: parameters, bands, sensitivity ranking, samples, seed."""
        out: dict[str, Any] = {
            "scenario": self.scenario_name,
            "samples": self.samples,
            "seed": self.seed,
            "method": self.method,
            "pipeline_runs": self.run,
            "parameters": [p.to_dict() for p in self.parameters],
            "outputs": {k: OUTPUTS[k] for k in self.outputs},
            "bands": {k: b.to_dict() for k, b in self.bands.items()},
            "sensitivity": self.sensitivity.to_dict(),
        }
        if self.probability_map is not None:
            pm = self.probability_map
            out["probability_map"] = {
                k: pm.attrs[k] for k in (*_MAP_AREAS, "threat", "resolution_km", "bounds_deg")
            }
            out["probability_map"]["grid_shape"] = [int(pm.sizes["lat"]), int(pm.sizes["lon"])]
        return out

    def to_dataset(self) -> xr.Dataset:
        """Samples, bands and rank measures as an xarray Dataset (for NetCDF)."""
        import json

        import xarray as xr

        names = self.parameter_names
        outs = list(self.outputs)
        data: dict[str, Any] = {
            "inputs": (("sample", "parameter"), self.inputs),
            "nominal_output": (("output",), [self.nominal.get(k, math.nan) for k in outs]),
        }
        for k in outs:
            data[k] = (("sample",), np.asarray(self.outputs[k], dtype=float))
        bands = np.full((len(outs), len(BAND_QUANTILES)), math.nan)
        rho = np.full((len(outs), len(names)), math.nan)
        srrc = np.full((len(outs), len(names)), math.nan)
        for i, k in enumerate(outs):
            if k in self.bands:
                b = self.bands[k]
                bands[i] = (b.q05, b.q50, b.q95)
            for e in self.sensitivity.for_output(k):
                j = names.index(e.parameter)
                rho[i, j] = e.spearman
                srrc[i, j] = math.nan if e.srrc is None else e.srrc
        data["band"] = (("output", "quantile"), bands)
        data["spearman"] = (("output", "parameter"), rho)
        data["srrc"] = (("output", "parameter"), srrc)
        ds = xr.Dataset(
            data,
            coords={
                "sample": np.arange(self.samples),
                "parameter": names,
                "output": outs,
                "quantile": list(BAND_QUANTILES),
            },
            attrs={
                "title": f"openbmd parameter uncertainty: {self.scenario_name}",
                "scenario": self.scenario_name,
                "seed": self.seed,
                "samples": self.samples,
                "method": self.method,
                "parameters_json": json.dumps([p.to_dict() for p in self.parameters]),
            },
        )
        if self.probability_map is not None:
            pm = self.probability_map
            ds = ds.merge(xr.Dataset(dict(pm.data_vars), coords=pm.coords))
            for key in (*_MAP_AREAS, "threat", "resolution_km", "bounds_deg"):
                ds.attrs[f"map_{key}"] = pm.attrs[key]
        return ds


def uncertainty_study(
    scenario: Scenario | str,
    *,
    samples: int,
    seed: int | None = None,
    footprint: bool = False,
    resolution_km: float = 25.0,
    threat: str | None = None,
    run: bool = True,
    backend: Backend | None = None,
) -> UncertaintyResult:
    """Propagate the scenario's distributions to its outcome: bands and a ranking.

    Parameters
    ----------
    scenario : Scenario or str
        A scenario with at least one distribution (a file or a built-in name).
    samples : int
        Parameter sets to draw, >= 3.
    seed : int, optional
        Seed of the design and the runs (default: the scenario's ``seed``).
    footprint : bool
        Also compute each sample's defended footprint and the probability map.
    resolution_km : float
        Footprint cell size, km (``footprint=True``).
    threat : str, optional
        Threat id whose footprint is mapped (default: the footprint's own default).
    run : bool
        False: only the closed-form outputs (no pipeline run; fast).
    backend : Backend, optional
        Serial (default) or Dask; results do not depend on it.

    Raises
    ------
    ParameterError
        ``samples`` or ``seed`` out of range.
    OpenBMDError
        A scenario without distributions, or a sample whose drawn values the models
        refuse (the message names the sample and its values).
    """
    if isinstance(scenario, str):
        scenario = load_scenario(scenario)
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer):
        raise ParameterError("samples", f"an integer in [3, {MAX_SAMPLES}]", samples)
    if not 3 <= int(samples) <= MAX_SAMPLES:
        raise ParameterError(
            "samples",
            f"an integer in [3, {MAX_SAMPLES}] (bands and rank correlations need at least 3)",
            samples,
        )
    seed = int(scenario.seed if seed is None else seed)
    if not 0 <= seed < 2**63:
        raise ParameterError("seed", "an integer in [0, 2**63 - 1]", seed)
    parameters = uncertain_parameters(scenario)
    if not parameters:
        raise OpenBMDError(
            f"scenario {scenario.name!r} has no distributions: give at least one parameter "
            "a range, e.g. `sspk: {uniform: [0.7, 0.9]}` under a defence site's overrides "
            "(see docs/uncertainty.md)"
        )
    check_supports(scenario, parameters)
    n = int(samples)
    design = sample_design(parameters, n, seed)
    seeds = task_seeds(seed, n)
    fp = _footprint_options(scenario, resolution_km, threat) if footprint else None
    rows: list[tuple[int, dict[str, Any], int]] = [(-1, {}, int(scenario.seed))] + [
        (i, _values_of_row(parameters, design[i]), seeds[i]) for i in range(n)
    ]
    chunk = _RUN_CHUNK if (run or footprint) else _ANALYTIC_CHUNK
    tasks = [
        _Task(scenario, tuple(rows[k : k + chunk]), run, fp) for k in range(0, len(rows), chunk)
    ]
    results = [
        r
        for part in map_tasks(_run_task, tasks, backend=backend, description="uncertainty samples")
        for r in part
    ]
    nominal_out, nominal_map = results[0]
    names = list(nominal_out)
    outputs = {k: np.array([r[0][k] for r in results[1:]], dtype=float) for k in names}
    bands = {}
    for k in names:
        band = band_of(outputs[k], nominal_out[k])
        if band is not None:
            bands[k] = band
    sensitivity = rank_sensitivity(design, [p.name for p in parameters], outputs)
    pmap = None
    if fp is not None:
        maps = [r[1] for r in results[1:]]
        pmap = _probability_map(scenario, fp, nominal_map, maps, outputs["defended_area_km2"])
    return UncertaintyResult(
        scenario_name=scenario.name,
        seed=seed,
        samples=n,
        parameters=parameters,
        inputs=design,
        outputs=outputs,
        nominal=dict(nominal_out),
        bands=bands,
        sensitivity=sensitivity,
        probability_map=pmap,
        run=run,
    )


def _footprint_options(
    scenario: Scenario, resolution_km: float, threat: str | None
) -> dict[str, Any]:
    """Footprint settings shared by every sample: the nominal scenario's map bounds, so
    that all samples map the same cells (checks the threat id and resolution once)."""
    from openbmd.analysis.footprint import default_bounds
    from openbmd.analysis.footprint_setup import prepare
    from openbmd.analysis.grid import make_grid

    bounds = default_bounds(prepare(scenario.nominal(), threat=threat))
    make_grid(bounds, resolution_km)
    return {"threat": threat, "resolution_km": float(resolution_km), "bounds_deg": bounds}


def _probability_map(
    scenario: Scenario,
    options: dict[str, Any],
    nominal: np.ndarray | None,
    maps: list[np.ndarray | None],
    area_km2: np.ndarray,
) -> xr.Dataset:
    """``p_engageable(lat, lon)``: the fraction of samples in which a cell is engageable."""
    from openbmd.analysis.grid import make_grid

    grid = make_grid(options["bounds_deg"], options["resolution_km"])
    p = np.mean(np.stack([np.asarray(m, dtype=float) for m in maps]), axis=0)
    cell = grid.cell_area_km2
    q = np.quantile(area_km2, BAND_QUANTILES)
    sites = scenario.defence.sites
    attrs = {
        "kind": "defended-footprint probability",
        "scenario": scenario.name,
        "threat": options["threat"] or scenario.threats[0].id,
        "resolution_km": options["resolution_km"],
        "bounds_deg": [float(b) for b in options["bounds_deg"]],
        "samples": len(maps),
        "area_p05_km2": float(q[0]),
        "area_p50_km2": float(q[1]),
        "area_p95_km2": float(q[2]),
        "area_any_km2": float(cell[p > 0.0].sum()),
        "area_half_km2": float(cell[p >= 0.5].sum()),
        "area_all_km2": float(cell[p >= 1.0].sum()),
        "site_lat_deg": [float(x.site.lat_deg) for x in sites],
        "site_lon_deg": [float(x.site.lon_deg) for x in sites],
    }
    import xarray as xr

    yx = ("lat", "lon")
    return xr.Dataset(
        {
            "p_engageable": (yx, p),
            "engageable_nominal": (yx, np.asarray(nominal, dtype=bool)),
            "cell_area_km2": (yx, cell),
        },
        coords={
            "lat": ("lat", grid.lat_deg, {"units": "degrees_north"}),
            "lon": ("lon", grid.lon_deg, {"units": "degrees_east"}),
        },
        attrs=attrs,
    )
