"""Experiment 11: how each model uses more CPUs (report section)."""
from fmt import times
from reportlib import compare, server, table

TITLE = "Cores: does either model stop scaling as the server gets more CPUs?"


def section(ctx):
    rows = ctx.csv("11-cores.csv")
    runs = ctx.csv("11-cores-runs.csv")
    p = ctx.profile
    cpus = (ctx.machine.get("cpu") or {}).get("cpus_online")
    lines = [
        "The server is given 1, 2, 4, … CPUs (`taskset`; its children and threads "
        "inherit them) while client_load keeps the rest, as long as it has at least "
        "as many as the server; short connections (`-r 1`) and persistent ones "
        f"(`-r 0`), echo, {p.get('CORES_CONCURRENCY_PER_CPU')} connections per server "
        "CPU. The dashed lines are perfect scaling: each model's rate on one CPU "
        "times the CPUs. Thread creation and page faults share one address space's "
        "locks; fork copies page tables per child: either may stop scaling.", ""]
    shared = [r for r in rows if r["shared"] == "1"]
    if shared:
        lines += [f"This machine has {cpus} CPUs, so the last point gives the server "
                  f"{shared[0]['server_cpus']} CPUs **shared with the client**: its rate "
                  "is what the two programs reach together, not the server's alone. On a "
                  "machine with 8 CPUs or more the experiment runs 1, 2 and 4 server "
                  "CPUs with the client on the rest: run `make bench` there (or set "
                  "`SERVER_CPUS`/`CLIENT_CPUS` for the other experiments).", ""]
    lines += ctx.figure("11-cores", "rate vs server CPUs")
    said = []
    for w, metric, what, unit in (("short", "connections_per_s", "connections/s", "connections/s"),
                                  ("persistent", "requests_per_s", "requests/s", "requests/s")):
        mine = [r for r in rows if r["workload"] == w]
        if not mine:
            continue
        lines += [f"**{w.capitalize()} connections:**", ""]
        lines += table(mine, "server_cpus", "server CPUs", [
            (metric, what), ("server_cpu_us_per_conn", "server CPU µs/conn"),
            ("client_cpu_share", "client CPU share")])
        ks = sorted({r["server_cpus"] for r in mine}, key=int)
        last = ks[-1]
        note = " (the client sharing them)" if any(
            r["shared"] == "1" and r["server_cpus"] == last for r in mine) else ""
        said.append(compare(ctx, 11, runs, {"workload": w, "server_cpus": last},
                            f"with {w} connections and {last} server CPUs{note}",
                            metric, what, unit, True))
        if len(ks) > 1:
            parts = []
            for m in ("fork", "thread"):
                one = next((r for r in mine if r["model"] == m and r["server_cpus"] == ks[0]), None)
                top = next((r for r in mine if r["model"] == m and r["server_cpus"] == last), None)
                if one and top and float(one[f"{metric}_median"]) > 0:
                    parts.append(f"{server(m)} {one[f'{metric}_median']} → "
                                 f"{top[f'{metric}_median']} {unit}, "
                                 f"{times(float(top[f'{metric}_median']) / float(one[f'{metric}_median']))}×")
            if parts:
                said.append(f"From {ks[0]} to {last} server CPUs{note}, {w} connections: "
                            + "; ".join(parts) + f" (perfect scaling: {int(last) // int(ks[0])}×).")
    return lines, [s for s in said if s]
