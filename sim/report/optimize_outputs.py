"""Write a policy search's results: ``optimize.json`` (every candidate: parameters, measures,
constraints), ``candidates.csv``, ``figures/pareto.png``, ``best/`` (the best feasible policy as
the provider's own documents, a scenario variant that uses them, how to apply them) and
``report.html`` (one page), each file whole."""

from __future__ import annotations

import base64
import copy
import html
import json
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.optimize.candidates import archive_entry
from sim.optimize.measures import MEASURES
from sim.optimize.search import (
    CURRENT,
    DOCUMENT_FILES,
    Outcome,
    apply_policy,
    put,
    second_seed,
)
from sim.report.figures import png
from sim.report.html import CHECK, CSS
from sim.report.optimize_figures import pareto_figure, pareto_front
from sim.uncertainty.store import write_bytes, write_text
from sim.version import __version__

PATH_KEYS = ("lifecycle", "intelligent_tiering")


def summary_of(o: Outcome) -> dict[str, Any]:
    """optimize.json: the question, the method, every candidate, the best and the re-check."""
    s = o.search
    current = _row(o.table, CURRENT)
    best = _row(o.table, o.best) if o.best else None
    return {
        "scenario": s.scenario.name, "scenario_file": str(s.scenario_path),
        "archive": s.archive, "provider": s.space.provider,
        "objective": s.objective, "objective_measure": s.objective_measure,
        "constraints": [c.text for c in s.constraints],
        "space": s.space.described(), "space_file": s.space.space_file,
        "verdict": o.verdict, "method": o.method, "budget": s.budget, "seed": s.seed,
        "sampler_seed": s.sampler_seed, "recheck_seed": second_seed(s.seed),
        "candidates_measured": int((o.table["key"] != CURRENT).sum()),
        "computed_now": o.computed_now, "elapsed_s": round(o.elapsed_s, 1),
        "best": best and {**best, "params": o.params.get(o.best or "")},
        "current": current,
        "current_key": o.today_key,
        "closest": None if best else _closest(o.table),
        "saving_vs_current_usd": (current["objective"] - best["objective"])
        if best and current else None,
        "pareto_front": pareto_front(o.table[o.table["key"] != CURRENT])["key"].tolist()
        if "priors_within_5s" in o.table else [],
        "recheck": [_clean(r) for r in o.recheck.to_dict("records")],
        "candidates": [{**_clean(r), "params": o.params.get(r["key"])}
                       for r in o.table.to_dict("records")],
        "version": __version__,
    }


def _closest(table: pd.DataFrame) -> dict[str, Any] | None:
    """The candidate nearest to meeting every constraint (then the cheapest)."""
    candidates = table[table["key"] != CURRENT]
    if candidates.empty:
        return None
    return _clean(candidates.sort_values(["violation", "objective"]).iloc[0].to_dict())


def _row(table: pd.DataFrame, key: str) -> dict[str, Any] | None:
    rows = table[table["key"] == key]
    return _clean(rows.iloc[0].to_dict()) if len(rows) else None


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """A table row as JSON-able values (numpy scalars as Python ones, NaN as null)."""
    out = {}
    for k, v in row.items():
        v = v.item() if hasattr(v, "item") else v
        out[k] = None if isinstance(v, float) and math.isnan(v) else v
    return out


def write_outcome(o: Outcome, folder: Path) -> dict[str, Any]:
    """Every output file; the summary written to optimize.json."""
    folder = Path(folder)
    summary = summary_of(o)
    priors_floor = next((c.bound for c in o.search.constraints
                         if c.measure == "priors_within_5s" and c.op == ">="), None)
    label = {"npv": "NPV", "total": "total cost"}[o.search.objective]
    figure = png(pareto_figure(o.table, o.best, CURRENT, label, priors_floor))
    write_bytes(folder / "figures" / "pareto.png", figure)
    write_text(folder / "candidates.csv", o.table.to_csv(index=False))
    if o.best is not None:
        summary["best_files"] = write_best(o, folder / "best")
    write_text(folder / "optimize.json", json.dumps(summary, indent=2, default=str) + "\n")
    write_text(folder / "report.html", render(o, summary, figure))
    return summary


def write_best(o: Outcome, best_dir: Path) -> dict[str, str]:
    """The best policy's documents, the scenario variant using them and APPLY.md; their
    paths relative to the output folder."""
    s = o.search
    assert o.best is not None
    data = copy.deepcopy(s.data)
    best_dir.mkdir(parents=True, exist_ok=True)
    written = apply_policy(data, s.space, o.params[o.best], best_dir)
    variant_name = f"{s.scenario.name}-optimized"
    parent = os.path.relpath(s.scenario_path.resolve(), best_dir.resolve())
    variant: dict[str, Any] = {
               "extends": parent, "name": variant_name,
               "description": f"{s.scenario.name} with the policy archive-sim optimize found "
                              f"for archive {s.archive} ({o.best})",
               "archives": [_relative(a, best_dir) for a in data["archives"]]}
    for dotted, value in s.overrides.items():  # --set, except inside the archives listed
        if not dotted.startswith("archives."):
            put(variant, dotted, value)
    variant["seed"] = s.seed
    best = _row(o.table, o.best) or {}
    header = (f"# Written by archive-sim optimize {__version__}: the {s.objective}-cheapest "
              f"policy for archive {s.archive}\n# of {s.scenario.name} under "
              f"{', '.join(c.text for c in s.constraints) or 'no constraint'} "
              f"({s.objective_measure} {best.get('objective', 0):,.0f}).\n"
              f"# Run it: archive-sim run {variant_name}.yaml --out OUT\n")
    variant_file = best_dir / f"{variant_name}.yaml"
    write_text(variant_file, header + yaml.safe_dump(variant, sort_keys=False))
    write_text(best_dir / "APPLY.md", apply_text(o, written))
    files = {name: f"best/{path.name}" for name, path in written.items()}
    files["scenario"] = f"best/{variant_file.name}"
    files["apply"] = "best/APPLY.md"
    return files


def _relative(archive: dict[str, Any], base: Path) -> dict[str, Any]:
    """An archive's file paths made relative to ``base`` (the variant's folder)."""
    archive = copy.deepcopy(archive)
    holders = [archive, archive.get("cloud"), archive.get("replication"),
               (archive.get("cloud") or {}).get("replication")]
    for holder in holders:
        if not isinstance(holder, dict):
            continue
        for key in (*PATH_KEYS, "catalog"):
            value = holder.get(key)
            if isinstance(value, str) and os.path.isabs(value):
                holder[key] = os.path.relpath(value, base.resolve())
    return archive


def apply_text(o: Outcome, written: dict[str, Path]) -> str:
    """How to put the best policy on the real bucket or account."""
    s = o.search
    params = o.params[o.best or ""]
    lines = [f"# Applying the policy found for archive {s.archive}", "",
             "Check the documents against your bucket's existing rules first: they replace "
             "the whole lifecycle configuration.", ""]
    cloud = s.space.cloud_entry(archive_entry(s.data, s.archive))
    dropped = [f for f in PATH_KEYS if cloud.get(f) and f not in written]
    if dropped:
        lines += ["The policy writes no " + " and no ".join(f.replace("_", "-") for f in dropped)
                  + " configuration: remove the one the bucket has today (e.g. aws s3api "
                  "delete-bucket-lifecycle / delete-bucket-intelligent-tiering-configuration; "
                  "az storage account management-policy delete; gcloud storage buckets update "
                  "--clear-lifecycle).", ""]
    provider = s.space.provider
    if provider == "aws":
        if "lifecycle" in written:
            lines += ["```", "aws s3api put-bucket-lifecycle-configuration --bucket BUCKET \\",
                      "    --lifecycle-configuration file://lifecycle.json", "```", ""]
        if "intelligent_tiering" in written:
            lines += ["Intelligent-Tiering (one call per configuration Id in the file):", "",
                      "```", "aws s3api put-bucket-intelligent-tiering-configuration "
                      "--bucket BUCKET --id ID \\",
                      "    --intelligent-tiering-configuration file://intelligent-tiering.json",
                      "```", ""]
        lines += [f"Upload class: {params['storage_class']}; restore tier for reads of "
                  f"archived studies: {params['restore_tier']}.", ""]
    elif provider == "azure":
        if params.get("smart_tier"):
            lines += ["Turn on smart tier on the storage account (no lifecycle rules).", ""]
        if "lifecycle" in written:
            lines += ["```", "az storage account management-policy create --account-name "
                      "ACCOUNT \\", "    --resource-group GROUP --policy @lifecycle.json",
                      "```", ""]
        lines += [f"Upload tier: {params['storage_class']}; rehydration priority: "
                  f"{params['rehydrate_priority']}.", ""]
    elif provider == "gcp":
        if params.get("mode") == "autoclass":
            lines += ["```", "gcloud storage buckets update gs://BUCKET --enable-autoclass "
                      f"--autoclass-terminal-storage-class={params['autoclass_terminal']}",
                      "```", ""]
        if "lifecycle" in written:
            lines += ["```", "gcloud storage buckets update gs://BUCKET "
                      "--lifecycle-file=lifecycle.json", "```", ""]
    if s.space.hybrid:
        capacity = params["capacity_tb"]
        lines += [f"On-prem cache: {params['mode']} mode, a {params['window_months']}-month "
                  "window" + ("" if capacity == "none" else f", at most {capacity} TB") + ".",
                  ""]
    return "\n".join(lines)


def _money(v: Any) -> str:
    return "-" if v is None or pd.isna(v) else f"${v:,.0f}"


def _share(v: Any) -> str:
    return "-" if v is None or pd.isna(v) else f"{v:.1%}"


def render(o: Outcome, summary: dict[str, Any], figure: bytes) -> str:
    """report.html: the answer, the figure, the best policy's documents, the candidates."""
    s = o.search
    e = html.escape
    best, current = summary["best"], summary["current"]
    constraints = ", ".join(c.text for c in s.constraints) or "none"
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
             f"<title>Policy search: {e(s.scenario.name)}</title><style>{CSS}</style></head>"
             f"<body><main><h1>Which policy should archive {e(s.archive)} run?</h1>"
             f"<p><small>{e(s.scenario.name)}; objective: lowest {e(s.objective_measure)}; "
             f"constraints: {e(constraints)}; {e(o.method)}.</small></p>"]
    if o.verdict == "none":
        closest = summary.get("closest")
        near = ""
        if closest and "priors_within_5s" in closest:
            near = (f"  The closest, {closest['key']}, costs {_money(closest['objective'])} "
                    f"with {_share(closest['priors_within_5s'])} of priors within 5 s.")
        parts.append("<p class='lead risk'>" + e(
            "Nothing measured met every constraint, today's policy included." + near
            + "  Widen the space (--space) or relax a constraint; a bound no policy can reach "
            "(e.g. the link's transfer time) shows as every candidate missing it.") + "</p>")
    elif o.verdict == "keep":
        parts.append("<p class='lead'>" + e(
            f"Keep today's policy: it meets every constraint at {_money(current['objective'])}"
            f" ({s.objective_measure}), and none of the {summary['candidates_measured']} "
            "candidates measured that also meets them is cheaper"
            + (f" (the best costs {_money(best['objective'])})" if best else "")
            + ".  A larger --budget or a wider --space may still find one.") + "</p>")
    if best is not None and o.verdict != "keep":
        saving = summary["saving_vs_current_usd"]
        lead = (f"The cheapest policy that meets every constraint costs "
                f"{_money(best['objective'])} ({e(s.objective_measure)})")
        if current is not None and saving is not None:
            lead += (f", {_money(abs(saving))} {'less' if saving >= 0 else 'more'} than the "
                     f"policy the scenario gives today ({_money(current['objective'])}"
                     f"{'' if current['feasible'] else ', which breaks a constraint'})")
        if "priors_within_5s" in best:
            lead += f"; {_share(best['priors_within_5s'])} of priors are shown within 5 s"
        parts.append(f"<p class='lead'>{e(lead)}.</p>")
    if best is not None:
        parts.append(_recheck(o))
    data = base64.b64encode(figure).decode("ascii")
    parts.append("<figure><img alt='cost against priors within 5 s' "
                 f"src='data:image/png;base64,{data}'><figcaption>Every candidate measured on "
                 "the same workload draw; the star is the best feasible one.</figcaption>"
                 "</figure>")
    if best is not None:
        parts.append("<h2>The best candidate</h2><p>Written to <code>best/</code> with a scenario "
                     "variant that uses it and <code>APPLY.md</code>:</p>")
        for field, name in DOCUMENT_FILES.items():
            if field in summary.get("best_files", {}):
                parts.append(f"<h3>{e(name)}</h3><pre>{e(_document_text(o, field))}</pre>")
        settings = {k: v for k, v in best["params"].items() if "." not in k}
        parts.append("<p>Settings: " + e(", ".join(f"{k} = {v}" for k, v in settings.items()))
                     + "</p>")
    parts.append(_candidates_table(o))
    parts.append("<h2>How the search ran</h2><p>" + e(
        f"Every candidate ran on one workload draw (seed {s.seed}): the same studies and "
        f"reads, so differences are the policy's alone.  {o.method}; "
        f"{summary['candidates_measured']} distinct candidates measured; "
        f"{o.computed_now} runs computed in this search (candidates, today's policy and the "
        f"re-checks), any others read back from the folder; "
        f"{o.elapsed_s:,.0f} s.  The best were measured again on a second draw (seed "
        f"{summary['recheck_seed']}).") + "</p>")
    parts.append(f"<p><small>archive-sim {e(__version__)}; amounts in USD.</small></p>"
                 f"</main>{CHECK}</body></html>")
    return "".join(parts)


def _document_text(o: Outcome, field: str) -> str:
    policy = o.search.space.policy(o.params[o.best or ""])
    return json.dumps(policy.documents[field], indent=2)


def _recheck(o: Outcome) -> str:
    if o.recheck.empty:
        return ""
    first = o.table.set_index("key")
    rows = []
    for r in o.recheck.to_dict("records"):
        k = r["key"]
        label = "today's policy" if k == CURRENT else ("best" if k == o.best else k)
        rows.append(f"<tr><td class='l'>{html.escape(label)}</td>"
                    f"<td>{_money(first.loc[k, 'objective'])}</td><td>{_money(r['objective'])}"
                    f"</td><td>{_share(first.loc[k].get('priors_within_5s'))}</td>"
                    f"<td>{_share(r.get('priors_within_5s'))}</td>"
                    f"<td>{'yes' if r['feasible'] else 'no'}</td></tr>")
    return ("<h2>Checked on a second workload draw</h2><table><tr><th class='l'>candidate</th>"
            "<th>cost, draw 1</th><th>cost, draw 2</th><th>priors ≤5 s, 1</th>"
            "<th>priors ≤5 s, 2</th><th>feasible on 2</th></tr>" + "".join(rows) + "</table>")


def _candidates_table(o: Outcome, top: int = 15) -> str:
    t = o.table.sort_values(["feasible", "objective"], ascending=[False, True]).head(top)
    dims = [d.name for d in o.search.space.dimensions]
    measures = [m for m in ("priors_within_5s", "missed_reads", "latency_p99_s")
                if m in t]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in [*dims, "cost", *measures,
                                                             "feasible"])
    rows = []
    for r in t.to_dict("records"):
        label = "today" if r["key"] == CURRENT else r["key"]
        cells = [f"<td class='l' style='white-space:nowrap'>{html.escape(label)}</td>"]
        cells += [f"<td>{html.escape(str(r.get(d, '')))}</td>" for d in dims]
        cells.append(f"<td>{_money(r['objective'])}</td>")
        for m in measures:
            value = r.get(m)
            cells.append(f"<td>{_share(value) if m == 'priors_within_5s' else _plain(value)}"
                         "</td>")
        cells.append(f"<td>{'yes' if r['feasible'] else 'no'}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<h2>The {len(t)} best candidates</h2><div style='overflow:auto'><table><tr>"
            f"<th class='l'>key</th>{head}</tr>" + "".join(rows) + "</table></div>"
            "<p><small>Measures: " + html.escape("; ".join(
                f"{m}: {MEASURES[m]}" for m in measures)) + ".  Every candidate is in "
            "optimize.json and candidates.csv.</small></p>")


def _plain(value: Any) -> str:
    if value is None or pd.isna(value):
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"
