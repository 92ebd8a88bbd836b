"""reportlib.py: what the report sections share (python3 standard library).

Every number a section writes is a string read from data/*.csv, or a ratio
that is also written to data/verdicts.csv, so a reader (and the test) can
find each number of a verdict in the run's data.
"""
import csv
import statistics
from pathlib import Path

import stats
from fmt import num, times
from summarize import flagged

MODELS = ("fork", "thread")


def server(model):
    return f"{model}_server"


class Context:
    """The run folder, its machine.json and profile, and the verdict log."""

    def __init__(self, run, machine, profile):
        self.run = Path(run)
        self.machine = machine
        self.profile = profile
        self.verdict_rows = []
        # Per verdict row, the words its sentence names the point and the
        # metric with (WHERE, WHAT): report.html's summary says them again.
        self.verdict_words = []
        self.target = float(profile.get("CI_TARGET") or 0.1)
        self.bound_share = float(profile.get("CLIENT_BOUND_SHARE") or 0.9)

    def csv(self, name):
        """data/NAME as a list of dicts (strings as written), [] if absent."""
        path = self.run / "data" / name
        if not path.exists():
            return []
        with open(path, newline="") as f:
            return list(csv.DictReader(f))

    def has(self, name):
        return (self.run / "data" / name).exists()

    def figure(self, name, alt):
        """Markdown for plots/NAME.png (and a link to the SVG), if drawn."""
        if not (self.run / "plots" / f"{name}.png").exists():
            return [f"*(figure {name} was not drawn)*", ""]
        return [f"![{alt}](plots/{name}.png)", "",
                f"([SVG](plots/{name}.svg) for zooming)", ""]


def point(rows, model, key, value):
    for r in rows:
        if r["model"] == model and r[key] == value:
            return r
    return None


def keys_of(rows, key):
    """The distinct values of column KEY, in file order."""
    seen = []
    for r in rows:
        if r[key] not in seen:
            seen.append(r[key])
    return seen


def cell(row, metric):
    """'median (min-max)' of METRIC, or '-' when absent."""
    if row is None or row.get(f"{metric}_median", "") == "":
        return "-"
    med, lo, hi = (row[f"{metric}_{s}"] for s in ("median", "min", "max"))
    return med if lo == hi else f"{med} ({lo}–{hi})"


def notes(row):
    """The table's notes for a summary row: busy and client-bound runs."""
    out = []
    if row.get("disturbed_used") not in (None, "", "0"):
        out.append(f"**{row['disturbed_used']} disturbed** ⚠")
    elif row.get("disturbed_runs") not in (None, "", "0"):
        out.append(f"{row['disturbed_runs']} disturbed, measured again")
    if row.get("client_bound_runs") not in (None, "", "0"):
        out.append(f"**{row['client_bound_runs']} client-bound** ⚠")
    return ", ".join(out) or "-"


def table(rows, key, key_header, metrics):
    """A markdown table, one line per point x model. METRICS: [(column, header)]."""
    head = [key_header, "server"] + [h for _, h in metrics] + ["runs", "flagged runs",
                                                               "notes"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for k in keys_of(rows, key):
        for m in MODELS:
            r = point(rows, m, key, k)
            if r is None:
                continue
            flag = r["flagged_runs"]
            flag = f"**{flag}** ⚠" if flag not in ("", "0") else flag
            cells = ([k, server(m)] + [cell(r, c) for c, _ in metrics]
                     + [r["n"], flag, notes(r)])
            out.append("| " + " | ".join(cells) + " |")
    return out + [""]


VERDICT_COLUMNS = ["experiment", "metric", "point", "fork_median", "thread_median",
                   "better", "ratio", "ci_low", "ci_high", "n_fork", "n_thread",
                   "difference", "halfwidth_pct", "target_reached", "disturbed_runs",
                   "client_bound_runs", "flagged_runs"]

STOPS = {
    "step_budget": "its share of the profile's time budget ran out",
    "time_budget": "the profile's time budget ran out",
    "max_repeats": "it reached MAX_REPEATS",
    "fixed": "the point runs VERDICT_REPEATS pairs, no more",
}


def invert(iv):
    return stats.Interval(1 / iv.ratio, 1 / iv.high, 1 / iv.low)


def runs_phrase(nf, nt):
    return f"{nf} runs each" if nf == nt else f"{nf} and {nt} runs"


def stopped_by(ctx, exp, label):
    """Why a point's repeats stopped (data/repeats.csv), in words, or ''."""
    want = set(label.split())
    for r in ctx.csv("repeats.csv"):
        if int(r["experiment"][:2]) == exp and want <= set(r["point"].split()):
            return STOPS.get(r["stopped_by"], "")
    return ""


def compare(ctx, exp, runs, where_point, where, metric, what, unit, higher_better,
            label=None):
    """One verdict sentence: the ratio of the models' medians of METRIC over
    the usable runs (RUNS rows matching the dict WHERE_POINT), with its 95 %
    bootstrap interval (bench/stats.py); None if a model lacks the metric.
    WHERE says the point in words, lowercase ('at 64 concurrent connections');
    WHAT names the metric ('connections/s'); LABEL is the verdict's `point`
    in data/verdicts.csv (default: WHERE_POINT as k=v words). The sentence and
    its row are written from the same strings."""
    label = label or " ".join(f"{k}={v}" for k, v in where_point.items())
    mine = [r for r in runs if stats.matches(r, where_point)]
    every = {m: [r for r in mine if r["model"] == m] for m in MODELS}
    use = {m: stats.usable(rs) for m, rs in every.items()}
    vals = {m: stats.values(use[m], metric) for m in MODELS}
    if not vals["fork"] or not vals["thread"]:
        return None
    med = {m: num(statistics.median(v)) for m, v in vals.items()}
    n = {m: len(v) for m, v in vals.items()}
    disturbed_all = sum(r.get("disturbed") == "1" for rs in every.values() for r in rs)
    disturbed_used = sum(r.get("disturbed") == "1" for rs in use.values() for r in rs)
    bound = sum(r.get("client_bound") == "1" for rs in use.values() for r in rs)
    flags = {m: sum(flagged(r) for r in use[m] if "errors" in r) for m in MODELS}
    if n["fork"] == 1 and n["thread"] == 1:
        iv = None
    else:
        iv = stats.bootstrap_ratio(vals["thread"], vals["fork"])
    text = state(ctx, exp, metric, label, med, n, iv, higher_better, where, what, unit,
                 disturbed_all, bound, sum(flags.values()))
    if disturbed_used:
        text += (f" Caution: {disturbed_used} of the runs used were disturbed by other "
                 "programs (see Interference).")
    elif disturbed_all:
        text += (f" {disturbed_all} disturbed run{'s were' if disturbed_all > 1 else ' was'} "
                 "measured again and left out.")
    if bound:
        text += (f" Caution: client-bound: in {bound} of these runs client_load used "
                 f"≥ {num(100 * ctx.bound_share)} % of its CPU, so the point measures "
                 "the client as much as the server.")
    ports = sum(int(r.get("ports_exhausted") or 0) > 0 for rs in use.values() for r in rs)
    if ports:
        text += (f" Caution: in {ports} of these runs client_load ran out of local ports "
                 "(ports_exhausted): that is the client's limit, not the server's.")
    bad = [f"{server(m)} {flags[m]}" for m in MODELS if flags[m]]
    if bad:
        text += (" Caution: runs with client errors or a failed exit (" + ", ".join(bad)
                 + " flagged) are part of these medians; see the table.")
    return text


def state(ctx, exp, metric, label, med, n, iv, higher_better, where, what, unit,
          disturbed=0, bound=0, flagged_runs=0, verb="achieved"):
    """The main clause of a verdict, and its row in data/verdicts.csv: MED
    and N the models' values (strings as written) and run counts, IV the
    thread/fork Interval (None: one run each, no interval), WHERE, WHAT and
    UNIT as compare's; DISTURBED, BOUND and FLAGGED_RUNS the runs of each
    kind; VERB what the better model did when higher is better ('achieved',
    'sustained')."""
    row = [exp, metric, label, med["fork"], med["thread"]]
    ctx.verdict_words.append((where, what))
    Where = where[0].upper() + where[1:]
    if iv is None:
        adv = float(med["thread"]) / float(med["fork"])
        adv = adv if higher_better else 1 / adv
        better = "thread" if adv >= 1 else "fork"
        r = times(adv if adv >= 1 else 1 / adv)
        ctx.verdict_rows.append(row + [better, r, "", "", n["fork"], n["thread"],
                                       "single run", "", "", disturbed, bound, flagged_runs])
        return (f"{Where}, {server('fork')} vs {server('thread')} {what}: {med['fork']} vs "
                f"{med['thread']} {unit}, {server(better)} ahead by {r}× from one run each: "
                "no interval.")
    adv = iv if higher_better else invert(iv)
    better = "thread" if adv.ratio >= 1 else "fork"
    said = adv if better == "thread" else invert(adv)
    worse = "fork" if better == "thread" else "thread"
    hw = stats.half_width(iv)
    r, lo, hi = times(said.ratio), times(said.low), times(said.high)
    # Judged on the bounds as written, so that "1.00–1.21×" never reads as
    # a difference shown.
    shown = stats.shows_difference(stats.Interval(*map(float, (r, lo, hi))))
    ci = f"95 % CI {lo}–{hi}×, {runs_phrase(n['fork'], n['thread'])}"
    ctx.verdict_rows.append(row + [better if shown else "none", r, lo, hi, n["fork"],
                                   n["thread"], "shown" if shown else "none", num(100 * hw),
                                   "yes" if hw <= ctx.target else "no", disturbed, bound,
                                   flagged_runs])
    if not shown:
        text = (f"{Where}, no difference shown in {what} between {server('fork')} and "
                f"{server('thread')}: {med['fork']} vs {med['thread']} {unit}; "
                f"{server(better)} is ahead by {r}×, but the interval ({ci}) "
                "includes 1.")
    elif higher_better:
        text = (f"{server(better)} {verb} {r}× {server(worse)}'s {what} {where} "
                f"({ci}): {med[better]} vs {med[worse]} {unit}.")
    else:
        text = (f"{server(worse)}'s {what} was {r}× {server(better)}'s {where} "
                f"({ci}): {med[worse]} vs {med[better]} {unit}.")
    if hw > ctx.target:
        why = stopped_by(ctx, exp, label)
        text += (f" The interval is wider than the ±{num(100 * ctx.target)} % target "
                 f"(±{num(100 * hw)} %)" + (f": {why}." if why else "."))
    return text


def peak_sentence(rows, key, metric, what, unit, key_words):
    """'fork_server peaked at X unit (KEY_WORDS K), thread_server at ...'."""
    parts = []
    for m in MODELS:
        mine = [r for r in rows if r["model"] == m and r[f"{metric}_median"] != ""]
        if not mine:
            return None
        best = max(mine, key=lambda r: float(r[f"{metric}_median"]))
        parts.append(f"{server(m)} peaked at {best[f'{metric}_median']} {unit} "
                     f"({key_words} {best[key]})")
    return f"Highest median {what}: " + "; ".join(parts) + "."
