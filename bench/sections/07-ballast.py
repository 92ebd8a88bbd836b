"""Experiment 7: fork cost vs the parent's size (report section)."""
from reportlib import compare, keys_of, server, table

TITLE = "Parent size: does fork get slower as the server grows?"


def section(ctx):
    rows = ctx.csv("07-ballast.csv")
    fits = ctx.csv("07-ballast-fit.csv")
    p = ctx.profile
    thp = ctx.machine.get("transparent_hugepage") or "unknown"
    lines = [
        f"Short connections (`client_load -P echo -r 1 -c {p.get('BALLAST_CONCURRENCY')} "
        f"-s {p.get('SWEEP_SIZE')} -d {p.get('DURATION')}`) against servers started "
        f"with `--ballast-mb` {', '.join(p.get('BALLAST_SIZES', '').split())}: the "
        "parent touches that much private memory before serving, so each `fork()` "
        "copies page tables for it (and the child's writes then copy pages), while "
        "a thread shares the parent's. Transparent huge pages on this machine: "
        f"**{thp}** (with `always`, the ballast may sit in 2 MiB pages and fork "
        "copies far fewer page-table entries).", ""]
    limits = {r["what"]: r["value"] for r in ctx.csv("07-ballast-limits.csv")}
    if limits:
        lines += [f"Sizes used: {limits.get('sizes used (MiB)')} MiB: the profile's "
                  f"{limits.get('BALLAST_SIZES (MiB)')}, each capped at a quarter of this "
                  f"machine's MemAvailable ({limits.get('MemAvailable (MiB)')} MiB when the "
                  f"experiment started, so at most {limits.get('largest ballast allowed (MiB)')} "
                  "MiB), so the parent never crowds the machine.", ""]
    lines += ctx.figure("07-ballast", "connections/s and connect p99 vs parent size")
    lines += table(rows, "ballast_mb", "ballast MiB", [
        ("connections_per_s", "connections/s"), ("connect_p99_us", "connect p99 µs"),
        ("connection_p99_us", "connection p99 µs"),
        ("server_cpu_us_per_conn", "server CPU µs/conn")])
    if fits:
        lines += ["Least-squares lines through every run (`data/07-ballast-fit.csv`): "
                  "`wall_us_per_conn` is 1/(connections/s) in µs, the server's time per "
                  "connection while its one CPU is saturated (what the verdict uses); "
                  "`server_cpu_us_per_conn` is its CPU per connection, which also "
                  "counts touching the ballast once at start-up, spread over the run's "
                  "connections, so it overstates the slope.", "",
                  "| server | fitted | slope µs per 100 MiB | intercept µs | runs |",
                  "|---|---|---|---|---|"]
        lines += [f"| {server(f['model'])} | {f['metric']} | {f['slope_us_per_100mib']} | "
                  f"{f['intercept_us']} | {f['points']} |" for f in fits]
        lines.append("")
    said = []
    sizes = keys_of(rows, "ballast_mb")
    if sizes:
        said.append(compare(ctx, 7, ctx.csv("07-ballast-runs.csv"), {"ballast_mb": sizes[-1]},
                            f"with a {sizes[-1]} MiB parent",
                            "connections_per_s", "short-connection rate", "connections/s", True))
    by = {(f["model"], f["metric"]): f for f in fits}
    cpu = [by.get((m, "server_cpu_us_per_conn")) for m in ("fork", "thread")]
    wall = [by.get((m, "wall_us_per_conn")) for m in ("fork", "thread")]
    if all(wall):
        # 1/rate, not CPU per connection: the server's CPU total includes
        # touching the ballast once at start-up, spread over the run's few
        # connections, which inflates the CPU slope.
        text = (f"Slope of the time per connection (1/rate; a least-squares fit over "
                f"{wall[0]['ballast_min_mb']}–{wall[0]['ballast_max_mb']} MiB): "
                f"{server('fork')} {wall[0]['slope_us_per_100mib']} µs per "
                f"{wall[0]['per_mib']} MiB of parent, {server('thread')} "
                f"{wall[1]['slope_us_per_100mib']} µs per {wall[1]['per_mib']} MiB")
        if all(cpu):
            text += (f" (fitted on server CPU per connection instead: "
                     f"{cpu[0]['slope_us_per_100mib']} and {cpu[1]['slope_us_per_100mib']} "
                     "µs, which counts touching the ballast at start-up)")
        said.append(text + f". Transparent huge pages were `{thp}`.")
    return lines, [s for s in said if s]
