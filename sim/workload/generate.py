"""Draw a stochastic workload: arrivals -> sizes -> patients -> retention -> reads.

Each stage draws from its own stream spawned from the seed (``SeedSequence(seed).spawn``), so a
change to one stage's parameters leaves the others' draws unchanged (common random numbers).
"""

from __future__ import annotations

import os
from concurrent.futures import Future

import numpy as np

from sim.allocator import reuse_freed_memory
from sim.calendar import SECONDS_PER_DAY, Calendar, add_months
from sim.errors import InputError
from sim.jit import kernel
from sim.scenario import MODALITIES, Scenario
from sim.workload.arrivals import draw_arrivals, expected_daily_counts
from sim.workload.held import MAX_DRAWS, far_factors, fit_held, held_targets, refit_volume
from sim.workload.model import NEVER, Reads, Studies, Workload
from sim.workload.patients import draw_ages, match_returns, patient_numbers
from sim.workload.reads import draw_reads, first_reads, prior_reads
from sim.workload.retention import delete_times
from sim.workload.sizes import draw_sizes
from sim.workload.sorting import dense_ranks
from sim.workload.threads import beside, second_thread

_STREAMS = ("arrivals", "sizes", "patients", "ages", "reads", "held")


def generate_workload(scenario: Scenario, seed: int | None = None) -> Workload:
    """Draw the studies and reads of a scenario with a stochastic workload model.

    Parameters
    ----------
    scenario
        A scenario whose ``workload`` has no trace.
    seed
        Overrides ``scenario.seed``.
    """
    with reuse_freed_memory():  # a third faster for millions of studies (sim.allocator)
        return _generate(scenario, seed)


def _generate(scenario: Scenario, seed: int | None) -> Workload:
    w = scenario.workload
    if w.trace is not None:
        raise ValueError("this scenario replays a trace; use sim.io.load_trace_workload")
    assert w.modalities and w.annual_studies and w.patients and w.reads and w.priors
    run_calendar = Calendar(scenario.start, scenario.horizon_months)
    history_months = 12 * w.existing.years if w.existing else 0
    calendar = Calendar(add_months(scenario.start, -history_months),
                        scenario.horizon_months + history_months)
    offset_days = (scenario.start - calendar.start).days
    offset_s = offset_days * SECONDS_PER_DAY
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
        origin_day=offset_days,
    )
    targets = held_targets(w.existing, names) if w.existing else []
    # a second thread for work found in one stage and used later (the prior pulls)
    with second_thread() as start:
        factor = np.ones(len(names))
        notes: list[str] = []
        for _ in range(MAX_DRAWS):
            rngs = _streams(scenario.seed if seed is None else seed)
            scaled = expected
            if targets:
                scaled = expected.copy()
                scaled[:offset_days] *= factor[None, :]
            check_fits_in_memory(float(scaled.sum()))
            # without totals to fit, these studies are final: their first reads are drawn beside
            # them, and their priors found as soon as their patients are known
            studies, first, priors_found = _draw_studies(
                scaled, offset_s, calendar, names, param, w, rngs,
                early=start if not targets else None)
            if not targets:
                break
            held = (studies.created_s < offset_s) & (studies.delete_s > offset_s)
            factor, done = refit_volume(targets, held, studies.modality, studies.size_bytes, factor)
            if done:
                keep, size_bytes, size_notes = fit_held(targets, held, studies.modality,
                                                        studies.size_bytes, rngs["held"])
                studies = _subset(studies, keep, size_bytes)
                notes = far_factors(targets, factor, names) + size_notes
                break
        else:
            raise InputError(
                f"workload.existing: the history drawn did not reach the given totals in "
                f"{MAX_DRAWS} draws (volume factors {np.round(factor, 3).tolist()}); check them "
                "against annual_studies, the sizes and the retention rules")
        reads = draw_reads(studies.created_s, studies.modality, studies.patient, studies.delete_s,
                           w.reads, w.priors, names, calendar, rngs["reads"], from_s=offset_s,
                           first=first, priors_found=priors_found)
        workload = Workload(calendar=calendar, modalities=names, studies=studies, reads=reads,
                            notes=tuple(notes))
        return _start_at(workload, offset_s, run_calendar) if offset_s else workload


def _streams(seed: int) -> dict[str, np.random.Generator]:
    """One random stream per stage, spawned from the seed (a stage added at the end leaves the
    others' streams as they were)."""
    return dict(zip(_STREAMS, (np.random.default_rng(s) for s in
                               np.random.SeedSequence(seed).spawn(len(_STREAMS))), strict=True))


def _draw_studies(expected: np.ndarray, offset_s: int, calendar: Calendar,
                  names: tuple[str, ...], param, w, rngs, early=None
                  ) -> tuple[Studies, list | None, Future | None]:
    """Arrivals, sizes, patients, ages and retention of every study (reads come after).  With
    ``early`` (:func:`sim.workload.threads.second_thread`'s ``start``), also the first reads
    (:func:`sim.workload.reads.first_reads`) and the prior pulls, started as soon as the
    patients are known (:func:`sim.workload.reads.prior_reads`, a future)."""
    created_s, modality = draw_arrivals(expected, rngs["arrivals"])
    # sizes and the first reads have their own random streams: drawn on a second thread while
    # the patients are matched and aged (numpy releases the GIL); the draws are the same as one
    # after the other
    with beside(_sizes_and_first_reads, created_s, modality, offset_s, names, param, w, rngs,
                early is not None) as beside_patients:
        patient, age_years, delete_s, priors_found = _draw_patients(
            created_s, modality, names, param, w, rngs, calendar, early)
        (size_bytes, objects), first = beside_patients.result()
    return Studies(created_s=created_s, modality=modality, size_bytes=size_bytes,
                   objects=objects, patient=patient, age_years=age_years,
                   delete_s=delete_s), first, priors_found


def _sizes_and_first_reads(created_s: np.ndarray, modality: np.ndarray, offset_s: int,
                           names: tuple[str, ...], param, w, rngs, early_reads: bool):
    sizes = _draw_sizes(created_s, modality, offset_s, names, param, w, rngs["sizes"])
    return sizes, first_reads(created_s, w.reads, rngs["reads"]) if early_reads else None


def _draw_sizes(created_s: np.ndarray, modality: np.ndarray, offset_s: int,
                names: tuple[str, ...], param, w, rng) -> tuple[np.ndarray, np.ndarray]:
    return draw_sizes(
        created_s,
        modality,
        median_mb=param(lambda s: s.size_median_mb),
        sigma=param(lambda s: s.size_sigma),
        size_growth=param(lambda s: s.size_growth),
        compression=param(lambda s: s.compression_ratio),
        instance_mb=param(lambda s: s.instance_mb),
        series_mean=param(lambda s: s.series_mean),
        layout=w.object_layout,
        rng=rng,
        modality_names=names,
        origin_s=offset_s,  # size growth counts from the run's start
    )


def _draw_patients(created_s: np.ndarray, modality: np.ndarray, names: tuple[str, ...], param,
                   w, rngs, calendar: Calendar, early=None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Future | None]:
    """Each study's patient, the patient's age at the study and the study's deletion time;
    with ``early``, the prior pulls started once the patients are known (they draw nothing:
    found while the ages, the deletions and the random reads are drawn)."""
    assert w.patients is not None
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
    priors_found = None if early is None else early(
        prior_reads, created_s, modality, patient, w.priors, len(names))
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
    return patient, age_years, delete_s, priors_found


def _subset(studies: Studies, keep: np.ndarray, size_bytes: np.ndarray) -> Studies:
    """The studies kept, with new sizes; patients renumbered in order of first study."""
    patient = dense_ranks(studies.patient[keep])
    return Studies(created_s=studies.created_s[keep], modality=studies.modality[keep],
                   size_bytes=size_bytes[keep], objects=studies.objects[keep],
                   patient=patient.astype(np.int32), age_years=studies.age_years[keep],
                   delete_s=studies.delete_s[keep])


# Memory a drawn study takes through a run, its reads and the archives' state included, as
# measured by benchmarks/bench_workload.py (10.6M studies, 3.2 GB peak: about 300 bytes), with room.
BYTES_PER_STUDY = 400


def check_fits_in_memory(expected_studies: float, memory_bytes: int | None = None) -> None:
    """Refuse, before anything is allocated, a workload that cannot fit in this machine's memory
    (e.g. ``annual_studies: 1000000000000``), with the estimate.  [studies], [bytes]"""
    if memory_bytes is None:
        memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    need = expected_studies * BYTES_PER_STUDY
    if not need <= memory_bytes or expected_studies >= np.iinfo(np.int32).max:
        raise InputError(
            f"workload: about {expected_studies:,.3g} studies would be drawn (annual_studies, "
            f"growth, horizon_months and existing years together), needing about "
            f"{need / 2**30:,.3g} GiB of memory at {BYTES_PER_STUDY} bytes a study; this machine "
            f"has {memory_bytes / 2**30:,.1f} GiB (and a run holds at most "
            f"{np.iinfo(np.int32).max:,} studies).  Lower annual_studies or horizon_months, or "
            "split a national volume into workload.cohorts (simulated one at a time)")


def _start_at(history: Workload, offset_s: int, calendar: Calendar) -> Workload:
    """The run's workload from one drawn with history: studies deleted before the start are
    gone; earlier ones are in the archive at the start (created at 0, acquired before); times
    move to the run's clock (the reads were drawn from the start on).  One compiled pass over
    the studies and one over the reads (:func:`_studies_at_start`, :func:`_reads_at_start`)."""
    st, rd = history.studies, history.reads
    kept = int(np.count_nonzero(st.delete_s > offset_s))
    out = Studies(
        created_s=np.empty(kept, dtype=np.int64),
        modality=np.empty(kept, dtype=st.modality.dtype),
        size_bytes=np.empty(kept, dtype=st.size_bytes.dtype),
        objects=np.empty(kept, dtype=st.objects.dtype),
        patient=np.empty(kept, dtype=st.patient.dtype),
        age_years=np.empty(kept, dtype=st.age_years.dtype),
        delete_s=np.empty(kept, dtype=np.int64),
        acquired_s=np.empty(kept, dtype=np.int64),
    )
    assert out.acquired_s is not None
    renumber = _studies_at_start(
        st.created_s, st.modality, st.size_bytes, st.objects, st.patient, st.age_years,
        st.delete_s, offset_s, NEVER, out.created_s, out.modality, out.size_bytes, out.objects,
        out.patient, out.age_years, out.delete_s, out.acquired_s)
    studies = Studies(created_s=out.created_s, modality=out.modality, size_bytes=out.size_bytes,
                      objects=out.objects, patient=dense_ranks(out.patient).astype(np.int32),
                      age_years=out.age_years, delete_s=out.delete_s, acquired_s=out.acquired_s)
    # the reads were drawn from offset_s on (draw_reads' from_s): every one is of a study
    # still held at the start (a read comes before its study's deletion)
    assert rd.time_s.size == 0 or rd.time_s[0] >= offset_s  # sorted by time
    study = np.empty(rd.study.size, dtype=rd.study.dtype)
    time_s = np.empty(rd.time_s.size, dtype=rd.time_s.dtype)
    _reads_at_start(rd.study, rd.time_s, renumber, offset_s, study, time_s)
    return Workload(calendar=calendar, modalities=history.modalities, studies=studies,
                    reads=Reads(study=study, time_s=time_s, kind=rd.kind), notes=history.notes)


@kernel
def _studies_at_start(created_s, modality, size_bytes, objects, patient, age_years, delete_s,
                      offset_s, never, out_created, out_modality, out_size, out_objects,
                      out_patient, out_age, out_delete, out_acquired
                      ):  # pragma: no cover - compiled
    """Fill the ``out_`` arrays with the studies deleted after ``offset_s``, in order, their
    times on the run's clock (created at 0 at the earliest; ``never`` stays); returns each
    drawn study's number among them (-1: gone)."""
    renumber = np.full(created_s.size, -1, dtype=np.int64)
    k = 0
    for s in range(created_s.size):
        d = delete_s[s]
        if d <= offset_s:
            continue
        acquired = created_s[s] - offset_s
        out_acquired[k] = acquired
        out_created[k] = acquired if acquired > 0 else 0
        out_modality[k] = modality[s]
        out_size[k] = size_bytes[s]
        out_objects[k] = objects[s]
        out_patient[k] = patient[s]
        out_age[k] = age_years[s]
        out_delete[k] = never if d == never else d - offset_s
        renumber[s] = k
        k += 1
    return renumber


@kernel
def _reads_at_start(study, time_s, renumber, offset_s, out_study,
                    out_time):  # pragma: no cover - compiled
    """Each read's study renumbered (:func:`_studies_at_start`) and its time on the run's
    clock."""
    for r in range(study.size):
        out_study[r] = renumber[study[r]]
        out_time[r] = time_s[r] - offset_s
