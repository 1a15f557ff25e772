"""The run store: every scenario run recorded in an embedded DuckDB database.

One table, ``runs``, holds a row per run: its id, times, status, the scenario (name, text
and SHA-256), software version, seed, summary metrics (JSON), output folder and paths,
and the error of a failed run. The default file is ``openbmd_home() / "runs.duckdb"``
(``OPENBMD_HOME`` moves it with all of openbmd's files); :class:`RunStore` takes any path.

Statuses: ``running`` -> ``complete`` | ``failed`` | ``interrupted``. Each transition is
one transaction, so a process killed at any point leaves either the old or the new row.

Crash safety
    A run records the host, process id and process start time of its owner. Whenever
    the store is opened, ``running`` rows of this host whose process is gone (or whose
    PID now belongs to another process) are marked ``interrupted``; a killed run is
    thus never listed as running for long and never as complete. Rows owned by another
    host are left alone (their process cannot be checked from here).

Concurrency
    DuckDB lets one process at a time open a database file for writing. The store holds
    the file only for the few milliseconds of each operation (connect, one transaction,
    close), never for the length of a run, so concurrent runs and ``openbmd runs list``
    interleave. A process that finds the file locked retries until ``timeout_s`` and
    then raises :class:`~openbmd.errors.OpenBMDError` naming the process that holds it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from openbmd._home import openbmd_home
from openbmd.errors import OpenBMDError
from openbmd.io.run_records import (
    StoredRun,
    compare_metrics,
    flatten_metrics,
    json_ready,
    new_run_id,
    scenario_sha256,
    utc,
)

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "STATUSES",
    "RunHandle",
    "RunNotFoundError",
    "RunStore",
    "StoredRun",
    "default_store_path",
    "flatten_metrics",
    "json_ready",
    "new_run_id",
    "scenario_sha256",
]

#: The states of a run, in the order they can occur.
STATUSES: Final = ("running", "complete", "failed", "interrupted")
#: Seconds to keep retrying while another process holds the database file.
DEFAULT_TIMEOUT_S: Final = 10.0
SCHEMA_VERSION: Final = 1
_MAX_ERROR_CHARS: Final = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    status VARCHAR NOT NULL
        CHECK (status IN ('running', 'complete', 'failed', 'interrupted')),
    scenario_name VARCHAR NOT NULL,
    scenario_yaml VARCHAR NOT NULL,
    scenario_sha256 VARCHAR NOT NULL,
    software_version VARCHAR NOT NULL,
    seed BIGINT,
    summary_json VARCHAR,
    outputs_json VARCHAR,
    out_dir VARCHAR,
    error VARCHAR,
    owner_host VARCHAR NOT NULL,
    owner_pid INTEGER NOT NULL,
    owner_token VARCHAR NOT NULL
);
"""

_COLUMN_NAMES = [
    "run_id",
    "created_at",
    "started_at",
    "finished_at",
    "status",
    "scenario_name",
    "scenario_yaml",
    "scenario_sha256",
    "software_version",
    "seed",
    "summary_json",
    "outputs_json",
    "out_dir",
    "error",
    "owner_host",
    "owner_pid",
]
_COLUMNS = ", ".join(_COLUMN_NAMES)


class RunNotFoundError(OpenBMDError, LookupError):
    """No run (or more than one) matches the id or prefix given."""


def default_store_path() -> Path:
    """``openbmd_home() / "runs.duckdb"`` (moved by ``OPENBMD_HOME``)."""
    return openbmd_home() / "runs.duckdb"


class RunStore:
    """The DuckDB run store at ``path`` (default :func:`default_store_path`).

    Parameters
    ----------
    path : path-like, optional
        Database file; its folder is created when ``create`` is true.
    timeout_s : float
        How long to retry while another process holds the file, s.
    create : bool
        Create the file if missing; otherwise a missing file raises ``OpenBMDError``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> store = RunStore(pathlib.Path(tempfile.mkdtemp()) / "runs.duckdb")
    >>> rid = store.start_run("demo", "name: demo\\n", 1, "0.1.0", None)
    >>> store.finish_run(rid, {"leakers": 0}, {})
    >>> store.get_run(rid[:13]).status
    'complete'
    """

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        create: bool = True,
    ) -> None:
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        self.timeout_s = float(timeout_s)
        if self.path.is_dir():
            raise OpenBMDError(f"run store {self.path} is a folder, not a database file")
        if not self.path.exists():
            if not create:
                raise OpenBMDError(f"no run store at {self.path}")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OpenBMDError(
                    f"cannot create run store folder {self.path.parent}: {exc.strerror or exc}"
                ) from None
        with self._connect():
            pass

    # -- transitions -------------------------------------------------------------------

    def start_run(
        self,
        scenario_name: str,
        scenario_yaml: str,
        seed: int | None,
        version: str,
        out_dir: Path | str | None,
    ) -> str:
        """Record a new run with status ``running``; return its id."""
        now = _now()
        for _ in range(20):
            run_id = new_run_id(now.replace(tzinfo=UTC))
            with self._connect() as con, _transaction(con):
                if con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone():
                    continue
                con.execute(
                    "INSERT INTO runs (run_id, created_at, started_at, status, scenario_name, "
                    "scenario_yaml, scenario_sha256, software_version, seed, out_dir, "
                    "owner_host, owner_pid, owner_token) "
                    "VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        run_id,
                        now,
                        now,
                        str(scenario_name),
                        str(scenario_yaml),
                        scenario_sha256(scenario_yaml),
                        str(version),
                        None if seed is None else int(seed),
                        None if out_dir is None else str(out_dir),
                        socket.gethostname(),
                        os.getpid(),
                        _process_token(os.getpid()) or "",
                    ],
                )
                return run_id
        raise RuntimeError("could not draw a free run id in 20 tries")  # pragma: no cover

    def finish_run(
        self, run_id: str, summary: Mapping[str, Any], outputs: Mapping[str, Any]
    ) -> None:
        """Mark a running run ``complete`` with its summary and output paths."""
        self._transition(
            run_id,
            "complete",
            summary_json=json.dumps(json_ready(summary), allow_nan=False),
            outputs_json=json.dumps(json_ready(outputs), allow_nan=False),
        )

    def fail_run(
        self, run_id: str, error: str | BaseException, *, interrupted: bool = False
    ) -> None:
        """Mark a running run ``failed`` (or ``interrupted``, e.g. on Ctrl-C) with the error."""
        text = _one_line(error)
        self._transition(run_id, "interrupted" if interrupted else "failed", error=text)

    @contextlib.contextmanager
    def recording(
        self,
        scenario_name: str,
        scenario_yaml: str,
        seed: int | None,
        version: str,
        out_dir: Path | str | None,
    ) -> Iterator[RunHandle]:
        """Record a run around a block: failed on an exception, interrupted on Ctrl-C.

        Call ``handle.finish(summary, outputs)`` inside the block; a block that ends
        without it records the run as failed.
        """
        handle = RunHandle(
            self, self.start_run(scenario_name, scenario_yaml, seed, version, out_dir)
        )
        try:
            yield handle
        except KeyboardInterrupt:
            self.fail_run(handle.run_id, "interrupted by the user", interrupted=True)
            raise
        except BaseException as exc:
            if not handle.finished:
                self.fail_run(handle.run_id, exc)
            raise
        if not handle.finished:
            self.fail_run(handle.run_id, "the run ended without recording results")

    # -- queries -----------------------------------------------------------------------

    def list_runs(self, limit: int | None = 50) -> list[StoredRun]:
        """The most recent runs first (at most ``limit``; ``None``: all)."""
        sql = f"SELECT {_COLUMNS} FROM runs ORDER BY created_at DESC, run_id DESC"
        params: list[Any] = []
        if limit is not None:
            sql += " LIMIT ?"
            params.append(max(int(limit), 0))
        with self._connect() as con:
            rows = con.execute(sql, params).fetchall()
        return [_row_to_run(r) for r in rows]

    def get_run(self, run_id: str) -> StoredRun:
        """The run with this id or unique id prefix.

        Raises
        ------
        RunNotFoundError
            No run matches, or the prefix matches several.
        """
        prefix = str(run_id).strip()
        if not prefix:
            raise RunNotFoundError("run id must not be empty")
        with self._connect() as con:
            rows = con.execute(
                f"SELECT {_COLUMNS} FROM runs WHERE starts_with(run_id, ?) "
                "ORDER BY created_at, run_id LIMIT 6",
                [prefix],
            ).fetchall()
        exact = [r for r in rows if r[0] == prefix]
        if exact:
            return _row_to_run(exact[0])
        if not rows:
            raise RunNotFoundError(f"no run '{prefix}' in run store {self.path}")
        if len(rows) > 1:
            shown = ", ".join(r[0] for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
            raise RunNotFoundError(f"run id '{prefix}' is ambiguous: matches {shown}")
        return _row_to_run(rows[0])

    def compare(self, run_a: str, run_b: str) -> list[dict[str, Any]]:
        """Summary metrics of two runs side by side.

        Returns
        -------
        list of dict
            Rows ``{"metric", "a", "b", "difference"}`` (nested metrics with dotted
            names; ``difference = b - a`` where both are numbers, else ``None``), in the
            order of run A's summary, then metrics only run B has.
        """
        return compare_metrics(self.get_run(run_a).summary, self.get_run(run_b).summary)

    def mark_interrupted(self) -> list[str]:
        """Mark ``running`` rows of dead processes on this host ``interrupted``; their ids.

        Runs on every open; public so that a caller can sweep on demand.
        """
        with self._connect(sweep=False) as con:
            return _sweep(con)

    # -- internals ---------------------------------------------------------------------

    def _transition(self, run_id: str, status: str, **values: Any) -> None:
        columns = ", ".join(f"{k} = ?" for k in values)
        with self._connect() as con, _transaction(con):
            row = con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone()
            if row is None:
                raise RunNotFoundError(f"no run '{run_id}' in run store {self.path}")
            if row[0] != "running":
                raise OpenBMDError(
                    f"run {run_id} is {row[0]}, not running: cannot mark it {status}"
                )
            con.execute(
                f"UPDATE runs SET status = ?, finished_at = ?, {columns} WHERE run_id = ?",
                [status, _now(), *values.values(), run_id],
            )

    @contextlib.contextmanager
    def _connect(self, *, sweep: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        import duckdb

        deadline = time.monotonic() + self.timeout_s
        delay = 0.02
        while True:
            try:
                con = duckdb.connect(str(self.path))
                break
            except duckdb.IOException as exc:
                message = str(exc)
                if "lock" not in message.lower():
                    raise OpenBMDError(
                        f"cannot open run store {self.path}: {_first_line(message)}"
                    ) from None
                if time.monotonic() >= deadline:
                    raise OpenBMDError(
                        f"run store {self.path} is busy: another process holds it "
                        f"({_lock_holder(message)}) after {self.timeout_s:g} s of retries; "
                        "try again, or use another store (--store PATH)"
                    ) from None
                time.sleep(delay)
                delay = min(2 * delay, 0.25)
            except duckdb.Error as exc:
                raise OpenBMDError(
                    f"cannot open run store {self.path}: {_first_line(str(exc))}"
                ) from None
        try:
            _ensure_schema(con, self.path)
            if sweep:
                _sweep(con)
            yield con
        finally:
            con.close()


@dataclass
class RunHandle:
    """A run being recorded by :meth:`RunStore.recording`."""

    store: RunStore
    run_id: str
    finished: bool = False

    def finish(self, summary: Mapping[str, Any], outputs: Mapping[str, Any]) -> None:
        """Mark the run complete (see :meth:`RunStore.finish_run`)."""
        self.store.finish_run(self.run_id, summary, outputs)
        self.finished = True


@contextlib.contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _ensure_schema(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        row = con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
    except Exception:
        row = None
    if row is not None:
        if int(row[0]) > SCHEMA_VERSION:
            raise OpenBMDError(
                f"run store {path} has schema version {row[0]}; this openbmd reads "
                f"<= {SCHEMA_VERSION} (upgrade openbmd)"
            )
        return
    with _transaction(con):
        con.execute(_SCHEMA)
        con.execute(
            "INSERT OR REPLACE INTO store_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )


def _sweep(con: duckdb.DuckDBPyConnection) -> list[str]:
    host = socket.gethostname()
    rows = con.execute(
        "SELECT run_id, owner_pid, owner_token FROM runs "
        "WHERE status = 'running' AND owner_host = ?",
        [host],
    ).fetchall()
    dead = [(r[0], int(r[1])) for r in rows if not _process_alive(int(r[1]), str(r[2]))]
    if dead:
        now = _now()
        with _transaction(con):
            for run_id, pid in dead:
                con.execute(
                    "UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? "
                    "WHERE run_id = ? AND status = 'running'",
                    [now, f"process {pid} on {host} ended without finishing the run", run_id],
                )
    return [run_id for run_id, _ in dead]


def _process_token(pid: int) -> str | None:
    """Boot id and start time of a live process (Linux), ``""`` where unknown, None if gone.

    The token tells a process from a later one that reuses its PID.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None if Path("/proc/self/stat").exists() else ""
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2 :].split()
    if not fields or fields[0] in ("Z", "X"):  # zombie or dead: gone for our purpose
        return None
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot = ""
    return f"{boot}:{fields[19]}"


def _process_alive(pid: int, token: str) -> bool:
    current = _process_token(pid)
    if current is None:
        return False
    if current and token:
        return current == token
    if sys.platform == "win32":  # os.kill(pid, 0) would send CTRL_C_EVENT there
        try:
            import psutil
        except ImportError:
            return True
        return bool(psutil.pid_exists(pid))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _row_to_run(row: tuple[Any, ...]) -> StoredRun:
    r = dict(zip(_COLUMN_NAMES, row, strict=True))
    return StoredRun(
        run_id=r["run_id"],
        status=r["status"],
        scenario_name=r["scenario_name"],
        scenario_sha256=r["scenario_sha256"],
        scenario_yaml=r["scenario_yaml"],
        software_version=r["software_version"],
        seed=None if r["seed"] is None else int(r["seed"]),
        created_at=utc(r["created_at"]),
        started_at=None if r["started_at"] is None else utc(r["started_at"]),
        finished_at=None if r["finished_at"] is None else utc(r["finished_at"]),
        out_dir=r["out_dir"],
        summary=json.loads(r["summary_json"]) if r["summary_json"] else {},
        outputs=json.loads(r["outputs_json"]) if r["outputs_json"] else {},
        error=r["error"],
        owner_host=r["owner_host"],
        owner_pid=int(r["owner_pid"]),
    )


def _now() -> datetime:
    """UTC now, naive (DuckDB TIMESTAMP columns hold UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _one_line(error: str | BaseException) -> str:
    if isinstance(error, BaseException):
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    else:
        text = str(error)
    text = " ".join(text.split())
    return text[:_MAX_ERROR_CHARS]


def _lock_holder(message: str) -> str:
    found = re.search(r"lock is held in (.*?\(PID \d+\))", message)
    return found.group(1) if found else "unknown process"
