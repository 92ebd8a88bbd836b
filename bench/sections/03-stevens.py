"""Experiment 3: Stevens' job timed by hyperfine (report section)."""
from reportlib import compare, notes, server

TITLE = "Stevens' job: how long does the whole run take?"


def section(ctx):
    rows = {r["model"]: r for r in ctx.csv("03-stevens.csv")}
    runs = ctx.csv("03-stevens-runs.csv")
    p = ctx.profile
    lines = [
        f"UNP vol. 1 ch. 30's test: {p.get('STEVENS_CLIENTS')} clients, "
        f"{p.get('STEVENS_CONNECTIONS')} connections in all, each asking for "
        f"{p.get('STEVENS_SIZE')} bytes (`client_load -P size -s "
        f"{p.get('STEVENS_SIZE')} -c {p.get('STEVENS_CLIENTS')} -n "
        f"{p.get('STEVENS_CONNECTIONS')} -r 1 -q`), timed whole by `hyperfine -N "
        f"--runs {p.get('STEVENS_RUNS')} --warmup {p.get('STEVENS_WARMUP')}` "
        "per round against one server per model, in rounds (fork first, then thread "
        "first, ...) until the ratio of the median times is sure. The table is over "
        "the usable runs (undisturbed). JSON: `raw/03-stevens-*.hyperfine.json`.", ""]
    lines += ctx.figure("03-stevens", "Stevens' job whole-run time")
    head = ["server", "mean s", "σ s", "median s", "min s", "max s", "runs",
            "wall µs/conn", "server CPU µs/conn", "client errors", "flagged runs", "notes"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for m in ("fork", "thread"):
        r = rows.get(m)
        if r:
            flag = r["flagged_runs"] if r["flagged_runs"] == "0" else f"**{r['flagged_runs']}** ⚠"
            lines.append("| " + " | ".join([
                server(m), r["mean_s"], r["stddev_s"], r["median_s"], r["min_s"],
                r["max_s"], r["runs"], r["us_per_conn"], r["server_cpu_us_per_conn"],
                r["errors"], flag, notes(r)]) + " |")
    lines.append("")
    f, t = rows.get("fork"), rows.get("thread")
    if not (f and t):
        return lines, []
    text = compare(ctx, 3, runs, {}, "on Stevens' job", "time_s", "whole-run time", "s",
                   False, label="job")
    if text is None:
        return lines, []
    text += (f" Per connection that is {f['us_per_conn']} µs vs {t['us_per_conn']} µs of "
             f"run time (mean), and {f['server_cpu_us_per_conn']} µs vs "
             f"{t['server_cpu_us_per_conn']} µs of server CPU, for {server('fork')} and "
             f"{server('thread')}.")
    bad = [m for m in (f, t) if m["flagged_runs"] != "0"]
    if bad:
        text += (" Caution: " + ", ".join(f"{server(b['model'])} had {b['flagged_runs']} "
                                           "flagged runs" for b in bad) + "; see the table.")
    return lines + [f"{len(runs)} timed runs in `data/03-stevens-runs.csv`, "
                    f"{len(ctx.csv('03-stevens-rounds.csv'))} rounds (one server each) in "
                    "`data/03-stevens-rounds.csv`.", ""], [text]
