# 07-ballast.sh: fork cost vs parent size. Short connections (-r 1, echo,
# SWEEP_SIZE bytes, BALLAST_CONCURRENCY) against servers started with
# --ballast-mb each of BALLAST_SIZES (the parent touches that much private
# memory before serving, so every fork copies its page tables).
# data/07-ballast-runs.csv: RUN_COLUMNS + ballast_mb; data/07-ballast.csv the
# medians and data/07-ballast-fit.csv the least-squares slopes (both by
# bench/derive.py). The verdict is at the largest parent.
# shellcheck shell=bash

# exp07_cap: the largest ballast this machine can give the server: a quarter
# of MemAvailable (the page tables fork copies are a fraction of it; the rest
# of the machine keeps room).
exp07_cap() {
    echo $(($(mem_available_kib) / 4 / 1024))
}

# exp07_sizes: BALLAST_SIZES with every value above exp07_cap replaced by it.
exp07_sizes() {
    local cap b
    cap=$(exp07_cap)
    for b in $BALLAST_SIZES; do
        echo $((b < cap ? b : cap))
    done | sort -nu | tr '\n' ' ' | sed 's/ $//'
}

exp07_metrics() {
    edge_metrics "$1" "$(exp07_sizes)" "" connections_per_s
}

exp07_plan() {
    local b est
    {
        echo "what,value"
        echo "BALLAST_SIZES (MiB),$BALLAST_SIZES"
        echo "MemAvailable (MiB),$(($(mem_available_kib) / 1024))"
        echo "largest ballast allowed (MiB),$(exp07_cap)"
        echo "sizes used (MiB),$(exp07_sizes)"
    } >"$RUN/data/07-ballast-limits.csv"
    for b in $(exp07_sizes); do
        # Touching the ballast takes about 0.4 ms per MiB before serving.
        est=$(($(point_ms "$DURATION") + b * 2 / 5))
        if [ -n "$(exp07_metrics "$b")" ]; then
            plan_verdict $((VERDICT_REPEATS * 2 * est)) \
                "fork cost vs parent size ${b} MiB, both servers, until the verdict is sure" "$b"
        else
            plan_line $((BALLAST_REPEATS * 2 * est)) \
                "fork cost vs parent size ${b} MiB, both servers x $BALLAST_REPEATS" "$b"
        fi
    done
}

# shellcheck disable=SC2034  # POINT_* are read by measure_pairs (lib.sh)
exp07_step() {
    POINT_SERVER_ARGS=(--ballast-mb "$1")
    POINT_TAG=b$1
    POINT_COLS=ballast_mb
    POINT_VALS=$1
    measure_pairs 07-ballast echo "$BALLAST_CONCURRENCY" "$SWEEP_SIZE" 1 "$DURATION" \
        "$BALLAST_REPEATS" "$(exp07_metrics "$1")"
}

exp07_finish() {
    python3 "$ROOT/bench/derive.py" 07 "$RUN/data"
}
