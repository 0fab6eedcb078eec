"""Price catalogs: the provider's list prices and billing constants, each with its source.

A catalog is a YAML file in ``sim/data/prices/`` (named by ``catalog``) or a path.  Every number is
a :class:`Price` with ``value``, ``source``, ``as_of`` and ``confidence``; ``UNCONFIRMED`` marks a
stand-in value that no public source confirmed, and runs list every such price they used.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from sim.errors import InputError

Confidence = Literal["P", "A", "S", "D", "USER", "UNCONFIRMED"]
"""P provider page, A price-list value in third-party code, S dated secondary source, D derived,
USER given by the scenario (``price_overrides``), UNCONFIRMED a stand-in no source confirmed."""
NonNegative = Annotated[float, Field(ge=0.0)]


def keys_among(*allowed: str) -> AfterValidator:
    """A mapping whose keys are among ``allowed`` (tier and class names)."""

    def check(mapping: dict) -> dict:
        unknown = [k for k in mapping if k not in allowed]
        if unknown:
            raise ValueError(f"unknown key(s) {', '.join(map(repr, unknown))}; allowed: "
                             + ", ".join(allowed))
        return mapping

    return AfterValidator(check)


class CatalogModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


E = TypeVar("E", bound=CatalogModel)


class Price(CatalogModel):
    """One sourced number."""

    value: NonNegative
    source: str = Field(min_length=1)
    as_of: str = Field(min_length=1)
    confidence: Confidence
    note: str = ""


class Band(CatalogModel):
    from_gib: NonNegative
    value: NonNegative
    confidence: Confidence | None = None
    """Set when one band is less certain than the rest (e.g. a stand-in for the top band)."""


class Fact(CatalogModel):
    """One sourced billing rule that is not a number (a date, a choice between readings)."""

    value: str = Field(min_length=1)
    source: str = Field(min_length=1)
    as_of: str = Field(min_length=1)
    confidence: Confidence


class BandedPrice(CatalogModel):
    """A price per GiB that falls with the monthly volume (bands by lower edge, in GiB)."""

    bands: list[Band] = Field(min_length=1)
    source: str = Field(min_length=1)
    as_of: str = Field(min_length=1)
    confidence: Confidence


class Egress(CatalogModel):
    free_gib_per_month: Price
    usd_per_gib: BandedPrice
    band_edges: Fact
    """``total_volume``: the band edges count the month's whole volume, the free allowance being
    part of the first band; ``after_free_allowance``: the bands start after it."""

    def cost_usd(self, gib: float) -> float:
        """A month's internet egress of ``gib`` GiB: free allowance, then the bands. [USD]"""
        from sim.pricing.egress import egress_cost

        bands = self.usd_per_gib.bands
        return egress_cost(gib, self.free_gib_per_month.value, [b.from_gib for b in bands],
                           [b.value for b in bands],
                           edges_on_total=self.band_edges.value == "total_volume")

    @model_validator(mode="before")
    @classmethod
    def _edges_named(cls, data: Any) -> Any:
        if isinstance(data, dict) and "band_edges" not in data:
            raise ValueError(
                "band_edges is missing (catalogs since December 2026 say how the bands count): "
                "write band_edges: {value: total_volume, source: ..., as_of: ..., confidence: "
                "...} when the free allowance is part of the first band (AWS, Google), or value: "
                "after_free_allowance when the bands start after it (Azure)")
        return data

    def unconfirmed(self, path: str) -> list[str]:
        """The unconfirmed parts of this egress price list, named from ``path``."""
        found: list[str] = []
        _walk_unconfirmed(self, path, found)
        return found

    @model_validator(mode="after")
    def _known_edges(self) -> Egress:
        if self.band_edges.value not in ("total_volume", "after_free_allowance"):
            raise ValueError(f"band_edges: {self.band_edges.value!r}; allowed: total_volume, "
                             "after_free_allowance")
        return self


class DedicatedLink(CatalogModel):
    """A private connection between the hospital's site and the provider (AWS Direct Connect,
    Google Cloud Interconnect): ports billed per hour by speed, an optional hourly price per
    attachment (one per port), and the per-GiB price of data leaving the cloud over it (data in
    is free).  The carrier circuit and the colocation cross-connect are billed by others."""

    service: str = Field(min_length=1)
    port_usd_per_hour: dict[str, Price] = Field(min_length=1)
    """By port speed as sold, e.g. ``1 Gbps``."""
    attachment_usd_per_hour: Price | None = None
    transfer_out_usd_per_gib: Price


class CatalogBase(CatalogModel):
    """What every price catalog has: its name, region, currency, when it was compiled, the GiB it
    bills by, its sources, and a way to list its unconfirmed prices."""

    catalog: str
    region: str
    currency: Literal["USD"]
    compiled: str
    bytes_per_gib: int
    sources: dict[str, str]
    dedicated_link: DedicatedLink | None = None
    """Prices of the provider's dedicated link, when the catalog has them."""

    def unconfirmed(self) -> list[str]:
        """Dotted names of every UNCONFIRMED price in the catalog."""
        found: list[str] = []
        _walk_unconfirmed(self, self.catalog, found)
        return found


def with_changed_entries(entries: Mapping[str, E],
                         changed: Mapping[str, CatalogModel]) -> dict[str, E]:
    """``entries`` (tiers or classes by name) with the prices ``changed`` gives for some of them
    replaced (e.g. a redundancy's or a location type's storage and write prices)."""
    return {name: entry.model_copy(update=dict(changed[name])) if name in changed else entry
            for name, entry in entries.items()}


_RENAMED = {"egress_internet_usd_per_gib": "egress_internet.usd_per_gib.bands.0"}
"""Price paths of earlier catalog versions and what to write instead."""


def override_prices(catalog, overrides: dict[str, float], where: str):
    """A copy of ``catalog`` with the prices at the dotted paths replaced (e.g.
    ``tiers.Cool.retrieval_usd_per_gib``, ``storage_usd_per_gib_month.bands.2``): value as
    given, confidence USER, source naming ``where``."""
    if not overrides:
        return catalog
    data = catalog.model_dump()
    problems = []
    for dotted, value in overrides.items():
        node: Any = data
        parts = dotted.split(".")
        try:
            for part in parts:
                node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            renamed = _RENAMED.get(dotted)
            hint = f" (renamed: write {renamed})" if renamed else ""
            problems.append(f"{where}.{dotted}: no such price in catalog {catalog.catalog!r}"
                            + hint)
            continue
        if not (isinstance(node, dict) and "value" in node):
            inner = ", ".join(sorted(node)) if isinstance(node, dict) else ""
            problems.append(f"{where}.{dotted}: not a single price in catalog "
                            f"{catalog.catalog!r}" + (f" (it holds {inner})" if inner else ""))
            continue
        if isinstance(node["value"], str):
            problems.append(f"{where}.{dotted}: is a rule, not a price")
            continue
        node["value"] = value
        node["confidence"] = "USER"
        if "source" in node:
            node["source"] = f"scenario ({where})"
            node["as_of"] = "scenario"
    if problems:
        raise InputError(problems)
    try:
        return type(catalog).model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{where}: {exc.errors()[0]['msg']}") from None


def _walk_unconfirmed(node: object, path: str, found: list[str]) -> None:
    if isinstance(node, CatalogModel) and "confidence" in type(node).model_fields:
        # a sourced entry: a price, a banded price, a restore option, a billing fact
        if vars(node)["confidence"] == "UNCONFIRMED":
            found.append(path)
        if isinstance(node, BandedPrice):
            found.extend(f"{path}.bands[{i}]" for i, b in enumerate(node.bands)
                         if b.confidence == "UNCONFIRMED" and node.confidence != "UNCONFIRMED")
        return
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            _walk_unconfirmed(getattr(node, name), f"{path}.{name}", found)
    elif isinstance(node, dict):
        for key, value in node.items():
            _walk_unconfirmed(value, f"{path}.{key}", found)


def load_catalog(name_or_path: str | Path, model: type[BaseModel]):
    """A shipped catalog by name (``aws-us-east-1``) or a catalog file by path."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        path = candidate
    else:
        shipped = resources.files("sim") / "data" / "prices" / f"{name_or_path}.yaml"
        if not shipped.is_file():
            raise InputError(
                f"catalog {str(name_or_path)!r} is neither a shipped catalog "
                f"({', '.join(shipped_catalogs())}) nor a catalog file"
            )
        path = Path(str(shipped))
    return _load(path, model)


@cache
def _load(path: Path, model: type[BaseModel]):
    from sim.io.scenario_file import format_validation_error, read_yaml

    data = read_yaml(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, model, data), file=path) from None


def shipped_catalogs() -> list[str]:
    folder = resources.files("sim") / "data" / "prices"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir()
                  if p.name.endswith(".yaml"))
