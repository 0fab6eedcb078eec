"""Shards: an archive's studies simulated in parts, on one or several processes, billed as one.

Inside an archive engine studies never interact (priors are reads of other studies, drawn in the
workload beforehand), so a large workload is split into shards by study index (study ``i`` goes
to shard ``i mod count``).  Each shard's workload - its studies and their reads - runs through
the run loop on its own; the shards' monthly usages are then added, in shard order, and billed
once, so volume bands and free allowances see the whole archive.

The shard count depends only on the workload's size (:func:`shard_count`), never on the machine,
and shards are always added in the same order: a run gives the same ledger, bit for bit, whether
its shards ran one after another or on several processes.  Worker processes are forked (the
workload is shared copy-on-write, not copied); where fork is not available the shards run one
after another in the calling process.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from sim.archives import build_archive, migration_plan, shardable
from sim.archives.base import ArchiveModel, HeldAtEnd, MonthUsage, add_held
from sim.des import ProgressCallback, bill, meter_loop
from sim.jit import kernel
from sim.ledger import Charge
from sim.lifeline import exit_with_parent
from sim.network import ALWAYS_UP, Link
from sim.scenario import Archive
from sim.workload.model import Reads, Studies, Workload

SHARD_STUDIES = 1_000_000
"""Workloads with at least this many studies run in two shards (one per core on a 2-core
machine); smaller ones in one, where a second would only add per-day overhead."""


def shard_count(n_studies: int) -> int:
    """How many shards a workload of ``n_studies`` studies is simulated in."""
    return 1 if n_studies < SHARD_STUDIES else 2


@dataclass(frozen=True, eq=False)
class Shard:
    """One shard's workload and where its studies sit in the whole workload (its reads: those
    of its studies, in the whole workload's order)."""

    workload: Workload
    study_ids: np.ndarray
    """Index in the whole workload of each of the shard's studies."""


def split(workload: Workload, index: int, count: int) -> Shard:
    """Shard ``index`` of ``count``: studies ``index, index + count, ...`` and their reads."""
    st, rd = workload.studies, workload.reads
    study_ids = np.arange(index, len(st), count, dtype=np.int64)
    local_study, time_s, kind = _reads_of_shard(rd.study, rd.time_s, rd.kind, index, count)

    def every(values: np.ndarray) -> np.ndarray:  # a strided copy: no index array
        return np.ascontiguousarray(values[index::count])

    studies = Studies(
        created_s=every(st.created_s),
        modality=every(st.modality),
        size_bytes=every(st.size_bytes),
        objects=every(st.objects),
        patient=every(st.patient),
        age_years=every(st.age_years),
        delete_s=every(st.delete_s),
        study_uid=None if st.study_uid is None else st.study_uid[study_ids],
        acquired_s=None if st.acquired_s is None else every(st.acquired_s),
    )
    reads = Reads(study=local_study, time_s=time_s, kind=kind)
    return Shard(Workload(workload.calendar, workload.modalities, studies, reads), study_ids)


_KEPT: weakref.WeakKeyDictionary[Workload, dict[tuple[int, int], Shard]] = \
    weakref.WeakKeyDictionary()
_keeping = False


@contextmanager
def keeping_shards() -> Iterator[None]:
    """Within: each workload's shards are split once and kept while the workload lives (many
    runs on one draw, e.g. the optimizer's candidates, split it once; shard processes forked
    from this one find them too).  Each shard is a copy of its part of the workload."""
    global _keeping
    before, _keeping = _keeping, True
    try:
        yield
    finally:
        _keeping = before


def shard_of(workload: Workload, index: int, count: int) -> Shard:
    """Shard ``index`` of ``count`` (the whole workload when ``count`` is 1): :func:`split`,
    or the kept shard within :func:`keeping_shards`."""
    if count == 1:
        return _whole(workload)
    if not _keeping:
        return split(workload, index, count)
    kept = _KEPT.setdefault(workload, {})
    if (index, count) not in kept:
        kept[(index, count)] = split(workload, index, count)
    return kept[(index, count)]


def _count_and_plans(workload: Workload, specs: list[Archive], shards: int | None = None
                     ) -> tuple[int, list]:
    """How many shards the archives run in (one when an archive's decisions span every
    study), and each archive's migration plan (its upload queue spans every shard)."""
    count = shards or shard_count(len(workload.studies))
    if not all(shardable(spec) for spec in specs):
        count = 1
    return count, [migration_plan(spec, workload) for spec in specs]


def prepare_shards(workload: Workload, specs: list[Archive], link: Link = ALWAYS_UP) -> None:
    """Within :func:`keeping_shards`: split the workload and build each archive once on each
    shard, here, so that what engines derive from a workload alone (e.g. the S3 engine's read
    order) is computed once, in this process, and inherited by the shard processes of every
    later run on the same draw.  Outside :func:`keeping_shards` it does nothing."""
    if not _keeping:
        return
    count, plans = _count_and_plans(workload, specs)
    for index in range(count):
        shard = shard_of(workload, index, count)
        for spec, plan in zip(specs, _part(plans, shard, count), strict=True):
            build_archive(spec, shard.workload, link=link, plan=plan)


@dataclass(frozen=True, eq=False)
class ShardOutcome:
    """What one shard's run produced, per archive (in scenario order)."""

    usage: list[list[MonthUsage]]
    read_outcomes: list[tuple[np.ndarray, np.ndarray] | None]
    """(tier code, latency [s]) of each of the shard's reads (in the shard's read order), for
    archives that serve reads."""
    events: list[dict[str, np.ndarray] | None]
    """Event log arrays with the shard's own study indices, where kept."""
    unconfirmed: list[list[str]]
    held: list[HeldAtEnd | None]
    """What each archive holds at the end (cloud archives), for the exit estimate."""


@dataclass(frozen=True, eq=False)
class Simulation:
    """A whole run's archives: charges, read outcomes and events in whole-workload indices."""

    models: list[ArchiveModel]
    """The archive models of shard 0 (their configuration; their state covers shard 0 only)."""
    charges: list[Charge]
    read_outcomes: list[tuple[np.ndarray, np.ndarray] | None]
    events: list[dict[str, np.ndarray] | None]
    unconfirmed: list[list[str]]
    shards: int
    usage: list[list[MonthUsage]]
    """Metered usage per archive and month, added over the shards (what was billed)."""
    held: list[HeldAtEnd | None]
    """What each archive holds at the end, added over the shards (None: no exit)."""


def simulate(
    workload: Workload,
    specs: list[Archive],
    jobs: int = 1,
    keep_events: bool = False,
    progress: ProgressCallback | None = None,
    shards: int | None = None,
    link: Link = ALWAYS_UP,
) -> Simulation:
    """Run every archive over the workload, in shards, on up to ``jobs`` processes.

    Parameters
    ----------
    workload
        The whole workload.
    specs
        The scenario's archive entries.
    jobs
        Processes to use (1: everything in this process).  The result does not depend on it.
    keep_events
        Keep each archive's event log.
    progress
        Called with the share of the run done (0..1).
    shards
        Overrides :func:`shard_count` (tests, experiments).
    link
        The site's internet link (outages, bandwidth).
    """
    count, plans = _count_and_plans(workload, specs, shards)
    parallel = count > 1 and jobs > 1 and "fork" in multiprocessing.get_all_start_methods()
    outcomes: list[ShardOutcome | None] = [None] * count
    children = []
    try:
        if parallel:
            ctx = multiprocessing.get_context("fork")
            for index in range(1, count):
                receive, send = ctx.Pipe(duplex=False)
                child = ctx.Process(target=_child, name=f"archive-sim shard {index}",
                                    args=(send, workload, specs, index, count, keep_events,
                                          link, plans, os.getpid()))
                child.start()
                send.close()
                children.append((index, child, receive))
        models: list[ArchiveModel] = []
        for index in range(count):
            if parallel and index > 0:
                break
            shard = shard_of(workload, index, count)
            share = 1.0 if parallel else 1.0 / count
            report = None if progress is None else _scaled(progress, index * share, share)
            outcome, shard_models = _run_shard(shard.workload, specs, keep_events, report, link,
                                               _part(plans, shard, count))
            outcomes[index] = _to_whole(outcome, index, count)
            if index == 0:
                models = shard_models
        for index, child, receive in children:
            status, payload = receive.recv()
            child.join()
            if status == "error":
                raise payload
            outcomes[index] = _to_whole(payload, index, count)
    finally:
        for _, child, _ in children:
            if child.is_alive():
                child.terminate()
                child.join()
    done = [o for o in outcomes if o is not None]
    assert len(done) == count  # every shard reported
    return _merge(models, done, workload, count)


@kernel
def _reads_of_shard(study, time_s, kind, index, count):  # pragma: no cover - compiled
    """The reads of shard ``index`` of ``count``: their study (numbered within the shard),
    time and kind (in the whole workload's order)."""
    shard = np.empty(study.size, dtype=np.bool_)  # whether each read is the shard's
    found = 0
    power_of_two = count & (count - 1) == 0  # (two shards): masks and shifts, no division
    bits = 0
    while (1 << bits) < count:
        bits += 1
    if power_of_two:
        for r in range(study.size):
            shard[r] = (study[r] & (count - 1)) == index
            found += shard[r]
    else:
        for r in range(study.size):
            shard[r] = study[r] % count == index
            found += shard[r]
    local_study = np.empty(found, dtype=study.dtype)
    shard_time = np.empty(found, dtype=time_s.dtype)
    shard_kind = np.empty(found, dtype=kind.dtype)
    k = 0
    for r in range(study.size):
        if shard[r]:
            local_study[k] = study[r] >> bits if power_of_two else study[r] // count
            shard_time[k] = time_s[r]
            shard_kind[k] = kind[r]
            k += 1
    return local_study, shard_time, shard_kind


def _whole(workload: Workload) -> Shard:
    return Shard(workload, np.arange(len(workload.studies)))


def _scaled(progress: ProgressCallback, offset: float, share: float) -> ProgressCallback:
    return lambda done: progress(offset + share * done)


def _part(plans: list, shard: Shard, count: int) -> list:
    return [None if p is None else p if count == 1 else p.part(shard.study_ids) for p in plans]


def _run_shard(workload: Workload, specs: list[Archive], keep_events: bool,
               progress: ProgressCallback | None, link: Link, plans: list
               ) -> tuple[ShardOutcome, list[ArchiveModel]]:
    models = [build_archive(spec, workload, keep_events=keep_events, link=link, plan=plan)
              for spec, plan in zip(specs, plans, strict=True)]
    usage = meter_loop(workload, models, progress)
    outcome = ShardOutcome(
        usage=usage,
        read_outcomes=[m.read_outcomes() for m in models],
        events=[m.events.arrays() if keep_events and m.events is not None else None
                for m in models],
        unconfirmed=[list(m.unconfirmed_prices) for m in models],
        held=[m.held_at_end() for m in models],
    )
    return outcome, models


def _child(send, workload: Workload, specs: list[Archive], index: int, count: int,
           keep_events: bool, link: Link, plans: list, parent: int) -> None:
    exit_with_parent(parent)
    try:
        shard = shard_of(workload, index, count)
        outcome, _ = _run_shard(shard.workload, specs, keep_events, None, link,
                                _part(plans, shard, count))
        send.send(("ok", outcome))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        try:
            send.send(("error", exc))
        except Exception:  # the exception itself does not pickle
            send.send(("error", RuntimeError(traceback.format_exc())))
    finally:
        send.close()
        os._exit(0)  # no atexit handlers or buffers inherited from the parent


def _to_whole(outcome: ShardOutcome, index: int, count: int) -> ShardOutcome:
    """Map shard ``index``'s study numbers in its events back to the whole workload's (study
    ``k`` of the shard is study ``index + k * count``)."""
    if count == 1:
        return outcome
    events = []
    for e in outcome.events:
        if e is not None:
            e = {**e, "study": e["study"].astype(np.int64) * count + index}
        events.append(e)
    return ShardOutcome(outcome.usage, outcome.read_outcomes, events, outcome.unconfirmed,
                        outcome.held)


def _merge(models: list[ArchiveModel], outcomes: list[ShardOutcome], workload: Workload,
           count: int) -> Simulation:
    first = outcomes[0]
    usage = first.usage
    for other in outcomes[1:]:
        usage = [[a + b for a, b in zip(mine, theirs, strict=True)]
                 for mine, theirs in zip(usage, other.usage, strict=True)]
    charges = bill(models, usage)
    read_outcomes: list[tuple[np.ndarray, np.ndarray] | None] = []
    events: list[dict[str, np.ndarray] | None] = []
    for a in range(len(models)):
        mine = first.read_outcomes[a]
        if mine is None:
            read_outcomes.append(None)
        elif count == 1:
            read_outcomes.append((mine[0], mine[1]))
        else:
            shard_reads = [r for o in outcomes if (r := o.read_outcomes[a]) is not None]
            start = np.cumsum([0] + [r[0].size for r in shard_reads], dtype=np.int64)
            read_outcomes.append(_interleave(
                workload.reads.study, count, np.concatenate([r[0] for r in shard_reads]),
                np.concatenate([r[1] for r in shard_reads]), start))
        parts = [p for o in outcomes if (p := o.events[a]) is not None]
        events.append({k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
                      if parts else None)
    # prices noted while simulating (each shard) and while billing (here, on the added usage)
    unconfirmed = [sorted({p for o in outcomes for p in o.unconfirmed[a]}
                          | set(models[a].unconfirmed_prices))
                   for a in range(len(models))]
    held = [add_held([o.held[a] for o in outcomes]) for a in range(len(models))]
    return Simulation(models, charges, read_outcomes, events, unconfirmed, count, usage, held)


@kernel
def _interleave(study, count, tier, latency, start):  # pragma: no cover - compiled
    """The whole workload's read outcomes from its shards': read ``r`` belongs to shard
    ``study[r] % count``, whose reads are in whole-workload order; shard ``k``'s outcomes are
    ``tier[start[k]:start[k + 1]]`` (and ``latency``)."""
    out_tier = np.empty(study.size, dtype=tier.dtype)
    out_latency = np.empty(study.size, dtype=latency.dtype)
    cursor = start[:-1].copy()
    for r in range(study.size):
        k = study[r] % count
        out_tier[r] = tier[cursor[k]]
        out_latency[r] = latency[cursor[k]]
        cursor[k] += 1
    return out_tier, out_latency
