"""Cloud providers: one module each (``aws``, ``aws-healthimaging``, ``azure``, ``gcp``), one
registry entry each; generic code asks :func:`get` and never compares provider names."""

from sim.providers import aws, azure, gcp, healthimaging  # noqa: F401 - each registers itself
from sim.providers.registry import (
    DocumentKind,
    Provider,
    build,
    document_kind,
    document_kinds,
    get,
    load_catalog,
    names,
    register,
    unregister,
)

__all__ = ["DocumentKind", "Provider", "build", "document_kind", "document_kinds", "get",
           "load_catalog", "names", "register", "unregister"]
