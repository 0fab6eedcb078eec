"""The assumptions that matter: each linear input's NPV swing equals a re-run with the input
moved (the bill is linear in it), the discount rate is recomputed exactly, and every input
names its source."""

from __future__ import annotations

import pytest

import sim
from sim.finance import present_value_flows
from sim.sensitivity import STEP, decision_swings, sensitivity
from tests.conftest import SCENARIOS

ONPREM = SCENARIOS / "academic-medical-center-onprem.yaml"
SMALL = {"workload.annual_studies": 3000, "horizon_months": 48,
         "workload.existing": {"years": 2}}


def npv(result) -> float:
    months = result.workload.calendar.month_labels
    flows = result.ledger.groupby("month")["amount_usd"].sum().reindex(list(months)).fillna(0)
    return present_value_flows(flows.to_numpy(), result.scenario.finance)


@pytest.fixture(scope="module")
def onprem():
    scenario = sim.load_scenario(ONPREM, overrides=SMALL)
    result = sim.run(scenario)
    return scenario, result, sensitivity({scenario.name: result}, {scenario.name: ONPREM})


@pytest.mark.parametrize(("label", "path"), [
    ("onprem-vna: storage team, loaded cost per FTE", "archives.0.staff.usd_per_fte_year"),
    ("onprem-vna/primary: hardware price", "archives.0.tiers.0.price_usd_per_raw_tb"),
    ("onprem-vna: electricity price", "archives.0.usd_per_kwh"),
    ("onprem-vna: maintenance after warranty", "archives.0.maintenance_rate"),
])
def test_a_linear_input_moves_the_npv_as_a_rerun_does(onprem, label, path):
    scenario, result, table = onprem
    row = table[table.input == label].iloc[0]
    value = scenario.model_dump()
    for key in path.split(".")[:-1]:
        value = value[int(key)] if isinstance(value, list) else value[key]
    moved = sim.run(scenario.with_overrides({path: value[path.split(".")[-1]] * (1 + STEP)}))
    assert row["npv_high_usd"] == pytest.approx(npv(moved), rel=1e-9)
    assert row["npv_usd"] - row["npv_low_usd"] == pytest.approx(
        row["npv_high_usd"] - row["npv_usd"], rel=1e-9)


def test_the_discount_rate_is_recomputed_exactly(onprem):
    scenario, result, table = onprem
    row = table[table.input == "discount rate"].iloc[0]
    at = sim.run(scenario.with_overrides({"finance.discount_rate": 0.06}))
    assert row["npv_high_usd"] == pytest.approx(npv(at), rel=1e-12)
    assert row["npv_low_usd"] > row["npv_usd"] > row["npv_high_usd"]  # costs: lower rate, more


def test_every_input_names_its_source(onprem):
    _, _, table = onprem
    staff = table[table.input == "onprem-vna: storage team, loaded cost per FTE"].iloc[0]
    assert staff["source"] == "ASSUMPTION: loaded cost of a storage administrator (US)"
    assert staff["value"] == "$150,000" and staff["unit"] == "USD/FTE/year"
    power = table[table.input == "onprem-vna: electricity price"].iloc[0]
    assert "EIA" in power["source"]
    assert table["source"].str.len().min() > 0


def test_decision_swings_are_the_saving_with_one_input_moved(onprem):
    scenario, result, table = onprem
    cloud = sim.load_scenario(SCENARIOS / "academic-medical-center-cloud.yaml",
                              overrides=SMALL)
    both = sensitivity({scenario.name: result, cloud.name: sim.run(cloud)})
    swings = decision_swings(both, scenario.name, cloud.name)
    saving = swings["saving_usd"].iloc[0]
    staff = swings[swings.input.str.startswith("onprem-vna: storage team")].iloc[0]
    row = both[both.input == "onprem-vna: storage team, loaded cost per FTE"].iloc[0]
    # a dearer on-prem team makes the move to the cloud save more, by exactly its NPV change
    assert staff["high_usd"] - saving == pytest.approx(row["npv_high_usd"] - row["npv_usd"])
