"""``/api/scenarios``: the scenario library (built-in and uploaded), validation, upload.

Scenario text is read with YAML safe loading only and validated by the same functions as
``openbmd scenarios check`` (:func:`openbmd.scenario.parse_scenario`). Errors come back as
``{"line", "column", "field", "message"}``, the line 1-based in the text sent. Before
that, the YAML node tree is checked for shapes that would exhaust the server: nesting
deeper than the parser can follow, or aliases that expand to more than
:data:`MAX_YAML_NODES` values ("billion laughs"). An accepted upload is written
atomically as ``<upload_dir>/<name>.yaml``, the text kept as sent (comments included);
nothing is written for an invalid or oversized one.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Annotated, Any, Final, Literal

import yaml
from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from openbmd.errors import OpenBMDError
from openbmd.io.atomic import atomic_write_bytes
from openbmd.scenario import Scenario, ScenarioError, builtin_names, builtin_path, parse_scenario
from openbmd.web.settings import WebSettings

__all__ = [
    "MAX_YAML_NODES",
    "NAME_PATTERN",
    "check_scenario_text",
    "find_scenario",
    "router",
]

#: Names of uploaded scenarios (and of every scenario the API addresses).
NAME_PATTERN: Final = r"^[A-Za-z0-9_-]{1,64}$"
#: Most YAML values a scenario may hold once aliases are expanded.
MAX_YAML_NODES: Final = 200_000
#: Most uploaded scenarios kept.
MAX_UPLOADED: Final = 1000
_FILENAME: Final = "<scenario>"
_NAME_RE: Final = re.compile(NAME_PATTERN)
_LINE_RE: Final = re.compile(rf"^{re.escape(_FILENAME)}:(\d+)(?::(\d+))?: (.*)$")

router = APIRouter(prefix="/api/scenarios", tags=["scenarios"])

Name = Annotated[str, PathParam(pattern=NAME_PATTERN, description="Scenario name.")]


class ScenarioInfo(BaseModel):
    """A scenario of the library."""

    name: str
    description: str
    origin: Literal["builtin", "uploaded"]


class ScenarioText(BaseModel):
    """A scenario's YAML text."""

    name: str
    origin: Literal["builtin", "uploaded"]
    yaml: str


class YamlBody(BaseModel):
    """Scenario text to validate or upload."""

    model_config = ConfigDict(extra="forbid")
    yaml: str = Field(description="The scenario as YAML text.")


class ScenarioIssue(BaseModel):
    """One problem of a scenario text."""

    line: int | None = Field(description="1-based line in the text, when known.")
    column: int | None = Field(description="1-based column, when known.")
    field: str = Field(description="Path of the offending value, e.g. threats[0].missile.")
    message: str


class Validation(BaseModel):
    """Outcome of a validation."""

    valid: bool
    name: str | None = None
    errors: list[ScenarioIssue] = Field(default_factory=list)


class Uploaded(BaseModel):
    """A stored upload."""

    name: str
    origin: Literal["uploaded"] = "uploaded"


def _settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def find_scenario(settings: WebSettings, name: str) -> tuple[str, Path] | None:
    """``(origin, path)`` of the scenario ``name``, built-ins first; ``None`` if unknown."""
    if not _NAME_RE.match(name):
        return None
    if name in builtin_names():
        return "builtin", builtin_path(name)
    path = settings.upload_dir / f"{name}.yaml"
    if path.is_file() and not path.is_symlink():
        return "uploaded", path
    return None


def _issue(line: int | None, column: int | None, field: str, message: str) -> dict[str, Any]:
    return {"line": line, "column": column, "field": field, "message": message}


def _errors_of(exc: ScenarioError) -> list[dict[str, Any]]:
    lines = [t for t in str(exc).split("\n") if t.strip()]
    if exc.issues and len(lines) == len(exc.issues):
        out = []
        for text, issue in zip(lines, exc.issues, strict=True):
            found = _LINE_RE.match(text)
            line = int(found.group(1)) if found else None
            out.append(_issue(line, None, issue.path, issue.message))
        return out
    out = []
    for text in lines:
        found = _LINE_RE.match(text)
        if found is None:
            out.append(_issue(None, None, "scenario", text.removeprefix(f"{_FILENAME}: ")))
            continue
        message = found.group(3)
        field = "scenario"
        if message.startswith("scenario: "):
            message = message.removeprefix("scenario: ")
        column = int(found.group(2)) if found.group(2) else None
        out.append(_issue(int(found.group(1)), column, field, message))
    return out


def _shape_errors(text: str) -> tuple[yaml.Node | None, list[dict[str, Any]]]:
    """The composed tree, or the errors of a tree too deep or too large to validate."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None, []  # parse_scenario reports it with its line
    except RecursionError:
        return None, [_issue(None, None, "scenario", "the YAML is nested too deeply")]
    if node is None:
        return None, []
    count, stack = 0, [node]
    while stack:
        current = stack.pop()
        count += 1
        if count > MAX_YAML_NODES:
            message = (
                f"the YAML holds more than {MAX_YAML_NODES:,} values once its aliases are expanded"
            )
            return None, [_issue(None, None, "scenario", message)]
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((key, value))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return node, []


def check_scenario_text(
    text: str, *, storable: bool = True
) -> tuple[Scenario | None, list[dict[str, Any]]]:
    """Validate scenario YAML text: the model, or the errors (never both).

    With ``storable``, also check that the scenario's ``name`` can name a stored
    scenario (:data:`NAME_PATTERN`).
    """
    node, errors = _shape_errors(text)
    if errors:
        return None, errors
    try:
        model = parse_scenario(text, _FILENAME)
    except ScenarioError as exc:
        return None, _errors_of(exc)
    except RecursionError:
        return None, [_issue(None, None, "scenario", "the YAML is nested too deeply")]
    if storable and not _NAME_RE.match(model.name):
        line = _key_line(node, "name")
        message = (
            "must be 1 to 64 letters, digits, '_' or '-' to name a stored scenario "
            f"— got {model.name!r}"
        )
        return None, [_issue(line, None, "name", message)]
    return model, []


def _key_line(node: yaml.Node | None, key: str) -> int | None:
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return int(k.start_mark.line) + 1
    return None


def _check_size(settings: WebSettings, text: str) -> None:
    size = len(text.encode("utf-8"))
    if size > settings.max_upload_bytes:
        raise HTTPException(
            413,
            f"scenario too large: {size:,} bytes (limit {settings.max_upload_bytes:,} bytes)",
        )


@functools.lru_cache(maxsize=1)
def _builtin_rows() -> tuple[tuple[str, str], ...]:
    """Built-in names and descriptions (package files: read once per process)."""
    from openbmd.scenario import builtin_descriptions

    return tuple(builtin_descriptions().items())


#: Path -> ((mtime_ns, size), description) of uploaded scenarios already read.
_descriptions: dict[Path, tuple[tuple[int, int], str]] = {}


def _uploaded_description(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return ""
    stamp = (stat.st_mtime_ns, stat.st_size)
    known = _descriptions.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return ""
    text = str(data.get("description", "")) if isinstance(data, dict) else ""
    description = " ".join(text.split())
    _descriptions[path] = (stamp, description)
    return description


@router.get("", response_model=list[ScenarioInfo], summary="The scenario library")
def list_scenarios(request: Request) -> list[dict[str, Any]]:
    """Built-in scenarios, then uploaded ones, each sorted by name."""
    settings = _settings(request)
    rows = [{"name": k, "description": v, "origin": "builtin"} for k, v in _builtin_rows()]
    builtins = {r["name"] for r in rows}
    if settings.upload_dir.is_dir():
        for path in sorted(settings.upload_dir.glob("*.yaml")):
            name = path.stem
            if _NAME_RE.match(name) and name not in builtins and path.is_file():
                rows.append(
                    {"name": name, "description": _uploaded_description(path), "origin": "uploaded"}
                )
    return rows


@router.get("/{name}", response_model=ScenarioText, summary="One scenario's YAML")
def get_scenario(request: Request, name: Name) -> dict[str, Any]:
    """The YAML text of a built-in (comments and sources included) or uploaded scenario."""
    found = find_scenario(_settings(request), name)
    if found is None:
        raise HTTPException(404, f"no scenario {name!r}")
    origin, path = found
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HTTPException(404, f"scenario {name!r} cannot be read: {exc}") from None
    return {"name": name, "origin": origin, "yaml": text}


@router.post("/validate", response_model=Validation, summary="Validate scenario text")
def validate(request: Request, body: YamlBody) -> dict[str, Any]:
    """Check scenario text as ``openbmd scenarios check`` does; nothing is stored.

    Answers 200 with ``valid`` false and the errors for an invalid scenario.
    """
    _check_size(_settings(request), body.yaml)
    model, errors = check_scenario_text(body.yaml)
    if model is None:
        return {"valid": False, "errors": errors}
    return {"valid": True, "name": model.name, "errors": []}


_UPLOAD_BODY: Final = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "application/json": {"schema": YamlBody.model_json_schema()},
        },
    },
    "responses": {
        "413": {"description": "Scenario too large"},
        "409": {"description": "The name is a built-in scenario"},
        "422": {"description": "Invalid scenario: {detail, errors}"},
    },
}


@router.post(
    "",
    status_code=201,
    response_model=Uploaded,
    summary="Upload a scenario",
    openapi_extra=_UPLOAD_BODY,
)
async def upload(request: Request) -> Any:
    """Store a scenario under its ``name``: multipart field ``file`` or JSON ``{"yaml"}``.

    The text is validated first; an upload of the same name replaces the earlier one.
    """
    settings = _settings(request)
    text = await _upload_text(request, settings)
    _check_size(settings, text)
    return await run_in_threadpool(_store_upload, settings, text)  # validation is CPU work


def _store_upload(settings: WebSettings, text: str) -> JSONResponse:
    model, errors = check_scenario_text(text)
    if model is None:
        first = errors[0]
        where = f"line {first['line']}: " if first["line"] else ""
        detail = f"invalid scenario: {where}{first['field']}: {first['message']}"
        return JSONResponse({"detail": detail, "errors": errors}, status_code=422)
    name = model.name
    if name in builtin_names():
        raise HTTPException(
            409, f"{name!r} is a built-in scenario: change the name: field to store a copy"
        )
    target = settings.upload_dir / f"{name}.yaml"
    if not target.exists() and _uploaded_count(settings) >= MAX_UPLOADED:
        raise HTTPException(507, f"too many uploaded scenarios (limit {MAX_UPLOADED:,})")
    try:
        atomic_write_bytes(target, text.encode("utf-8"))
    except OSError as exc:
        raise HTTPException(507, f"cannot store the scenario: {exc.strerror or exc}") from None
    return JSONResponse({"name": name, "origin": "uploaded"}, status_code=201)


def _uploaded_count(settings: WebSettings) -> int:
    if not settings.upload_dir.is_dir():
        return 0
    return sum(1 for _ in settings.upload_dir.glob("*.yaml"))


async def _upload_text(request: Request, settings: WebSettings) -> str:
    """The scenario text of an upload request (413/415/422/400 on bad input)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    limit = settings.max_upload_bytes
    if content_type == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=4)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(422, "the form needs a file field named 'file'")
        data = await upload.read(limit + 1)
        await form.close()
        if len(data) > limit:
            raise HTTPException(413, f"scenario too large: over {limit:,} bytes (limit {limit:,})")
    elif content_type == "application/json":
        raw = await request.body()
        try:
            parsed = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise HTTPException(422, "the body is not valid JSON") from None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("yaml"), str):
            raise HTTPException(422, 'the JSON body must be an object {"yaml": "<text>"}')
        if set(parsed) - {"yaml"}:
            raise HTTPException(
                422, f"unknown key(s) in the body: {sorted(set(parsed) - {'yaml'})}"
            )
        return str(parsed["yaml"])
    else:
        raise HTTPException(
            415,
            "send multipart/form-data with a field 'file', or application/json "
            '{"yaml": "<text>"}',
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(422, "the scenario file is not UTF-8 text") from None


def load_model(path: Path) -> Scenario:
    """The validated scenario stored at ``path`` (built-in or uploaded).

    Raises
    ------
    OpenBMDError
        The file no longer validates (e.g. a catalog changed since the upload).
    """
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OpenBMDError(f"cannot read scenario {path.name}: {exc}") from None
    model, errors = check_scenario_text(text, storable=False)
    if model is None:
        first = errors[0]
        where = f"line {first['line']}: " if first["line"] else ""
        raise ScenarioError(f"{path.name}: {where}{first['field']}: {first['message']}")
    return model
