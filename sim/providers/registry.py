"""The provider registry (see :mod:`sim.providers`).

Cloud providers: one module each, one registry entry each.

A :class:`Provider` says everything generic code needs to know about a provider: what its
scenario entries may set (storage classes, its own settings, the checks only it makes), which
price catalog model it reads, which policy documents it reads and how ``archive-sim validate``
describes them, and how to build its engine.  Generic code asks the registry (:func:`get`) and
never compares provider names; an unknown provider is an error, never a fallback.

Adding a provider is one module that calls :func:`register` and one import line at the end of
``sim/providers/__init__.py`` (or, for a provider kept outside the package, one
:func:`register` call).  A provider
names its engine factory (``engine``) instead of importing it, so the scenario model can ask the
registry without importing the engines (tests/test_layers.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import InputError


@dataclass(frozen=True)
class DocumentKind:
    """A policy document a provider reads (for ``archive-sim validate`` and policy writers)."""

    name: str
    """What it is, e.g. 'S3 Lifecycle configuration'."""
    looks_like: Callable[[Any], bool]
    """Whether a parsed JSON/XML document is one of these."""
    describe: Callable[[Path], list[str]]
    """Load and check the file (InputError naming rule and field), then describe it in lines."""
    expected: str
    """How to recognise one, for the message when a document is none of the known kinds."""


@dataclass(frozen=True)
class Provider:
    """One cloud provider, as the rest of the simulator sees it."""

    name: str
    """The scenario's ``provider`` value."""
    summary: str
    """One line for the scenario reference (``archive-sim schema``)."""
    storage_classes: tuple[str, ...]
    """Classes or tiers a study may be uploaded to (empty: the provider has none)."""
    default_storage_class: str
    default_catalog: str
    catalog_model: type
    """The pydantic model of its price catalogs."""
    engine: str
    """Where the engine factory lives, ``"module:function"``: the function takes
    ``(spec, catalog, documents, workload, keep_events)`` and returns the archive model.  Named,
    not imported, so this layer (read by the scenario model) never imports the engines."""
    load_documents: Callable[[Any], Any] = lambda spec: None
    """The parsed policy documents a scenario entry names (errors name file, rule, field)."""
    settings: tuple[str, ...] = ()
    """Scenario fields of a cloud archive that only this provider uses."""
    check: Callable[[Any], list[str]] = lambda spec: []
    """Problems of a scenario entry that only this provider knows about."""
    check_priced: Callable[[Any, Any, Any], None] = lambda spec, catalog, documents: None
    """Raise an InputError if the entry asks for something its catalog cannot price (a
    redundancy or location type without prices); called when the catalog is loaded."""
    documents: tuple[DocumentKind, ...] = field(default=())


_REGISTRY: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    """Make ``provider`` known (a provider of the same name is replaced)."""
    _REGISTRY[provider.name] = provider
    return provider


def unregister(name: str) -> None:
    """Forget a provider (tests that register one of their own)."""
    _REGISTRY.pop(name, None)


def names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def get(name: str) -> Provider:
    """The provider called ``name``; an unknown name is an error listing the known ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"provider {name!r} is not known; known: "
                         f"{', '.join(_REGISTRY)}") from None


def build(spec, catalog, documents, workload, keep_events: bool = False):
    """The engine of a cloud archive entry, from its provider's factory."""
    module, _, function = get(spec.provider).engine.partition(":")
    factory = getattr(importlib.import_module(module), function)
    return factory(spec, catalog, documents, workload, keep_events)


def load_catalog(provider: str, name_or_path: str | Path):
    """A price catalog of ``provider``: a shipped one by name or a file by path."""
    from sim.pricing.catalog import load_catalog as load

    try:
        model = get(provider).catalog_model
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return load(name_or_path, model)


def document_kind(document: Any) -> DocumentKind | None:
    """The kind of a parsed policy document, or None if no provider reads such documents."""
    for provider in _REGISTRY.values():
        for kind in provider.documents:
            if kind.looks_like(document):
                return kind
    return None


def document_kinds() -> list[DocumentKind]:
    return [kind for p in _REGISTRY.values() for kind in p.documents]

