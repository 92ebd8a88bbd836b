# 02-persistent.sh: keep-alive. Each connection stays open all run (-r 0,
# echo, SWEEP_SIZE bytes): requests/s and request latency. The model only
# pays its spawn once per connection here, so the two should be close.
# Verdicts at the first and last concurrency.
# shellcheck shell=bash

exp02_metrics() {
    edge_metrics "$1" "$SWEEP_CONCURRENCY" requests_per_s requests_per_s,request_p99_us
}

exp02_plan() {
    local c
    for c in $SWEEP_CONCURRENCY; do
        plan_pairs "$(exp02_metrics "$c")" "$REPEATS" "$DURATION" "persistent connections c=$c" "$c"
    done
}

exp02_step() {
    measure_pairs 02-persistent echo "$1" "$SWEEP_SIZE" 0 "$DURATION" "$REPEATS" "$(exp02_metrics "$1")"
}

exp02_finish() {
    summarize 02-persistent model,concurrency \
        requests_per_s,request_p50_us,request_p99_us
}
