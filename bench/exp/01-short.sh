# 01-short.sh: the connection storm. A new connection per request (-r 1,
# echo, SWEEP_SIZE bytes) at each of SWEEP_CONCURRENCY: connections/s, and
# the connect and whole-connection latency.
# shellcheck shell=bash

exp01_plan() {
    local m c r
    for c in $SWEEP_CONCURRENCY; do
        for r in $(seq 1 "$REPEATS"); do
            for m in fork thread; do
                plan_line "$(point_ms "$DURATION")" \
                    "short connections, ${m}_server c=$c rep $r/$REPEATS" "$m $c $r"
            done
        done
    done
}

exp01_step() {
    measure_point 01-short "$1" echo "$2" "$SWEEP_SIZE" 1 "$3" "$DURATION"
}

exp01_finish() {
    summarize 01-short model,concurrency \
        connections_per_s,connect_p50_us,connect_p99_us,connection_p50_us,connection_p99_us,server_cpu_us_per_conn
}
