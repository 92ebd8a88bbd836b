# 09-openloop.sh: open loop. client_load -R RATE sends requests on a fixed
# schedule whatever the server does, and times each from its intended start,
# so a server that falls behind shows in the percentiles (no coordinated
# omission). Short connections (-r 1: every request pays the spawn, which is
# where the models differ), echo, SWEEP_SIZE bytes, up to OPENLOOP_CONCURRENCY
# in flight, at each of OPENLOOP_RATES requests/s.
# data/09-openloop-runs.csv: RUN_COLUMNS (missed: requests never sent) +
# offered_rate;
# data/09-openloop.csv the medians; data/09-openloop-knee.csv each model's
# knee: the first rate whose p99 exceeds OPENLOOP_KNEE_FACTOR x the p99 at the
# lowest rate (bench/derive.py).
# shellcheck shell=bash

exp09_plan() {
    local m rate r
    for rate in $OPENLOOP_RATES; do
        for r in $(seq 1 "$OPENLOOP_REPEATS"); do
            for m in fork thread; do
                plan_line "$(point_ms "$OPENLOOP_DURATION")" \
                    "open loop, ${m}_server at $rate requests/s rep $r/$OPENLOOP_REPEATS" "$m $rate $r"
            done
        done
    done
}

# shellcheck disable=SC2034  # POINT_* are read by measure_point (lib.sh)
exp09_step() {
    POINT_TAG=R$2
    POINT_COLS=offered_rate
    POINT_VALS=$2
    measure_point 09-openloop "$1" echo "$OPENLOOP_CONCURRENCY" "$SWEEP_SIZE" 1 "$3" \
        "$OPENLOOP_DURATION" -R "$2"
}

exp09_finish() {
    python3 "$ROOT/bench/derive.py" 09 "$RUN/data"
}
