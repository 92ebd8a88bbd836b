#!/usr/bin/env python3
"""Unit tests of bench/reportlib.py's verdict sentences: what a verdict says
agrees with the interval it prints."""
import sys
import tempfile
import unittest
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import reportlib  # noqa: E402
import stats  # noqa: E402


def verdict(iv):
    """The sentence and data/verdicts.csv row state() writes for IV, the
    thread/fork interval of a higher-is-better metric, 5 runs each."""
    ctx = reportlib.Context(tempfile.mkdtemp(), {}, {})
    text = reportlib.state(ctx, "1", "connections_per_s", "concurrency=1",
                           {"fork": "1000", "thread": "1100"}, {"fork": 5, "thread": 5},
                           iv, True, "at 1 connection", "connections/s", "connections/s")
    return text, dict(zip(reportlib.VERDICT_COLUMNS, ctx.verdict_rows[0]))


class ShownAsWritten(unittest.TestCase):
    def test_a_lower_bound_that_rounds_to_one_shows_no_difference(self):
        text, row = verdict(stats.Interval(1.1, 1.004, 1.21))
        self.assertEqual((row["ci_low"], row["difference"], row["better"]),
                         ("1.00", "none", "none"))
        self.assertIn("no difference shown", text)
        self.assertIn("95 % CI 1.00–1.21×", text)

    def test_a_lower_bound_above_one_as_written_shows_the_difference(self):
        text, row = verdict(stats.Interval(1.1, 1.006, 1.21))
        self.assertEqual((row["ci_low"], row["difference"], row["better"]),
                         ("1.01", "shown", "thread"))
        self.assertIn("thread_server achieved 1.10×", text)

    def test_fork_ahead_is_said_as_its_advantage(self):
        text, row = verdict(stats.Interval(0.5, 0.4, 0.6))
        self.assertEqual((row["better"], row["ratio"], row["ci_low"], row["ci_high"]),
                         ("fork", "2.00", "1.67", "2.50"))
        self.assertIn("fork_server achieved 2.00×", text)


if __name__ == "__main__":
    unittest.main()
