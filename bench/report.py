#!/usr/bin/env python3
"""report.py RUN_DIR: writes RUN_DIR/report.md from machine.json, profile.conf
and data/*.csv, data/verdicts.csv (the numbers behind each verdict), and
report.html, the same report as one page for a browser (reporthtml.py).

Each experiment's section is bench/sections/NN-name.py, loaded when data/NN-*
exists. A section module defines TITLE and section(ctx) -> (lines, verdicts):
markdown lines, and verdict sentences whose numbers are data strings.
"""
import csv
import importlib.util
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(HERE))
import reporthtml  # noqa: E402
import reportlib  # noqa: E402
from fmt import num  # noqa: E402


def read_profile(path):
    """KEY=VALUE lines of profile.conf (values unquoted), comments skipped."""
    out = {}
    for line in path.read_text().splitlines():
        m = re.match(r'^([A-Z_][A-Z0-9_]*)=(.*)$', line.strip())
        if m:
            out[m.group(1)] = m.group(2).strip('"')
    return out


def load_section(path):
    spec = importlib.util.spec_from_file_location(f"section_{path.stem[:2]}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def getter(m):
    """g(*keys): the value at m[k1][k2]... as text, "-" when absent."""
    def g(*keys):
        v = m
        for k in keys:
            v = v.get(k) if isinstance(v, dict) else None
        return "-" if v is None else str(v)
    return g


def host_rows(m):
    """The rows that describe one host (machine.json, or its server_machine)."""
    g = getter(m)
    rows = [
        ("host", g("host")),
        ("CPU", f"{g('cpu', 'model')}, {g('cpu', 'cpus_online')} CPUs online "
                f"({g('cpu', 'cpus_total')} in all)"),
        ("memory", f"{g('cpu', 'memory_kib')} KiB"),
        ("kernel", g("kernel")),
        ("RLIMIT_NOFILE soft/hard",
         f"{g('limits', 'rlimit_nofile', 'soft')} / {g('limits', 'rlimit_nofile', 'hard')}"),
        ("RLIMIT_NPROC soft/hard",
         f"{g('limits', 'rlimit_nproc', 'soft')} / {g('limits', 'rlimit_nproc', 'hard')}"),
    ]
    rows += [(k, str(v)) for k, v in (m.get("sysctl") or {}).items()]
    rows += [("transparent huge pages", g("transparent_hugepage")),
             ("cpufreq governor", g("cpufreq_governor"))]
    return rows


def path_lines(m):
    """Where the server ran and the path to it, when machine.json says (a
    server on its own host, SERVER_HOST; the idle round trip)."""
    path, out = m.get("path"), []
    if m.get("server_machine"):
        out += [f"**The server's host** (`SERVER_HOST={m.get('server_host')}`): the servers, "
                "spawn_cost and the memory and CPU samplers ran there; client_load ran on "
                "the machine above.", "", "| | |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in host_rows(m["server_machine"])] + [""]
    if path:
        out += [f"**Path**: {'loopback' if path.get('loopback') else 'a network (not loopback)'}"
                f", idle round trip {num(path.get('idle_rtt_us'))} µs (median of a one-byte "
                "echo on one connection).", ""]
    return out


def machine_lines(m):
    g = getter(m)
    rows = host_rows(m)
    # The build, after the kernel it ran on.
    rows[4:4] = [("compiler", g("compiler", "cc")),
                 ("build flags", f"`{g('compiler', 'flags').strip()}`")]
    rows += [
        ("git commit", g("git", "commit") + (" (with uncommitted changes)"
                                             if (m.get("git") or {}).get("dirty") else "")),
        ("client_load / hyperfine / gnuplot",
         f"{g('tools', 'client_load')} / {g('tools', 'hyperfine')} / {g('tools', 'gnuplot')}"),
    ]
    out = ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]
    out += ["", f"From [machine.json](machine.json), recorded at {g('date')}.", ""]
    out += path_lines(m)
    if "-fsanitize" in g("compiler", "flags"):
        out += ["**Warning: the programs were built with a sanitizer** (see the "
                "build flags): these are not the numbers of a normal build.", ""]
    return out


def method_lines(ctx):
    p = ctx.profile
    pin = ctx.machine.get("pinning") or \
        "none: fewer than 2 CPUs, so the server and the client share them"
    return [
        f"- **Pinning**: {pin}. Affinity is inherited, so every fork child and "
        "every thread of the server runs on the server's CPU.",
        f"- **Each point** is its own server process: started on a kernel-chosen "
        f"port (the bench waits for its `listening on` line), warmed up for "
        f"{p.get('WARMUP', '?')} s (`client_load -w`, not recorded), measured, then "
        "stopped with SIGTERM; its `--stats` accounting JSON is read after it "
        "exited, and kept in `raw/` beside the client's `--json`.",
        f"- **Repeats and intervals**: points run in interleaved pairs (fork then "
        "thread, then thread then fork, ...), so a drift of the machine hits both "
        f"models. A point with a verdict runs at least {p.get('VERDICT_REPEATS', '?')} "
        f"pairs and more, up to {p.get('MAX_REPEATS', '?')}, until the 95 % interval "
        f"of each of its ratios is within ±{num(100 * ctx.target)} % of the ratio or "
        f"its share of the profile's {p.get('TIME_BUDGET', '?')} s budget is spent; "
        f"other points run {p.get('REPEATS', '?')} pairs (`data/repeats.csv`). A "
        "verdict is the ratio of the two models' **medians** over the runs, with a "
        "percentile-bootstrap 95 % confidence interval (2,000 resamples of each "
        "model's runs, seeded by the data, `bench/stats.py`); an interval that "
        "includes 1 is reported as *no difference shown*. The plots show the "
        "median with min–max bars.",
        f"- **Interference**: around every run the bench reads `/proc/stat` for the "
        "CPUs it uses; what is left after the server's CPU (with its children), "
        "client_load's and the kernel's network work (irq, softirq, ksoftirqd) is "
        "what other programs took. A run where they (or the hypervisor's steal) took "
        f"more than {num(100 * float(p.get('DISTURB_SHARE') or 0))} % of one CPU is "
        f"*disturbed*: kept in the runs CSV, measured again (at most "
        f"{p.get('DISTURB_RETRIES', '?')} times) and left out of the statistics while "
        "two undisturbed runs remain.",
        f"- **Client saturation**: a run where client_load used at least "
        f"{num(100 * ctx.bound_share)} % of the CPUs it was given is *client-bound*: "
        "it measures the client as much as the server. The tables say so, the plots "
        "draw a grey ring around the point, and a verdict resting on one says so.",
        "- **Errors**: a run whose client counted any error (connect, read, "
        "write, timeout, protocol, ports exhausted) or exited non-zero, or whose "
        "server did not exit 0, is *flagged*: counted in the `flagged_runs` "
        "column, drawn with a black X on the plots, marked ⚠ in the tables.",
        "- **Short connections** bind their source address round-robin over "
        "127.0.0.2–127.0.0.254 (`client_load --source`), so TIME_WAIT does not "
        "exhaust the ephemeral ports. All traffic stays on 127.0.0.0/8.",
        "- **Data**: `data/NN-name-runs.csv` has one row per model × point × "
        "repeat; `data/NN-name.csv` one row per model × point with `_median`, "
        "`_min`, `_max` columns (what the plots read); `data/verdicts.csv` the "
        "numbers behind each verdict. `bench/run.sh --replot` redraws all of it.",
        "",
    ]


def verdict_table(ctx):
    """Every verdict's ratio, interval, runs and how sure it is, one line each."""
    if not ctx.verdict_rows:
        return []
    cols = reportlib.VERDICT_COLUMNS
    target = f"±{num(100 * ctx.target)} % target"
    out = ["| exp. | metric | point | better | ratio | 95 % CI | runs (fork/thread) | "
           f"{target} | notes |", "|---|---|---|---|---|---|---|---|---|"]
    for row in ctx.verdict_rows:
        v = dict(zip(cols, (str(x) for x in row)))
        ci = f"{v['ci_low']}–{v['ci_high']}" if v["ci_low"] else "-"
        better = {"fork": "fork_server", "thread": "thread_server"}.get(
            v["better"], "no difference shown")
        if v["difference"] == "single run":
            reached, better = "one run each", f"{v['better']}_server (one run)"
        else:
            reached = (f"reached (±{v['halfwidth_pct']} %)" if v["target_reached"] == "yes"
                       else f"**missed** (±{v['halfwidth_pct']} %)")
        notes = []
        if v["disturbed_runs"] != "0":
            notes.append(f"{v['disturbed_runs']} disturbed")
        if v["client_bound_runs"] != "0":
            notes.append(f"**{v['client_bound_runs']} client-bound** ⚠")
        out.append(f"| {v['experiment']} | {v['metric']} | {v['point']} | {better} | "
                   f"{v['ratio']}× | {ci} | {v['n_fork']}/{v['n_thread']} | {reached} | "
                   f"{', '.join(notes) or '-'} |")
    return out + [""]


def interference_lines(ctx):
    """The machine before the run, and every disturbed run."""
    m, out = ctx.machine, []
    before = m.get("before_run") or {}
    if before:
        busy = before.get("busy_cpus")
        out.append(f"Before the run, other programs kept {busy} CPUs busy (load average "
                   f"{before.get('loadavg')})" + (": **the machine was busy**, and the "
                   "bench said so." if before.get("busy") else ", a quiet machine.") )
        out.append("")
    rows = []
    for path in sorted((ctx.run / "data").glob("*-runs.csv")):
        for r in ctx.csv(path.name):
            if r.get("disturbed") == "1":
                rows.append((path.name[:-9], r))
    for path in sorted((ctx.run / "data").glob("*-rounds.csv")):
        for r in ctx.csv(path.name):
            if r.get("disturbed") == "1":
                rows.append((path.name[:-11], r))
    if not rows:
        return out + ["No run was disturbed: other programs never took more than the "
                      "threshold of a CPU while a point was measured.", ""]
    out += [f"{len(rows)} runs were disturbed (each measured again when retries were "
            "left). Where other programs' CPU went, per disturbed run:", "",
            "| data | server | point | other programs' CPU s | steal s | load average |",
            "|---|---|---|---|---|---|"]
    for name, r in rows:
        pt = " ".join(f"{k}={r[k]}" for k in ("concurrency", "size", "offered_rate",
                                               "ballast_mb", "workload", "round")
                      if r.get(k))
        out.append(f"| {name} | {reportlib.server(r['model'])} | {pt or '-'} | "
                   f"{r.get('others_cpu_s', '-')} | {r.get('steal_s', '-')} | "
                   f"{r.get('loadavg', '-')} |")
    return out + [""]


def main(argv):
    if len(argv) != 2:
        print("usage: report.py RUN_DIR", file=sys.stderr)
        return 2
    run = Path(argv[1])
    machine = json.loads((run / "machine.json").read_text())
    profile = read_profile(run / "profile.conf")
    ctx = reportlib.Context(run, machine, profile)

    sections, verdicts, titles = [], [], {}
    for path in sorted((HERE / "sections").glob("[0-9][0-9]-*.py")):
        nn = path.name[:2]
        if not list((run / "data").glob(f"{nn}-*.csv")):
            continue
        mod = load_section(path)
        lines, said = mod.section(ctx)
        titles[int(nn)] = mod.TITLE
        sections += [f"## {int(nn)}. {mod.TITLE}", ""] + lines
        if said:
            sections += ["**Verdict.**", ""] + [f"- {v}" for v in said] + [""]
        verdicts += said

    with open(run / "data" / "verdicts.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(reportlib.VERDICT_COLUMNS)
        w.writerows(ctx.verdict_rows)

    # The title names the run by when and where it was measured, not by its
    # folder, so a copied run (results/reference) replots byte for byte.
    out = [f"# perconn: fork_server vs thread_server, run of {machine.get('date')} on "
           f"{machine.get('host')}", "",
           f"Profile **{profile.get('PROFILE', '?')}**, experiments "
           f"{profile.get('RUN_EXPERIMENTS', '?')}, on {machine.get('host')} "
           f"({(machine.get('cpu') or {}).get('cpus_online')} CPUs). "
           "Every number below comes from this folder's `data/`; "
           "`bench/run.sh --replot` regenerates this file from it.", "",
           "## Verdict", ""]
    out += [f"- {v}" for v in verdicts] or ["- (no experiment produced data)"]
    out += [""] + verdict_table(ctx)
    out += ["", "## Machine", ""] + machine_lines(machine)
    out += ["## How it was measured", ""] + method_lines(ctx)
    out += ["## Interference", ""] + interference_lines(ctx)
    out += sections
    text = "\n".join(out).rstrip() + "\n"
    (run / "report.md").write_text(text)
    reporthtml.write(run, text, ctx, titles)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
