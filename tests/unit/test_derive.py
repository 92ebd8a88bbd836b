#!/usr/bin/env python3
"""Unit tests of bench/derive.py on synthetic run folders: what a run whose
client measured nothing does to the derived tables."""
import csv
import re
import sys
import tempfile
import unittest
from pathlib import Path

sys.dont_write_bytecode = True
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import derive  # noqa: E402


def lib_columns(name):
    """A column list of bench/lib.sh (RUN_COLUMNS, WIN_COLUMNS)."""
    m = re.search(rf"^{name}=(\S+)$", (ROOT / "bench/lib.sh").read_text(), re.M)
    return m.group(1).split(",")


COLUMNS = lib_columns("RUN_COLUMNS") + lib_columns("WIN_COLUMNS") + [
    "offered_rate", "fraction", "phase", "duration_s"]


def run(model, rate, phase, achieved, p99, **extra):
    """One row of 09-openloop-runs.csv: every column "0" unless given."""
    row = dict.fromkeys(COLUMNS, "0")
    row.update(model=model, concurrency="4", offered_rate=str(rate), phase=phase,
               fraction="0.5", duration_s="1", requests_per_s=str(achieved),
               request_p50_us=str(p99 / 2) if p99 != "" else "", request_p99_us=str(p99))
    row.update(extra)
    return row


def write(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class Knee(unittest.TestCase):
    def derive(self, extra_unloaded):
        data = Path(tempfile.mkdtemp()) / "data"
        data.mkdir()
        (data.parent / "profile.conf").write_text('OPENLOOP_P99_BOUNDS_MS="10"\n')
        rows = []
        for m in ("fork", "thread"):
            rows += [run(m, 100, "unloaded", 100, 200), run(m, 100, "unloaded", 100, 300),
                     run(m, 1000, "sweep", 990, 500), run(m, 2000, "sweep", 1000, 90000)]
        rows += extra_unloaded
        write(data / "09-openloop-runs.csv", rows)
        derive.knee(data)
        return read(data / "09-openloop-knee.csv"), read(data / "09-openloop-sustainable.csv")

    def test_unloaded_p99_is_the_quietest_run(self):
        knees, sus = self.derive([])
        self.assertEqual([k["unloaded_p99_us"] for k in knees], ["200", "200"])
        self.assertEqual({s["sustainable_rate"] for s in sus}, {"1000"})

    def test_an_unloaded_run_that_measured_nothing_is_left_out(self):
        # A client that failed (no JSON) leaves its latencies empty.
        knees, sus = self.derive([run("fork", 100, "unloaded", "", "", errors="1")])
        self.assertEqual([k["unloaded_p99_us"] for k in knees], ["200", "200"])
        self.assertEqual(len(sus), 4)


if __name__ == "__main__":
    unittest.main()
