"""The allocator settings and the second thread used while a workload is drawn: the settings come
back afterwards, nested and concurrent uses share one activation, and the draw depends on
neither."""

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


def test_small_pages_around_a_run_and_inside_the_draw_come_back_in_order():
    before = _hugepage_now()
    seen = []

    @allocator.small_pages()
    def a_run():
        seen.append(_hugepage_now())
        with allocator.reuse_freed_memory():  # the draw inside a run
            seen.append(_hugepage_now())
        seen.append(_hugepage_now())

    a_run()
    a_run()
    assert seen == [False] * 6
    assert _hugepage_now() == before
    assert allocator._pages_depth == 0 and allocator._depth == 0


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


def test_the_draw_is_the_same_on_one_thread_or_two():
    from sim.workload import threads

    scenario = load_scenario("scenarios/community-hospital.yaml",
                             overrides={"workload.annual_studies": 3000})
    two = generate.generate_workload(scenario)
    threads.allow_threads(False)
    try:
        one = generate.generate_workload(scenario)
    finally:
        threads.allow_threads(True)
    np.testing.assert_array_equal(one.studies.size_bytes, two.studies.size_bytes)
    np.testing.assert_array_equal(one.studies.patient, two.studies.patient)
    np.testing.assert_array_equal(one.reads.time_s, two.reads.time_s)
    np.testing.assert_array_equal(one.reads.kind, two.reads.kind)


def test_a_failure_beside_reaches_the_caller():
    import pytest

    from sim.workload import threads

    def fails():
        raise ValueError("drawn badly")

    for allowed in (True, False):
        threads.allow_threads(allowed)
        try:
            with pytest.raises(ValueError, match="drawn badly"), \
                    threads.beside(fails) as future:
                future.result()
        finally:
            threads.allow_threads(True)


def test_a_large_sort_on_two_threads_is_the_sort():
    from sim.workload.sorting import PARALLEL_SORT_MIN, sort_in_place

    values = np.random.default_rng(7).integers(0, 2**40, PARALLEL_SORT_MIN + 11)
    expected = np.sort(values)
    sort_in_place(values)
    np.testing.assert_array_equal(values, expected)


def test_a_worker_that_keeps_freed_memory_keeps_it_through_nested_uses():
    """keep_freed_memory (Monte Carlo pool workers) stays active for the process: a draw's or a
    run's own activation ending restores nothing and gives nothing back.  In a new process (it
    cannot be undone)."""
    import subprocess
    import sys

    code = (
        "from sim import allocator\n"
        "allocator.keep_freed_memory()\n"
        "allocator.keep_freed_memory()  # a second call changes nothing\n"
        "with allocator.reuse_freed_memory():\n"
        "    assert allocator._depth == 2\n"
        "assert allocator._depth == 1 and allocator._pages_depth == 1\n"
        "before = allocator._set_hugepage(True); allocator._set_hugepage(before)\n"
        "assert before is False  # numpy still asks for no huge pages\n"
        "print('kept')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "kept"
