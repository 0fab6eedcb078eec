"""Distributions for uncertain scenario inputs, and finding them in a scenario.

Any number in a scenario file may be given as a distribution instead of a value, e.g.::

    growth: {dist: triangular, low: 0.02, mode: 0.05, high: 0.10}
    storage: {dist: normal, mean: -0.03, sd: 0.01}          # a price trend
    size_median_mb: {dist: lognormal, median: 355, sigma: 0.2}
    annual_studies: {dist: uniform, low: 550000, high: 650000, integer: true}
    restore_days: {dist: choice, values: [1, 3, 7], weights: [0.5, 0.3, 0.2]}

Each has a central value (the mode, mean or median: what ``archive-sim run`` would need and what
sensitivity analysis holds the others at), quantiles (sensitivity's low and high), and draws.
A run's draw of an input depends only on (seed, run number, the input's path), so scenarios
sharing an input see the same value in the same run (common random numbers).
"""

from __future__ import annotations

import math
import zlib
from statistics import NormalDist
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from sim.errors import InputError


class _Dist(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    integer: bool = Field(False, description="Round draws to whole numbers.")

    def _out(self, x: np.ndarray) -> np.ndarray:
        return np.rint(x) if self.integer else x

    def value(self, x: float) -> float | int:
        return int(round(x)) if self.integer else float(x)


class Triangular(_Dist):
    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError("needs low <= mode <= high and low < high")
        return self

    def central(self) -> float:
        return self.mode

    def quantile(self, q: float) -> float:
        a, c, b = self.low, self.mode, self.high
        f = (c - a) / (b - a)
        if q < f:
            return a + math.sqrt(q * (b - a) * (c - a))
        return b - math.sqrt((1 - q) * (b - a) * (b - c))

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self._out(rng.triangular(self.low, self.mode, self.high, n))


class Uniform(_Dist):
    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError("needs low < high")
        return self

    def central(self) -> float:
        return (self.low + self.high) / 2

    def quantile(self, q: float) -> float:
        return self.low + q * (self.high - self.low)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self._out(rng.uniform(self.low, self.high, n))


class Normal(_Dist):
    dist: Literal["normal"]
    mean: float
    sd: Annotated[float, Field(gt=0)]

    def central(self) -> float:
        return self.mean

    def quantile(self, q: float) -> float:
        return NormalDist(self.mean, self.sd).inv_cdf(q)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self._out(rng.normal(self.mean, self.sd, n))


class Lognormal(_Dist):
    dist: Literal["lognormal"]
    median: Annotated[float, Field(gt=0)]
    sigma: Annotated[float, Field(gt=0)]

    def central(self) -> float:
        return self.median

    def quantile(self, q: float) -> float:
        return self.median * math.exp(NormalDist(0, self.sigma).inv_cdf(q))

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self._out(self.median * np.exp(rng.normal(0, self.sigma, n)))


class Choice(_Dist):
    dist: Literal["choice"]
    values: Annotated[list[float], Field(min_length=1)]
    weights: list[Annotated[float, Field(ge=0)]] | None = None

    @model_validator(mode="after")
    def _weights(self) -> Choice:
        if self.weights is not None and (len(self.weights) != len(self.values)
                                         or sum(self.weights) <= 0):
            raise ValueError("weights: one per value, not all zero")
        return self

    def _p(self) -> np.ndarray:
        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights)
        return w / w.sum()

    def central(self) -> float:
        return self.quantile(0.5)

    def quantile(self, q: float) -> float:
        order = np.argsort(self.values, kind="stable")
        cumulative = np.cumsum(self._p()[order])
        return float(np.asarray(self.values)[order][np.searchsorted(cumulative, q - 1e-12)])

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self._out(rng.choice(np.asarray(self.values, dtype=float), size=n, p=self._p()))


Distribution = Annotated[Triangular | Uniform | Normal | Lognormal | Choice,
                         Field(discriminator="dist")]
_ADAPTER = TypeAdapter(Distribution)
KINDS = ("triangular", "uniform", "normal", "lognormal", "choice")


def parse_distribution(raw: dict, where: str):
    """A distribution from its mapping; errors name the field and what is allowed."""
    try:
        return _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in err["loc"][1:])
        problem = err["msg"].replace("Value error, ", "")
        if err["type"] == "union_tag_invalid":
            problem = f"dist {raw.get('dist')!r} is not known; allowed: {', '.join(KINDS)}"
        raise InputError(f"{where}{'.' + loc if loc else ''}: {problem}") from None


def extract_distributions(data: Any, prefix: str = "") -> dict[str, Any]:
    """Replace every ``{dist: ...}`` mapping in ``data`` (in place) by its central value;
    return the distributions by dotted path (list items by index, archives by name)."""
    found: dict[str, Any] = {}
    items = data.items() if isinstance(data, dict) else enumerate(data) \
        if isinstance(data, list) else ()
    for key, value in list(items):
        segment = key
        if isinstance(data, list) and isinstance(value, dict) and isinstance(value.get("name"),
                                                                              str):
            segment = value["name"]
        path = f"{prefix}.{segment}" if prefix else str(segment)
        if isinstance(value, dict) and "dist" in value:
            dist = parse_distribution(value, path)
            data[key] = dist.value(dist.central())
            found[path] = dist
        elif isinstance(value, dict | list):
            found.update(extract_distributions(value, path))
    return found


def draw_value(dist, seed: int, run: int, path: str) -> float | int:
    """Run ``run``'s value of the input at ``path`` (the same for every scenario that has it)."""
    stream = np.random.SeedSequence([seed, run, zlib.crc32(path.encode())])
    return dist.value(float(dist.draw(np.random.default_rng(stream), 1)[0]))
