#!/usr/bin/env python3
"""summarize.py RUNS.csv OUT.csv KEYS METRICS: medians of repeats.

RUNS.csv has one row per model x point x repeat (bench/lib.sh RUN_COLUMNS);
OUT.csv gets one row per distinct KEYS (comma-separated column names, the
first being `model`) with, for each of METRICS, METRIC_median, METRIC_min and
METRIC_max over the usable repeats (bench/stats.py: the undisturbed ones, as
long as two remain), then `n` (usable repeats), `errors` (client errors
summed over them), `flagged_runs` (those with a client error, a non-zero
client or server exit status, or no client JSON), `disturbed_runs` (every
repeat the interference check marked, used or not), `disturbed_used` (marked
ones among the usable: the point was measured while the machine was busy)
and `client_bound_runs` (usable repeats in which client_load used at least
CLIENT_BOUND_SHARE of its CPUs). Flagged, busy and client-bound points are
drawn apart on the plots and marked in the report.

Values are written rounded (bench/fmt.py), and the report quotes them as
written, so every number in a verdict can be found in this file.
"""
import csv
import statistics
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fmt import num  # noqa: E402
from stats import usable  # noqa: E402

MODEL_ORDER = {"fork": 0, "thread": 1}


def as_float(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def sort_key(keys, key_names):
    out = []
    for name, val in zip(key_names, keys):
        if name == "model":
            out.append((MODEL_ORDER.get(val, 9), val))
        else:
            f = as_float(val)
            out.append((0, f) if f is not None else (1, val))
    return out


def flagged(row):
    errors = as_float(row.get("errors"))
    return (errors is None or errors > 0 or row.get("client_rc", "0") != "0"
            or row.get("server_rc", "0") != "0")


def count(rows, column):
    """Rows whose COLUMN is 1 (a flag of the runs CSV)."""
    return sum(r.get(column) == "1" for r in rows)


def summarize(rows, key_names, metrics):
    groups = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in key_names), []).append(row)
    header = list(key_names)
    for m in metrics:
        header += [f"{m}_median", f"{m}_min", f"{m}_max"]
    header += ["n", "errors", "flagged_runs", "disturbed_runs", "disturbed_used",
               "client_bound_runs"]
    out = [header]
    for keys in sorted(groups, key=lambda k: sort_key(k, key_names)):
        every = groups[keys]
        group = usable(every)
        line = list(keys)
        for m in metrics:
            vals = [v for v in (as_float(r.get(m)) for r in group) if v is not None]
            if vals:
                line += [num(statistics.median(vals)), num(min(vals)), num(max(vals))]
            else:
                line += ["", "", ""]
        errors = sum(as_float(r.get("errors")) or 0 for r in group)
        line += [str(len(group)), num(errors), str(sum(flagged(r) for r in group)),
                 str(count(every, "disturbed")), str(count(group, "disturbed")),
                 str(count(group, "client_bound"))]
        out.append(line)
    return out


def main(argv):
    if len(argv) != 5:
        print("usage: summarize.py RUNS.csv OUT.csv KEYS METRICS", file=sys.stderr)
        return 2
    with open(argv[1], newline="") as f:
        rows = list(csv.DictReader(f))
    table = summarize(rows, argv[3].split(","), argv[4].split(","))
    with open(argv[2], "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
