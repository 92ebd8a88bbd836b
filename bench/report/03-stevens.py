"""Experiment 3: Stevens' job timed by hyperfine (report section)."""
from fmt import ratio
from reportlib import server

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
        "against one server per model. JSON: `raw/03-stevens-*.hyperfine.json`.", ""]
    lines += ctx.figure("03-stevens", "Stevens' job whole-run time")
    head = ["server", "mean s", "σ s", "median s", "min s", "max s", "runs",
            "wall µs/conn", "server CPU µs/conn", "client errors", "flagged runs"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for m in ("fork", "thread"):
        r = rows.get(m)
        if r:
            flag = r["flagged_runs"] if r["flagged_runs"] == "0" else f"**{r['flagged_runs']}** ⚠"
            lines.append("| " + " | ".join([
                server(m), r["mean_s"], r["stddev_s"], r["median_s"], r["min_s"],
                r["max_s"], r["runs"], r["us_per_conn"], r["server_cpu_us_per_conn"],
                r["errors"], flag]) + " |")
    lines.append("")
    f, t = rows.get("fork"), rows.get("thread")
    if not (f and t):
        return lines, []
    fast, slow = (t, f) if float(t["mean_s"]) < float(f["mean_s"]) else (f, t)
    n = f["runs"] if f["runs"] == t["runs"] else f"{f['runs']} and {t['runs']}"
    apart = float(fast["max_s"]) < float(slow["min_s"])
    times = (f"{fast['mean_s']} s vs {slow['mean_s']} s mean (σ {fast['stddev_s']} s "
             f"and {slow['stddev_s']} s, {n} runs each)")
    if apart:
        r = ratio(slow["mean_s"], fast["mean_s"])
        text = (f"{server(fast['model'])} ran Stevens' job {r}× as fast as "
                f"{server(slow['model'])}: {times}; its slowest run beat the other's "
                "fastest")
        ctx.verdict_rows.append([3, "mean_s", "job", f["mean_s"], t["mean_s"], r, "separate"])
    else:
        text = (f"On Stevens' job {server('fork')} and {server('thread')} are within "
                f"noise: {times}; their min–max ranges overlap")
        ctx.verdict_rows.append([3, "mean_s", "job", f["mean_s"], t["mean_s"], "", "overlap"])
    text += (f". Per connection that is {fast['us_per_conn']} µs vs "
             f"{slow['us_per_conn']} µs of run time, and {fast['server_cpu_us_per_conn']} µs "
             f"vs {slow['server_cpu_us_per_conn']} µs of server CPU.")
    bad = [m for m in (f, t) if m["flagged_runs"] != "0"]
    if bad:
        text += (" Caution: " + ", ".join(f"{server(b['model'])} had {b['flagged_runs']} "
                                           "flagged runs" for b in bad) + "; see the table.")
    return lines + [f"{len(runs)} timed runs in `data/03-stevens-runs.csv`.", ""], [text]
