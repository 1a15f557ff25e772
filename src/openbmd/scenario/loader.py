"""Read and write scenario files (YAML, safe loading only), with errors that point at lines.

:func:`load_scenario` takes a file path or the name of a built-in scenario. Every
problem is reported as one line ``FILE:LINE: path: allowed — got value``: the YAML is
composed into a node tree (which keeps line numbers), the pydantic error locations are
mapped onto that tree, and the line of the offending key is given.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from openbmd.scenario.base import Loc, format_value
from openbmd.scenario.errors import ScenarioError, issues_from_validation_error
from openbmd.scenario.model import Scenario

__all__ = ["load_scenario", "parse_scenario", "scenario_to_yaml", "validate_scenario"]

_YAML_SUFFIXES = (".yaml", ".yml")


def load_scenario(path_or_name: str | os.PathLike[str], *, check: bool = True) -> Scenario:
    """Load a scenario from a YAML file, or a built-in scenario by name.

    Parameters
    ----------
    path_or_name : str or path
        A file path, or a name from :func:`openbmd.scenario.builtin_names` (an existing
        file of that name wins).
    check : bool
        Also resolve every catalog reference with its overrides (catches override values
        out of range, with their line), as :func:`openbmd.scenario.resolve_scenario`.

    Raises
    ------
    ScenarioError
        Missing file, malformed YAML, or invalid content; one line per problem.
    """
    from openbmd.scenario.builtin import builtin_names, builtin_path

    path = Path(path_or_name)
    if not path.is_file():
        name = str(path_or_name)
        if name in builtin_names():
            path = builtin_path(name)
        else:
            raise _not_found(name, builtin_names())
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read the scenario file: {exc}") from None
    return parse_scenario(text, str(path), check=check)


def _not_found(name: str, builtins: list[str]) -> ScenarioError:
    from openbmd.scenario.base import did_you_mean

    listed = ", ".join(builtins)
    if name.endswith(_YAML_SUFFIXES) or os.sep in name or "/" in name:
        return ScenarioError(f"{name}: scenario file not found")
    return ScenarioError(
        f"{name}: no scenario file of that name and no built-in scenario "
        f"{name!r}{did_you_mean(name, builtins)} (built-ins: {listed})"
    )


def parse_scenario(text: str, filename: str = "<string>", *, check: bool = True) -> Scenario:
    """A scenario from YAML text; errors name ``filename`` and the lines (see
    :func:`load_scenario`)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{filename}:{mark.line + 1}:{mark.column + 1}" if mark else filename
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise ScenarioError(f"{where}: malformed YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{filename}: malformed YAML: {exc}") from None
    finally:
        loader.dispose()
    duplicates = _duplicate_keys(node) if node is not None else []
    if duplicates:
        raise ScenarioError("\n".join(f"{filename}:{line}: {msg}" for line, msg in duplicates))
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{filename}:1: scenario: must be a mapping of keys (name, threats, ...) — got "
            f"{'an empty file' if data is None else format_value(data)}"
        )
    return validate_scenario(data, filename, node=node, check=check)


def validate_scenario(
    data: dict[str, Any],
    filename: str | None = None,
    *,
    node: yaml.Node | None = None,
    check: bool = True,
) -> Scenario:
    """A scenario from plain data; raise :class:`ScenarioError` (not pydantic's error).

    ``node`` is the composed YAML of ``data`` (for line numbers), ``check`` as in
    :func:`load_scenario`.
    """

    def line_of(loc: Loc) -> int | None:
        return _line_of(node, loc) if node is not None else None

    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError.from_issues(
            issues_from_validation_error(exc), filename, line_of
        ) from None
    if check:
        from openbmd.scenario.resolve import resolve_scenario

        try:
            resolve_scenario(scenario)
        except ScenarioError as exc:
            raise ScenarioError.from_issues(exc.issues, filename, line_of) from None
    return scenario


def _line_of(root: yaml.Node, loc: Loc) -> int:
    """1-based line of the deepest node of ``loc`` found in the tree (the key's line for
    a mapping entry)."""
    node: yaml.Node = root
    line = root.start_mark.line
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    line, node = key.start_mark.line, value
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line
        else:
            break
    return line + 1


def _duplicate_keys(root: yaml.Node) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if key.value in first:
                        out.append(
                            (
                                key.start_mark.line + 1,
                                f"duplicate key '{key.value}' (first at line {first[key.value]})",
                            )
                        )
                    else:
                        first[key.value] = key.start_mark.line + 1
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(out)


def scenario_to_yaml(scenario: Scenario) -> str:
    """The scenario as YAML text that :func:`parse_scenario` reads back to an equal model.

    Every field is written, defaults included (comments are not kept: show a built-in's
    own file for them).
    """
    data = scenario.model_dump(mode="json", by_alias=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
