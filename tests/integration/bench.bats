#!/usr/bin/env bats
# bench.bats: `bench/run.sh tiny` end to end. One tiny run (setup_file) into
# a temporary RESULTS_DIR, then checks of its run folder: machine.json, raw/,
# data/ (rows for both models), plots/ (every figure drawn), report.md (both
# models named, every verdict number found in data/), and --replot.

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
}

# The CSVs experiments 1-10 write, and each one's model column.
EXPECTED_CSVS="01-short 01-short-runs 02-persistent 02-persistent-runs
03-stevens 03-stevens-runs 04-payload 04-payload-runs
05-spectrum 05-spectrum-runs 05-spectrum-points
06-spawn 06-spawn-primitive 06-spawn-server 07-ballast 07-ballast-runs 07-ballast-fit
08-idle 08-idle-runs 09-openloop 09-openloop-runs 09-openloop-knee 10-work 10-work-runs"

# models_in CSV: the distinct values of its "model" column, found by name.
models_in() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "model") c = i; next }
             c { print $c }' "$1" | sort -u | tr '\n' ' '
}

# verdict_numbers: every number in the bullets of report.md's Verdict section
# (whole tokens only: the 99 of "p99" is a name, not a number; a fitted slope
# may be negative, so its minus sign is part of it).
verdict_numbers() {
    sed -n '/^## Verdict/,/^## [^V]/p' "$RUN/report.md" | grep '^- ' |
        grep -oE -- '-?[A-Za-z_0-9.]*[0-9][A-Za-z_0-9.]*' | sed 's/\.$//' |
        grep -E '^-?[0-9]+(\.[0-9]+)?$' | sort -u
}

data_fields() {
    local f
    for f in "$RUN"/data/*.csv; do
        tail -n +2 "$f" | tr ',' '\n'
    done | sort -u
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
    local runs=0 idle f
    for f in "$RUN"/data/*-runs.csv; do
        case $f in *03-stevens-runs.csv | *08-idle-runs.csv) continue ;; esac
        runs=$((runs + $(tail -n +2 "$f" | wc -l)))
    done
    [ "$runs" -gt 0 ]
    # Experiment 8's points have a server but no client_load (tcpcheck holds).
    idle=$(tail -n +2 "$RUN/data/08-idle-runs.csv" | wc -l)
    [ "$(find "$RUN/raw" -name '*.client.json' | wc -l)" -eq "$runs" ]
    [ "$(find "$RUN/raw" -name '*.server.json' | wc -l)" -eq $((runs + 2 + idle)) ]
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
    head -n 1 "$RUN/data/01-short.csv" | grep -q ',n,errors,flagged_runs$'
    head -n 1 "$RUN/data/01-short-runs.csv" | grep -q ',errors,client_rc,server_rc,'
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

@test "report.md names both models, the machine and the pinning" {
    grep -q fork_server "$RUN/report.md"
    grep -q thread_server "$RUN/report.md"
    grep -q '^## Machine' "$RUN/report.md"
    grep -q '\*\*Pinning\*\*' "$RUN/report.md"
    [ "$(grep -c '^## [0-9]*\. ' "$RUN/report.md")" -eq 10 ]
}

@test "every number in the verdict comes from the run's data" {
    local -a nums missing
    mapfile -t nums < <(verdict_numbers)
    [ "${#nums[@]}" -ge 10 ]
    mapfile -t missing < <(comm -23 <(printf '%s\n' "${nums[@]}") <(data_fields))
    [ "${#missing[@]}" -eq 0 ] || { echo "not in data/: ${missing[*]}"; return 1; }
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

@test "experiment 9 finds each model's knee or says there was none" {
    [ "$(models_in "$RUN/data/09-openloop-knee.csv")" = "fork thread " ]
    [ "$(grep -cE "_server('s knee is at| showed no knee up to) " "$RUN/report.md")" -ge 4 ]
}

@test "experiment 10 measured both workloads for both models" {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             { seen[$h["model"] "/" $h["workload"]] = 1 }
             END { exit !(("fork/io" in seen) && ("fork/cpu" in seen) &&
                          ("thread/io" in seen) && ("thread/cpu" in seen)) }' "$RUN/data/10-work.csv"
}

@test "--replot regenerates the same report from the data" {
    cp "$RUN/report.md" "$BATS_TEST_TMPDIR/before.md"
    rm -f "$RUN"/plots/*
    "$ROOT/bench/run.sh" --replot "$RUN"
    cmp "$BATS_TEST_TMPDIR/before.md" "$RUN/report.md"
    [ -s "$RUN/plots/01-short-rate.png" ]
    local gp
    for gp in "$ROOT"/bench/plots/[0-9][0-9]-*.gp; do
        [ -s "$RUN/plots/$(basename "$gp" .gp).png" ]
    done
}

@test "a run with client errors is flagged in the CSV, the report and the plot" {
    local copy=$BATS_TEST_TMPDIR/flagged conc base
    cp -r "$RUN" "$copy"
    # Give 3 client errors to fork's first clean short-connection run (on a
    # busy machine the run itself may already have flagged others).
    conc=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
                    $h["model"] == "fork" && $h["errors"] == 0 && $h["client_rc"] == 0 && $h["server_rc"] == 0 { print $h["concurrency"]; exit }' \
        "$RUN/data/01-short-runs.csv")
    [ -n "$conc" ]
    base=$(awk -F, -v c="$conc" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
                    $h["model"] == "fork" && $h["concurrency"] == c { print $h["flagged_runs"] }' \
        "$RUN/data/01-short.csv")
    awk -F, -v OFS=, -v c="$conc" '
        NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i }
        NR > 1 && !done && $h["model"] == "fork" && $h["concurrency"] == c && $h["errors"] == 0 &&
            $h["client_rc"] == 0 && $h["server_rc"] == 0 { $h["errors"] = 3; done = 1 }
        { print }' "$RUN/data/01-short-runs.csv" >"$copy/data/01-short-runs.csv"
    "$ROOT/bench/run.sh" --replot "$copy"
    awk -F, -v c="$conc" -v want=$((base + 1)) 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             $h["model"] == "fork" && $h["concurrency"] == c && $h["flagged_runs"] == want && $h["errors"] >= 3 { f = 1 }
             END { exit !f }' "$copy/data/01-short.csv"
    grep -q ' ⚠ |' "$copy/report.md"
    grep -q 'Caution: runs with client errors' "$copy/report.md"
    grep -q 'flagged: client errors' "$copy/plots/01-short-rate.svg"
    if [ "$(awk -F, 'NR > 1 { n += $NF } END { print n + 0 }' "$RUN/data/01-short.csv")" -eq 0 ]; then
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

@test "the bench scripts are shellcheck-clean" {
    command -v shellcheck >/dev/null || skip "shellcheck not installed"
    cd "$ROOT"
    shellcheck bench/*.sh bench/exp/*.sh
}
