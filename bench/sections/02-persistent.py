"""Experiment 2: persistent connections, a concurrency sweep (report section)."""
from reportlib import compare, keys_of, table

TITLE = "Persistent connections: does the model matter once connected?"


def section(ctx):
    rows = ctx.csv("02-persistent.csv")
    p = ctx.profile
    lines = [
        f"Each connection stays open all run (`client_load -P echo -r 0 -s "
        f"{p.get('SWEEP_SIZE')} -d {p.get('DURATION')} -w {p.get('WARMUP')}`): "
        "the spawn is paid once per connection, so what differs is serving "
        "many processes vs many threads of one process (scheduling, context "
        "switches).", ""]
    lines += ctx.figure("02-persistent-rate", "requests/s vs concurrency")
    lines += ctx.figure("02-persistent-latency", "request latency vs concurrency")
    lines += table(rows, "concurrency", "connections", [
        ("requests_per_s", "requests/s"),
        ("request_p50_us", "request p50 µs"), ("request_p99_us", "request p99 µs")])
    runs = ctx.csv("02-persistent-runs.csv")
    cs = keys_of(rows, "concurrency")
    said = []
    if cs:
        for c in ([cs[0], cs[-1]] if len(cs) > 1 else cs):
            said.append(compare(ctx, 2, runs, {"concurrency": c},
                                f"with {c} concurrent persistent connection{'s' if c != '1' else ''}",
                                "requests_per_s", "requests/s", "requests/s", True))
        said.append(compare(ctx, 2, runs, {"concurrency": cs[-1]},
                            f"with {cs[-1]} concurrent persistent connections",
                            "request_p99_us", "p99 request latency", "µs", False))
    return lines, [s for s in said if s]
