"""Experiment 4: reply-size sweep (report section)."""
from reportlib import compare, keys_of, table

TITLE = "Payload: at what reply size does the model stop mattering?"


def section(ctx):
    rows = ctx.csv("04-payload.csv")
    p = ctx.profile
    lines = [
        f"Size protocol, a new connection per reply, {p.get('PAYLOAD_CONCURRENCY')} "
        f"concurrent connections (`client_load -P size -r 1 -c "
        f"{p.get('PAYLOAD_CONCURRENCY')} -s SIZE`), for replies of "
        f"{', '.join(p.get('PAYLOAD_SIZES', '').split())} bytes. MB/s counts reply "
        "bytes received by the client, 10^6 bytes per MB. As the reply grows, "
        "copying it outweighs the spawn, and the models should converge.", ""]
    lines += ctx.figure("04-payload", "MB/s vs reply size")
    lines += table(rows, "size", "reply bytes", [
        ("mb_per_s", "MB/s"), ("connections_per_s", "connections/s"),
        ("request_p99_us", "request p99 µs")])
    runs = ctx.csv("04-payload-runs.csv")
    sizes = keys_of(rows, "size")
    said = []
    for s in ([sizes[0], sizes[-1]] if len(sizes) > 1 else sizes):
        said.append(compare(ctx, 4, runs, {"size": s}, f"with {s}-byte replies",
                            "mb_per_s", "throughput", "MB/s", True))
    return lines, [s for s in said if s]
