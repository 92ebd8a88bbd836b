"""Experiment 5: the latency spectrum at one concurrency (report section)."""
from reportlib import compare, table

TITLE = "Latency spectrum: how bad is the tail?"


def section(ctx):
    rows = ctx.csv("05-spectrum.csv")
    p = ctx.profile
    c = p.get("SPECTRUM_CONCURRENCY")
    lines = [
        f"Short connections (`client_load -P echo -r 1 -c {c} -d "
        f"{p.get('SPECTRUM_DURATION')}`), the whole-connection latency at every "
        "percentile from client_load's HDR histogram (1% relative error). The "
        "x axis is 1/(1−p): each step right is ten times rarer; one line per "
        "run. Raw spectra: `data/05-spectrum-points.csv`.", ""]
    lines += ctx.figure("05-spectrum", "latency percentile spectrum")
    lines += table(rows, "concurrency", "connections", [
        ("connection_p50_us", "p50 µs"), ("connection_p90_us", "p90 µs"),
        ("connection_p99_us", "p99 µs"), ("connection_p99_9_us", "p99.9 µs"),
        ("connection_max_us", "max µs")])
    runs = ctx.csv("05-spectrum-runs.csv")
    said = []
    if rows:
        c = rows[0]["concurrency"]
        for metric, what in (("connection_p50_us", "median connection latency"),
                             ("connection_p99_9_us", "p99.9 connection latency")):
            said.append(compare(ctx, 5, runs, {"concurrency": c},
                                f"with {c} concurrent short connections", metric, what,
                                "µs", False))
    return lines, [s for s in said if s]
