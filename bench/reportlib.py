"""reportlib.py: what the report sections share (python3 standard library).

Every number a section writes is a string read from data/*.csv, or a ratio
that is also written to data/verdicts.csv, so a reader (and the test) can
find each number of a verdict in the run's data.
"""
import csv
from pathlib import Path

from fmt import ratio

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


def table(rows, key, key_header, metrics):
    """A markdown table, one line per point x model. METRICS: [(column, header)]."""
    head = [key_header, "server"] + [h for _, h in metrics] + ["runs", "flagged runs"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for k in keys_of(rows, key):
        for m in MODELS:
            r = point(rows, m, key, k)
            if r is None:
                continue
            flag = r["flagged_runs"]
            flag = f"**{flag}** ⚠" if flag not in ("", "0") else flag
            cells = [k, server(m)] + [cell(r, c) for c, _ in metrics] + [r["n"], flag]
            out.append("| " + " | ".join(cells) + " |")
    return out + [""]


def overlap(a, b, metric):
    lo = max(float(a[f"{metric}_min"]), float(b[f"{metric}_min"]))
    hi = min(float(a[f"{metric}_max"]), float(b[f"{metric}_max"]))
    return lo <= hi


def runs_phrase(a, b):
    n = a["n"] if a["n"] == b["n"] else f"{a['n']} and {b['n']}"
    return f"median of {n} runs"


def caution(a, b):
    bad = [f"{server(r['model'])} {r['flagged_runs']}"
           for r in (a, b) if r["flagged_runs"] not in ("", "0")]
    if not bad:
        return ""
    return (" Caution: runs with client errors or a failed exit (" + ", ".join(bad)
            + " flagged) are part of these medians; see the table.")


def compare(ctx, exp, rows, key, value, where, metric, what, unit, higher_better):
    """One verdict sentence comparing the models' medians of METRIC at the
    point KEY=VALUE (WHERE says it in words, lowercase: 'at 64 concurrent
    connections'), or None if a model lacks it.
    WHAT names the metric ('connections/s', 'p99 connection latency')."""
    f, t = point(rows, "fork", key, value), point(rows, "thread", key, value)
    if f is None or t is None or "" in (f[f"{metric}_median"], t[f"{metric}_median"]):
        return None
    fv, tv = f[f"{metric}_median"], t[f"{metric}_median"]
    if f["n"] == "1" and t["n"] == "1":
        # One run each: no spread to tell a difference from noise.
        win, lose = (t, f) if (float(tv) > float(fv)) == higher_better else (f, t)
        r = ratio(win[f"{metric}_median"], lose[f"{metric}_median"]) if higher_better \
            else ratio(lose[f"{metric}_median"], win[f"{metric}_median"])
        ctx.verdict_rows.append([exp, metric, f"{key}={value}", fv, tv, r, "single run"])
        return (f"{where[0].upper()}{where[1:]}, {server('fork')} vs {server('thread')} "
                f"{what}: {fv} vs {tv} {unit}, a ratio of {r} from one run each, "
                f"so with no measure of noise.{caution(f, t)}")
    if float(fv) == float(tv) or overlap(f, t, metric):
        ctx.verdict_rows.append([exp, metric, f"{key}={value}", fv, tv, "", "overlap"])
        return (f"{where[0].upper()}{where[1:]}, {server('fork')} and {server('thread')} are within noise on "
                f"{what}: {fv} vs {tv} {unit} ({runs_phrase(f, t)}; min–max ranges "
                f"overlap).{caution(f, t)}")
    win, lose = (t, f) if (float(tv) > float(fv)) == higher_better else (f, t)
    wv, lv = win[f"{metric}_median"], lose[f"{metric}_median"]
    if higher_better:
        r = ratio(wv, lv)
        text = (f"{server(win['model'])} achieved {r}× the {what} of "
                f"{server(lose['model'])} {where}: "
                f"{wv} vs {lv} {unit}")
    else:
        r = ratio(lv, wv)
        text = (f"{server(lose['model'])}'s {what} was {r}× {server(win['model'])}'s "
                f"{where}: {lv} vs {wv} {unit}")
    ctx.verdict_rows.append([exp, metric, f"{key}={value}", fv, tv, r, "separate"])
    return f"{text} ({runs_phrase(f, t)}; min–max did not overlap).{caution(f, t)}"


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
