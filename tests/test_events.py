"""events.csv names each archive's own tiers, and the closed-form engines (Autoclass, smart
tier, HealthImaging) write their moves too, as the README promises."""

from __future__ import annotations

import pytest

import sim
from tests.conftest import SCENARIOS

TIERS = {
    "azure": {"Hot", "Cool", "Cold", "Archive"},
    "azure-smart-tier": {"Hot", "Cool", "Cold"},
    "gcs-lifecycle": {"STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"},
    "gcs-autoclass": {"STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"},
    "healthimaging": {"FREQUENT_ACCESS", "ARCHIVE_INSTANT_ACCESS"},
}


@pytest.mark.parametrize("variant", sorted(TIERS))
def test_events_use_the_archives_own_tier_names(variant):
    scenario = sim.load_scenario(SCENARIOS / f"academic-medical-center-{variant}.yaml",
                                 overrides={"workload.annual_studies": 3000,
                                            "horizon_months": 14})
    events = sim.run(scenario, events=True).events
    moves = events[events.event == "transition"]
    assert len(moves) > 0
    names = set(moves.from_tier) | set(moves.to_tier)
    assert names <= TIERS[variant], names
    gone = events[events.event.isin(["delete", "expire"])]
    assert (gone.to_tier == "").all() and set(gone.from_tier) <= TIERS[variant]
    assert events.time_s.is_monotonic_increasing
