"""The allocator settings used while a workload is drawn are scoped: they come back afterwards,
nested and concurrent uses share one activation, and the draw does not depend on them."""

from __future__ import annotations

import contextlib
import threading

import numpy as np

import sim.workload.generate as generate
from sim import allocator
from sim.io.scenario_file import load_scenario


def _hugepage_now() -> bool:
    before = allocator._set_hugepage(True)
    allocator._set_hugepage(before)
    return before


def test_settings_come_back_after_nested_and_concurrent_use():
    before = _hugepage_now()
    seen = []

    def inner():
        with allocator.reuse_freed_memory():
            seen.append(_hugepage_now())

    with allocator.reuse_freed_memory():
        with allocator.reuse_freed_memory():
            thread = threading.Thread(target=inner)
            thread.start()
            thread.join()
        seen.append(_hugepage_now())
    assert seen == [False, False]  # still off until the outermost use ends
    assert _hugepage_now() == before
    assert allocator._depth == 0


def test_the_draw_does_not_depend_on_the_allocator(monkeypatch):
    scenario = load_scenario("scenarios/community-hospital.yaml",
                             overrides={"workload.annual_studies": 3000})
    tuned = generate.generate_workload(scenario)
    monkeypatch.setattr(generate, "reuse_freed_memory", contextlib.nullcontext)
    plain = generate.generate_workload(scenario)
    for a, b in [(tuned.studies.created_s, plain.studies.created_s),
                 (tuned.studies.size_bytes, plain.studies.size_bytes),
                 (tuned.reads.time_s, plain.reads.time_s),
                 (tuned.reads.study, plain.reads.study)]:
        np.testing.assert_array_equal(a, b)
