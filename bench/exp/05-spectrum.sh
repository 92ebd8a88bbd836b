# 05-spectrum.sh: the whole latency distribution of short connections (-r 1,
# echo) at SPECTRUM_CONCURRENCY, from client_load's JSON spectrum of the
# connection phase. data/05-spectrum-points.csv has one row per model x run x
# percentile step (bench/derive.py; the 100th percentile, the max, is in
# 05-spectrum-runs.csv). Its verdicts are the median and p99.9.
# shellcheck shell=bash

exp05_plan() {
    plan_verdict "$(pairs_ms "$VERDICT_REPEATS" "$SPECTRUM_DURATION")" \
        "latency spectrum c=$SPECTRUM_CONCURRENCY, both servers, until the verdict is sure" go
}

exp05_step() {
    measure_pairs 05-spectrum echo "$SPECTRUM_CONCURRENCY" "$SWEEP_SIZE" 1 \
        "$SPECTRUM_DURATION" "$REPEATS" connection_p50_us,connection_p99_9_us
}

exp05_finish() {
    python3 "$ROOT/bench/derive.py" 05 "$RUN/data"
}
