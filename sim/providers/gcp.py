"""Google Cloud Storage: storage classes, lifecycle configurations or Autoclass (engines:
:mod:`sim.archives.gcs`; catalog: ``gcp-us-east1``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.pricing.catalog import GcsCatalog
from sim.providers.registry import DocumentKind, Provider, register
from sim.tiering.gcs_lifecycle import CLASSES


def load_documents(spec):
    """The lifecycle configuration, or None."""
    from sim.io.policy_files import load_gcs_lifecycle

    return load_gcs_lifecycle(spec.lifecycle) if spec.lifecycle else None


def check(spec) -> list[str]:
    if spec.autoclass is not None:
        used = spec.given(("lifecycle", "storage_class"))
        if used:
            return ["Autoclass starts every object in STANDARD and moves it by itself: remove "
                    + ", ".join(used)]
    return []


def _is_lifecycle(doc: Any) -> bool:
    return isinstance(doc, dict) and (
        "rule" in doc or ("lifecycle" in doc and isinstance(doc["lifecycle"], dict)))


def _describe_lifecycle(file: Path) -> list[str]:
    from sim.io.policy_files import load_gcs_lifecycle
    from sim.tiering.gcs_lifecycle import DELETE

    config = load_gcs_lifecycle(file)
    lines = [f"{file}: valid GCS lifecycle configuration, {len(config.rules)} rule(s) applied"]
    for rule in config.rules:
        what = "Delete" if rule.action == DELETE else f"SetStorageClass {CLASSES[rule.action]}"
        when = [f"age {rule.age}" if rule.age is not None else "",
                f"{rule.days_since_custom_time} days since Custom-Time"
                if rule.days_since_custom_time is not None else "",
                f"created before {rule.created_before}" if rule.created_before else "",
                "in " + "/".join(CLASSES[c] for c in rule.matches_class)
                if rule.matches_class else ""]
        condition = ", ".join(w for w in when if w) or "always"
        lines.append(f"  rule {rule.number}: {what} ({condition})")
    lines += [f"  note: {note} is accepted but not simulated" for note in config.not_applied]
    return lines


PROVIDER = register(Provider(
    name="gcp",
    summary="Google Cloud Storage (lifecycle rules or Autoclass)",
    storage_classes=CLASSES,
    default_storage_class="STANDARD",
    default_catalog="gcp-us-east1",
    catalog_model=GcsCatalog,
    engine="sim.archives.gcs:from_spec",
    load_documents=load_documents,
    settings=("autoclass", "custom_time"),
    check=check,
    documents=(DocumentKind("GCS lifecycle configuration", _is_lifecycle, _describe_lifecycle,
                            "a GCS lifecycle configuration (lifecycle.rule)"),),
))
