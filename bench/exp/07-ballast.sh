# 07-ballast.sh: fork cost vs parent size. Short connections (-r 1, echo,
# SWEEP_SIZE bytes, BALLAST_CONCURRENCY) against servers started with
# --ballast-mb each of BALLAST_SIZES (the parent touches that much private
# memory before serving, so every fork copies its page tables).
# data/07-ballast-runs.csv: RUN_COLUMNS + ballast_mb; data/07-ballast.csv the
# medians and data/07-ballast-fit.csv the least-squares slopes (both by
# bench/derive.py).
# shellcheck shell=bash

exp07_plan() {
    local m b r est
    for b in $BALLAST_SIZES; do
        # Touching the ballast takes about 0.4 ms per MiB before serving.
        est=$(($(point_ms "$DURATION") + b * 2 / 5))
        for r in $(seq 1 "$BALLAST_REPEATS"); do
            for m in fork thread; do
                plan_line "$est" "fork cost vs parent size, ${m}_server ${b} MiB rep $r/$BALLAST_REPEATS" \
                    "$m $b $r"
            done
        done
    done
}

# shellcheck disable=SC2034  # POINT_* are read by measure_point (lib.sh)
exp07_step() {
    POINT_SERVER_ARGS=(--ballast-mb "$2")
    POINT_TAG=b$2
    POINT_COLS=ballast_mb
    POINT_VALS=$2
    measure_point 07-ballast "$1" echo "$BALLAST_CONCURRENCY" "$SWEEP_SIZE" 1 "$3" "$DURATION"
}

exp07_finish() {
    python3 "$ROOT/bench/derive.py" 07 "$RUN/data"
}
