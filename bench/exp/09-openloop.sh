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
# lowest rate (bench/derive.py). The verdict is at the highest rate.
# shellcheck shell=bash

exp09_metrics() {
    edge_metrics "$1" "$OPENLOOP_RATES" "" request_p99_us
}

exp09_plan() {
    local rate
    for rate in $OPENLOOP_RATES; do
        if [ -n "$(exp09_metrics "$rate")" ]; then
            plan_verdict "$(pairs_ms "$VERDICT_REPEATS" "$OPENLOOP_DURATION")" \
                "open loop at $rate requests/s, both servers, until the verdict is sure" "$rate"
        else
            plan_line "$(pairs_ms "$OPENLOOP_REPEATS" "$OPENLOOP_DURATION")" \
                "open loop at $rate requests/s, both servers x $OPENLOOP_REPEATS" "$rate"
        fi
    done
}

# shellcheck disable=SC2034  # POINT_* are read by measure_pairs (lib.sh)
exp09_step() {
    POINT_TAG=R$1
    POINT_COLS=offered_rate
    POINT_VALS=$1
    measure_pairs 09-openloop echo "$OPENLOOP_CONCURRENCY" "$SWEEP_SIZE" 1 "$OPENLOOP_DURATION" \
        "$OPENLOOP_REPEATS" "$(exp09_metrics "$1")" -R "$1"
}

exp09_finish() {
    python3 "$ROOT/bench/derive.py" 09 "$RUN/data"
}
