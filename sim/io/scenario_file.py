"""Read scenario YAML files into a validated :class:`~sim.scenario.Scenario`.

A scenario file may start with ``extends: other.yaml`` (relative to its folder): the other file is
loaded first and this one's keys are merged over it (mappings merge key by key; lists and values
are replaced).  Relative paths inside a scenario resolve against the folder of the file that
holds them.  Every problem becomes an :class:`~sim.errors.InputError` naming the file, the field,
the bad value and what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import InputError
from sim.scenario import Scenario

_MAX_EXTENDS_DEPTH = 8


_MAX_YAML_VALUES = 1_000_000
"""Most values a scenario file may expand to, aliases followed (an alias bomb stops here)."""


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text (a bad date is reported by its field name), refuses
    duplicate keys, aliases that contain themselves, and aliases that expand past
    ``_MAX_YAML_VALUES`` values."""

    def get_single_node(self):
        node = super().get_single_node()
        if node is not None:
            _check_expansion(node)
        return node

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or \
                        not isinstance(key_node, yaml.ScalarNode):
                    continue
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key_node.value!r} (first on line "
                        f"{seen[key_node.value] + 1}); give each key once", key_node.start_mark)
                seen[key_node.value] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _check_expansion(root) -> None:
    """Count the values ``root`` expands to with aliases followed; refuse cycles and bombs."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            children = _children(node)
            sizes[key] = min(1 + sum(sizes[id(c)] for c in children), _MAX_YAML_VALUES + 1)
            if sizes[key] > _MAX_YAML_VALUES:
                raise yaml.composer.ComposerError(
                    None, None, f"aliases expand to more than {_MAX_YAML_VALUES:,} values (an "
                    "alias bomb?); write the values out or use fewer aliases", node.start_mark)
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise yaml.composer.ComposerError(
                None, None, "an alias refers to a value that contains it (a cycle); aliases "
                "must point to finished values", node.start_mark)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, merge (``extends``) and validate a scenario file.

    Parameters
    ----------
    path
        The scenario YAML file.
    overrides
        Dotted-path replacements applied before validation, e.g. ``{"seed": 3}``.
    """
    path = Path(path)
    data = _read_merged(path, depth=0)
    for dotted, value in (overrides or {}).items():
        _set_dotted(data, dotted, value, path)
    from sim.uncertainty.distributions import extract_distributions

    uncertain = extract_distributions(data)
    if uncertain:
        raise InputError(f"{', '.join(uncertain)}: given as distributions; run this scenario "
                         "with archive-sim montecarlo or sensitivity, or give values", file=path)
    return validate_scenario(data, path)


def validate_scenario(data: dict[str, Any], path: Path) -> Scenario:
    """A scenario from merged file data (``path``: the file, for messages and relative paths)."""
    try:
        return Scenario.model_validate(data, context={"base_dir": path.parent})
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, Scenario, data), file=path) from None


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; syntax errors name the line and column."""
    if not path.is_file():
        raise InputError("file not found", file=path)
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{where}not valid YAML ({problem})", file=path) from None
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", file=path) from None
    except RecursionError:
        raise InputError("not a usable scenario: nested too deeply (hundreds of levels); a "
                         "scenario is a few levels deep", file=path) from None


def read_merged(path: str | Path) -> dict[str, Any]:
    """A scenario file's data with ``extends`` merged in (not validated)."""
    return _read_merged(Path(path), depth=0)


def set_dotted(data: dict[str, Any], dotted: str, value: Any, path: Path) -> None:
    """Set the field at a dotted path (list items by index, archives by name)."""
    _set_dotted(data, dotted, value, path)


def _read_merged(path: Path, depth: int) -> dict[str, Any]:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise InputError("a scenario must be a YAML mapping (name: ..., start: ..., ...)", path)
    _absolutise_paths(data, path.resolve().parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if depth >= _MAX_EXTENDS_DEPTH:
        raise InputError(f"extends: more than {_MAX_EXTENDS_DEPTH} levels (a cycle?)", path)
    if not isinstance(parent, str):
        raise InputError(f"extends: must be a file name, got {parent!r}", path)
    parent_path = (path.parent / parent).resolve()
    if not parent_path.is_file():
        raise InputError(f"extends: file not found: {parent_path}", path)
    return _merge(_read_merged(parent_path, depth + 1), data)


def _absolutise_paths(data: dict[str, Any], base: Path) -> None:
    """Make relative trace paths absolute against the folder of the file that names them."""
    workload = data.get("workload")
    trace = workload.get("trace") if isinstance(workload, dict) else None
    holders: list[tuple[Any, tuple[str, ...]]] = [(trace, ("studies", "reads"))]
    archives = data.get("archives")
    if isinstance(archives, list):
        holders += [(a, ("lifecycle", "intelligent_tiering")) for a in archives]
        holders += [(a.get("cloud"), ("lifecycle", "intelligent_tiering")) for a in archives
                    if isinstance(a, dict)]  # a hybrid archive's cloud part
        clouds = [a for a in archives if isinstance(a, dict)]
        clouds += [a["cloud"] for a in clouds if isinstance(a.get("cloud"), dict)]
        holders += [(c.get("replication"), ("lifecycle",)) for c in clouds]  # replica bucket
    for holder, keys in holders:
        if not isinstance(holder, dict):
            continue
        for key in keys:
            value = holder.get(key)
            if isinstance(value, str) and not Path(value).is_absolute():
                holder[key] = str(base / value)
        catalog = holder.get("catalog")
        if isinstance(catalog, str) and catalog.endswith((".yaml", ".yml")) \
                and not Path(catalog).is_absolute():
            holder["catalog"] = str(base / catalog)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _set_dotted(data: dict[str, Any], dotted: str, value: Any, path: Path) -> None:
    node: Any = data
    keys = dotted.split(".")
    for key in keys[:-1]:
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        elif isinstance(node, list) and _named(node, key) is not None:
            node = _named(node, key)
        elif isinstance(node, dict):
            node = node.setdefault(key, {})
        else:
            raise InputError(f"--set {dotted}: {key!r} does not name a field here", path)
    last = keys[-1]
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise InputError(f"--set {dotted}: {last!r} does not name a field here", path)


def _named(items: list, name: str) -> dict | None:
    """The list item (an archive) whose ``name`` is ``name``."""
    return next((i for i in items if isinstance(i, dict) and i.get("name") == name), None)


# ------------------------------------------------------------------------------ error formatting


def format_validation_error(
    exc: ValidationError, root: type[BaseModel], data: Any
) -> list[str]:
    """One line per pydantic error: field path, the value given, what is allowed."""
    lines = []
    for err in exc.errors(include_url=False):
        models, loc = _walk(root, err["loc"])
        field = ".".join(str(p) for p in loc) or "(top level)"
        kind = err["type"]
        if kind == "extra_forbidden":
            allowed = list(models[0].model_fields) if len(models) == 1 else []
            hint = f"; allowed here: {', '.join(allowed)}" if allowed else ""
            lines.append(f"{field}: unknown field{hint}")
        elif kind == "missing":
            lines.append(f"{field}: required field is missing")
        elif kind == "union_tag_invalid":
            lines.append(f"{field}: {err['msg']}")
        elif not loc:  # a check across fields: its message names them
            lines.append(err["msg"].removeprefix("Value error, "))
        else:
            given = err.get("input")
            shown = "" if isinstance(given, dict | list) else f" (got {given!r})"
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{field}: {msg}{shown}")
    return lines


def _walk(root: type[BaseModel], loc: tuple[Any, ...]) -> tuple[list[Any], list[Any]]:
    """The candidate models at the end of ``loc`` (the parent of the last part) and the field
    path without pydantic's union tags (e.g. the archive ``kind`` it tried)."""
    candidates: list[Any] = [root]
    path: list[Any] = []
    for i, part in enumerate(loc):
        if isinstance(part, str) and ("[" in part or part.startswith("function-")):
            continue
        tagged = [m for m in candidates if _kind_of(m) == part]
        if tagged and len(candidates) > 1:
            candidates = tagged
            continue
        path.append(part)
        if isinstance(part, int) or i == len(loc) - 1:
            continue
        found = [m.model_fields[part] for m in candidates if part in m.model_fields]
        if not found:  # a mapping key such as a modality code: stay on the same model
            continue
        candidates = _models_in(found[0].annotation) or candidates
    return candidates, path


def _kind_of(model: Any) -> Any:
    field = getattr(model, "model_fields", {}).get("kind")
    args: tuple = getattr(field.annotation, "__args__", ()) if field is not None else ()
    return args[0] if len(args) == 1 else None


def _models_in(annotation: Any) -> list[Any]:
    """The BaseModels inside list[...], dict[..., ...], X | Y, Annotated[...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[Any] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found += [m for m in _models_in(arg) if m not in found]
    return found
