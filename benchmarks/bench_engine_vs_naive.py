"""Benchmark: the array engine against a naive model with one SimPy process per study.

Both run the same workload (about 318,000 studies over ten years) through S3
Intelligent-Tiering (FA -> IA after 30 days without a read -> AIA after 90; a read brings the study
back to FA).  The naive model is an independent, obviously-correct re-implementation: each study
is a SimPy process that sleeps until its next read or its next tier move.  The script checks that
both give the same GiB-months per tier and month (to 1e-9), then prints both wall times and their
ratio, the figure we track: end to end, each including the workload draw they share (interpreter
start and imports excluded), and the engines alone.

    python benchmarks/bench_engine_vs_naive.py [--annual 30000] [--months 120] [--skip-naive]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import simpy

import sim
from sim.archives import build_archive
from sim.calendar import SECONDS_PER_DAY
from sim.des import run_loop
from sim.ledger import ledger_frame
from sim.pricing.metering import BYTES_PER_GIB
from sim.workload import generate_workload

HERE = Path(__file__).resolve().parent
ACADEMIC = HERE.parent / "scenarios" / "academic-medical-center.yaml"
TIER_NAMES = ("INTELLIGENT_TIERING_FA", "INTELLIGENT_TIERING_IA", "INTELLIGENT_TIERING_AIA")
THRESHOLD_DAYS = (30, 90)


def naive_gib_months(workload) -> dict[tuple[str, str], float]:
    """GiB-months per (month, tier) from one SimPy process per study."""
    cal = workload.calendar
    st, rd = workload.studies, workload.reads
    reads_of: dict[int, list[int]] = defaultdict(list)
    for study, t in zip(rd.study.tolist(), rd.time_s.tolist(), strict=True):
        reads_of[study].append(t)
    intervals: list[tuple[int, int, int, int]] = []  # start, end, tier, bytes
    env = simpy.Environment()
    horizon = cal.horizon_s

    def study(i: int, created: int, size: int, small: bool):
        yield env.timeout(created - env.now)
        tier, since, last = 0, created, created
        for t in [*reads_of.get(i, []), horizon]:
            while not small and tier < 2:
                move = (-(-last // SECONDS_PER_DAY) + THRESHOLD_DAYS[tier]) * SECONDS_PER_DAY
                if move > t or move >= horizon:
                    break
                yield env.timeout(move - env.now)
                intervals.append((since, move, tier, size))
                tier, since = tier + 1, move
            if t >= horizon:
                break
            yield env.timeout(t - env.now)
            if tier:
                intervals.append((since, t, tier, size))
                tier, since = 0, t
            last = t
        intervals.append((since, horizon, tier, size))

    small = st.size_bytes < st.objects.astype(np.int64) * 128 * 1024
    for i in range(len(st)):
        env.process(study(i, int(st.created_s[i]), int(st.size_bytes[i]), bool(small[i])))
    env.run()

    out: dict[tuple[str, str], float] = defaultdict(float)
    bounds = cal.month_bounds_s
    for start, end, tier, size in intervals:
        for m in range(cal.n_months):
            overlap = min(end, bounds[m + 1]) - max(start, bounds[m])
            if overlap > 0:
                key = (cal.month_labels[m], TIER_NAMES[tier])
                out[key] += size * overlap / BYTES_PER_GIB / cal.month_full_seconds[m]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annual", type=int, default=30_000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--skip-naive", action="store_true",
                        help="time the project only (the naive model takes minutes)")
    args = parser.parse_args()
    archive = {"name": "s3", "kind": "cloud", "provider": "aws",
               "storage_class": "INTELLIGENT_TIERING"}
    scenario = sim.load_scenario(ACADEMIC, overrides={
        "workload.annual_studies": args.annual, "horizon_months": args.months,
        "workload.retention": {"keep_forever": True}, "archives": [archive]})

    t0 = time.perf_counter()
    workload = generate_workload(scenario)
    draw_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    model = build_archive(scenario.archives[0], workload)
    ledger = ledger_frame(run_loop(workload, [model]))
    engine_s = time.perf_counter() - t0

    t0 = time.perf_counter()  # again: numba's compiled kernels are loaded now
    ledger_frame(run_loop(workload, [build_archive(scenario.archives[0], workload)]))
    again_s = time.perf_counter() - t0

    print(f"studies                  {len(workload.studies):,}")
    print(f"reads                    {len(workload.reads):,}")
    print(f"workload draw            {draw_s:8.2f} s")
    print(f"engine (arrays)          {engine_s:8.2f} s")
    print(f"project end to end       {draw_s + engine_s:8.2f} s  (draw + engine + ledger)")
    print(f"engine again             {again_s:8.2f} s  (same process: compiled kernels loaded)")
    if args.skip_naive:
        return
    t0 = time.perf_counter()
    naive = naive_gib_months(workload)
    naive_s = time.perf_counter() - t0

    storage = ledger[(ledger.category == "storage") & (ledger.unit == "GiB-month")]
    engine = {(r.month, r.tier): r.quantity for r in storage.itertuples()}
    keys = sorted(set(engine) | set(naive))
    worst = max(abs(engine.get(k, 0.0) - naive.get(k, 0.0)) / max(naive.get(k, 0.0), 1e-12)
                for k in keys)
    print(f"naive (process/study)    {naive_s:8.2f} s  (+ the same draw: {draw_s + naive_s:.2f} s)")
    print(f"ratio naive / project    {(draw_s + naive_s) / (draw_s + engine_s):8.1f}x  end to end")
    print(f"ratio naive / engine     {naive_s / engine_s:8.1f}x  engines alone")
    print(f"largest relative difference in GiB-months per tier and month: {worst:.2e}")
    if worst > 1e-9:
        raise SystemExit("the engine and the naive model disagree")


if __name__ == "__main__":
    main()
