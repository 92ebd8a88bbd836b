# 10-work.sh: I/O-bound and CPU-bound requests. Servers started with
# --sleep-us WORK_SLEEP_US (each request waits, as on a disk or a backend) or
# --work-us WORK_CPU_US (each request spins the CPU), echo, SWEEP_SIZE bytes,
# WORK_RPC requests per connection (1: a new connection per request, so the
# spawn is still paid), at each of WORK_CONCURRENCY.
# data/10-work-runs.csv: RUN_COLUMNS + workload (io|cpu), work_us;
# data/10-work.csv the medians per model x workload x concurrency. The
# verdicts are at the highest concurrency of each workload.
# shellcheck shell=bash

exp10_metrics() {
    edge_metrics "$1" "$WORK_CONCURRENCY" "" requests_per_s
}

exp10_plan() {
    local w c
    for w in io cpu; do
        for c in $WORK_CONCURRENCY; do
            plan_pairs "$(exp10_metrics "$c")" "$WORK_REPEATS" "$DURATION" \
                "$w-bound work c=$c" "$w $c"
        done
    done
}

# shellcheck disable=SC2034  # POINT_* are read by measure_pairs (lib.sh)
exp10_step() {
    local us flag
    if [ "$1" = io ]; then
        us=$WORK_SLEEP_US flag=--sleep-us
    else
        us=$WORK_CPU_US flag=--work-us
    fi
    POINT_SERVER_ARGS=("$flag" "$us")
    POINT_TAG=$1$us
    POINT_COLS=workload,work_us
    POINT_VALS=$1,$us
    measure_pairs 10-work echo "$2" "$SWEEP_SIZE" "$WORK_RPC" "$DURATION" "$WORK_REPEATS" \
        "$(exp10_metrics "$2")"
}

exp10_finish() {
    summarize 10-work model,workload,work_us,requests_per_conn,concurrency \
        requests_per_s,request_p50_us,request_p99_us,server_cpu_us_per_conn
}
