#!/usr/bin/env python3
"""summary.py RUNS.tsv ROUNDS: bench/bench_client/run.sh's summary, with the
statistics of the report (bench/stats.py): per mode and tool the medians
over the rounds, and client_load's ratio to wrk with its 95 % interval.

RUNS.tsv has one line per run: mode, round, tool, req/s, CPU seconds,
requests, p50 and p99 (us), errors. The bar: client_load serves at least
wrk's requests/s (ratio of medians >= 1) at no more CPU per request; a
missed bar says whether its interval shows the shortfall (excludes 1) or
not.
"""
import sys
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import stats  # noqa: E402

MODES = ("keep-alive", "close")
TOOLS = ("client_load", "wrk")


def read(path):
    """{(mode, tool): [run dict]} from RUNS.tsv."""
    runs = {}
    for line in Path(path).read_text().splitlines():
        mode, _, tool, rps, cpu, req, p50, p99, _ = line.split("\t")
        runs.setdefault((mode, tool), []).append({
            "rps": float(rps), "cpu1k": float(cpu) * 1000 / float(req) if float(req) else 0,
            "p50": float(p50), "p99": float(p99)})
    return runs


def med(rows, key):
    return stats.median([r[key] for r in rows])


def shortfall(what, iv, shown_if):
    """'ratio < 1 (shown)': WHAT, and whether IV excludes 1 on its side."""
    shown = iv.high < 1 if shown_if == "low" else iv.low > 1
    return f"{what} ({'shown' if shown else 'not shown: its interval includes 1'})"


def bar(speed, cpu):
    """The bar for one mode from the two ratio intervals (client_load/wrk)."""
    why = []
    if speed.ratio < 1:
        why.append(shortfall("ratio < 1", speed, "low"))
    if cpu.ratio > 1:
        why.append(shortfall("more CPU per request", cpu, "high"))
    return "met" if not why else "NOT met: " + "; ".join(why)


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: summary.py RUNS.tsv ROUNDS")
    runs = read(argv[1])
    print()
    print(f"# medians over {argv[2]} rounds; ratio = client_load's median req/s over "
          "wrk's, 95 % CI (bootstrap, bench/stats.py)")
    print(f"{'mode':<10} {'tool':<11} {'req/s':>10} {'cpu_s/1k':>10} {'p50_us':>9} "
          f"{'p99_us':>9}  ratio (95 % CI)   bar")
    for mode in MODES:
        mine = {t: runs.get((mode, t), []) for t in TOOLS}
        if not all(mine.values()):
            print(f"{mode:<10} (no complete runs)")
            continue
        speed = stats.bootstrap_ratio([r["rps"] for r in mine["client_load"]],
                                      [r["rps"] for r in mine["wrk"]])
        cpu = stats.bootstrap_ratio([r["cpu1k"] for r in mine["client_load"]],
                                    [r["cpu1k"] for r in mine["wrk"]])
        for tool in TOOLS:
            rows = mine[tool]
            line = (f"{mode:<10} {tool:<11} {med(rows, 'rps'):10.0f} {med(rows, 'cpu1k'):10.4f} "
                    f"{med(rows, 'p50'):9.1f} {med(rows, 'p99'):9.1f}")
            if tool == "client_load":
                line += f"  {speed.ratio:.3f} ({speed.low:.2f}–{speed.high:.2f})"
            else:
                line += f"  {'':<17} {bar(speed, cpu)}"
            print(line)


if __name__ == "__main__":
    main(sys.argv)
