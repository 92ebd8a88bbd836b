# 01-short.sh: the connection storm. A new connection per request (-r 1,
# echo, SWEEP_SIZE bytes) at each of SWEEP_CONCURRENCY: connections/s, and
# the connect and whole-connection latency. Verdicts at the first and last
# concurrency, so those points repeat until their intervals are narrow.
# shellcheck shell=bash

exp01_metrics() {
    edge_metrics "$1" "$SWEEP_CONCURRENCY" connections_per_s connections_per_s,connection_p99_us
}

exp01_plan() {
    local c
    for c in $SWEEP_CONCURRENCY; do
        plan_pairs "$(exp01_metrics "$c")" "$REPEATS" "$DURATION" "short connections c=$c" "$c"
    done
}

exp01_step() {
    measure_pairs 01-short echo "$1" "$SWEEP_SIZE" 1 "$DURATION" "$REPEATS" "$(exp01_metrics "$1")"
}

exp01_finish() {
    summarize 01-short model,concurrency \
        connections_per_s,connect_p50_us,connect_p99_us,connection_p50_us,connection_p99_us,server_cpu_us_per_conn
}
