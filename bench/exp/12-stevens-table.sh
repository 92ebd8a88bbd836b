# 12-stevens-table.sh: Stevens' table (UNP vol. 1 ch. 30) redone: his job
# (STEVENS_CLIENTS clients, STEVENS_CONNECTIONS connections of STEVENS_SIZE
# bytes, size protocol), timed by hyperfine, against six servers: each
# model iterative (his row 0), one per accept (fork: row 1, thread: row 6)
# and pre-spawned pools of STEVENS_TABLE_POOL (prefork: row 2, prethreaded:
# row 7). Rounds of STEVENS_TABLE_RUNS runs per server, the servers' order
# reversed every other round, VERDICT_REPEATS runs in all per server (rows
# 1 and 6 are experiment 3's rounds when it ran in the same run).
#   data/12-stevens-table-runs.csv, -rounds.csv  as experiment 3's, + variant
#   data/12-stevens-table.csv   one row per server: CPU per connection,
#                               process-control CPU, wall time, and ratios to
#                               fork per accept with intervals (bench/derive.py)
#   data/12-stevens-table-cpu.csv  CPU per connection per round
# shellcheck shell=bash

# exp12_variants: "VARIANT MODEL SERVER_ARGS..." in Stevens' row order. The
# servers one per accept are experiment 3's when it is in the run (its rounds
# time the same job): then they are not run again here.
exp12_variants() {
    local again=1
    ! experiments | grep -qx 03 || again=0
    echo "fork-iterative fork --iterative"
    [ "$again" -eq 0 ] || echo "fork fork"
    echo "fork-prespawn fork --prespawn $STEVENS_TABLE_POOL"
    echo "thread-iterative thread --iterative"
    [ "$again" -eq 0 ] || echo "thread thread"
    echo "thread-prespawn thread --prespawn $STEVENS_TABLE_POOL"
}

exp12_rounds() {
    echo $(((VERDICT_REPEATS + STEVENS_TABLE_RUNS - 1) / STEVENS_TABLE_RUNS))
}

exp12_plan() {
    local r
    # A rough time, only for the ETA: the pools and iterative servers as
    # fast as a thread per accept, from guess_rate.
    local ms=0 v m
    while read -r v m _; do
        m=thread
        [ "$v" != fork ] || m=fork
        ms=$((ms + STEVENS_TABLE_RUNS * STEVENS_CONNECTIONS * 1000 / $(guess_rate "$m") + 200))
    done < <(exp12_variants)
    for r in $(seq 1 "$(exp12_rounds)"); do
        plan_line "$ms" "Stevens' table round $r/$(exp12_rounds): $(exp12_variants | wc -l) servers (hyperfine)" "$r"
    done
}

exp12_step() {
    local r=$1 start v m
    local -a args lines
    start=$(now_ms)
    mapfile -t lines < <(exp12_variants)
    [ $((r % 2)) -eq 1 ] || mapfile -t lines < <(printf '%s\n' "${lines[@]}" | tac)
    local line
    for line in "${lines[@]}"; do
        read -r v m args <<<"$line"
        read -r -a args <<<"$args"
        stevens_round 12-stevens-table "$v" "$m" "$r" "$STEVENS_TABLE_RUNS" "${args[@]}"
    done
    if [ "$r" -eq "$(exp12_rounds)" ]; then
        # shellcheck disable=SC2034  # read by repeats_row (lib.sh)
        REPEAT_STOP=fixed REPEAT_WIDEST=''
        repeats_row 12-stevens-table table cpu_us_per_conn "$r" "$start"
    fi
}

exp12_finish() {
    python3 "$ROOT/bench/derive.py" 12 "$RUN/data"
}
