#!/usr/bin/env bats
# bench.bats: `bench/run.sh tiny` end to end. One tiny run (setup_file) into
# a temporary RESULTS_DIR, then checks of its run folder: machine.json, raw/,
# data/ (rows for both models), plots/ (every figure drawn), report.md (both
# models named, every verdict number found in data/), report.html (the same
# report as a page, opened in headless Chromium), and --replot.

ROOT=$BATS_TEST_DIRNAME/../..

setup_file() {
    export RESULTS_DIR=$BATS_FILE_TMPDIR/results
    "$ROOT/bench/run.sh" tiny >"$BATS_FILE_TMPDIR/run.out" 2>&1 || {
        cat "$BATS_FILE_TMPDIR/run.out" >&3
        return 1
    }
    readlink -f "$RESULTS_DIR/latest" >"$BATS_FILE_TMPDIR/run_dir"
}

setup() {
    RUN=$(cat "$BATS_FILE_TMPDIR/run_dir")
    HOG_PID=
}

# Stops the busy loop a test started (by pid), whatever happened.
teardown() {
    if [ -n "$HOG_PID" ]; then
        kill "$HOG_PID" 2>/dev/null || true
        wait "$HOG_PID" 2>/dev/null || true
    fi
}

# first_cpu: the first CPU this shell may use: where the bench pins servers.
first_cpu() {
    taskset -pc $$ | sed 's/.*: *//; s/[,-].*//'
}

PAGECHECK=$ROOT/tests/helpers/pagecheck.py

# pagecheck PAGE ARGS...: runs tests/helpers/pagecheck.py (status, output as
# bats' run). When Chromium cannot run here it skips the test with the
# checker's reason, but fails as root with chromium and chromedriver
# installed: there it must run.
pagecheck() {
    run "$PAGECHECK" "$@"
    if [ "$status" -eq 77 ]; then
        if [ "$(id -u)" -eq 0 ] && command -v chromium >/dev/null &&
            command -v chromedriver >/dev/null; then
            echo "$output"
            return 1
        fi
        skip "$output"
    fi
}

# figures: how many figures the bench draws (one per bench/plots/NN-*.gp).
figures() {
    local gp n=0
    for gp in "$ROOT"/bench/plots/[0-9][0-9]-*.gp; do n=$((n + 1)); done
    echo "$n"
}

# The CSVs experiments 1-12 write, and each one's model column.
EXPECTED_CSVS="01-short 01-short-runs 02-persistent 02-persistent-runs
03-stevens 03-stevens-runs 04-payload 04-payload-runs
05-spectrum 05-spectrum-runs 05-spectrum-points
06-spawn 06-spawn-primitive 06-spawn-server 07-ballast 07-ballast-runs 07-ballast-fit
08-idle 08-idle-runs 08-idle-points 09-openloop 09-openloop-runs 09-openloop-knee
09-openloop-capacity 09-openloop-capacity-runs 09-openloop-sustainable 10-work 10-work-runs
11-cores 11-cores-runs 12-stevens-table 12-stevens-table-runs 12-stevens-table-rounds
12-stevens-table-cpu"

# models_in CSV: the distinct values of its "model" column, found by name.
models_in() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "model") c = i; next }
             c { print $c }' "$1" | sort -u | tr '\n' ' '
}

# check_verdicts RUN: every row of data/verdicts.csv recomputed from the
# runs it names, independently of the bench's code: the medians of each
# model's usable runs (undisturbed ones while two remain), the ratio (the
# better model's advantage), an interval around it, and the same numbers in
# a sentence of report.md's Verdict section. Prints what is wrong.
check_verdicts() {
    python3 - "$1" <<'EOF'
import csv, statistics, sys
from pathlib import Path
run = Path(sys.argv[1])
RUNS = {"1": "01-short-runs", "2": "02-persistent-runs", "3": "03-stevens-runs",
        "4": "04-payload-runs", "5": "05-spectrum-runs", "6": "06-spawn-rounds",
        "7": "07-ballast-runs", "8": "08-idle-points", "9": "09-openloop-runs",
        "10": "10-work-runs", "11": "11-cores-runs", "12": "12-stevens-table-cpu"}
def rows(name):
    with open(run / "data" / f"{name}.csv", newline="") as f:
        return list(csv.DictReader(f))
text = (run / "report.md").read_text()
verdict = text[text.index("## Verdict"):text.index("## Machine")]
bad, seen = [], set()
for v in rows("verdicts"):
    key = (v["experiment"], v["metric"], v["point"])
    if key in seen:
        bad.append(f"{key}: twice in verdicts.csv")
    seen.add(key)
    if v["metric"] == "sustainable_rate":
        # Experiment 9: the two sustainable rates of data/09-openloop-sustainable.csv.
        bound = v["point"].split("=", 1)[1].replace("_", " ")
        sus = {r["model"]: r["sustainable_rate"] for r in rows("09-openloop-sustainable")
               if r["bound"] == bound}
        if (sus.get("fork"), sus.get("thread")) != (v["fork_median"], v["thread_median"]):
            bad.append(f"{key}: rates {v['fork_median']}, {v['thread_median']} not {sus}")
        f, t = float(v["fork_median"]), float(v["thread_median"])
        if abs(max(f / t, t / f) / float(v["ratio"]) - 1) > 0.011:
            bad.append(f"{key}: ratio {v['ratio']}, recomputed {max(f / t, t / f):.4g}")
        continue
    where = dict(kv.split("=", 1) for kv in v["point"].split() if "=" in kv)
    mine = [r for r in rows(RUNS[v["experiment"]])
            if all(r.get(k) == x for k, x in where.items())
            and (v["experiment"] != "8" or r["variant"] == r["model"])]
    med = {}
    for m in ("fork", "thread"):
        rs = [r for r in mine if r["model"] == m]
        calm = [r for r in rs if r.get("disturbed", "0") != "1"]
        rs = calm if len(calm) >= 2 else rs
        # Positive values only; experiment 8's points that held fewer than K
        # (errors 1) say nothing of the memory per connection.
        vals = [x for x in (float(r[v["metric"]]) for r in rs if r[v["metric"]] != ""
                            and (v["experiment"] != "8" or r["errors"] == "0")) if x > 0]
        if str(len(vals)) != v[f"n_{m}"]:
            bad.append(f"{key}: n_{m} {v[f'n_{m}']}, recomputed {len(vals)}")
        med[m] = statistics.median(vals)
        if abs(med[m] / float(v[f"{m}_median"]) - 1) > 0.006:
            bad.append(f"{key}: {m} median {v[f'{m}_median']}, recomputed {med[m]:.4g}")
    r = max(med["thread"] / med["fork"], med["fork"] / med["thread"])
    if abs(r / float(v["ratio"]) - 1) > 0.011:
        bad.append(f"{key}: ratio {v['ratio']}, recomputed {r:.4g}")
    if v["difference"] == "single run":
        if f"{v['ratio']}×" not in verdict:
            bad.append(f"{key}: ratio {v['ratio']}× not in a verdict sentence")
        continue
    lo, hi = float(v["ci_low"]), float(v["ci_high"])
    if not lo <= float(v["ratio"]) <= hi:
        bad.append(f"{key}: ratio {v['ratio']} outside its interval {lo}-{hi}")
    if (v["difference"] == "shown") != (lo > 1):
        bad.append(f"{key}: difference {v['difference']} with interval {lo}-{hi}")
    said = f"{v['ratio']}×" if v["difference"] == "shown" else f"by {v['ratio']}×"
    ci = f"95 % CI {v['ci_low']}–{v['ci_high']}×"
    if not any(said in line and ci in line for line in verdict.splitlines()):
        bad.append(f"{key}: no verdict sentence says {said} with {ci}")
print("\n".join(bad))
EOF
}

@test "the run folder is named <UTC date>-<host> and latest points at it" {
    [ "$(readlink -f "$RESULTS_DIR/latest")" = "$RUN" ]
    [[ $(basename "$RUN") =~ ^[0-9]{8}T[0-9]{6}Z-.+$ ]]
    [ -d "$RUN/raw" ] && [ -d "$RUN/data" ] && [ -d "$RUN/plots" ]
}

@test "every step printed a progress line with its ETA" {
    grep -qE '^\[1/[0-9]+\] 01: .* … ETA [0-9]{2}:[0-9]{2}$' "$BATS_FILE_TMPDIR/run.out"
    local n
    n=$(grep -oE '^\[1/[0-9]+\]' "$BATS_FILE_TMPDIR/run.out" | grep -oE '[0-9]+\]$' | tr -d ']')
    grep -q "^\[$n/$n\] " "$BATS_FILE_TMPDIR/run.out"
}

@test "machine.json describes the machine and the profile" {
    jq -e '.profile == "tiny" and (.cpu.cpus_online > 0) and (.kernel | length > 0)
           and (.limits.rlimit_nofile.soft != null) and (.sysctl["net.core.somaxconn"] != null)
           and has("transparent_hugepage") and has("cpufreq_governor")
           and (.git | has("commit")) and (.compiler | has("flags"))' "$RUN/machine.json"
}

@test "raw/ holds a client JSON and a server JSON for every measured point" {
    local runs=0 idle rounds f
    for f in "$RUN"/data/*-runs.csv; do
        case $f in *03-stevens-runs.csv | *08-idle-runs.csv | *12-stevens-table-runs.csv) continue ;; esac
        runs=$((runs + $(tail -n +2 "$f" | wc -l)))
    done
    [ "$runs" -gt 0 ]
    # Experiment 8's points have a server but no client_load (tcpcheck
    # holds); experiment 3 has one server per round (hyperfine runs the client).
    idle=$(tail -n +2 "$RUN/data/08-idle-runs.csv" | wc -l)
    rounds=$(cat "$RUN/data/03-stevens-rounds.csv" "$RUN/data/12-stevens-table-rounds.csv" |
        grep -vc '^model,')
    [ "$rounds" -ge 2 ]
    [ "$(find "$RUN/raw" -name '*.client.json' | wc -l)" -eq "$runs" ]
    [ "$(find "$RUN/raw" -name '*.server.json' | wc -l)" -eq $((runs + rounds + idle)) ]
    for f in "$RUN"/raw/*.client.json; do jq -e '.totals | type == "object"' "$f" >/dev/null; done
    for f in "$RUN"/raw/*.server.json; do jq -e '(.accepted | type) == "number"' "$f" >/dev/null; done
    for f in "$RUN"/raw/03-stevens-*.hyperfine.json; do
        jq -e '.results[0].times | length == 2' "$f" >/dev/null
    done
}

@test "every server the bench started has exited" {
    local f pid
    for f in "$RUN"/raw/*.server.json; do
        pid=$(jq -r .pid "$f")
        if grep -qs '_server$' "/proc/$pid/comm"; then
            echo "server pid $pid ($f) is still running"
            return 1
        fi
    done
}

@test "every expected CSV has a header and rows for both models" {
    local name
    for name in $EXPECTED_CSVS; do
        [ -s "$RUN/data/$name.csv" ] || { echo "missing data/$name.csv"; return 1; }
        [ "$(models_in "$RUN/data/$name.csv")" = "fork thread " ] ||
            { echo "data/$name.csv: models $(models_in "$RUN/data/$name.csv")"; return 1; }
    done
}

@test "summary CSVs carry median, min, max and the error flags" {
    head -n 1 "$RUN/data/01-short.csv" | grep -q 'connections_per_s_median,connections_per_s_min,connections_per_s_max'
    head -n 1 "$RUN/data/01-short.csv" |
        grep -q ',n,errors,flagged_runs,disturbed_runs,disturbed_used,client_bound_runs$'
    head -n 1 "$RUN/data/01-short-runs.csv" | grep -q ',errors,client_rc,server_rc,'
    head -n 1 "$RUN/data/01-short-runs.csv" |
        grep -q ',others_cpu_s,steal_s,kernel_cpu_s,client_cpu_share,client_bound,disturbed,loadavg'
    head -n 1 "$RUN/data/03-stevens.csv" | grep -q 'mean_s,stddev_s'
}

@test "every figure is drawn as a non-empty PNG and SVG" {
    local gp name
    for gp in "$ROOT"/bench/plots/[0-9][0-9]-*.gp; do
        name=$(basename "$gp" .gp)
        [ -s "$RUN/plots/$name.png" ] || { echo "no plots/$name.png"; return 1; }
        [ -s "$RUN/plots/$name.svg" ] || { echo "no plots/$name.svg"; return 1; }
        grep -q "](plots/$name.png)" "$RUN/report.md"
    done
}

@test "the bench's last line is the path of report.html" {
    [ "$(readlink -f "$(tail -n 1 "$BATS_FILE_TMPDIR/run.out")")" = "$RUN/report.html" ]
}

@test "report.html is the report in one file: every figure inline, every verdict summarised, nothing from elsewhere" {
    python3 - "$RUN" "$(figures)" <<'EOF'
import csv, re, sys
from html.parser import HTMLParser
from pathlib import Path
run, figures = Path(sys.argv[1]), int(sys.argv[2])
page = (run / "report.html").read_text()
md = (run / "report.md").read_text()

class Refs(HTMLParser):
    """Every tag, its URL attributes, and every id."""
    def __init__(self):
        super().__init__()
        self.refs, self.ids, self.tags = [], set(), []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k == "id":
                self.ids.add(v)
            if k in ("src", "href", "xlink:href", "data", "action", "poster", "srcset"):
                self.refs.append((tag, k, v or ""))

p = Refs()
p.feed(page)
bad = []
for tag, k, v in p.refs:
    # Links may point anywhere (followed when clicked, never loaded); what
    # loads is the page itself, its own fragments and data: URLs.
    if tag != "a" and not v.startswith(("#", "data:")):
        bad.append(f"<{tag} {k}={v}> loads something else")
    if v.startswith("#") and v[1:] not in p.ids:
        bad.append(f"<{tag} {k}={v}>: no such id")
for tag in ("img", "iframe", "object", "embed", "frame"):
    if tag in p.tags:
        bad.append(f"an <{tag}> element")
if re.search(r"url\((?!#)|@import|<script[^>]+src=", page):
    bad.append("a stylesheet, font or script from elsewhere")
if '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' not in page:
    bad.append("no Content-Security-Policy")
# Every figure of report.md is inline, with its hover points.
names = re.findall(r"\]\(plots/([^)]+)\.png\)", md)
if len(names) != figures:
    bad.append(f"report.md shows {len(names)} figures, expected {figures}")
for name in names:
    m = re.search(rf'<figure id="fig-{re.escape(name)}">(.*?)</figure>', page, re.S)
    if not m or "<svg" not in m.group(1):
        bad.append(f"figure {name} not inline")
    elif '<g class="tip"><title>' not in m.group(1):
        bad.append(f"figure {name} has no hover text")
    elif "gnuplot_svg" in m.group(1):
        bad.append(f"figure {name} still calls gnuplot's script")
# The summary: a row per verdict with its ratio, interval and marks, and a
# link to each experiment's section.
summary = page[page.index('<h2 id="summary">'):page.index('<h2 id="verdict">')]
rows = list(csv.DictReader(open(run / "data" / "verdicts.csv", newline="")))
trs = re.findall(r"<tr[^>]*>(.*?)</tr>", summary, re.S)[1:]
if len(trs) != len(rows):
    bad.append(f"summary has {len(trs)} rows for {len(rows)} verdicts")
for v, tr in zip(rows, trs):
    want = [f">{v['ratio']}×<"] + ([f"{v['ci_low']}–{v['ci_high']}×"] if v["ci_low"] else [])
    for w in want:
        if w not in tr:
            bad.append(f"summary row of {v['experiment']} {v['metric']} {v['point']}: no {w}")
    for col, mark in (("flagged_runs", "flagged"), ("disturbed_runs", "disturbed"),
                      ("client_bound_runs", "client-bound")):
        if (v[col] != "0") != (f"{v[col]} {mark}</span>" in tr):
            bad.append(f"summary row of {v['experiment']} {v['point']}: "
                       f"{col} {v[col]} marked wrongly")
for nn in sorted({v["experiment"] for v in rows}, key=int):
    if f'href="#exp-{nn}"' not in summary or f'id="exp-{nn}"' not in page:
        bad.append(f"no link from the summary to section {nn}")
# What report.md says is on the page: every ratio of its verdict sentences.
for line in md.splitlines():
    if line.startswith("- "):
        for num in re.findall(r"[0-9][0-9.]*×", line):
            if num not in page:
                bad.append(f"{num} of report.md not on the page")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
}

@test "report.html in headless Chromium: no console error, no request but itself, every figure drawn, hover text shown" {
    rm -f "$RUN/screenshot.png"
    pagecheck "$RUN/report.html" --figures "$(figures)" --screenshot "$RUN/screenshot.png"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [ "$(head -c 4 "$RUN/screenshot.png" | tail -c 3)" = PNG ]
}

@test "the page check fails on a request leaving the file, a script error and an empty figure" {
    local bad=$BATS_TEST_TMPDIR/bad.html
    # No Content-Security-Policy to stop the load: the checker must see the
    # request itself (and blocks it: nothing is sent).
    python3 - "$RUN/report.html" "$bad" <<'EOF'
import re, sys
page = open(sys.argv[1]).read()
page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
page = page.replace("</head>", '<script src="http://127.0.0.1:9/x.js"></script>\n</head>', 1)
page = page.replace("</body>", "<script>notDefinedAnywhere();</script>\n</body>", 1)
i = page.index('<figure id="fig-01-short-rate">')
j, k = page.index("<svg", i), page.index("</svg>", i)
page = page[:j] + '<svg class="plot" viewBox="0 0 1000 620"></svg>' + page[k + 6:]
open(sys.argv[2], "w").write(page)
EOF
    pagecheck "$bad" --figures "$(figures)"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == *"request leaving the file: http://127.0.0.1:9/x.js"* ]]
    [[ $output == *"console error: "*"notDefinedAnywhere"* ]]
    [[ $output == *"figure fig-01-short-rate is not drawn"* ]]
}

@test "report.md names both models, the machine and the pinning" {
    grep -q fork_server "$RUN/report.md"
    grep -q thread_server "$RUN/report.md"
    grep -q '^## Machine' "$RUN/report.md"
    grep -q '\*\*Pinning\*\*' "$RUN/report.md"
    [ "$(grep -c '^## [0-9]*\. ' "$RUN/report.md")" -eq 12 ]
}

@test "every verdict is a ratio of the runs' medians, with its interval, as the report says" {
    local out
    [ "$(tail -n +2 "$RUN/data/verdicts.csv" | wc -l)" -ge 10 ]
    head -n 1 "$RUN/data/verdicts.csv" | grep -q ',ratio,ci_low,ci_high,n_fork,n_thread,'
    out=$(check_verdicts "$RUN")
    [ -z "$out" ] || { echo "$out"; return 1; }
    ! grep -q 'within noise' "$RUN/report.md"
}

@test "the verdict check fails on a verdict number 10 % off" {
    local copy=$BATS_TEST_TMPDIR/off out
    cp -r "$RUN" "$copy"
    awk -F, -v OFS=, 'NR == 2 { $7 = sprintf("%.2f", $7 * 1.1) } { print }' \
        "$RUN/data/verdicts.csv" >"$copy/data/verdicts.csv"
    out=$(check_verdicts "$copy")
    [[ $out == *"ratio "* ]]
}

@test "verdicts.csv names each point by its workload, once per experiment and metric" {
    [ -z "$(tail -n +2 "$RUN/data/verdicts.csv" | cut -d, -f1-3 | sort | uniq -d)" ]
    grep -q '^10,requests_per_s,workload=io concurrency=' "$RUN/data/verdicts.csv"
    grep -q '^10,requests_per_s,workload=cpu concurrency=' "$RUN/data/verdicts.csv"
}

@test "each point's repeats and why they stopped are recorded" {
    local least
    least=$(sed -n 's/^VERDICT_REPEATS="\([0-9]*\)"$/\1/p' "$RUN/profile.conf")
    [ "$least" -ge 2 ]
    # A verdict point ran at least VERDICT_REPEATS pairs (experiment 3 counts
    # rounds of hyperfine runs instead).
    awk -F, -v least="$least" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             $h["stopped_by"] !~ /^(target|max_repeats|step_budget|time_budget|minimum|fixed)$/ { bad = 1 }
             $h["metrics"] != "" && $h["experiment"] != "03-stevens" && $h["pairs"] < least { bad = 1 }
             END { exit bad || NR < 10 }' "$RUN/data/repeats.csv"
}

@test "--compare of a run with itself agrees on every verdict" {
    run "$ROOT/bench/run.sh" --compare "$RUN" "$RUN"
    [ "$status" -eq 0 ]
    [[ ${lines[-1]} =~ ^([0-9]+)\ verdicts:\ ([0-9]+)\ agree,\ 0\ differ,\ ([0-9]+)\ single ]]
    [ $((BASH_REMATCH[2] + BASH_REMATCH[3])) -eq "${BASH_REMATCH[1]}" ]
    [ -s "$RUN/compare.csv" ]
    ! grep -q ',differ$' "$RUN/compare.csv"
}

@test "--compare tells verdicts that differ" {
    local copy=$BATS_TEST_TMPDIR/other
    cp -r "$RUN" "$copy"
    # The first verdict that shows a difference, turned the other way round.
    awk -F, -v OFS=, 'NR > 1 && !done && $12 == "shown" {
                          $6 = ($6 == "thread") ? "fork" : "thread"; t = $4; $4 = $5; $5 = t
                          done = 1 } { print }' \
        "$RUN/data/verdicts.csv" >"$copy/data/verdicts.csv"
    run "$ROOT/bench/run.sh" --compare "$RUN" "$copy"
    [ "$status" -eq 1 ]
    [[ ${lines[-1]} == *" 1 differ,"* ]]
}

@test "experiment 6 sets the spawn primitive beside each server's CPU per connection" {
    # Both primitives at each SPAWN_BALLAST size, and a server bar per model.
    [ "$(tail -n +2 "$RUN/data/06-spawn-primitive.csv" | wc -l)" -eq 4 ]
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             $h["kind"] == "server" && $h["us_median"] > 0 && $h["share_pct"] != "" { n++ }
             END { exit n != 2 }' "$RUN/data/06-spawn.csv"
    grep -q 'fork+exit+wait alone' "$RUN/report.md"
}

@test "experiment 7 fits a slope per model and names transparent huge pages" {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             $h["metric"] == "server_cpu_us_per_conn" && $h["slope_us_per_100mib"] != "" { n++ }
             END { exit n != 2 }' "$RUN/data/07-ballast-fit.csv"
    [ "$(cut -d, -f1 "$RUN/data/07-ballast.csv" | tail -n +2 | wc -l)" -eq 4 ]
    grep -q 'Transparent huge pages were `' "$RUN/report.md"
}

@test "experiment 8 held every K with each variant and measured memory per connection" {
    # fork, thread and thread with a small stack, at each of tiny's two K. At
    # such small K the machine-wide kernel deltas of a busy machine can take
    # either sign, so the figure is checked to be a number, not its size.
    [ "$(tail -n +2 "$RUN/data/08-idle.csv" | wc -l)" -eq 6 ]
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             $h["held"] != $h["conns"] || $h["flagged_runs"] != 0 || $h["kib_per_conn"] !~ /^-?[0-9.]+$/ { bad = 1 }
             END { exit bad }' "$RUN/data/08-idle.csv"
    grep -q '^largest K allowed,[0-9]' "$RUN/data/08-idle-limits.csv"
    grep -q '| RLIMIT_NOFILE soft |' "$RUN/report.md"
}

@test "experiment 9 offers rates past each model's measured capacity and reports what it sustained" {
    [ "$(models_in "$RUN/data/09-openloop-capacity.csv")" = "fork thread " ]
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             $h["capacity_per_s"] > 0 && $h["highest_rate"] > $h["capacity_per_s"] &&
                 $h["highest_over_capacity"] > 1 && $h["unloaded_p99_us"] > 0 { n++ }
             END { exit n != 2 }' "$RUN/data/09-openloop-knee.csv"
    # Each model's offered rates are derived from the capacities, not the profile.
    local cap
    cap=$(awk -F, 'NR > 1 { print $2 }' "$RUN/data/09-openloop-capacity.csv" | sort -g | tail -n 1)
    awk -F, -v c="$cap" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             $h["phase"] == "sweep" && $h["fraction"] != "" {
                 d = $h["offered_rate"] / c - $h["fraction"]; if (d < -0.01 || d > 0.01) bad = 1 }
             END { exit bad }' "$RUN/data/09-openloop-runs.csv"
    [ "$(grep -c 'x unloaded p99,' "$RUN/data/09-openloop-sustainable.csv")" -eq 2 ]
    grep -qE "maximum sustainable offered rate|sustained no rate" "$RUN/report.md"
    [ "$(grep -cE "^- (fork|thread)_server: closed-loop capacity [0-9.]+ connections/s" "$RUN/report.md")" -ge 2 ]
}

@test "experiment 10 measured both workloads for both models" {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             { seen[$h["model"] "/" $h["workload"]] = 1 }
             END { exit !(("fork/io" in seen) && ("fork/cpu" in seen) &&
                          ("thread/io" in seen) && ("thread/cpu" in seen)) }' "$RUN/data/10-work.csv"
}

@test "--replot regenerates the same report and page from the data" {
    cp "$RUN/report.md" "$BATS_TEST_TMPDIR/before.md"
    cp "$RUN/report.html" "$BATS_TEST_TMPDIR/before.html"
    rm -f "$RUN"/plots/* "$RUN/report.html"
    "$ROOT/bench/run.sh" --replot "$RUN" >"$BATS_TEST_TMPDIR/out"
    cmp "$BATS_TEST_TMPDIR/before.md" "$RUN/report.md"
    cmp "$BATS_TEST_TMPDIR/before.html" "$RUN/report.html"
    [ "$(readlink -f "$(tail -n 1 "$BATS_TEST_TMPDIR/out")")" = "$RUN/report.html" ]
    [ -s "$RUN/plots/01-short-rate.png" ]
    local gp
    for gp in "$ROOT"/bench/plots/[0-9][0-9]-*.gp; do
        [ -s "$RUN/plots/$(basename "$gp" .gp).png" ]
    done
}

@test "a run with client errors is flagged in the CSV, the report and the plot" {
    local copy=$BATS_TEST_TMPDIR/flagged conc base
    cp -r "$RUN" "$copy"
    # Give 3 client errors to fork's first clean short-connection run that
    # the statistics use (on a busy machine the run itself may already have
    # flagged others; disturbed runs are left out while two others remain).
    local pick line
    pick=$(python3 - "$RUN/data/01-short-runs.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
for i, r in enumerate(rows):
    if r["model"] != "fork" or r["errors"] != "0" or r["client_rc"] != "0" or r["server_rc"] != "0":
        continue
    group = [x for x in rows if x["model"] == "fork" and x["concurrency"] == r["concurrency"]]
    calm = [x for x in group if x["disturbed"] != "1"]
    if r["disturbed"] != "1" or len(calm) < 2:
        print(r["concurrency"], i + 2)
        break
EOF
)
    read -r conc line <<<"$pick"
    [ -n "$conc" ]
    base=$(awk -F, -v c="$conc" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
                    $h["model"] == "fork" && $h["concurrency"] == c { print $h["flagged_runs"] }' \
        "$RUN/data/01-short.csv")
    awk -F, -v OFS=, -v n="$line" '
        NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i }
        NR == n { $h["errors"] = 3 }
        { print }' "$RUN/data/01-short-runs.csv" >"$copy/data/01-short-runs.csv"
    "$ROOT/bench/run.sh" --replot "$copy"
    awk -F, -v c="$conc" -v want=$((base + 1)) 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             $h["model"] == "fork" && $h["concurrency"] == c && $h["flagged_runs"] == want && $h["errors"] >= 3 { f = 1 }
             END { exit !f }' "$copy/data/01-short.csv"
    grep -q ' ⚠ |' "$copy/report.md"
    grep -q 'Caution: runs with client errors' "$copy/report.md"
    grep -q 'flagged: client errors' "$copy/plots/01-short-rate.svg"
    # The page: marked in the summary, and in the point's hover text.
    grep -qE '<tr class="warn">.*class="mark flagged">⚠ [0-9]+ flagged<' "$copy/report.html"
    grep -q 'flagged: [0-9]* runs with client errors' "$copy/plots/01-short-rate.svg"
    if [ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
                     { n += $h["flagged_runs"] } END { print n + 0 }' "$RUN/data/01-short.csv")" -eq 0 ]; then
        ! grep -q 'flagged: client errors' "$RUN/plots/01-short-rate.svg"
    fi
}

@test "EXPERIMENTS=3 runs only that experiment" {
    EXPERIMENTS=3 "$ROOT/bench/run.sh" tiny 2>"$BATS_TEST_TMPDIR/err"
    local run
    run=$(readlink -f "$RESULTS_DIR/latest")
    [ "$run" != "$RUN" ]
    [ -s "$run/data/03-stevens.csv" ]
    [ ! -e "$run/data/01-short.csv" ]
    [ "$(grep -c '^## [1-9]\. ' "$run/report.md")" -eq 1 ]
}

@test "EXPERIMENTS=7 runs only experiment 7, and --replot redraws it" {
    EXPERIMENTS=7 "$ROOT/bench/run.sh" tiny 2>"$BATS_TEST_TMPDIR/err"
    local run
    run=$(readlink -f "$RESULTS_DIR/latest")
    [ "$run" != "$RUN" ]
    [ "$(models_in "$run/data/07-ballast.csv")" = "fork thread " ]
    [ ! -e "$run/data/06-spawn.csv" ]
    [ "$(grep -c '^## [0-9]*\. ' "$run/report.md")" -eq 1 ]
    rm -f "$run"/plots/* "$run/report.md"
    "$ROOT/bench/run.sh" --replot "$run"
    [ -s "$run/plots/07-ballast.png" ]
    grep -q '^## 7\. ' "$run/report.md"
}

@test "a busy loop on the server's CPU marks runs disturbed, and they are measured again" {
    # The loop stops by itself (timeout) and is stopped by pid in teardown.
    timeout 300 taskset -c "$(first_cpu)" sh -c 'while :; do :; done' &
    HOG_PID=$!
    EXPERIMENTS=1 "$ROOT/bench/run.sh" tiny 2>"$BATS_TEST_TMPDIR/err"
    local run
    run=$(readlink -f "$RESULTS_DIR/latest")
    [ "$run" != "$RUN" ]
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             $h["disturbed"] == 1 && $h["others_cpu_s"] > 0 { d++ }
             $h["attempt"] > 1 { again++ }
             END { exit !(d >= 2 && again >= 1) }' "$run/data/01-short-runs.csv"
    grep -q ': disturbed (other programs used ' "$BATS_TEST_TMPDIR/err"
    grep -qE '^[0-9]+ runs were disturbed' "$run/report.md"
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             $h["disturbed_runs"] > 0 { n++ } END { exit !n }' "$run/data/01-short.csv"
    # tiny's sweep is 1 and 8, both verdict points: the page's summary marks it.
    grep -qE 'class="mark disturbed">[0-9]+ disturbed<' "$run/report.html"
}

@test "a client-bound point is marked in the runs, the table, the verdict and the plot" {
    # client_load is at its busiest with persistent connections; a threshold
    # of 5 % of its CPU makes those points client-bound on any machine, even
    # one so loaded that the server (and so the client) gets little CPU.
    CLIENT_BOUND_SHARE=0.05 EXPERIMENTS=2 "$ROOT/bench/run.sh" tiny 2>"$BATS_TEST_TMPDIR/err"
    local run
    run=$(readlink -f "$RESULTS_DIR/latest")
    [ "$run" != "$RUN" ]
    grep -q '^CLIENT_BOUND_SHARE="0.05"$' "$run/profile.conf"
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             $h["client_bound"] == 1 && $h["client_cpu_share"] >= 0.05 { n++ }
             $h["client_bound"] == 0 && $h["client_cpu_share"] >= 0.05 { bad++ }
             END { exit !(n >= 2 && !bad) }' "$run/data/02-persistent-runs.csv"
    grep -q 'client-bound\*\* ⚠' "$run/report.md"
    grep -q 'Caution: client-bound' "$run/report.md"
    grep -qE 'class="mark bound">⚠ [0-9]+ client-bound<' "$run/report.html"
    grep -q 'client-bound: client_load' "$run/plots/02-persistent-rate.svg"
}

@test "experiment 11 gives the server 1 CPU and more, and says when the client shared them" {
    local n
    n=$(nproc)
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             { seen[$h["model"] "/" $h["workload"] "/" $h["server_cpus"]] = 1
               if ($h["server_cpus"] > max) max = $h["server_cpus"] }
             END { exit !(("fork/short/1" in seen) && ("thread/short/1" in seen) &&
                          ("fork/persistent/1" in seen) && ("thread/persistent/1" in seen) &&
                          max >= 2) }' "$RUN/data/11-cores.csv"
    # Below 4 CPUs the last point shares the server's CPUs with the client.
    if [ "$n" -lt 4 ]; then
        grep -q ',2,1,' <(cut -d, -f1-4 "$RUN/data/11-cores.csv" | sed 's/$/,/')
        grep -q 'shared with the client' "$RUN/report.md"
    fi
    grep -q '(perfect scaling: ' "$RUN/report.md"
}

@test "experiment 12 lays out Stevens' table: six servers, process-control CPU, ratios to fork" {
    # An interval needs two rounds of the server and of fork per accept.
    local fr
    fr=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
                  $h["variant"] == "fork" { print $h["rounds"] }' "$RUN/data/12-stevens-table.csv")
    awk -F, -v fr="$fr" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             { seen[$h["variant"]] = 1 }
             $h["mode"] == "iterative" && $h["process_control_us"] != 0 { bad = 1 }
             $h["variant"] == "fork" && ($h["cpu_vs_fork"] != 1 || $h["wall_vs_fork"] != 1) { bad = 1 }
             $h["cpu_us_per_conn"] <= 0 { bad = 1 }
             $h["rounds"] > 1 && fr > 1 && $h["variant"] != "fork" && $h["cpu_ci_low"] == "" { bad = 1 }
             $h["mode"] == "pool" && $h["rounds"] < 2 { bad = 1 }
             END { exit bad || length(seen) != 6 }' "$RUN/data/12-stevens-table.csv"
    # The pooled servers ran as pools (their own tests check no spawn per connection).
    local f
    for f in "$RUN"/raw/12-stevens-table-*-prespawn-round1.server.json; do
        jq -e '.mode == "prespawn" and .pool > 0 and .accepted > 0' "$f" >/dev/null
    done
    grep -q "How much of fork_server's cost is the spawn" "$RUN/report.md"
    grep -q '^12,cpu_us_per_conn,mode=pool,' "$RUN/data/verdicts.csv"
}

@test "the shell scripts are shellcheck-clean" {
    command -v shellcheck >/dev/null || skip "shellcheck not installed"
    cd "$ROOT"
    shellcheck deps.sh bench/*.sh bench/*/*.sh tests/*.sh tests/helpers/*.sh .ci/run
}
