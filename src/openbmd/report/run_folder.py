"""Write the whole output folder of a run, atomically.

Everything is written into a hidden temporary folder beside the target
(``.<name>.partial-XXXX``) and renamed into place only when complete, so the target is
either absent or complete: an exception removes the temporary folder, and a killed
process leaves at most a ``.partial-`` folder, never a half-written run folder.

Files (see ``docs/outputs.md``): ``summary.json``, ``run.json``, ``scenario.yaml``,
``events.parquet``, ``trajectories.parquet``, ``sites.parquet``, ``map.png``,
``altitude.png``, ``timeline.png``, ``report.html``, ``scene.czml``, ``scene.kml``;
``trajectories.nc`` when the scenario's ``outputs`` list ``netcdf``, ``footprint.nc`` and
``footprint.png`` when they list ``footprint``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from openbmd.errors import OpenBMDError
from openbmd.io.atomic import atomic_write_bytes
from openbmd.io.kml import write_scene_kml
from openbmd.io.parquet import write_table
from openbmd.io.run_records import json_ready, scenario_sha256
from openbmd.io.scene_czml import iso_utc, write_scene_czml

if TYPE_CHECKING:
    from openbmd.pipeline.result import RunResult

__all__ = [
    "FOOTPRINT_FILES",
    "NETCDF_FILES",
    "RUN_FILES",
    "check_run_folder_target",
    "write_run_folder",
]

#: Key -> file name of everything :func:`write_run_folder` writes.
RUN_FILES: Final = {
    "summary": "summary.json",
    "run": "run.json",
    "scenario": "scenario.yaml",
    "events": "events.parquet",
    "trajectories": "trajectories.parquet",
    "sites": "sites.parquet",
    "map": "map.png",
    "altitude": "altitude.png",
    "timeline": "timeline.png",
    "report": "report.html",
    "czml": "scene.czml",
    "kml": "scene.kml",
}

#: Written besides :data:`RUN_FILES` when the scenario's outputs list ``netcdf``.
NETCDF_FILES: Final = {"netcdf": "trajectories.nc"}
#: Written besides :data:`RUN_FILES` when the scenario's outputs list ``footprint``.
FOOTPRINT_FILES: Final = {"footprint_grid": "footprint.nc", "footprint_map": "footprint.png"}


def check_run_folder_target(out_dir: Path | str, *, overwrite: bool = False) -> Path:
    """Check, before any work, that a run folder can be written at ``out_dir``.

    Creates the parent folder if needed. Returns the absolute target path.

    Raises
    ------
    OpenBMDError
        A file is in the way, the folder exists and is not empty (unless
        ``overwrite``), or the parent cannot be created or written.
    """
    target = Path(out_dir).expanduser().absolute()
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise OpenBMDError(f"cannot write run folder {target}: a file is in the way")
        if not overwrite and any(target.iterdir()):
            raise OpenBMDError(
                f"run folder {target} already exists and is not empty "
                "(choose another folder or overwrite it)"
            )
    parent = target.parent
    if parent.exists() and not parent.is_dir():
        raise OpenBMDError(f"cannot write run folder {target}: {parent} is a file")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OpenBMDError(
            f"cannot create the folder {parent} for run folder {target}: {exc.strerror or exc}"
        ) from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OpenBMDError(f"cannot write run folder {target}: {parent} is not writable")
    return target


def write_run_folder(
    result: RunResult,
    out_dir: Path | str,
    *,
    run_id: str | None = None,
    created: datetime | None = None,
    overwrite: bool = False,
    dpi: int = 110,
) -> dict[str, Path]:
    """Write every output of a run into the folder ``out_dir``, atomically.

    Parameters
    ----------
    result : RunResult
        The run.
    out_dir : path-like
        The run folder to create. It must not exist, or be empty, unless ``overwrite``
        (then the old folder is replaced in one rename and deleted afterwards).
    run_id : str, optional
        Run-store id, written into summary.json, the report and the file metadata.
    created : datetime, optional
        Date of the run (default: now).
    overwrite : bool
        Replace an existing, non-empty folder.
    dpi : int
        Resolution of the PNG figures.

    Returns
    -------
    dict of str to Path
        Key of :data:`RUN_FILES` -> final path of the file.

    Raises
    ------
    OpenBMDError
        The target cannot be written (checked before any work).
    """
    from openbmd.io.netcdf import write_netcdf
    from openbmd.io.run_netcdf import trajectories_dataset
    from openbmd.report.html import write_report_html
    from openbmd.report.run_figures import run_figures_png
    from openbmd.report.run_footprint import listed_outputs, write_run_footprint

    target = check_run_folder_target(out_dir, overwrite=overwrite)
    created = created or datetime.now(UTC)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        sha = scenario_sha256(result.scenario_yaml)
        meta = {
            "run_id": run_id or "",
            "scenario_name": result.scenario_name,
            "scenario_sha256": sha,
            "seed": str(result.seed),
            "software_version": result.software_version,
            "epoch_utc": iso_utc(result.epoch),
        }
        # summary.json holds only what the scenario and seed determine (same scenario,
        # same seed: the same file); run.json holds this run's id, date and timings
        timing_keys = ("stage_seconds",)
        files = dict(RUN_FILES)
        extra: dict[str, Any] = {}
        listed = listed_outputs(result.scenario_yaml)
        if "netcdf" in listed:
            write_netcdf(trajectories_dataset(result), tmp / NETCDF_FILES["netcdf"])
            files.update(NETCDF_FILES)
        if "footprint" in listed:
            extra["footprint"] = write_run_footprint(result.scenario_yaml, tmp, dpi=dpi)
            files.update(FOOTPRINT_FILES)
        summary = {
            "scenario_name": result.scenario_name,
            "scenario_sha256": sha,
            "seed": result.seed,
            "software_version": result.software_version,
            "epoch_utc": iso_utc(result.epoch),
            "summary": {k: v for k, v in result.summary.items() if k not in timing_keys},
            **extra,
            "sources": result.sources,
            "files": files,
        }
        run_info = {
            "run_id": run_id,
            "created_utc": iso_utc(created),
            **{k: result.summary[k] for k in timing_keys if k in result.summary},
        }
        for key, content in (("summary", summary), ("run", run_info)):
            text = json.dumps(json_ready(content), indent=2, allow_nan=False) + "\n"
            atomic_write_bytes(tmp / RUN_FILES[key], text.encode("utf-8"))
        atomic_write_bytes(tmp / RUN_FILES["scenario"], result.scenario_yaml.encode("utf-8"))
        for key in ("events", "trajectories", "sites"):
            write_table(getattr(result, key), tmp / RUN_FILES[key], name=key, metadata=meta)
        figures = run_figures_png(result, dpi=dpi)
        for key in ("map", "altitude", "timeline"):
            atomic_write_bytes(tmp / RUN_FILES[key], figures[RUN_FILES[key]])
        write_report_html(
            result, tmp / RUN_FILES["report"], figures=figures, run_id=run_id, created=created
        )
        write_scene_czml(result, tmp / RUN_FILES["czml"], run_id=run_id)
        write_scene_kml(result, tmp / RUN_FILES["kml"], run_id=run_id)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        _publish(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {key: target / name for key, name in files.items()}


def _publish(tmp: Path, target: Path) -> None:
    """Rename the finished folder into place, replacing an old one (already checked)."""
    if not (target.exists() or target.is_symlink()):
        os.rename(tmp, target)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    aside.rmdir()
    os.rename(target, aside)
    try:
        os.rename(tmp, target)
    except BaseException:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)
