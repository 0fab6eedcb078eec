"""``report.html``: one self-contained page (figures embedded, no network) a planning meeting can
put on the screen: the decision at the top, then the details, then every assumption."""

from __future__ import annotations

import base64
import html
from typing import Any

import yaml

from sim import providers
from sim.compare import Comparison
from sim.scenario import cloud_part

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1a1a1a;
background:#fff;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:24px 32px}
h1{font-size:1.6em;margin:0 0 4px} h2{font-size:1.25em;margin:32px 0 8px;
border-bottom:2px solid #0072B2;padding-bottom:4px} h3{font-size:1.05em;margin:18px 0 6px}
.lead{font-size:1.15em;background:#eef6fb;border-left:6px solid #0072B2;padding:12px 16px;
margin:16px 0}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.card{flex:1 1 200px;border:1px solid #ccc;border-radius:6px;padding:10px 14px}
.card .k{font-size:.85em;color:#555} .card .v{font-size:1.35em;font-weight:600}
table{border-collapse:collapse;margin:8px 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right} th{background:#f3f3f3}
td.l,th.l{text-align:left}
.risk{color:#8a2b00} figure{margin:16px 0} figure img{max-width:100%;height:auto}
figcaption{font-size:.85em;color:#555} pre{background:#f7f7f7;padding:8px;overflow:auto;
font-size:.8em;max-height:400px}
small{color:#555}
"""


CHECK = """<script>
window.addEventListener("load", function () {
  var imgs = document.images, ok = 0;
  for (var i = 0; i < imgs.length; i++) {
    if (imgs[i].complete && imgs[i].naturalWidth > 0) { ok++; }
  }
  document.body.setAttribute("data-figures", ok + "/" + imgs.length);
});
</script>"""
"""Marks on <body> how many figures decoded (``data-figures="5/5"``), for tests and checks."""


def render(c: Comparison, figures: dict[str, bytes], version: str) -> str:
    """The whole page; ``figures``: name -> PNG bytes (report order)."""
    figures = dict(figures)
    s = c.summary
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
             f"<title>Archive cost comparison</title><style>{CSS}</style></head><body><main>"]
    parts.append(_summary(c))
    parts.append(_inputs_that_matter(c, figures.pop("assumptions-tornado", None)))
    parts.append(_numbers(c))
    parts.append(_differences(c))
    parts.append("<h2>Details</h2>")
    captions = {
        "cumulative-cost": "Cumulative cost of each option; circles mark where an option has "
                           "cost no more than the baseline from then on (break-even).",
        "annual-by-category": "Cost per calendar year, stacked by ledger category.",
        "stored-by-tier": "Data stored: the archive's logical size, each cloud storage tier "
                          "(from the ledger's GiB-months) and the raw capacity installed "
                          "on-prem (copies and RAID included).",
        "first-bills": "The first monthly bills.",
        "reads": "How fast studies are shown, and reads missed while the internet was down.",
    }
    for name, png in figures.items():
        data = base64.b64encode(png).decode("ascii")
        parts.append(f"<figure><img alt='{html.escape(captions.get(name, name))}' "
                     f"src='data:image/png;base64,{data}'><figcaption>"
                     f"{html.escape(captions.get(name, name))}</figcaption></figure>")
    parts.append(_year_table(c))
    parts.append(_category_table(c))
    parts.append(_scope_table(c))
    parts.append(_assumptions(c))
    parts.append(f"<p><small>archive-sim {html.escape(version)}; amounts in USD, "
                 f"{html.escape(s['finance_basis'])}, NPV at "
                 f"{s['discount_rate']:.1%} a year.</small></p></main>{CHECK}</body></html>")
    return "".join(parts)


def _money(v: float) -> str:
    return f"${v:,.0f}"


def _summary(c: Comparison) -> str:
    s = c.summary
    best = s["recommendation"]
    base = s["baseline"]
    opts = s["scenarios"]
    out = ["<h1>Imaging archive: cost comparison</h1>",
           f"<p>{len(opts)} options over {s['horizon_months']} months from {s['start']}, "
           f"on the same simulated workload. Baseline: <b>{html.escape(base)}</b>.</p>"]
    if best == base:
        lead = (f"The baseline, <b>{html.escape(best)}</b>, has the lowest net present cost "
                f"({_money(opts[best]['npv_usd'])}).")
    else:
        v = s["versus_baseline"][best]
        pay = ("pays back from the start" if v["payback_months"] == 0 else
               f"breaks even in {v['break_even_month']} (after {v['payback_months']} months)"
               if v["payback_months"] is not None else "does not break even within the run")
        irr = "" if v["irr_annual"] is None else f", IRR {v['irr_annual']:.0%} a year"
        lead = (f"<b>{html.escape(best)}</b> has the lowest net present cost: "
                f"{_money(v['npv_savings_usd'])} less than the baseline in present value "
                f"({_money(opts[best]['npv_usd'])} against {_money(opts[base]['npv_usd'])}); "
                f"it {pay}{irr}.")
    out.append(f"<div class='lead'>{lead}</div><div class='cards'>")
    for name, o in opts.items():
        r = o["reads"]
        extra = ""
        if r:
            extra = (f"<div class='k'>priors within {r['latency_target_s']:g} s: "
                     f"{r['priors_within_target_share']:.1%}; missed reads: "
                     f"{r['unavailable']:,}</div>")
        if o.get("existing_held_tb"):
            given = o.get("existing_given", {}).get("stored_tb")
            extra += (f"<div class='k'>held at the start: {o['existing_held_tb']:,.1f} TB"
                      + (f" (given {given:,.1f} TB)" if given else "") + "</div>")
        for archive, m in o.get("migration", {}).items():
            extra += (f"<div class='k'>migration into {html.escape(archive)}: "
                      f"{m['bytes_uploaded'] / 1e12:,.1f} TB in {m['upload_days']:,.0f} days, "
                      f"done {html.escape(m['upload_done'][:10])}</div>")
        for archive, e in o.get("exit", {}).items():
            extra += (f"<div class='k'>leaving {html.escape(archive)} at the end: "
                      f"{_money(e['total_usd'])}, {e['weeks']:,.0f} weeks"
                      + (" (in the NPV)" if o.get("exit_counted") else "") + "</div>")
        archives = "; ".join(o.get("archives", []))
        out.append(f"<div class='card'><div class='k'>{html.escape(name)}</div>"
                   f"<div class='v'>{_money(o['npv_usd'])}</div><div class='k'>NPV; total "
                   f"{_money(o['total_usd'])}; ${o['cost_per_study_usd']:,.2f} per study</div>"
                   f"{extra}<div class='k'>{html.escape(archives)}</div></div>")
    out.append("</div>")
    if s["versus_baseline"]:
        out.append("<h3>What drives the difference (present value, baseline minus option)</h3>"
                   "<table><tr><th class='l'>option</th><th>NPV saved</th><th>payback</th>"
                   "<th>IRR</th><th class='l'>three biggest drivers</th></tr>")
        for name, v in s["versus_baseline"].items():
            drivers = ", ".join(f"{k} {_money(val)}" for k, val in v["drivers_npv_usd"].items())
            pay = "-" if v["payback_months"] is None else (
                "from the start" if v["payback_months"] == 0 else v["break_even_month"])
            irr = "-" if v["irr_annual"] is None else f"{v['irr_annual']:.0%}"
            out.append(f"<tr><td class='l'>{html.escape(name)}</td>"
                       f"<td>{_money(v['npv_savings_usd'])}</td><td>{pay}</td><td>{irr}</td>"
                       f"<td class='l'>{html.escape(drivers)}</td></tr>")
        out.append("</table>")
    if s["risks"]:
        out.append("<h3>Risks</h3><ul>" + "".join(
            f"<li class='risk'>{html.escape(r)}</li>" for r in s["risks"]) + "</ul>")
    return "".join(out)


def _year_table(c: Comparison) -> str:
    return _pivot_table(c, "year", "Cost per calendar year", total=True)


def _category_table(c: Comparison) -> str:
    return _pivot_table(c, "category", "Cost by category over the run", total=False)


def _pivot_table(c: Comparison, by: str, title: str, total: bool) -> str:
    """Amounts by ``by`` (rows) and scenario (columns) as an HTML table."""
    t = c.annual.pivot_table(index=by, columns="scenario", values="amount_usd",
                             aggfunc="sum", fill_value=0.0)[list(c.results)]
    rows = [f"<h3>{title}</h3><table><tr><th class='l'>{by}</th>"
            + "".join(f"<th>{html.escape(n)}</th>" for n in t.columns) + "</tr>"]
    for key, row in t.iterrows():
        rows.append(f"<tr><td class='l'>{html.escape(str(key))}</td>"
                    + "".join(f"<td>{_money(v)}</td>" for v in row) + "</tr>")
    if total:
        rows.append("<tr><th class='l'>total</th>" + "".join(
            f"<th>{_money(v)}</th>" for v in t.sum()) + "</tr>")
    return "".join(rows) + "</table>"


def _scope_table(c: Comparison) -> str:
    """The running costs each option carries besides storage, so a missing line shows."""
    scope = c.summary.get("scope")
    if not scope:
        return ""
    head = "".join(f"<th>{html.escape(k)}</th>" for k in scope["categories"]) \
        + "<th>second copy</th>"
    rows = []
    for name, carried in scope["usd_per_year"].items():
        cells = "".join(f"<td>{_money(carried[k]) if carried[k] else 'none'}</td>"
                        for k in scope["categories"]) \
            + f"<td>{'yes' if scope['second_copy'][name] else 'none'}</td>"
        rows.append(f"<tr><td class='l'>{html.escape(name)}</td>{cells}</tr>")
    return ("<h2>What each option carries</h2><p>Running costs besides storage, average USD a "
            "year. Every option should carry each line it would have in reality; a line one "
            "option pays and another lacks is listed under the risks.</p><table><tr>"
            f"<th class='l'>option</th>{head}</tr>{''.join(rows)}</table>")


def _inputs_that_matter(c: Comparison, tornado: bytes | None) -> str:
    """The inputs that move the NPVs most, with value, unit and source; the tornado figure."""
    rows = c.summary.get("assumptions_that_matter", [])
    if not rows:
        return ""
    out = ["<h2>The assumptions that matter most</h2><p>Each input moved by the change shown "
           "(the bill is linear in these: the NPV moves by exactly that share of the costs the "
           "input prices; the discount rate and price trends are recomputed). Inputs marked "
           "ASSUMPTION have no published source: replace them with your own. Volume, growth, "
           "sizes and read rates are not linear: see <code>archive-sim montecarlo</code>.</p>"
           "<table id='assumptions'><tr><th class='l'>input</th><th class='l'>option</th>"
           "<th>value</th><th class='l'>unit</th><th>change</th><th>NPV, input low</th>"
           "<th>NPV, input high</th><th class='l'>source</th></tr>"]
    for r in rows:
        assumption = "ASSUMPTION" in r["source"]
        source = html.escape(r["source"])
        out.append(f"<tr><td class='l'>{html.escape(r['input'])}</td>"
                   f"<td class='l'>{html.escape(r['option'])}</td>"
                   f"<td>{html.escape(r['value'])}</td><td class='l'>{html.escape(r['unit'])}"
                   f"</td><td>{html.escape(r['change'])}</td><td>{_money(r['npv_low_usd'])}</td>"
                   f"<td>{_money(r['npv_high_usd'])}</td><td class='l"
                   + (" risk" if assumption else "") + f"'>{source}</td></tr>")
    out.append("</table>")
    if tornado is not None:
        data = base64.b64encode(tornado).decode("ascii")
        caption = ("The inputs that move the decision most: the NPV saving against the "
                   "baseline with each input at the low and at the high end of its range.")
        out.append(f"<figure><img alt='{caption}' src='data:image/png;base64,{data}'>"
                   f"<figcaption>{caption}</figcaption></figure>")
    return "".join(out)


NUMBER_COLUMNS = (
    ("tb_stored_end", "TB stored (year end)", "{:,.1f}"),
    ("tb_ingested", "TB ingested", "{:,.1f}"),
    ("cost_usd", "cost", "money"),
    ("cost_per_tb_year_usd", "cost per TB-year stored", "money2"),
    ("cost_per_new_study_usd", "cost per new study", "money2"),
)


def _numbers(c: Comparison) -> str:
    """Per option and year: TB stored (and by cloud tier), TB ingested, cost, cost per TB-year
    and per new study; the reading-room figures of the whole run."""
    by_year = c.summary.get("numbers_by_year", {})
    if not by_year:
        return ""
    out = ["<h2>The numbers</h2><p>Per calendar year. TB stored: the archive's logical size "
           "(each study once, as stored) at the year's end; cloud tiers: their average in the "
           "year's last month. Cost per TB-year stored: the year's whole cost divided by the "
           "average TB stored over its months. Cost per new study: the year's whole cost "
           "divided by the studies acquired in it.</p>"]
    for name, rows in by_year.items():
        if not rows:
            continue
        tiers = sorted({k for r in rows for k, v in r.items() if k.startswith("tb_")
                        and k not in ("tb_stored_end", "tb_ingested") and v})
        head = "".join(f"<th>{label}</th>" for _, label, _ in NUMBER_COLUMNS) + "".join(
            f"<th>TB in {html.escape(t[3:])}</th>" for t in tiers)
        out.append(f"<h3>{html.escape(name)}</h3><table class='numbers'><tr>"
                   f"<th class='l'>year</th>{head}</tr>")
        for r in rows:
            cells = "".join(f"<td>{_format(r.get(k), how)}</td>" for k, _, how in NUMBER_COLUMNS)
            cells += "".join(f"<td>{_format(r.get(t), '{:,.1f}')}</td>" for t in tiers)
            out.append(f"<tr><td class='l'>{r['year']}</td>{cells}</tr>")
        out.append("</table>")
        reads = c.summary["scenarios"][name]["reads"]
        if reads:
            out.append(f"<p><small>Over the run: {reads['share_within_target']:.1%} of reads "
                       f"and {reads['priors_within_target_share']:.1%} of priors shown within "
                       f"{reads['latency_target_s']:g} s; {reads['unavailable']:,} reads "
                       "missed while the internet was down.</small></p>")
    return "".join(out)


def _format(value, how: str) -> str:
    if value is None:
        return "-"
    if how == "money":
        return _money(value)
    if how == "money2":
        return f"${value:,.2f}"
    return how.format(value)


def _differences(c: Comparison) -> str:
    """What each option is, and the settings in which the options differ (archives by their
    description; every other setting that is not the same in all)."""
    names = list(c.results)
    flat = {n: _flatten({k: v for k, v in r.scenario.model_dump(mode="json").items()
                         if k not in ("name", "description", "archives")})
            for n, r in c.results.items()}
    keys = sorted({k for f in flat.values() for k in f})
    differ = [k for k in keys if len({repr(flat[n].get(k)) for n in names}) > 1]
    out = ["<h2>The options</h2><table id='options'><tr><th class='l'>option</th>"
           "<th class='l'>what it is</th></tr>"]
    for n in names:
        out.append(f"<tr><td class='l'>{html.escape(n)}</td><td class='l'>"
                   f"{html.escape(c.summary['scenarios'][n]['description'])}</td></tr>")
    out.append("</table>")
    if differ:
        out.append("<h3>Settings that differ (besides the archives above)</h3><table><tr>"
                   "<th class='l'>setting</th>"
                   + "".join(f"<th class='l'>{html.escape(n)}</th>" for n in names) + "</tr>")
        for k in differ:
            out.append(f"<tr><td class='l'>{html.escape(k)}</td>" + "".join(
                f"<td class='l'>{html.escape(_short_value(flat[n].get(k)))}</td>"
                for n in names) + "</tr>")
        out.append("</table>")
    return "".join(out)


def _flatten(data, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(_flatten(v, f"{prefix}{k}."))
    elif isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        for i, v in enumerate(data):
            out.update(_flatten(v, f"{prefix}{i}."))
    else:
        out[prefix.rstrip(".")] = data
    return out


def _short_value(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.6g}"
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _assumptions(c: Comparison) -> str:
    out = ["<h2>Appendix: every assumption</h2><p>Every number below comes from the scenario "
           "files (each default with its source in a comment there) and the price catalogs. "
           "docs/sources.md in the archive-sim repository lists every source with its URL: "
           "the research note's references, and each catalog source with the provider's own "
           "page first.</p>"]
    catalogs: set[tuple[str, str]] = set()
    for r in c.results.values():
        for a in r.scenario.archives:
            if (cloud := cloud_part(a)) is not None:
                catalogs.add((cloud.catalog, cloud.provider))
    for name, provider in sorted(catalogs):
        cat = providers.load_catalog(provider, name)
        out.append(f"<p>Price catalog <b>{html.escape(cat.catalog)}</b> ({cat.provider}, "
                   f"{cat.region}), compiled {cat.compiled}; sources: "
                   + "; ".join(html.escape(f"{k}: {v}") for k, v in cat.sources.items())
                   + "</p>")
    unconfirmed = sorted({p for o in c.summary["scenarios"].values()
                          for p in o["unconfirmed_prices_used"]})
    if unconfirmed:
        out.append("<p class='risk'>Unconfirmed prices used (no public source; a stand-in "
                   "value): " + html.escape(", ".join(unconfirmed)) + "</p>")
    for name, r in c.results.items():
        text = yaml.safe_dump(r.scenario.model_dump(mode="json"), sort_keys=False,
                              allow_unicode=True)
        out.append(f"<details><summary>{html.escape(name)}: the whole scenario as run "
                   f"(also in runs/, with its ledger)</summary><pre>{html.escape(text)}</pre>"
                   "</details>")
    return "".join(out)


def summary_lines(s: dict[str, Any]) -> list[str]:
    """The decision in a few plain lines (terminal, PDF handout)."""
    lines = [f"Lowest net present cost: {s['recommendation']}"]
    for name, o in s["scenarios"].items():
        lines.append(f"{name}: NPV {_money(o['npv_usd'])}, total {_money(o['total_usd'])}")
    for name, v in s["versus_baseline"].items():
        pay = ("never within the run" if v["payback_months"] is None
               else v["break_even_month"])
        lines.append(f"{name} vs {s['baseline']}: saves {_money(v['npv_savings_usd'])} (NPV), "
                     f"break-even {pay}")
    return lines
