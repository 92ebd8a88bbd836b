"""Experiment 9: open loop relative to capacity (report section)."""
from derive import bounds, rate_groups, sustainable
from reportlib import server, state, table
import stats

TITLE = "Open loop: what rate can each model sustain, and where does it break?"


def section(ctx):
    rows = ctx.csv("09-openloop.csv")
    caps = {r["model"]: r for r in ctx.csv("09-openloop-capacity.csv")}
    knees = {r["model"]: r for r in ctx.csv("09-openloop-knee.csv")}
    sus = ctx.csv("09-openloop-sustainable.csv")
    p = ctx.profile
    lines = [
        "The offered rates come from this machine: first each model's closed-loop "
        f"capacity for the same workload (`client_load -P echo -r 1 -c "
        f"{next(iter(caps.values()), {}).get('concurrency', '?')}`, connections/s), "
        f"then an unloaded run per model at {p.get('OPENLOOP_UNLOADED_FRACTION')} of "
        f"the faster model's capacity, long enough for "
        f"{p.get('OPENLOOP_UNLOADED_REQUESTS')} requests, then "
        f"{p.get('OPENLOOP_REPEATS')} interleaved rounds offering each model "
        f"{', '.join(p.get('OPENLOOP_SHARED', '').split())} × the faster model's "
        f"capacity and {', '.join(p.get('OPENLOOP_AROUND', '').split())} × its own "
        f"(`client_load -R RATE -r 1 -c {p.get('OPENLOOP_CONCURRENCY')} -d "
        f"{p.get('OPENLOOP_DURATION')}`). Requests leave on a fixed schedule whatever "
        "the server does (wrk2's open loop) and each latency runs from the request's "
        "*intended* start, connect included, so a server that falls behind shows as "
        "queueing. `missed` counts requests due while all connections were busy. "
        "The **maximum sustainable rate** under a latency bound is the highest "
        f"offered rate whose runs achieved at least {p.get('OPENLOOP_ACHIEVED')} of it "
        "with p99 under the bound (medians over the rate's runs); its interval is a "
        "bootstrap over those runs.", ""]
    lines += ctx.figure("09-openloop", "latency and achieved rate vs offered rate")
    if caps:
        lines += ["| server | capacity (closed loop) conn/s | unloaded p50 µs | unloaded "
                  "p99 µs | from requests | peak achieved/s | at offered/s | errors from "
                  "offered/s | highest offered/s (× capacity) |", "|---|---|---|---|---|---|---|---|---|"]
        for m in ("fork", "thread"):
            k = knees.get(m)
            if k:
                lines.append(f"| {server(m)} | {k['capacity_per_s']} | {k['unloaded_p50_us']} | "
                             f"{k['unloaded_p99_us']} | {k['unloaded_requests']} | "
                             f"{k['peak_achieved_per_s']} | {k['peak_at_offered']} | "
                             f"{k['first_error_rate'] or 'none'} | {k['highest_rate']} "
                             f"({k['highest_over_capacity']}×) |")
        lines.append("")
    if sus:
        lines += ["| server | p99 bound | bound µs | sustainable rate/s | × its capacity |",
                  "|---|---|---|---|---|"]
        lines += [f"| {server(r['model'])} | {r['bound']} | {r['bound_us']} | "
                  f"{r['sustainable_rate'] or 'none'} | {r['over_capacity'] or '-'} |"
                  for r in sus]
        lines.append("")
    lines += table(rows, "offered_rate", "offered requests/s", [
        ("fraction", "× faster capacity"), ("requests_per_s", "achieved requests/s"),
        ("request_p50_us", "p50 µs"), ("request_p99_us", "p99 µs"), ("missed", "missed")])
    said = []
    for m in ("fork", "thread"):
        k = knees.get(m)
        if k:
            err = (f"client errors began at {k['first_error_rate']} requests/s offered"
                   if k["first_error_rate"] else "no client errors at any rate")
            said.append(f"{server(m)}: closed-loop capacity {k['capacity_per_s']} "
                        f"connections/s; unloaded p99 {k['unloaded_p99_us']} µs (from "
                        f"{k['unloaded_requests']} requests); its achieved rate peaked at "
                        f"{k['peak_achieved_per_s']} requests/s (offered "
                        f"{k['peak_at_offered']}), and {err}; offered up to "
                        f"{k['highest_rate']} requests/s ({k['highest_over_capacity']}× its "
                        "capacity).")
    said += sustainable_verdicts(ctx, sus, knees)
    return lines, [s for s in said if s]


def sustainable_verdicts(ctx, sus, knees):
    """Per latency bound: the two sustainable rates, their ratio and its
    bootstrap interval over the runs at each rate."""
    runs = ctx.csv("09-openloop-runs.csv")
    share = float(ctx.profile.get("OPENLOOP_ACHIEVED") or 0.95)
    groups = {m: rate_groups(runs, m) for m in ("fork", "thread")}
    out = []
    for name, _ in bounds(ctx.profile, 1.0):
        mine = {r["model"]: r for r in sus if r["bound"] == name}
        f, t = mine.get("fork"), mine.get("thread")
        if not (f and t):
            continue
        if not (f["sustainable_rate"] and t["sustainable_rate"]):
            none = [server(r["model"]) for r in (f, t) if not r["sustainable_rate"]]
            out.append(f"Under a p99 bound of {name}: {' and '.join(none)} sustained no "
                       "rate offered.")
            continue
        # Each model under its own bound: a relative bound differs between them.
        fb, tb = float(f["bound_us"]), float(t["bound_us"])
        iv = stats.bootstrap_groups(groups["fork"], groups["thread"],
                                    lambda g: sustainable(g, fb, share),
                                    lambda g: sustainable(g, tb, share))
        per_rate = min(len(v) for g in groups.values() for v in g.values())
        med = {"fork": f["sustainable_rate"], "thread": t["sustainable_rate"]}
        n = {m: per_rate for m in med}
        label = "bound=" + name.replace(" ", "_")
        text = state(ctx, 9, "sustainable_rate", label, med, n,
                     iv if per_rate > 1 else None, True,
                     f"with p99 under {name}", "maximum sustainable offered rate",
                     "requests/s", verb="sustained")
        out.append(text + (f" (Runs per offered rate: {per_rate}.)" if per_rate > 1 else ""))
    return out
