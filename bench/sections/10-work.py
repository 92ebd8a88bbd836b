"""Experiment 10: I/O-bound and CPU-bound requests (report section)."""
from reportlib import compare, keys_of, table

TITLE = "Work per request: how does each model scale when requests wait or compute?"


def section(ctx):
    rows = ctx.csv("10-work.csv")
    p = ctx.profile
    lines = [
        f"Echo requests, `client_load -r {p.get('WORK_RPC')}` (1: a new connection per "
        f"request, so the spawn is still paid), at concurrency "
        f"{', '.join(p.get('WORK_CONCURRENCY', '').split())}, against servers started "
        f"with `--sleep-us {p.get('WORK_SLEEP_US')}` (I/O-bound: each request waits, "
        "as on a disk or a backend; the server's CPU is idle meanwhile) or "
        f"`--work-us {p.get('WORK_CPU_US')}` (CPU-bound: each request spins). The "
        "server has one CPU, so CPU-bound throughput cannot pass 10^6 / work µs "
        "requests/s; I/O-bound throughput should grow with concurrency until the "
        "spawn and scheduling costs catch up.", ""]
    lines += ctx.figure("10-work", "requests/s vs concurrency, I/O- and CPU-bound")
    runs = ctx.csv("10-work-runs.csv")
    said = []
    for w, words in (("io", "I/O-bound"), ("cpu", "CPU-bound")):
        mine = [r for r in rows if r["workload"] == w]
        if not mine:
            continue
        lines += [f"**{words}** (`{'--sleep-us' if w == 'io' else '--work-us'} "
                  f"{mine[0]['work_us']}`):", ""]
        lines += table(mine, "concurrency", "connections", [
            ("requests_per_s", "requests/s"), ("request_p50_us", "p50 µs"),
            ("request_p99_us", "p99 µs"), ("server_cpu_us_per_conn", "server CPU µs/conn")])
        cs = keys_of(mine, "concurrency")
        said.append(compare(ctx, 10, runs, {"workload": w, "concurrency": cs[-1]},
                            f"with {words} requests ({mine[0]['work_us']} µs each) at "
                            f"{cs[-1]} concurrent connections",
                            "requests_per_s", "requests/s", "requests/s", True))
    return lines, [s for s in said if s]
