"""Experiment 8: idle capacity and memory per connection (report section)."""
from reportlib import compare

TITLE = "Idle connections: how much memory does each one cost, and how far can each model go?"

NAMES = {"fork": "fork_server", "thread": "thread_server"}


def name(variant, stack):
    if variant in NAMES:
        return NAMES[variant]
    return f"thread_server --stack-size {stack}"


def section(ctx):
    rows = ctx.csv("08-idle.csv")
    limits = ctx.csv("08-idle-limits.csv")
    p = ctx.profile
    lines = [
        f"For each K of {', '.join(p.get('IDLE_CONNS', '').split())} (capped by the "
        "limits below), one server: its memory is sampled (`bench/memsample.sh`), "
        "`tcpcheck hold PORT K` opens K echo connections that never send, the bench "
        "waits until the server has a child (fork_server) or a thread "
        "(thread_server) for each, and samples again. Memory added = the PSS "
        "delta summed over the server and all its descendants (`smaps_rollup`: "
        "pages a child shares with its parent count once) + the machine's "
        "`PageTables` and `KernelStack` deltas from `/proc/meminfo` (machine-wide: "
        "anything else running moves them too). Socket buffers are not counted. "
        f"thread_server also runs with `--stack-size {p.get('IDLE_SMALL_STACK_KIB')}` "
        "(KiB).", ""]
    if limits:
        lines += ["The limits that bound K (read when the experiment ran):", "",
                  "| limit | value |", "|---|---|"]
        lines += [f"| {r['limit']} | {r['value']} |" for r in limits] + [""]
    lines += ctx.figure("08-idle", "memory vs idle connections held")
    head = ["server", "K asked", "held", "PSS Δ KiB", "page tables Δ KiB",
            "kernel stacks Δ KiB", "total MiB", "KiB per connection", "stopped by"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        held = r["held"] if r["flagged_runs"] == "0" else f"**{r['held']}** ⚠"
        lines.append("| " + " | ".join([
            name(r["variant"], r["stack_kib"]), r["conns"], held, r["pss_delta_kib"],
            r["page_tables_delta_kib"], r["kernel_stack_delta_kib"], r["total_mib"],
            r["kib_per_conn"] or "-", r["stopped_by"] or "-"]) + " |")
    lines.append("")
    said = []
    variants = []
    for r in rows:
        if r["variant"] not in variants:
            variants.append(r["variant"])
    # Memory per connection at the largest K that every variant held in full.
    full = [r for r in rows if r["flagged_runs"] == "0"]
    common = None
    for v in variants:
        ks = {r["conns"] for r in full if r["variant"] == v}
        common = ks if common is None else common & ks
    if common:
        k = max(common, key=int)
        at = {r["variant"]: r for r in full if r["conns"] == k}
        parts = [f"{name(v, at[v]['stack_kib'])} {at[v]['kib_per_conn']} KiB "
                 f"({at[v]['total_mib']} MiB in all)" for v in variants if v in at]
        text = f"Holding {k} idle connections cost, per connection: " + ", ".join(parts)
        n = "/".join(at[v]["n"] for v in variants if v in at)
        said.append(text + f" (median of {n} runs; the kernel deltas are machine-wide).")
        both = [r for r in ctx.csv("08-idle-points.csv")
                if r["variant"] in ("fork", "thread") and r["errors"] == "0"]
        text = compare(ctx, 8, both, {"conns": k}, f"holding {k} idle connections",
                       "kib_per_conn", "memory per connection", "KiB", False)
        if text:
            said.append(text)
    for v in variants:
        mine = [r for r in rows if r["variant"] == v]
        stop = next((r for r in mine if r["flagged_runs"] != "0"), None)
        who = name(v, mine[0]["stack_kib"])
        if stop:
            said.append(f"{who} stopped short: {stop['held']} of {stop['conns']} "
                        "connections served (what stopped it is in the table).")
        else:
            said.append(f"{who} held every K tried, up to {mine[-1]['conns']}.")
    return lines, said
