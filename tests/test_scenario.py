"""Scenario models: frozen, strict, overridable; files merge with `extends`."""

from __future__ import annotations

import pydantic
import pytest

import sim
from sim.errors import InputError
from sim.finance import npv
from tests.conftest import ACADEMIC, SCENARIOS


def test_frozen_and_overrides_return_validated_copies():
    scenario = sim.load_scenario(ACADEMIC)
    with pytest.raises(pydantic.ValidationError):
        scenario.seed = 3
    changed = scenario.with_overrides({"workload.modalities.CT.growth": 0.06, "seed": 7})
    assert changed.workload.modalities["CT"].growth == 0.06 and changed.seed == 7
    assert scenario.workload.modalities["CT"].growth == 0.037
    assert changed.sha256() != scenario.sha256()
    with pytest.raises(pydantic.ValidationError):
        scenario.with_overrides({"workload.annual_studies": -1})


def test_extends_merges_mappings_and_replaces_values():
    community = sim.load_scenario(SCENARIOS / "community-hospital.yaml")
    academic = sim.load_scenario(ACADEMIC)
    assert community.workload.annual_studies == 150_000
    assert community.workload.modalities["CR"].share == 0.59
    # untouched nested values come from the parent
    assert community.workload.modalities["CT"].size_median_mb == \
        academic.workload.modalities["CT"].size_median_mb
    assert community.workload.retention.keep_forever


def test_extends_cycle_is_reported(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("extends: b.yaml\n")
    b.write_text("extends: a.yaml\n")
    with pytest.raises(InputError, match="extends: more than"):
        sim.load_scenario(a)


def test_retention_needs_a_rule_or_keep_forever(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {ACADEMIC}\nworkload:\n  retention:\n    adult_years: null\n")
    with pytest.raises(InputError, match="give adult_years, or set keep_forever"):
        sim.load_scenario(path)


def test_duplicate_archive_names(tmp_path):
    path = tmp_path / "s.yaml"
    entry = "{name: a, kind: flat, price_usd_per_gib_month: 1, price_source: s}"
    path.write_text(f"extends: {ACADEMIC}\narchives: [{entry}, {entry}]\n")
    with pytest.raises(InputError, match="archive names must be unique; repeated: a"):
        sim.load_scenario(path)


def test_npv_hand_computed():
    """$105 paid at the end of month 12 at 5%/yr is worth 105 / 1.05 = $100 today; $100 at the end
    of every month for a year at 0% is $1,200."""
    assert npv([0.0] * 11 + [105.0], 0.05) == pytest.approx(100.0, rel=1e-12)
    assert npv([100.0] * 12, 0.0) == pytest.approx(1200.0)
    # one month at 12%/yr: 100 / 1.12^(1/12)
    assert npv([100.0], 0.12) == pytest.approx(100 / 1.12 ** (1 / 12), rel=1e-12)
