#!/usr/bin/env python3
"""readme.py [--check] [README]: the README's figures, from committed data.

The README quotes measurements only inside generated blocks:

  <!-- generated: verdicts results/reference -->
  ...
  <!-- end generated -->

is the Verdict list of that run folder's report.md, headed by where and when
it ran (machine.json); and

  <!-- generated: file results/extras/NAME.txt -->

is that file, verbatim, in a code block (each such file starts with the
command that wrote it); and

  <!-- generated: table results/reference:12 -->

is the first table of that run's report section 12. Without --check the blocks are rewritten in place;
with --check nothing is written and the exit status is 1 when a block
differs from its data (the test suite runs this), naming the block.
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"(<!-- generated: (\w+) (\S+) -->\n)(.*?)(<!-- end generated -->)", re.S)


def verdicts(run):
    report = (ROOT / run / "report.md").read_text()
    m = json.loads((ROOT / run / "machine.json").read_text())
    part = report[report.index("## Verdict"):]
    part = part[:part.index("\n## ", 1)]
    lines = [ln for ln in part.splitlines() if ln.startswith("- ")]
    cpu = m.get("cpu") or {}
    head = (f"*From [{run}/report.md]({run}/report.md): profile {m.get('profile')}, "
            f"{cpu.get('model')}, {cpu.get('cpus_online')} CPUs, {m.get('kernel')}, "
            f"{m.get('date')}.*")
    return "\n".join([head, ""] + lines) + "\n"


def table(arg):
    """RUN:NN: the first table of section NN of RUN/report.md."""
    run, nn = arg.rsplit(":", 1)
    report = (ROOT / run / "report.md").read_text()
    part = report[report.index(f"\n## {int(nn)}. "):]
    end = part.find("\n## ", 1)
    part = part if end < 0 else part[:end]
    lines, out = part.splitlines(), []
    for ln in lines:
        if ln.startswith("|"):
            out.append(ln)
        elif out:
            break
    return "\n".join(out) + "\n"


def include(path):
    return "```\n" + (ROOT / path).read_text().rstrip("\n") + "\n```\n"


KINDS = {"verdicts": verdicts, "file": include, "table": table}


def main(argv):
    check = "--check" in argv
    args = [a for a in argv[1:] if a != "--check"]
    readme = Path(args[0]) if args else ROOT / "README.md"
    text = readme.read_text()
    stale = []

    def fill(m):
        kind, arg = m.group(2), m.group(3)
        if kind not in KINDS:
            raise SystemExit(f"readme: unknown block kind {kind!r}")
        body = KINDS[kind](arg)
        if body != m.group(4):
            stale.append(f"{kind} {arg}")
        return m.group(1) + body + m.group(5)

    new = BLOCK.sub(fill, text)
    if check:
        for s in stale:
            print(f"readme: the block '{s}' differs from its data: run bench/readme.py",
                  file=sys.stderr)
        return 1 if stale else 0
    if new != text:
        readme.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
