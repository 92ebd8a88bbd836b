"""Experiment 9: open loop, latency vs offered rate (report section)."""
from reportlib import compare, keys_of, server, table

TITLE = "Open loop: at what offered rate does each model's latency break?"


def section(ctx):
    rows = ctx.csv("09-openloop.csv")
    knees = {r["model"]: r for r in ctx.csv("09-openloop-knee.csv")}
    p = ctx.profile
    lines = [
        f"`client_load -P echo -r 1 -R RATE -c {p.get('OPENLOOP_CONCURRENCY')} -s "
        f"{p.get('SWEEP_SIZE')} -d {p.get('OPENLOOP_DURATION')}` at "
        f"{', '.join(p.get('OPENLOOP_RATES', '').split())} requests/s: requests "
        "leave on a fixed schedule whatever the server does (wrk2's open loop), "
        "and each request's latency runs from its *intended* start, connect "
        "included, so a server that falls behind shows as queueing instead of "
        "as a slower client. Short connections (`-r 1`) because that is where "
        "the models differ: every request pays a spawn. `missed` counts "
        "requests due while all connections were busy (never sent). The knee "
        "is the first offered rate whose median p99 exceeds 10× the median p99 "
        "at the lowest rate (`data/09-openloop-knee.csv`).", ""]
    lines += ctx.figure("09-openloop", "latency vs offered rate")
    lines += table(rows, "offered_rate", "offered requests/s", [
        ("requests_per_s", "achieved requests/s"), ("request_p50_us", "p50 µs"),
        ("request_p99_us", "p99 µs"), ("missed", "missed")])
    said = []
    for m in ("fork", "thread"):
        k = knees.get(m)
        if not k:
            continue
        if k["knee_rate"]:
            said.append(f"{server(m)}'s knee is at {k['knee_rate']} requests/s offered: "
                        f"p99 {k['knee_p99_us']} µs, more than {k['factor']}× its "
                        f"p99 of {k['low_p99_us']} µs at {k['low_rate']} requests/s.")
        else:
            said.append(f"{server(m)} showed no knee up to {k['highest_rate']} requests/s "
                        f"offered: p99 {k['highest_p99_us']} µs, within {k['factor']}× "
                        f"its p99 of {k['low_p99_us']} µs at {k['low_rate']} requests/s.")
    rates = keys_of(rows, "offered_rate")
    if rates:
        said.append(compare(ctx, 9, ctx.csv("09-openloop-runs.csv"), {"offered_rate": rates[-1]},
                            f"at {rates[-1]} requests/s offered",
                            "request_p99_us", "p99 latency", "µs", False))
    return lines, [s for s in said if s]
