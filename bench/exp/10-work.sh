# 10-work.sh: I/O-bound and CPU-bound requests. Servers started with
# --sleep-us WORK_SLEEP_US (each request waits, as on a disk or a backend) or
# --work-us WORK_CPU_US (each request spins the CPU), echo, SWEEP_SIZE bytes,
# WORK_RPC requests per connection (1: a new connection per request, so the
# spawn is still paid), at each of WORK_CONCURRENCY.
# data/10-work-runs.csv: RUN_COLUMNS + workload (io|cpu), work_us;
# data/10-work.csv the medians per model x workload x concurrency.
# shellcheck shell=bash

exp10_plan() {
    local w m c r
    for w in io cpu; do
        for c in $WORK_CONCURRENCY; do
            for r in $(seq 1 "$WORK_REPEATS"); do
                for m in fork thread; do
                    plan_line "$(point_ms "$DURATION")" \
                        "$w-bound work, ${m}_server c=$c rep $r/$WORK_REPEATS" "$m $w $c $r"
                done
            done
        done
    done
}

# shellcheck disable=SC2034  # POINT_* are read by measure_point (lib.sh)
exp10_step() {
    local us flag
    if [ "$2" = io ]; then
        us=$WORK_SLEEP_US flag=--sleep-us
    else
        us=$WORK_CPU_US flag=--work-us
    fi
    POINT_SERVER_ARGS=("$flag" "$us")
    POINT_TAG=$2$us
    POINT_COLS=workload,work_us
    POINT_VALS=$2,$us
    measure_point 10-work "$1" echo "$3" "$SWEEP_SIZE" "$WORK_RPC" "$4" "$DURATION"
}

exp10_finish() {
    summarize 10-work model,workload,work_us,requests_per_conn,concurrency \
        requests_per_s,request_p50_us,request_p99_us,server_cpu_us_per_conn
}
