#!/usr/bin/env python3
"""compare.py RUN_A RUN_B [OUT_PREFIX]: do two runs reach the same verdicts?

For every verdict in both runs' data/verdicts.csv (matched by experiment,
metric and point), both ratios with their 95 % intervals, turned the same
way (thread_server's advantage: above 1 means thread_server did better),
and whether they agree:

  agree     the intervals overlap and, where either run shows a difference,
            both ratios point the same way (one run may call a difference
            the other's interval just misses: they still agree)
  differ    otherwise (intervals apart, or a difference shown one way and
            the other run's ratio pointing the other)
  single    a run measured the point once per model (no interval to judge)

Also the ratio of the two point estimates (B over A): the "within 15 %"
of a stability check. Prints a Markdown table and a last line
"N verdicts: A agree, D differ, S single; ratios within 15 %: K of M";
writes OUT_PREFIX.md and OUT_PREFIX.csv when given. Exit status: 0 when no
verdict differs, 1 when one does, 2 on bad usage.
"""
import csv
import math
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fmt import times  # noqa: E402

WITHIN = 1.15


def verdicts(run):
    path = Path(run) / "data" / "verdicts.csv"
    if not path.exists():
        raise SystemExit(f"compare: {run}: no data/verdicts.csv")
    with open(path, newline="") as f:
        return {(r["experiment"], r["metric"], r["point"]): r for r in csv.DictReader(f)}


def advantage(row):
    """(ratio, low, high) as thread_server's advantage, low/high None when
    the row has no interval. A row's ratio is the better model's advantage."""
    r = float(row["ratio"])
    lo = float(row["ci_low"]) if row["ci_low"] else None
    hi = float(row["ci_high"]) if row["ci_high"] else None
    # The better model by its point estimate: "better" names it when a
    # difference is shown; otherwise the medians tell.
    thread_ahead = _thread_ahead(row)
    if thread_ahead:
        return r, lo, hi
    return 1 / r, (1 / hi if hi else None), (1 / lo if lo else None)


LOWER_IS_BETTER = ("_us", "time_s", "kib_per_conn")


def _thread_ahead(row):
    if row["better"] in ("fork", "thread"):
        return row["better"] == "thread"
    f, t = float(row["fork_median"]), float(row["thread_median"])
    lower = row["metric"].endswith(LOWER_IS_BETTER) or row["metric"] == "us"
    return t < f if lower else t > f


def shown(row):
    return row["difference"] == "shown"


def judge(a, b):
    """Agreement as a reader needs it: the intervals overlap, and where
    either run calls a difference the two point the same way."""
    ra, la, ha = advantage(a)
    rb, lb, hb = advantage(b)
    if None in (la, ha, lb, hb):
        return "single", ra, rb
    overlap = max(la, lb) <= min(ha, hb)
    if (shown(a) or shown(b)) and (ra > 1) != (rb > 1):
        return "differ", ra, rb
    return ("agree" if overlap else "differ"), ra, rb


def bound(x):
    return "" if x is None else times(x)


def interval(r, lo, hi):
    return times(r) + (f" ({times(lo)}–{times(hi)})" if lo is not None else "")


def main(argv):
    if len(argv) not in (3, 4):
        print("usage: compare.py RUN_A RUN_B [OUT_PREFIX]", file=sys.stderr)
        return 2
    va, vb = verdicts(argv[1]), verdicts(argv[2])
    keys = [k for k in va if k in vb]
    head = ["experiment", "metric", "point", "A: thread's advantage (95 % CI)",
            "B: thread's advantage (95 % CI)", "A", "B", "B/A", "judged"]
    rows, counts, close = [], {"agree": 0, "differ": 0, "single": 0}, 0
    for k in keys:
        a, b = va[k], vb[k]
        judged, ra, rb = judge(a, b)
        counts[judged] += 1
        close += abs(math.log(rb / ra)) <= math.log(WITHIN)
        rows.append({"key": k, "a": advantage(a), "b": advantage(b),
                     "a_difference": a["difference"], "b_difference": b["difference"],
                     "b_over_a": f"{rb / ra:.3f}", "judged": judged})
    only = sorted(set(va) ^ set(vb))
    md = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    md += ["| " + " | ".join([*r["key"], interval(*r["a"]), interval(*r["b"]),
                              r["a_difference"], r["b_difference"], r["b_over_a"],
                              r["judged"]]) + " |" for r in rows]
    summary = (f"{len(keys)} verdicts: {counts['agree']} agree, {counts['differ']} differ, "
               f"{counts['single']} single; ratios within 15 %: {close} of {len(keys)}")
    if only:
        summary += f"; {len(only)} in one run only"
    text = "\n".join([f"A = {argv[1]}", f"B = {argv[2]}", ""] + md + ["", summary]) + "\n"
    sys.stdout.write(text)
    if len(argv) == 4:
        Path(argv[3] + ".md").write_text(text)
        with open(argv[3] + ".csv", "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["experiment", "metric", "point", "a_ratio", "a_ci_low", "a_ci_high",
                        "b_ratio", "b_ci_low", "b_ci_high", "a_difference", "b_difference",
                        "b_over_a", "judged"])
            for r in rows:
                w.writerow([*r["key"], *(bound(x) for x in r["a"] + r["b"]),
                            r["a_difference"], r["b_difference"], r["b_over_a"], r["judged"]])
    return 1 if counts["differ"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
