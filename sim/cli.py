"""The ``archive-sim`` command line.

Exit codes: 0 success; 2 bad input (one paragraph naming the file, the field and what is allowed,
no traceback); 1 an internal error (with its traceback: that is a bug to report).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

import sim
from sim.allocator import small_pages
from sim.errors import InputError, named_file

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="What a radiology image archive will cost: on-prem, cloud or hybrid, month by month.",
)
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def script() -> None:
    """The ``archive-sim`` command: :func:`main`, then out of the process without the
    interpreter's teardown (freeing a run's millions of objects one by one took 0.4-0.5 s of a
    10-second run).  Its outputs are written and its worker processes joined by then; the
    console streams are flushed here (``atexit`` handlers do not run: close what you open
    within the command).  An unexpected error leaves the usual way (traceback)."""
    try:
        main()
        code: int | str | None = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


def main() -> None:
    """Entry point (for a caller that stays: :func:`script` is the command's): bad input ->
    one paragraph on stderr and exit 2."""
    try:
        with small_pages():  # runs allocate large arrays: see sim.allocator
            app()
    except InputError as exc:
        err.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(2)


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")],
    seed: Annotated[int | None, typer.Option(help="Overrides the scenario's seed.")] = None,
    export_trace: Annotated[
        bool, typer.Option("--export-trace", help="Also write trace/studies.csv and reads.csv.")
    ] = False,
    events: Annotated[
        bool, typer.Option("--events", help="Also write events.csv: every tier change, restore, "
                                            "expiration and deletion.")
    ] = False,
    jobs: Annotated[int | None, typer.Option(
        help="Processes to simulate on (default: the machine's cores). Large workloads run in "
             "shards; the result is the same for any value.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="With workload.cohorts: run the cohorts on Dask ('local' or tcp://HOST:PORT); "
             "the result is the same.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no table.")] = False,
) -> None:
    """Run one scenario and write ledger.csv, workload.csv, summary.json and more to --out."""
    from sim.files import check_out_dir
    from sim.io.scenario_file import load_scenario
    from sim.report.run_outputs import write_run
    from sim.run import run as run_scenario

    if seed is not None and seed < 0:
        raise InputError(f"--seed: must be 0 or more (got {seed})")
    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs: must be 1 or more (got {jobs})")
    check_out_dir(out_dir)
    spec = load_scenario(scenario)
    if spec.workload.cohorts > 1 and export_trace:
        raise InputError("--export-trace: a run in cohorts (workload.cohorts) keeps no single "
                         "workload to export", file=scenario)
    if scheduler is not None and spec.workload.cohorts == 1:
        raise InputError("--scheduler: only a run in cohorts (workload.cohorts above 1) is "
                         "split over Dask workers", file=scenario)
    started = time.perf_counter()
    with _LazyProgress(enabled=not quiet, label=spec.name) as progress, named_file(scenario):
        result = run_scenario(spec, seed=seed, progress=progress.update, events=events,
                              jobs=jobs or os.cpu_count() or 1, scheduler=scheduler)
    write_run(result, out_dir, export_trace=export_trace)
    if not quiet:
        _print_summary(result.summary, time.perf_counter() - started)
    out.print(f"Output written to {out_dir.resolve()}", highlight=False)


@app.command()
def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="Two or more scenario YAML files.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")],
    baseline: Annotated[str | None, typer.Option(
        help="The option the others are compared with: a scenario name or file (default: the "
             "first).")] = None,
    jobs: Annotated[int | None, typer.Option(
        help="Processes per run (default: the machine's cores).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no table.")] = False,
) -> None:
    """Run several scenarios on the same workload draw and write report.html, comparison.json,
    tables, figures and a one-page PDF to --out."""
    from sim.compare import compare as compare_scenarios
    from sim.io.scenario_file import load_scenario
    from sim.report.compare_outputs import write_comparison

    if len(scenarios) < 2:
        raise InputError("compare: give at least two scenario files")
    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs: must be 1 or more (got {jobs})")
    from sim.files import check_out_dir

    check_out_dir(out_dir, marker="comparison.json")
    specs = [load_scenario(path) for path in scenarios]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise InputError(f"compare: scenario names must differ (got {', '.join(names)})")
    base = None
    if baseline is not None:
        by_file = {str(p): s.name for p, s in zip(scenarios, specs, strict=True)}
        by_stem = {p.stem: s.name for p, s in zip(scenarios, specs, strict=True)}
        base = by_file.get(baseline) or by_stem.get(Path(baseline).stem) or baseline
        if base not in names:  # a unique part of a name, e.g. "onprem"
            partial = [n for n in names if baseline in n]
            base = partial[0] if len(partial) == 1 else None
        if base is None:
            raise InputError(f"--baseline: {baseline!r} names none (or more than one) of the "
                             "scenarios; give a scenario name, its file, or a unique part of "
                             "its name: " + ", ".join(names))
    started = time.perf_counter()
    with _LazyProgress(enabled=not quiet, label=f"{len(specs)} options") as progress:
        result = compare_scenarios(specs, base, jobs=jobs or os.cpu_count() or 1,
                                   progress=progress.update, files=scenarios)
    folder = write_comparison(result, out_dir)
    if not quiet:
        _print_comparison(result.summary, time.perf_counter() - started)
    out.print(f"Report written to {folder / 'report.html'}", highlight=False)


def _print_comparison(summary: dict, elapsed_s: float) -> None:
    names = list(summary["scenarios"])
    prefix = os.path.commonprefix(names) if len(names) > 1 else ""
    prefix = prefix[:prefix.rfind("-") + 1] if "-" in prefix else ""
    table = Table(title=f"{prefix}… compared in {elapsed_s:.0f} s (USD)" if prefix
                  else f"Options compared in {elapsed_s:.0f} s (USD)")
    rows = []
    for name, o in summary["scenarios"].items():
        v = summary["versus_baseline"].get(name, {})
        r = o["reads"]
        pay = v.get("payback_months")
        rows.append((
            name[len(prefix):], f"{o['npv_usd']:,.0f}",
            f"{v['npv_savings_usd']:,.0f}" if v else "-",
            "-" if not v else ("never" if pay is None else v["break_even_month"]),
            f"{r['priors_within_target_share']:.1%}" if r else "-",
            f"{r['unavailable']:,}" if r else "-"))
    columns = ("option", "NPV", "NPV saved", "break-even", "priors ≤5 s", "missed")
    for i, col in enumerate(columns):  # numbers are never cut; long option names fold
        if i == 0:
            table.add_column(col, overflow="fold")
        else:
            table.add_column(col, justify="right", no_wrap=True,
                             min_width=max(len(row[i]) for row in rows))
    for row in rows:
        table.add_row(*row)
    out.print(table)
    _print_numbers(summary, prefix)
    _print_scope(summary, prefix)
    _print_inputs(summary)
    out.print(f"Lowest net present cost: {summary['recommendation']}", highlight=False)
    for risk in summary["risks"]:
        out.print(f"[yellow]risk:[/] {risk}", highlight=False)


def _print_numbers(summary: dict, prefix: str) -> None:
    """TB stored, TB ingested, cost per TB-year and per new study: first and last year."""
    by_year = summary.get("numbers_by_year")
    if not by_year:
        return
    table = Table(title="The numbers, first and last year (USD; TB = 10^12 bytes)")
    width = max(len(name) - len(prefix) for name in by_year)
    for col in ("option", "year", "TB stored", "TB ingested", "cost", "per TB-year",
                "per new study"):
        if col == "option":
            table.add_column(col, overflow="fold", min_width=min(width, 24))
        else:
            table.add_column(col, justify="right", no_wrap=True)
    for name, rows in by_year.items():
        for r in ([rows[0], rows[-1]] if len(rows) > 1 else rows):
            def money(v, cents=False):
                return "-" if v is None else f"{v:,.2f}" if cents else f"{v:,.0f}"
            table.add_row(name[len(prefix):], str(r["year"]), f"{r['tb_stored_end']:,.1f}",
                          f"{r['tb_ingested']:,.1f}", money(r["cost_usd"]),
                          money(r["cost_per_tb_year_usd"]),
                          money(r["cost_per_new_study_usd"], cents=True))
    out.print(table)


def _print_inputs(summary: dict, top: int = 5) -> None:
    """The inputs that move an NPV most, with their source (or ASSUMPTION)."""
    for r in summary.get("assumptions_that_matter", [])[:top]:
        out.print(f"input: {r['input']} = {r['value']} {r['unit']} ({r['option']}): NPV "
                  f"${r['npv_low_usd']:,.0f} to ${r['npv_high_usd']:,.0f} for {r['change']}; "
                  f"{r['source']}", highlight=False)


def _print_scope(summary: dict, prefix: str) -> None:
    """What each option carries besides storage (USD a year on average): like for like."""
    scope = summary.get("scope")
    if not scope:
        return
    table = Table(title="Running costs each option carries (USD a year, average)")
    table.add_column("option", overflow="fold")
    for category in scope["categories"]:
        table.add_column(category, justify="right", no_wrap=True)
    table.add_column("second copy", justify="right", no_wrap=True)
    for name, carried in scope["usd_per_year"].items():
        table.add_row(name[len(prefix):], *(f"{carried[c]:,.0f}" if carried[c] else "none"
                                            for c in scope["categories"]),
                      "yes" if scope["second_copy"][name] else "none")
    out.print(table)


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="A scenario YAML, or a policy document: S3 "
                                              "Lifecycle (JSON/XML), S3 Intelligent-Tiering, "
                                              "Azure lifecycle management or GCS lifecycle "
                                              "(JSON).")],
) -> None:
    """Check a scenario or a policy document and explain every problem (exit 2 if any)."""
    if file.suffix.lower() in (".json", ".xml"):
        _validate_policy(file)
        return
    from sim.archives import load_cloud_documents
    from sim.errors import named_file
    from sim.scenario import cloud_part
    from sim.uncertainty.spec import load_uncertain

    uncertain = load_uncertain(file)
    spec = uncertain.central
    for archive in spec.archives:
        if (cloud := cloud_part(archive)) is not None:
            with named_file(file):
                load_cloud_documents(cloud)
    archives = ", ".join(f"{a.name} ({a.kind})" for a in spec.archives)
    out.print(f"{file}: valid scenario '{spec.name}', {spec.horizon_months} months from "
              f"{spec.start}; archives: {archives}", highlight=False)
    if uncertain.inputs:
        out.print(f"  {len(uncertain.inputs)} uncertain input(s), for montecarlo and "
                  f"sensitivity: {', '.join(uncertain.inputs)}", highlight=False)


def _validate_policy(file: Path) -> None:
    """Recognise the document's kind (each provider lists the documents it reads), check it and
    describe it."""
    from sim import providers
    from sim.io.policy_files import read_document

    kind = providers.document_kind(read_document(file))
    if kind is None:
        expected = [k.expected for k in providers.document_kinds()]
        raise InputError("not a policy document this tool knows: expected "
                         + ", ".join(expected[:-1]) + " or " + expected[-1], file=file)
    for line in kind.describe(file):
        out.print(line, highlight=False)


_JOBS_HELP = "Local processes (default: the machine's cores); with --scheduler, Dask workers."
_SCHEDULER_HELP = ("Run on Dask: 'local' for a LocalCluster, or a scheduler address "
                   "tcp://HOST:PORT (workers need this package and the scenario files).")


@app.command()
def montecarlo(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario files (numbers may be "
                                                         "distributions).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder (resumable).")],
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo runs.")] = 100,
    seed: Annotated[int | None, typer.Option(help="Seed of the draws (default: the first "
                                                  "scenario's).")] = None,
    baseline: Annotated[str | None, typer.Option(help="Option the others are measured "
                                                      "against (default: the first).")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help=_JOBS_HELP)] = None,
    scheduler: Annotated[str | None, typer.Option(help=_SCHEDULER_HELP)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no table.")] = False,
) -> None:
    """Monte Carlo: P10/P50/P90 per year and option, the NPV difference from the baseline,
    the probability that each option is the cheapest; fan charts."""
    _check_batch_folder(out_dir)
    from sim.report.batch_outputs import write_results
    from sim.report.uncertainty_figures import fan_chart, npv_difference
    from sim.uncertainty import load_uncertain
    from sim.uncertainty import montecarlo as run_montecarlo

    if runs < 1:
        raise InputError(f"--runs: must be 1 or more (got {runs})")
    if seed is not None and seed < 0:
        raise InputError(f"--seed: must be 0 or more (got {seed})")
    specs = [load_uncertain(p) for p in scenarios]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise InputError(f"scenario names must differ: {', '.join(names)}")
    base = _pick(baseline, names) if baseline else names[0]
    rows, summary = _with_progress(
        lambda progress, n: run_montecarlo(specs, runs, out_dir, seed, base, n, scheduler,
                                           progress), jobs, quiet, "Monte Carlo runs")
    write_results(out_dir.resolve(), summary, "montecarlo", rows,
                  {"fan-chart": fan_chart(rows), "npv-difference": npv_difference(rows, base)},
                  {"percentiles": _percentile_table(summary)})
    computed = summary["computed_now"]
    if not quiet:
        table = Table(title=f"{runs} runs ({computed} computed now; USD)")
        for col in ("option", "NPV P10", "P50", "P90", "cheapest"):
            table.add_column(col, justify="right" if table.columns else "left", no_wrap=True)
        for name, e in summary["scenarios"].items():
            n = e["npv_usd"]
            table.add_row(name, f"{n['p10']:,.0f}", f"{n['p50']:,.0f}", f"{n['p90']:,.0f}",
                          f"{e['probability_cheapest']:.0%}")
        out.print(table)
    out.print(f"Results written to {out_dir.resolve() / 'montecarlo.json'}", highlight=False)


@app.command()
def sensitivity(
    scenario: Annotated[Path, typer.Argument(help="A scenario file with distributions.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder (resumable).")],
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help=_JOBS_HELP)] = None,
    scheduler: Annotated[str | None, typer.Option(help=_SCHEDULER_HELP)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress.")] = False,
) -> None:
    """One at a time, each uncertain input at its P10 and P90 (the others central): NPV swing
    per input and a tornado chart."""
    _check_batch_folder(out_dir)
    from sim.report.batch_outputs import write_results
    from sim.report.uncertainty_figures import tornado
    from sim.uncertainty import load_uncertain
    from sim.uncertainty import sensitivity as run_sensitivity

    spec = load_uncertain(scenario)
    if not spec.inputs:
        raise InputError("no input is given as a distribution (e.g. growth: {dist: "
                         "triangular, low: 0.02, mode: 0.05, high: 0.10})", file=scenario)
    rows, summary = _with_progress(
        lambda progress, n: run_sensitivity(spec, out_dir, n, scheduler, progress), jobs,
        quiet, "sensitivity cases")
    folder = out_dir.resolve()
    write_results(folder, summary, "sensitivity", rows, {"tornado": tornado(summary)},
                  {"tornado": pd.DataFrame(summary["inputs"])})
    for e in summary["inputs"][:5]:
        out.print(f"{e['input']}: NPV {e['npv_at_low_usd']:,.0f} to {e['npv_at_high_usd']:,.0f}"
                  f" (swing {e['swing_usd']:,.0f})", highlight=False)
    out.print(f"Results written to {folder / 'sensitivity.json'}", highlight=False)


@app.command()
def sweep(
    scenario: Annotated[Path, typer.Argument(help="A scenario file.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder (resumable).")],
    set_: Annotated[list[str], typer.Option(
        "--set", help="PATH=V1,V2,... (dotted path; archives by name), e.g. "
        "archives.hybrid.cache.window_months=6,12,24; several --set make a grid.")],
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help=_JOBS_HELP)] = None,
    scheduler: Annotated[str | None, typer.Option(help=_SCHEDULER_HELP)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress.")] = False,
) -> None:
    """Grid sweep: the scenario at every combination of the --set values; total cost and NPV
    of each."""
    _check_batch_folder(out_dir)
    from sim.report.batch_outputs import write_results
    from sim.report.uncertainty_figures import sweep_chart
    from sim.uncertainty import load_uncertain
    from sim.uncertainty import sweep as run_sweep

    grid: dict[str, list] = {}
    for item in set_:
        path, sep, values = item.partition("=")
        if not sep or not path.strip() or not values.strip():
            raise InputError(f"--set {item!r}: give PATH=V1,V2,...")
        try:
            grid[path.strip()] = [yaml.safe_load(v) for v in values.split(",")]
        except yaml.YAMLError:
            raise InputError(f"--set {item!r}: each value must be a number, true/false or a "
                             "word") from None
    spec = load_uncertain(scenario)
    rows, table = _with_progress(
        lambda progress, n: run_sweep(spec, grid, out_dir, n, scheduler, progress), jobs, quiet,
        "sweep points")
    folder = out_dir.resolve()
    write_results(folder, {"scenario": spec.name, "grid": grid,
                           "points": json.loads(table.to_json(orient="records"))},
                  "sweep", rows,
                  {"sweep": sweep_chart(table, grid)}, {"sweep": table})
    if not quiet:
        out.print(table.to_string(index=False), highlight=False)
    out.print(f"Results written to {folder / 'sweep.csv'}", highlight=False)


@app.command()
def optimize(
    scenario: Annotated[Path, typer.Argument(help="A scenario file.")],
    archive: Annotated[str, typer.Option("--archive", help="The cloud or hybrid archive whose "
                                                           "policy is searched.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder (resumable).")],
    objective: Annotated[str, typer.Option(help="npv (net present cost) or total.")] = "npv",
    constraint: Annotated[list[str] | None, typer.Option(
        "--constraint", help="NAME>=VALUE or NAME<=VALUE on a summary.json measure, e.g. "
        "priors_within_5s>=0.99, missed_reads<=1000, p99_latency_s<=60 (several allowed).")
    ] = None,
    budget: Annotated[int, typer.Option(help="Distinct candidates to measure (a space with no "
                                             "more is searched whole).")] = 100,
    space: Annotated[Path | None, typer.Option(help="A search space YAML file narrowing or "
                                                    "widening the defaults.")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="PATH=VALUE set in the scenario first (dotted path; archives by name), "
        "e.g. workload.annual_studies=30000 to search on a smaller hospital.")] = None,
    seed: Annotated[int | None, typer.Option(help="Workload seed (default: the scenario's); "
                                                  "the re-check uses seed + 1.")] = None,
    recheck: Annotated[int, typer.Option(help="Best candidates measured again on a second "
                                              "workload draw.")] = 3,
    sampler_seed: Annotated[int, typer.Option(help="Seed of the sampler.")] = 0,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help=_JOBS_HELP)] = None,
    scheduler: Annotated[str | None, typer.Option(help=_SCHEDULER_HELP)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress, no table.")] = False,
) -> None:
    """Policy optimizer: the cheapest real policy document for an archive that meets the
    constraints; writes optimize.json, the Pareto figure, the best documents and a scenario
    variant that uses them, and report.html."""
    _check_batch_folder(out_dir)
    from sim.optimize import prepare, run_search
    from sim.report.optimize_outputs import write_outcome

    if seed is not None and seed < 0:
        raise InputError(f"--seed: must be 0 or more (got {seed})")
    overrides = {}
    for item in set_ or []:
        path, sep, value = item.partition("=")
        if not sep or not path.strip() or not value.strip():
            raise InputError(f"--set {item!r}: give PATH=VALUE")
        try:
            overrides[path.strip()] = yaml.safe_load(value)
        except yaml.YAMLError:
            raise InputError(f"--set {item!r}: the value must be a number, true/false or a "
                             "word") from None
    with named_file(scenario):
        search = prepare(scenario, archive, objective, constraint or [], budget, space, seed,
                         recheck, sampler_seed, overrides)
        outcome = _with_progress(
            lambda progress, n: run_search(search, out_dir, n, scheduler, progress), jobs,
            quiet, "candidates")
    folder = out_dir.resolve()
    summary = write_outcome(outcome, folder)
    if not quiet:
        _print_optimum(summary)
    out.print(f"Results written to {folder / 'optimize.json'}; report: "
              f"{folder / 'report.html'}", highlight=False)


def _print_optimum(summary: dict) -> None:
    table = Table(title=f"{summary['archive']}: {summary['method']} "
                        f"({summary['elapsed_s']:,.0f} s; USD)")
    for col in ("policy", summary["objective_measure"], "priors ≤5 s", "missed", "feasible"):
        table.add_column(col, justify="right" if table.columns else "left", no_wrap=True)
    for label, row in (("best", summary["best"]), ("closest", summary["closest"]),
                       ("today", summary["current"])):
        if row is None:
            continue
        priors = row.get("priors_within_5s")
        missed = row.get("missed_reads")
        table.add_row(f"{label} ({row['key']})", f"{row['objective']:,.0f}",
                      "-" if priors is None else f"{priors:.1%}",
                      "-" if missed is None else f"{missed:,.0f}",
                      "yes" if row["feasible"] else "no")
    out.print(table)
    best, today = summary["best"], summary["current"]
    if summary["verdict"] == "none":
        verdict = ("Nothing measured met every constraint (today's policy included): widen "
                   "the space or relax a constraint (a bound the link or outages put out of "
                   "reach shows as every candidate missing it).")
    elif summary["verdict"] == "keep":
        verdict = "Keep today's policy: no feasible candidate found is cheaper."
    elif today is not None and not today["feasible"]:
        verdict = (f"Today's policy breaks a constraint; the cheapest one that meets them costs "
                   f"{abs(best['objective'] - today['objective']):,.0f} "
                   f"{'less' if best['objective'] <= today['objective'] else 'more'}.")
    else:
        verdict = (f"The best policy costs {today['objective'] - best['objective']:,.0f} less "
                   "than today's and meets every constraint.")
    out.print(verdict, highlight=False)
    if summary["best"] is not None:
        files = summary.get("best_files", {})
        out.print("Best candidate: " + ", ".join(files.values()), highlight=False)


def _pick(wanted: str, names: list[str]) -> str:
    if wanted in names:
        return wanted
    hits = [n for n in names if wanted in n]
    if len(hits) != 1:
        raise InputError(f"--baseline: {wanted!r} names none (or more than one) of "
                         f"{', '.join(names)}")
    return hits[0]


def _check_batch_folder(out_dir: Path) -> None:
    """--out of a batch: checked before anything is drawn or run."""
    from sim.files import check_out_dir
    from sim.uncertainty.store import MARKER

    check_out_dir(out_dir, MARKER)


def _with_progress(run, jobs: int | None, quiet: bool, what: str):
    """Call ``run(progress, jobs)`` with a progress bar (unless quiet) and checked jobs."""
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if jobs < 1:
        raise InputError(f"--jobs: must be 1 or more (got {jobs})")
    if quiet:
        return run(None, jobs)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn(
            "{task.completed}/{task.total}"), TimeElapsedColumn(), console=err) as bar:
        task_id = bar.add_task(what, total=None)
        return run(lambda done, total: bar.update(task_id, completed=done, total=total), jobs)


def _percentile_table(summary: dict) -> pd.DataFrame:
    rows = []
    for name, e in summary["scenarios"].items():
        rows.append({"scenario": name, "metric": "npv_usd", "year": "", **e["npv_usd"]})
        rows.append({"scenario": name, "metric": "total_usd", "year": "", **e["total_usd"]})
        for year, p in e["per_year_usd"].items():
            rows.append({"scenario": name, "metric": "cost_usd", "year": year, **p})
        if "npv_minus_baseline_usd" in e:
            d = {k: v for k, v in e["npv_minus_baseline_usd"].items() if k.startswith("p")}
            rows.append({"scenario": name, "metric": "npv_minus_baseline_usd", "year": "", **d})
    return pd.DataFrame(rows)


@app.command()
def calibrate(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")],
    studies: Annotated[Path | None, typer.Option(
        "--studies", help="Study list CSV from the PACS/RIS (study date, modality, size, "
        "objects, patient key; common export headers are recognised).")] = None,
    reads: Annotated[Path | None, typer.Option(
        "--reads", help="Access or audit log CSV (study key, time, optional user).")] = None,
    s3_inventory: Annotated[Path | None, typer.Option(
        "--s3-inventory", help="An S3 Inventory manifest.json (CSV or Parquet files beside "
        "it) or one inventory file.")] = None,
    storage_class_analysis: Annotated[Path | None, typer.Option(
        "--storage-class-analysis", help="An S3 Storage Class Analysis export (CSV).")] = None,
    dicom: Annotated[Path | None, typer.Option(
        "--dicom", help="A folder of DICOM files (headers only are read).")] = None,
    base: Annotated[Path | None, typer.Option(
        "--base", help="Scenario the fitted workload is put into (default: the bundled "
        "academic medical center).")] = None,
    column: Annotated[list[str] | None, typer.Option(
        "--column", help="FIELD=HEADER for a CSV column not recognised (fields: study, date, "
        "clock, modality, size, objects, patient, age, birth, time, user).")] = None,
    date_format: Annotated[str | None, typer.Option(
        "--date-format", help="strftime format of dates that are neither ISO 8601 nor "
        "DICOM, e.g. %m/%d/%Y.")] = None,
    key_pattern: Annotated[str | None, typer.Option(
        "--key-pattern", help="Regular expression grouping S3 keys into studies: a "
        "(?P<study>...) group, optionally (?P<modality>...).")] = None,
    key_file: Annotated[Path | None, typer.Option(
        "--key-file", help="Secret key for the pseudonyms (else $ARCHIVE_SIM_PSEUDONYM_KEY, "
        "else a random key for this run).")] = None,
    trace: Annotated[bool, typer.Option(
        "--trace", help="Also write the data as a trace workload (pseudonymised).")] = False,
) -> None:
    """Fit the workload model to your own data; write a scenario, a report and figures.
    Patient identifiers are pseudonymised as they are read; names, IDs and birth dates never
    reach any output."""
    from sim.calibrate import Sources, fit_workload, read_sources
    from sim.calibrate.fit import MIN_STUDIES
    from sim.calibrate.privacy import Pseudonymizer
    from sim.calibrate.readers import check_date_format, column_options
    from sim.files import check_out_dir
    from sim.io.scenario_file import load_scenario
    from sim.report.calibration_outputs import MARKER, write_calibration

    check_out_dir(out_dir.resolve(), MARKER)
    columns = column_options(column or [])
    if date_format is not None:
        check_date_format(date_format)
    base_path = base or Path(__file__).resolve().parents[1] / "scenarios" / \
        "academic-medical-center.yaml"
    if not base_path.is_file():
        raise InputError("--base: scenario file not found", file=base_path)
    base_scenario = load_scenario(base_path)
    if base_scenario.workload.trace is not None:
        raise InputError("--base: give a scenario with a workload model, not a trace",
                         file=base_path)
    pseudo = Pseudonymizer.from_options(key_file)
    data = read_sources(Sources(studies, reads, s3_inventory, storage_class_analysis, dicom,
                                columns, date_format, key_pattern), pseudo)
    if len(data.studies) < MIN_STUDIES:
        raise InputError(f"{'; '.join(data.described)}: calibration needs at least "
                         f"{MIN_STUDIES} studies with a date and a modality")
    fit = fit_workload(data.studies, data.reads, base_scenario, data.class_analysis,
                       held=studies is not None or s3_inventory is not None)
    folder = write_calibration(data, fit, base_path, out_dir, trace=trace)
    for line in data.described:
        out.print(f"read {line}", highlight=False)
    for note in fit.notes:
        out.print(f"[yellow]note:[/] {note}", highlight=False)
    out.print(f"Calibrated scenario: {folder / 'scenario.yaml'} (report: "
              f"{folder / 'report.md'})", highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON schema of scenario files (every field, its unit and meaning)."""
    from sim.scenario import Scenario

    out.print_json(json.dumps(Scenario.model_json_schema()))


@app.command()
def version() -> None:
    """Print the version."""
    out.print(sim.__version__)


class _LazyProgress:
    """A progress bar that appears only once a run has taken more than a second."""

    def __init__(self, enabled: bool, label: str, delay_s: float = 1.0):
        self.enabled, self.label, self.delay_s = enabled, label, delay_s
        self._started = time.perf_counter()
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> _LazyProgress:
        self._started = time.perf_counter()
        return self

    def update(self, fraction: float) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            if time.perf_counter() - self._started < self.delay_s:
                return
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(f"simulating {self.label}", total=1.0)
        if self._task is not None:
            self._bar.update(self._task, completed=fraction)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _given_text(given: dict, w: dict) -> str:
    """'given 400.0 TB, 2,000,000 studies', or by modality with what is held of each:
    'given CT 120.0 TB (held 120.0 TB, 310,112 studies); the other modalities as drawn'."""
    def one(part: dict) -> str:
        return ", ".join(([f"{part['stored_tb']:,.1f} TB"] if "stored_tb" in part else [])
                         + ([f"{part['studies']:,} studies"] if "studies" in part else []))
    if "modalities" not in given:
        return f"given {one(given)}"
    held_n = w.get("existing_studies_by_modality", {})
    held_b = w.get("existing_bytes_by_modality", {})
    parts = [f"{code} {one(part)} (held {held_b.get(code, 0) / 1e12:,.1f} TB, "
             f"{held_n.get(code, 0):,} studies)" for code, part in given["modalities"].items()]
    others = set(held_n) - set(given["modalities"])
    return "given " + "; ".join(parts) + (
        f"; {', '.join(sorted(others))} as the workload model draws them" if others else "")


def _print_summary(summary: dict, elapsed_s: float) -> None:
    w = summary["workload"]
    out.print(
        f"[bold]{summary['scenario']}[/]: {summary['horizon_months']} months from "
        f"{summary['start']}, seed {summary['seed']}, simulated in {elapsed_s:.1f} s",
        highlight=False,
    )
    if w.get("existing_studies_at_start"):
        given = w.get("existing_given", {})
        out.print(f"Existing archive at the start: {w['existing_studies_at_start']:,} studies, "
                  f"{w['existing_bytes_at_start'] / 1e12:,.1f} TB"
                  + (f" ({_given_text(given, w)})" if given else ""), highlight=False)
    for note in summary.get("notes", []):
        out.print(f"[yellow]note:[/] {note}", highlight=False)
    out.print(
        f"{w['studies']:,} studies of {w['patients']:,} patients, "
        f"{w['bytes_ingested'] / 1e12:,.1f} TB ingested, {w['reads']:,} reads "
        f"({w['reads_by_kind'].get('prior', 0):,} prior pulls), {w['deletions']:,} deleted; "
        f"{w['stored_bytes_end'] / 1e12:,.1f} TB stored at the end",
        highlight=False,
    )
    for name, figures in summary.get("reads_by_archive", {}).items():
        slowest_h = figures["latency_max_s"] / 3600
        missing = figures["missing"]
        unavailable = figures.get("unavailable", 0)
        out.print(
            f"{name}: {figures['share_within_target']:.1%} of {figures['reads']:,} reads served "
            f"within {figures['latency_target_s']:g} s (priors: "
            f"{figures.get('priors_within_target_share', 1.0):.1%}); slowest {slowest_h:.1f} h"
            + (f"; {unavailable:,} reads missed while the internet was down "
               f"({figures.get('priors_unavailable', 0):,} priors)" if unavailable else "")
            + (f"; {missing:,} reads found no object" if missing else ""),
            highlight=False,
        )
    for name, m in summary.get("migration", {}).items():
        rate = f" at {m['rate_tb_per_week']:.3g} TB/week" if m.get("rate_tb_per_week") else ""
        out.print(f"{name} migration: {m['studies_uploaded']:,} existing studies "
                  f"({m['bytes_uploaded'] / 1e12:,.1f} TB) uploaded in {m['upload_days']:,.1f} "
                  f"days{rate}, done {m['upload_done'][:10]}", highlight=False)
    for name, e in summary.get("exit", {}).items():
        out.print(f"{name} exit: leaving at the end would move {e['held_tb']:,.1f} TB in "
                  f"{e['weeks']:,.0f} weeks at {e['rate_tb_per_week']:.3g} TB/week and cost "
                  f"${e['total_usd']:,.0f} (read out ${e['read_out_usd']:,.0f}, egress "
                  f"${e['egress_usd']:,.0f}, storage while it drains "
                  f"${e['storage_while_leaving_usd']:,.0f})", highlight=False)
    network = summary.get("network", {})
    if network.get("outages"):
        out.print(f"Internet outages: {network['outages']} ({network['outage_hours']:,.1f} h)",
                  highlight=False)
    for name, figures in summary.get("onprem", {}).items():
        tiers = "; ".join(f"{t}: {f['installed_raw_tb_end']:,.0f} TB raw installed, "
                          f"{f['purchases']} purchases"
                          + (f", {f['over_capacity_days']} days over capacity"
                             if f["over_capacity_days"] else "")
                          for t, f in figures.items())
        out.print(f"{name} on-prem: {tiers}", highlight=False)
    unconfirmed = summary.get("unconfirmed_prices_used")
    if unconfirmed:
        out.print("Unconfirmed catalog prices used: " + ", ".join(unconfirmed), highlight=False)
    out.print("Cost per calendar year (USD):")
    table = Table()
    names = list(summary["totals_usd"])
    table.add_column("year")
    for name in names:
        table.add_column(name, justify="right")
    years = sorted({y for n in names for y in summary["per_year_usd"][n]})
    for year in years:
        table.add_row(year, *(f"{summary['per_year_usd'][n].get(year, 0.0):,.0f}" for n in names))
    table.add_section()
    table.add_row("total", *(f"{summary['totals_usd'][n]:,.0f}" for n in names))
    table.add_row(f"NPV @ {summary['discount_rate']:.1%}",
                  *(f"{summary['npv_usd'][n]:,.0f}" for n in names))
    out.print(table)


if __name__ == "__main__":  # pragma: no cover
    script()
