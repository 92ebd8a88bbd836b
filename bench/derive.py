#!/usr/bin/env python3
"""derive.py NN DATA_DIR: the derived tables of experiments 3 and 5-9, from
their data/*.csv (run by each experiment's finish step, and so by --replot).

  03  03-stevens.csv: per model, hyperfine's timed runs of Stevens' job over
      the usable rounds (undisturbed, while two runs remain): mean, standard
      deviation, median, min, max, and the servers' accounting summed over
      those rounds.
  05  05-spectrum.csv (the medians, as summarize.py) and
      05-spectrum-points.csv: the connection-latency spectrum of every
      usable run, from its client JSON in raw/.
  06  06-spawn-primitive.csv: the rounds of 06-spawn-rounds.csv per model
      and parent size (median, min, max over the usable ones); 06-spawn.csv:
      one row per bar of the figure: the spawn primitive at each parent size
      and the server's CPU per connection, per model, with the primitive's
      share of the server's CPU (at the smallest ballast).
  07  07-ballast.csv (the medians, as summarize.py) and 07-ballast-fit.csv: least-squares line through every run's server CPU
      per connection, and through 10^6 / connections_per_s (wall time per
      connection), against --ballast-mb, per model; slope per 100 MiB.
  08  08-idle-points.csv: memory deltas while holding K idle connections,
      total and per connection, per run of 08-idle-runs.csv; 08-idle.csv:
      their medians per variant and K.
  12  12-stevens-table-cpu.csv and 12-stevens-table.csv: Stevens' table.
  09  09-openloop-capacity.csv: each model's closed-loop capacity;
      09-openloop.csv (the medians, as summarize.py); 09-openloop-knee.csv:
      per model its capacity, the unloaded latency, the peak achieved rate,
      where errors began, the highest rate offered; 09-openloop-sustainable.csv:
      per model and latency bound the maximum sustainable rate, the highest
      offered rate whose runs achieved OPENLOOP_ACHIEVED of it with p99 under
      the bound (medians over the rate's runs).

Numbers are written by fmt.num, and the report quotes them as written.
"""
import csv
import json
import math
import re
import statistics
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fmt import num  # noqa: E402
from stats import bootstrap_ratio, usable  # noqa: E402
import summarize  # noqa: E402

MODELS = ("fork", "thread")
# The bar labels: no commas (gnuplot splits quoted CSV fields at them).
PRIMITIVE = {"fork": "fork+exit+wait", "thread": "pthread_create+join"}
PER_MIB = 100


def read(data, name):
    path = data / name
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write(data, name, header, rows):
    with open(data / name, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def fnum(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def profile(data):
    """The run's profile.conf (next to data/) as a dict of strings."""
    out = {}
    path = data.parent / "profile.conf"
    for line in path.read_text().splitlines() if path.exists() else []:
        m = re.match(r'^([A-Z_][A-Z0-9_]*)=(.*)$', line.strip())
        if m:
            out[m.group(1)] = m.group(2).strip('"')
    return out


def stevens(data):
    runs = read(data, "03-stevens-runs.csv")
    rounds = read(data, "03-stevens-rounds.csv")
    p = profile(data)
    conns = float(p.get("STEVENS_CONNECTIONS", "0") or 0)
    header = ["model", "clients", "connections", "size", "runs", "mean_s", "stddev_s",
              "median_s", "min_s", "max_s", "us_per_conn", "errors", "flagged_runs",
              "server_rc", "server_accepted", "server_cpu_us_per_conn", "disturbed_runs",
              "disturbed_used", "client_bound_runs"]
    rows = []
    for m in MODELS:
        mine = usable([r for r in runs if r["model"] == m])
        if not mine:
            continue
        used = {(r["round"], r["attempt"]) for r in mine}
        rnds = [r for r in rounds if r["model"] == m and (r["round"], r["attempt"]) in used]
        times = [float(r["time_s"]) for r in mine]
        mean = statistics.fmean(times)
        errors = sum(int(r["errors"] or 1) for r in rnds)
        bad_rounds = sum(1 for r in rnds if r["errors"] != "0" or r["server_rc"] != "0")
        accepted = sum(int(r["server_accepted"] or 0) for r in rnds)
        cpu = sum(float(r["server_cpu_s"] or 0) for r in rnds)
        rows.append([
            m, p.get("STEVENS_CLIENTS", ""), p.get("STEVENS_CONNECTIONS", ""),
            p.get("STEVENS_SIZE", ""), str(len(times)), num(mean),
            num(statistics.stdev(times)) if len(times) > 1 else "0",
            num(statistics.median(times)), num(min(times)), num(max(times)),
            num(mean / conns * 1e6) if conns else "",
            str(errors), str(sum(r["exit_code"] != "0" for r in mine) + bad_rounds),
            str(max((int(r["server_rc"]) for r in rnds), default=0)), str(accepted),
            num(cpu / accepted * 1e6) if accepted else "",
            str(sum(r["disturbed"] == "1" for r in runs if r["model"] == m)),
            str(sum(r["disturbed"] == "1" for r in mine)),
            str(sum(r["client_bound"] == "1" for r in rnds))])
    write(data, "03-stevens.csv", header, rows)


def spectrum(data):
    medians(data, "05-spectrum", ["model", "concurrency"],
            ["connection_p50_us", "connection_p90_us", "connection_p99_us",
             "connection_p99_9_us", "connection_max_us"])
    runs = read(data, "05-spectrum-runs.csv")
    rows = []
    for m in MODELS:
        for k, r in enumerate(usable([r for r in runs if r["model"] == m]), 1):
            name = (f"05-spectrum-{m}-c{r['concurrency']}-s{r['size']}-"
                    f"r{r['requests_per_conn']}-rep{r['repeat']}")
            if r["attempt"] != "1":
                name += f"-a{r['attempt']}"
            path = data.parent / "raw" / f"{name}.client.json"
            if not path.exists():
                continue
            spec = json.loads(path.read_text())["latency_us"]["connection"].get("spectrum", [])
            bad = "1" if summarize.flagged(r) else "0"
            for step in spec:
                pct = float(step["percentile"])
                if pct < 100:
                    rows.append([m, str(k), f"{step['percentile']}",
                                 num(1 / (1 - pct / 100)), f"{step['value_us']}", bad])
    write(data, "05-spectrum-points.csv",
          ["model", "repeat", "percentile", "tail", "value_us", "flagged"], rows)


def spawn(data):
    rounds = read(data, "06-spawn-rounds.csv")
    prim = []
    for m in MODELS:
        mine = [r for r in rounds if r["model"] == m]
        for mib in sorted({r["ballast_mb"] for r in mine}, key=float):
            use = usable([r for r in mine if r["ballast_mb"] == mib])
            us = [float(r["us"]) for r in use]
            prim.append({"model": m, "ballast_mb": mib, "calls": use[0]["calls"],
                         "rounds": str(len(us)), "us_median": num(statistics.median(us)),
                         "us_min": num(min(us)), "us_max": num(max(us))})
    write(data, "06-spawn-primitive.csv", list(prim[0]) if prim else ["model"],
          [list(r.values()) for r in prim])
    servers = {r["model"]: r for r in read(data, "06-spawn-server.csv")}
    header = ["model", "bar", "kind", "ballast_mb", "us_median", "us_min", "us_max",
              "share_pct", "source", "n", "errors", "flagged_runs"]
    rows = []
    for m in MODELS:
        mine = [r for r in prim if r["model"] == m]
        for r in mine:
            rows.append([m, f"{PRIMITIVE[m]} alone ({r['ballast_mb']} MiB parent)", "primitive",
                         r["ballast_mb"], r["us_median"], r["us_min"], r["us_max"], "",
                         "spawn_cost", r["rounds"], "0", "0"])
        s = servers.get(m)
        if s and s["server_cpu_us_per_conn"] != "":
            share = ""
            if mine and float(s["server_cpu_us_per_conn"]) > 0:
                share = num(100 * float(mine[0]["us_median"])
                            / float(s["server_cpu_us_per_conn"]))
            v = s["server_cpu_us_per_conn"]
            rows.append([m, f"{m}_server CPU per connection", "server", "", v, v, v,
                         share, s["source"], "1", s["errors"], s["flagged_runs"]])
    write(data, "06-spawn.csv", header, rows)


def fit(points):
    """Least squares y = a + b x; (b, a) or None with fewer than 2 x values."""
    if len({x for x, _ in points}) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    b = sxy / sxx
    return b, my - b * mx


def medians(data, exp, keys, metrics):
    """data/EXP.csv from data/EXP-runs.csv, as bench/summarize.py does (one
    python start less: on some VMs each costs a second)."""
    table = summarize.summarize(read(data, f"{exp}-runs.csv"), keys, metrics)
    write(data, f"{exp}.csv", table[0], table[1:])


def ballast(data):
    medians(data, "07-ballast", ["model", "ballast_mb"],
            ["connections_per_s", "connect_p99_us", "connection_p99_us",
             "server_cpu_us_per_conn"])
    runs = read(data, "07-ballast-runs.csv")
    header = ["model", "metric", "slope_us_per_100mib", "intercept_us", "per_mib",
              "points", "ballast_min_mb", "ballast_max_mb"]
    rows = []
    for metric in ("server_cpu_us_per_conn", "wall_us_per_conn"):
        for m in MODELS:
            pts = []
            for r in runs:
                x = fnum(r["ballast_mb"])
                if r["model"] != m or x is None:
                    continue
                if metric == "wall_us_per_conn":
                    rate = fnum(r["connections_per_s"])
                    y = 1e6 / rate if rate else None
                else:
                    y = fnum(r[metric])
                if y is not None:
                    pts.append((x, y))
            line = fit(pts)
            if line is None:
                continue
            rows.append([m, metric, num(line[0] * PER_MIB), num(line[1]), str(PER_MIB),
                         str(len(pts)), num(min(x for x, _ in pts)),
                         num(max(x for x, _ in pts))])
    write(data, "07-ballast-fit.csv", header, rows)


def idle(data):
    runs = read(data, "08-idle-runs.csv")
    order = {}
    points = []
    for r in runs:
        order.setdefault(r["variant"], len(order))
        pss = float(r["pss_kib"]) - float(r["pss_before_kib"])
        pt = float(r["page_tables_kib"]) - float(r["page_tables_before_kib"])
        ks = float(r["kernel_stack_kib"]) - float(r["kernel_stack_before_kib"])
        held = int(r["held"])
        # Rounded as written, so the medians below are of the written values.
        per = float(num((pss + pt + ks) / held)) if held > 0 else None
        bad = held < int(r["conns"]) or r["client_rc"] != "0" or r["server_rc"] != "0"
        points.append({"model": r["model"], "variant": r["variant"],
                       "stack_kib": r["stack_kib"], "conns": r["conns"],
                       "repeat": r.get("repeat", "1"), "held": r["held"],
                       "pss_delta_kib": pss, "page_tables_delta_kib": pt,
                       "kernel_stack_delta_kib": ks, "total_kib": pss + pt + ks,
                       "kib_per_conn": per,
                       "processes": r["processes"], "threads": r["threads"],
                       "stopped_by": r["stopped_by"], "errors": "1" if bad else "0"})
    cols = list(points[0]) if points else ["model"]
    write(data, "08-idle-points.csv", cols,
          [[num(v) if isinstance(v, float) else ("" if v is None else v)
            for v in p.values()] for p in points])
    # One row per variant x K: the medians of its repeats.
    header = ["model", "variant", "stack_kib", "conns", "held", "pss_delta_kib",
              "page_tables_delta_kib", "kernel_stack_delta_kib", "total_kib", "total_mib",
              "kib_per_conn", "processes", "threads", "stopped_by", "n", "errors",
              "flagged_runs"]
    groups = {}
    for p in points:
        groups.setdefault((p["variant"], p["conns"]), []).append(p)
    rows = []
    for (variant, conns), ps in groups.items():
        def med(key):
            vals = [p[key] for p in ps if p[key] is not None]
            return statistics.median(vals) if vals else None
        bad = [p for p in ps if p["errors"] == "1"]
        first = (bad or ps)[0]
        per = med("kib_per_conn")
        rows.append([first["model"], variant, first["stack_kib"], conns,
                     str(min(int(p["held"]) for p in ps)), num(med("pss_delta_kib")),
                     num(med("page_tables_delta_kib")), num(med("kernel_stack_delta_kib")),
                     num(med("total_kib")), num(med("total_kib") / 1024),
                     num(per) if per is not None else "", first["processes"],
                     first["threads"], first["stopped_by"], str(len(ps)), str(len(bad)),
                     str(len(bad))])
    rows.sort(key=lambda x: (order[x[1]], int(x[3])))
    write(data, "08-idle.csv", header, rows)


def capacity(data):
    """09-openloop-capacity.csv: each model's closed-loop connections/s."""
    runs = read(data, "09-openloop-capacity-runs.csv")
    rows = []
    for m in MODELS:
        use = usable([r for r in runs if r["model"] == m])
        vals = [float(r["connections_per_s"]) for r in use if fnum(r["connections_per_s"])]
        if vals:
            rows.append([m, num(statistics.median(vals)), str(len(vals)),
                         use[0]["concurrency"]])
    write(data, "09-openloop-capacity.csv",
          ["model", "capacity_per_s", "n", "concurrency"], rows)
    return {r[0]: float(r[1]) for r in rows}


def rate_groups(runs, model):
    """{offered rate: [(achieved/s, p99 µs), ...]} of MODEL's usable runs."""
    groups = {}
    for rate in {r["offered_rate"] for r in runs if r["model"] == model}:
        use = usable([r for r in runs if r["model"] == model and r["offered_rate"] == rate])
        # Runs with errors count too: timeouts past the knee are the behaviour,
        # and a run that completed no request has an infinite p99.
        pts = [(fnum(r["requests_per_s"]) or 0.0, fnum(r["request_p99_us"]) or math.inf)
               for r in use]
        if pts:
            groups[float(rate)] = pts
    return groups


def sustainable(groups, bound_us, share):
    """The highest offered rate whose runs achieved at least SHARE of it and
    kept p99 under BOUND_US (medians over the rate's runs), or None."""
    ok = [rate for rate, pts in groups.items()
          if statistics.median(a for a, _ in pts) >= share * rate
          and statistics.median(p for _, p in pts) < bound_us]
    return max(ok) if ok else None


def bounds(profile_vars, unloaded_p99):
    """[(name, µs)]: OPENLOOP_P99_FACTOR x the unloaded p99, and each of
    OPENLOOP_P99_BOUNDS_MS."""
    factor = float(profile_vars.get("OPENLOOP_P99_FACTOR") or 10)
    out = [(f"{num(factor)}x unloaded p99", factor * unloaded_p99)]
    for ms in (profile_vars.get("OPENLOOP_P99_BOUNDS_MS") or "").split():
        out.append((f"{ms} ms", float(ms) * 1000))
    return out


def knee(data):
    caps = capacity(data)
    medians(data, "09-openloop", ["model", "offered_rate", "fraction"],
            ["requests_per_s", "request_p50_us", "request_p99_us", "connect_p99_us",
             "missed"])
    runs = read(data, "09-openloop-runs.csv")
    if not runs:
        return
    p = profile(data)
    share = float(p.get("OPENLOOP_ACHIEVED") or 0.95)
    knees, sus = [], []
    for m in MODELS:
        mine = [r for r in runs if r["model"] == m]
        # Unloaded runs that measured a latency (a run whose client failed,
        # as on a machine too busy to serve it, has none).
        unl = [r for r in usable([r for r in mine if r["phase"] == "unloaded"])
               if fnum(r["request_p99_us"]) and fnum(r["request_p50_us"])]
        groups = rate_groups(runs, m)
        if not unl or not groups:
            continue
        # The quietest unloaded run's p99: a hiccup in one run (a VM's vCPU
        # descheduled for a few ms) would otherwise move every relative bound.
        u99 = min(float(r["request_p99_us"]) for r in unl)
        u50 = statistics.median(float(r["request_p50_us"]) for r in unl)
        requests = sum(float(r["requests_per_s"]) * float(r["duration_s"]) for r in unl)
        med = {rate: statistics.median(a for a, _ in pts) for rate, pts in groups.items()}
        peak = max(med, key=lambda rate: med[rate])
        errs = sorted(float(r["offered_rate"]) for r in mine if summarize.flagged(r))
        own = caps.get(m)
        top = max(float(r["offered_rate"]) for r in mine)
        knees.append([m, num(own) if own else "", unl[0]["offered_rate"], num(requests),
                      num(u50), num(u99), num(med[peak]), num(peak),
                      num(errs[0]) if errs else "", num(top),
                      num(top / own) if own else "",
                      str(min(len(v) for v in groups.values()))])

        for name, us in bounds(p, u99):
            rate = sustainable(groups, us, share)
            at = statistics.median(q for _, q in groups[rate]) if rate else None
            at = at if at is not None and at != math.inf else None
            sus.append([m, name, num(us), num(rate) if rate else "",
                        num(rate / own) if rate and own else "", num(at) if at else "",
                        str(len(groups))])
    write(data, "09-openloop-knee.csv",
          ["model", "capacity_per_s", "unloaded_rate", "unloaded_requests",
           "unloaded_p50_us", "unloaded_p99_us", "peak_achieved_per_s", "peak_at_offered",
           "first_error_rate", "highest_rate", "highest_over_capacity", "runs_per_rate"],
          knees)
    write(data, "09-openloop-sustainable.csv",
          ["model", "bound", "bound_us", "sustainable_rate", "over_capacity", "p99_us",
           "rates"], sus)


TABLE_ROWS = {"fork-iterative": ("0", "iterative"), "fork": ("1", "per_accept"),
              "fork-prespawn": ("2", "pool"), "thread-iterative": ("0", "iterative"),
              "thread": ("6", "per_accept"), "thread-prespawn": ("7", "pool")}


def stevens_table(data):
    """12-stevens-table-cpu.csv: each round's server CPU per connection;
    12-stevens-table.csv: per server, medians of its usable runs and rounds,
    process-control CPU (its CPU per connection minus its model's iterative
    server's: what Stevens subtracted) and its ratios to fork per accept,
    wall time and CPU, with bootstrap intervals (bench/stats.py)."""
    runs = read(data, "12-stevens-table-runs.csv")
    rounds = read(data, "12-stevens-table-rounds.csv")
    if not runs:
        return
    # Rows 1 and 6 (one per accept) from experiment 3 when it timed them.
    have = {r["variant"] for r in runs}
    for name in ("03-stevens-runs.csv", "03-stevens-rounds.csv"):
        extra = [dict(r, variant=r["model"]) for r in read(data, name)
                 if r["model"] not in have]
        (runs if "runs" in name else rounds).extend(extra)
    p = profile(data)
    cpu_rows = []
    for r in rounds:
        acc, cpu = fnum(r["server_accepted"]), fnum(r["server_cpu_s"])
        if acc and cpu is not None:
            cpu_rows.append({"model": r["model"], "variant": r["variant"],
                             "mode": TABLE_ROWS[r["variant"]][1], "round": r["round"],
                             "attempt": r["attempt"], "disturbed": r["disturbed"],
                             "errors": r["errors"], "server_rc": r["server_rc"],
                             "cpu_us_per_conn": num(cpu / acc * 1e6)})
    write(data, "12-stevens-table-cpu.csv", list(cpu_rows[0]) if cpu_rows else ["model"],
          [list(r.values()) for r in cpu_rows])
    wall = {v: [float(r["time_s"]) for r in usable([x for x in runs if x["variant"] == v])]
            for v in TABLE_ROWS}
    cpu = {v: [float(r["cpu_us_per_conn"]) for r in
               usable([x for x in cpu_rows if x["variant"] == v])] for v in TABLE_ROWS}
    med = {v: statistics.median(x) for v, x in cpu.items() if x}
    rows = []
    for v, (row, mode) in TABLE_ROWS.items():
        if not wall[v] or not cpu[v]:
            continue
        model = v.split("-")[0]
        base = med.get(f"{model}-iterative")
        line = [row, v, model, mode, p.get("STEVENS_TABLE_POOL", "") if mode == "pool" else "",
                str(len(cpu[v])), str(len(wall[v])), num(statistics.median(wall[v])),
                num(statistics.median(cpu[v])),
                num(med[v] - base) if base is not None else ""]
        for mine, ref in ((wall[v], wall["fork"]), (cpu[v], cpu["fork"])):
            if ref and len(mine) > 1 and len(ref) > 1:
                iv = bootstrap_ratio(mine, ref)
                line += [num(iv.ratio), num(iv.low), num(iv.high)]
            elif ref:
                line += [num(statistics.median(mine) / statistics.median(ref)), "", ""]
            else:
                line += ["", "", ""]
        rows.append(line)
    write(data, "12-stevens-table.csv",
          ["stevens_row", "variant", "model", "mode", "pool", "rounds", "runs", "wall_s",
           "cpu_us_per_conn", "process_control_us", "wall_vs_fork", "wall_ci_low",
           "wall_ci_high", "cpu_vs_fork", "cpu_ci_low", "cpu_ci_high"], rows)


def main(argv):
    steps = {"03": stevens, "05": spectrum, "06": spawn, "07": ballast, "08": idle,
             "09": knee, "12": stevens_table}
    if len(argv) != 3 or argv[1] not in steps:
        print("usage: derive.py 03|05|06|07|08|09|12 DATA_DIR", file=sys.stderr)
        return 2
    steps[argv[1]](Path(argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
