"""Experiment 12: Stevens' table redone (report section)."""
from reportlib import compare, server

TITLE = "Stevens' table: how much of the cost is the spawn, and do pools close the gap?"

NAMES = {"fork-iterative": "fork_server --iterative", "fork": "fork_server (a process per accept)",
         "fork-prespawn": "fork_server --prespawn N (prefork)",
         "thread-iterative": "thread_server --iterative",
         "thread": "thread_server (a thread per accept)",
         "thread-prespawn": "thread_server --prespawn N (prethreaded)"}


def name(r):
    return NAMES[r["variant"]].replace(" N ", f" {r['pool']} ") if r["pool"] else NAMES[r["variant"]]


def section(ctx):
    rows = {r["variant"]: r for r in ctx.csv("12-stevens-table.csv")}
    p = ctx.profile
    lines = [
        f"Stevens' job ({p.get('STEVENS_CLIENTS')} clients, {p.get('STEVENS_CONNECTIONS')} "
        f"connections of {p.get('STEVENS_SIZE')} bytes, size protocol) against six "
        "servers, laid out like his summary table (UNP vol. 1 ch. 30): each model "
        "iterative (his row 0: the work of serving alone), one per accept (rows 1 and "
        f"6) and a pool of {p.get('STEVENS_TABLE_POOL')} made before serving (prefork, "
        "row 2; prethreaded, row 7). Each server is timed by hyperfine in rounds, the "
        "order reversed every other round. *Process-control CPU* is Stevens' metric: "
        "the server's CPU per connection (with its reaped children) minus that of its "
        "model's iterative server. Ratios are to fork per accept, with 95 % bootstrap "
        "intervals over the runs (wall) and the rounds (CPU). Stevens' own figures "
        "come from 1990s hardware: compare ratios, not times."
        + (" Rows 1 and 6 are experiment 3's rounds, which timed the same job in this "
           "run." if ctx.has("03-stevens-runs.csv") else ""), ""]
    lines += ctx.figure("12-stevens-table", "Stevens' table: CPU per connection and wall time")
    head = ["row", "server", "CPU µs/conn", "process control µs/conn", "CPU vs fork (95 % CI)",
            "wall s", "wall vs fork (95 % CI)", "rounds", "runs"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def ci(r, k):
        lo, hi = r[f"{k}_ci_low"], r[f"{k}_ci_high"]
        return r[f"{k}_vs_fork"] + (f" ({lo}–{hi})" if lo else "")

    for v in NAMES:
        r = rows.get(v)
        if r:
            lines.append("| " + " | ".join([
                r["stevens_row"], name(r), r["cpu_us_per_conn"], r["process_control_us"] or "-",
                ci(r, "cpu"), r["wall_s"], ci(r, "wall"), r["rounds"], r["runs"]]) + " |")
    lines.append("")
    said = []
    f, pre = rows.get("fork"), rows.get("fork-prespawn")
    if f and pre:
        def sure(k):
            lo, hi = pre[f"{k}_ci_low"], pre[f"{k}_ci_high"]
            return f"(95 % CI {lo}–{hi}×)" if lo else "(one round of one: no interval)"
        said.append(
            f"How much of fork_server's cost is the spawn: with a pool of {pre['pool']} "
            f"processes it used {pre['cpu_us_per_conn']} µs of CPU per connection against "
            f"{f['cpu_us_per_conn']} µs forking per accept, {pre['cpu_vs_fork']}× "
            f"{sure('cpu')}; its process-control CPU "
            f"fell from {f['process_control_us'] or '-'} to {pre['process_control_us'] or '-'} "
            f"µs per connection, and the job's wall time to {pre['wall_vs_fork']}× "
            f"{sure('wall')}.")
    cpu = ctx.csv("12-stevens-table-cpu.csv")
    for mode, words in (("pool", f"pooled ({p.get('STEVENS_TABLE_POOL')} workers each)"),
                        ("per_accept", "one per accept"), ("iterative", "iterative")):
        said.append(compare(ctx, 12, cpu, {"mode": mode},
                            f"in Stevens' job, {words}", "cpu_us_per_conn",
                            "CPU per connection", "µs", False))
    return lines, [s for s in said if s]
