"""Experiment 6: the spawn primitive alone vs the server's CPU per connection."""
from reportlib import cell, compare, server

TITLE = "Spawn cost: how much of a connection's cost is the fork or the thread itself?"


def section(ctx):
    rows = ctx.csv("06-spawn.csv")
    p = ctx.profile
    lines = [
        f"`bin/spawn_cost -n {p.get('SPAWN_CALLS')} -r {p.get('SPAWN_ROUNDS')} -b "
        f"{','.join(p.get('SPAWN_BALLAST', '').split())}` (source `bench/spawn_cost.c`, "
        "pinned to the server's CPU) times the primitive alone: `fork()` + the "
        "child's `_exit(0)` + `waitpid()`, and `pthread_create()` + `pthread_join()` "
        "of a thread that returns at once, per call, wall time, median of rounds, "
        "with the parent first touching each ballast size. Beside it, each "
        "server's user+sys CPU (with its reaped children) per connection accepted "
        "during Stevens' job (experiment 3's server when it ran in this run, else "
        f"a job of {p.get('SPAWN_STEVENS_CONNECTIONS')} connections run here; the "
        "source column says which). The primitive is not *all* of the spawn: the "
        "server's child also faults in the pages it writes and closes the "
        "listening socket.", ""]
    lines += ctx.figure("06-spawn", "spawn primitive vs server CPU per connection")
    head = ["server", "what", "µs per connection (median, min–max)",
            "primitive as % of server CPU", "source", "flagged runs"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        flag = r["flagged_runs"] if r["flagged_runs"] == "0" else f"**{r['flagged_runs']}** ⚠"
        lines.append("| " + " | ".join([server(r["model"]), r["bar"], cell(r, "us"),
                                        r["share_pct"] or "-", r["source"], flag]) + " |")
    lines.append("")
    prim = [r for r in rows if r["kind"] == "primitive"]
    said = []
    if prim:
        small = min((r["ballast_mb"] for r in prim), key=float)
        said.append(compare(ctx, 6, ctx.csv("06-spawn-rounds.csv"), {"ballast_mb": small},
                            f"alone, with a {small} MiB parent",
                            "us", "time per spawn (fork+_exit+waitpid vs pthread_create+join)",
                            "µs per call", False))
        srv = {r["model"]: r for r in rows if r["kind"] == "server"}
        first = {m: next((r for r in prim if r["model"] == m and r["ballast_mb"] == small), None)
                 for m in ("fork", "thread")}
        parts = []
        for m, name in (("fork", "fork+_exit+waitpid"), ("thread", "pthread_create+join")):
            s, f = srv.get(m), first.get(m)
            if s and f and s["share_pct"]:
                parts.append(f"{server(m)} used {s['us_median']} µs of CPU per connection, "
                             f"and {name} alone takes {f['us_median']} µs "
                             f"({s['share_pct']}% of it)")
        if parts:
            bad = [server(m) for m, s in srv.items() if s["flagged_runs"] not in ("", "0")]
            said.append("In Stevens' job " + "; ".join(parts) + "."
                        + (f" Caution: {', '.join(bad)} had flagged runs." if bad else ""))
    return lines, [s for s in said if s]
