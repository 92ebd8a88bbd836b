"""Experiment 1: short connections, a concurrency sweep (report section)."""
from reportlib import compare, keys_of, peak_sentence, table

TITLE = "Short connections: how fast can each model accept and serve?"


def section(ctx):
    rows = ctx.csv("01-short.csv")
    p = ctx.profile
    lines = [
        f"A new connection for every request (`client_load -P echo -r 1 -s "
        f"{p.get('SWEEP_SIZE')} -d {p.get('DURATION')} -w {p.get('WARMUP')}`), "
        "so every request pays one `fork` or one `pthread_create`. The "
        "connection latency runs from `connect()` to the close after the reply; "
        "the server CPU column is the server's user+sys (with its reaped "
        "children) divided by the connections it accepted.", ""]
    lines += ctx.figure("01-short-rate", "connections/s vs concurrency")
    lines += ctx.figure("01-short-latency", "connect and connection latency vs concurrency")
    lines += table(rows, "concurrency", "connections", [
        ("connections_per_s", "connections/s"),
        ("connect_p50_us", "connect p50 µs"), ("connect_p99_us", "connect p99 µs"),
        ("connection_p50_us", "connection p50 µs"),
        ("connection_p99_us", "connection p99 µs"),
        ("server_cpu_us_per_conn", "server CPU µs/conn")])
    runs = ctx.csv("01-short-runs.csv")
    cs = keys_of(rows, "concurrency")
    said = []
    if cs:
        for c in ([cs[0], cs[-1]] if len(cs) > 1 else cs):
            said.append(compare(ctx, 1, runs, {"concurrency": c},
                                f"with {c} concurrent short connection{'s' if c != '1' else ''}",
                                "connections_per_s", "connections/s", "connections/s", True))
        said.append(compare(ctx, 1, runs, {"concurrency": cs[-1]},
                            f"with {cs[-1]} concurrent short connections",
                            "connection_p99_us", "p99 connection latency", "µs", False))
        said.append(peak_sentence(rows, "concurrency", "connections_per_s",
                                  "short-connection rate", "connections/s",
                                  "concurrency"))
    return lines, [s for s in said if s]
