# 02-persistent.sh: keep-alive. Each connection stays open all run (-r 0,
# echo, SWEEP_SIZE bytes): requests/s and request latency. The model only
# pays its spawn once per connection here, so the two should be close.
# shellcheck shell=bash

exp02_plan() {
    local m c r
    for c in $SWEEP_CONCURRENCY; do
        for r in $(seq 1 "$REPEATS"); do
            for m in fork thread; do
                plan_line "$(point_ms "$DURATION")" \
                    "persistent connections, ${m}_server c=$c rep $r/$REPEATS" "$m $c $r"
            done
        done
    done
}

exp02_step() {
    measure_point 02-persistent "$1" echo "$2" "$SWEEP_SIZE" 0 "$3" "$DURATION"
}

exp02_finish() {
    summarize 02-persistent model,concurrency \
        requests_per_s,request_p50_us,request_p99_us
}
