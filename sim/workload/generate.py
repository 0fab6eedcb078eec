"""Draw a stochastic workload: arrivals -> sizes -> patients -> retention -> reads.

Each stage draws from its own stream spawned from the seed (``SeedSequence(seed).spawn``), so a
change to one stage's parameters leaves the others' draws unchanged (common random numbers).
"""

from __future__ import annotations

import numpy as np

from sim.calendar import Calendar
from sim.scenario import MODALITIES, Scenario
from sim.workload.arrivals import draw_arrivals, expected_daily_counts
from sim.workload.model import Studies, Workload
from sim.workload.patients import draw_ages, match_returns, patient_numbers
from sim.workload.reads import draw_reads
from sim.workload.retention import delete_times
from sim.workload.sizes import draw_sizes

_STREAMS = ("arrivals", "sizes", "patients", "ages", "reads")


def generate_workload(scenario: Scenario, seed: int | None = None) -> Workload:
    """Draw the studies and reads of a scenario with a stochastic workload model.

    Parameters
    ----------
    scenario
        A scenario whose ``workload`` has no trace.
    seed
        Overrides ``scenario.seed``.
    """
    w = scenario.workload
    if w.trace is not None:
        raise ValueError("this scenario replays a trace; use sim.io.load_trace_workload")
    assert w.modalities and w.annual_studies and w.patients and w.reads and w.priors
    calendar = Calendar(scenario.start, scenario.horizon_months)
    rngs = dict(
        zip(
            _STREAMS,
            (np.random.default_rng(s) for s in np.random.SeedSequence(
                scenario.seed if seed is None else seed).spawn(len(_STREAMS))),
            strict=True,
        )
    )
    names = tuple(m for m in MODALITIES if m in w.modalities)
    specs = [w.modalities[m] for m in names]

    def param(get) -> np.ndarray:
        return np.array([get(s) for s in specs], dtype=np.float64)

    expected = expected_daily_counts(
        calendar,
        w.annual_studies,
        param(lambda s: s.share),
        param(lambda s: s.growth),
        w.weekday_profile,
        w.seasonal_profile,
    )
    created_s, modality = draw_arrivals(expected, rngs["arrivals"])
    size_bytes, objects = draw_sizes(
        created_s,
        modality,
        median_mb=param(lambda s: s.size_median_mb),
        sigma=param(lambda s: s.size_sigma),
        size_growth=param(lambda s: s.size_growth),
        compression=param(lambda s: s.compression_ratio),
        instance_mb=param(lambda s: s.instance_mb),
        series_mean=param(lambda s: s.series_mean),
        layout=w.object_layout,
        rng=rngs["sizes"],
    )
    parent = match_returns(
        created_s,
        modality,
        probability=param(lambda s: s.returns.probability),
        gap_median_days=param(lambda s: s.returns.gap_median_days),
        gap_sigma=param(lambda s: s.returns.gap_sigma),
        same_modality=param(lambda s: s.returns.same_modality),
        rng=rngs["patients"],
    )
    patient = patient_numbers(parent)
    bands = w.patients.age_bands
    age_years = draw_ages(
        created_s,
        patient,
        parent < 0,
        np.array([b.from_years for b in bands]),
        np.array([b.to_years for b in bands]),
        np.array([b.share for b in bands]),
        rngs["ages"],
    )
    is_mammo = modality == names.index("MG") if "MG" in names else np.zeros_like(modality, bool)
    delete_s = delete_times(
        w.retention, created_s, patient, age_years, is_mammo, calendar.horizon_s
    )
    reads = draw_reads(
        created_s, modality, patient, delete_s, w.reads, w.priors, names, calendar, rngs["reads"]
    )
    studies = Studies(
        created_s=created_s,
        modality=modality,
        size_bytes=size_bytes,
        objects=objects,
        patient=patient,
        age_years=age_years,
        delete_s=delete_s,
    )
    return Workload(calendar=calendar, modalities=names, studies=studies, reads=reads)
