#!/usr/bin/env python3
"""stats.py: how sure a verdict is. The bench's one interval method.

A verdict compares the two models at one point by the ratio of their
medians over this run's repeats. Its 95 % confidence interval is a
percentile bootstrap: each model's repeats are resampled with replacement
(independently: the two servers are separate processes), the ratio of the
resampled medians is taken RESAMPLES times, and the interval runs from the
2.5th to the 97.5th percentile of those ratios.

Medians, not means: one repeat that hit a hiccup (a timer, another
program) moves a mean of five runs by a fifth of its size, and a median not
at all. With few repeats the percentile bootstrap of a median is
conservative (its interval is wide rather than short: tests/unit/test_stats.py
measures coverage on synthetic data with a known ratio), which is the right
side to err on for a published verdict.

The resampling is seeded from the data themselves, so the same repeats
always give the same interval, whoever asks (the bench deciding whether to
measure again, the report, --replot).

As a command, for the bench's adaptive repeats (bench/lib.sh):
  stats.py converged RUNS.csv FILTER METRICS TARGET
exits 0 when, over the rows of RUNS.csv matching FILTER (col=value,...),
every one of METRICS (comma-separated) has a ratio interval whose half-width
is at most TARGET (a fraction: 0.1) of the ratio, and 1 otherwise; it prints
the widest half-width as a percentage of its ratio.
"""
import csv
import random
import statistics
import sys
import zlib
from collections import namedtuple

RESAMPLES = 2000
LEVEL = 0.95

Interval = namedtuple("Interval", "ratio low high")


def median(values):
    return statistics.median(values)


def bootstrap_ratio(num, den, resamples=RESAMPLES, level=LEVEL):
    """median(num) / median(den) and its percentile-bootstrap interval.

    NUM and DEN are lists of positive numbers (at least one each). Returns
    an Interval; raises ValueError when a sample is empty or a median is not
    positive."""
    if not num or not den:
        raise ValueError("bootstrap_ratio: an empty sample")
    point = _ratio(median(num), median(den))
    num, den = sorted(num), sorted(den)
    rng = random.Random(zlib.crc32(repr((num, den)).encode()))
    ratios = sorted(_ratio(median(rng.choices(num, k=len(num))),
                           median(rng.choices(den, k=len(den))))
                    for _ in range(resamples))
    tail = (1 - level) / 2
    low = ratios[int(tail * resamples)]
    high = ratios[min(resamples - 1, int((1 - tail) * resamples))]
    return Interval(point, low, high)


def _ratio(a, b):
    if a <= 0 or b <= 0:
        raise ValueError(f"ratio of non-positive medians ({a} / {b})")
    return a / b


def bootstrap_groups(fork, thread, fork_stat, thread_stat, resamples=RESAMPLES,
                     level=LEVEL):
    """thread_stat(thread) / fork_stat(fork) and its percentile-bootstrap
    interval, for statistics of several groups of runs: FORK and THREAD map
    a key (an offered rate, say) to a list of runs, each list resampled with
    replacement on its own. A statistic takes such a dict and returns a
    positive number or None; resamples where either is None are dropped.
    Returns None when the point estimate is None."""
    a, b = thread_stat(thread), fork_stat(fork)
    if a is None or b is None:
        return None
    point = _ratio(a, b)
    rng = random.Random(zlib.crc32(repr((sorted(fork.items()),
                                          sorted(thread.items()))).encode()))

    def draw(groups):
        return {k: rng.choices(v, k=len(v)) for k, v in sorted(groups.items())}

    ratios = []
    for _ in range(resamples):
        x, y = thread_stat(draw(thread)), fork_stat(draw(fork))
        if x is not None and y is not None:
            ratios.append(x / y)
    ratios.sort()
    if not ratios:
        return Interval(point, point, point)
    tail = (1 - level) / 2
    n = len(ratios)
    return Interval(point, ratios[int(tail * n)], ratios[min(n - 1, int((1 - tail) * n))])


def half_width(iv):
    """The interval's half-width as a fraction of its ratio."""
    return (iv.high - iv.low) / 2 / iv.ratio


def shows_difference(iv):
    """True when the interval excludes 1 (no difference is ruled out)."""
    return iv.low > 1 or iv.high < 1


def usable(rows):
    """The rows a statistic may use: undisturbed ones when a model keeps at
    least two of them, else all (the report then says they were disturbed)."""
    calm = [r for r in rows if r.get("disturbed", "0") in ("0", "")]
    return calm if len(calm) >= 2 else rows


def values(rows, metric):
    out = []
    for r in rows:
        try:
            v = float(r.get(metric, ""))
        except ValueError:
            continue
        if v > 0:
            out.append(v)
    return out


def matches(row, flt):
    return all(row.get(k) == v for k, v in flt.items())


def converged(rows, flt, metrics, target):
    """(done, widest half-width in %) for the point FLT of RUNS rows."""
    mine = [r for r in rows if matches(r, flt)]
    widest = 0.0
    for metric in metrics:
        f = values(usable([r for r in mine if r["model"] == "fork"]), metric)
        t = values(usable([r for r in mine if r["model"] == "thread"]), metric)
        if len(f) < 2 or len(t) < 2:
            return False, float("inf")
        widest = max(widest, half_width(bootstrap_ratio(t, f)))
    return widest <= target, 100 * widest


def main(argv):
    if len(argv) != 6 or argv[1] != "converged":
        print("usage: stats.py converged RUNS.csv FILTER METRICS TARGET", file=sys.stderr)
        return 2
    with open(argv[2], newline="") as f:
        rows = list(csv.DictReader(f))
    flt = dict(kv.split("=", 1) for kv in argv[3].split(",") if kv)
    done, widest = converged(rows, flt, argv[4].split(","), float(argv[5]))
    print(f"{widest:.1f}" if widest != float("inf") else "inf")
    return 0 if done else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
